"""Every read of tickets: which a user may see, which wait for them, lists newest first by keyset, and one ticket's
review state (requirements, approvals, what the user may do) for the page, the API and the services alike."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import translation

from approvals.models import AuditEntry, LineComment, ReviewerProfile, Risk, Rule, Ticket
from approvals.tickets import policy
from riskcheck import TITLES, Analysis, Severity, mask_secrets

TicketRule = Ticket.rules.through


class _HasPk(Protocol):
    @property
    def pk(self) -> Any: ...


RowT = TypeVar("RowT", bound=_HasPk)


# A reviewer with at least this many rule links is listed by walking tickets newest first and probing each one's
# links (stops after a page); one with fewer by fetching their tickets and sorting them. Either plan alone is slow
# for the other kind of reviewer: 40 ms against 1 ms, or 57 ms against 0.3 ms on SQLite at 100,000 tickets.
WALK_FROM_LINKS = 2_000


def _review_rule_ids(user: AbstractBaseUser) -> list[int]:
    """Return the IDs of the human (not automatic) rules that name the user, directly or by group, as literals.

    Literals rather than a subquery: the database's statistics then see which rules, hence how many tickets.
    """
    if not user.is_active:
        return []
    rules = Rule.objects.filter(Q(reviewers=user) | Q(groups__user=user), auto_outcome="")
    return sorted(set(rules.values_list("pk", flat=True)))


def _rule_links(rule_ids: list[int], *, walk: bool) -> Q:
    """The condition "the ticket matched one of these rules", as a per-row probe (walk) or an ID list."""
    if walk:
        return Q(Exists(TicketRule.objects.filter(ticket_id=OuterRef("pk"), rule_id__in=rule_ids)))
    return Q(pk__in=TicketRule.objects.filter(rule_id__in=rule_ids).values("ticket_id"))


def _review_branches(user: AbstractBaseUser, *, walk: bool | None) -> list[Q]:
    """Return the ways the user reviews a ticket, as separate conditions: by a human rule (directly or by group),
    and by review-any when no rule matched. `walk=None` chooses the rule branch's shape by its size."""
    branches = []
    rule_ids = _review_rule_ids(user)
    if rule_ids:
        if walk is None:
            links = TicketRule.objects.filter(rule_id__in=rule_ids)[:WALK_FROM_LINKS].count()  # bounded: stops early
            walk = links >= WALK_FROM_LINKS
        branches.append(_rule_links(rule_ids, walk=walk))
    if isinstance(user, PermissionsMixin) and user.has_perm("approvals.review_any"):
        branches.append(Q(has_rules=False))  # a column, not NOT EXISTS (which PostgreSQL chose to hash whole)
    return branches


def _own_branch(user: AbstractBaseUser) -> list[Q]:
    """Return the condition "the user triggered this change in DataWorks", when they have a DataWorks UID."""
    uid = policy.dataworks_uid_of(user)
    return [Q(operator_uid=uid)] if uid else []


def _any(branches: list[Q]) -> Q | None:
    return reduce(operator.or_, branches) if branches else None


def visible_tickets(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """Return the tickets a user may see: staff see all; others what they review or what they triggered.

    Mirrors `policy.is_reviewer` and `policy.is_own_change`. For finding or counting tickets; lists newest first
    use `newest_visible_ids`, which splits this condition into branches the database can each plan well.
    """
    tickets = Ticket.objects.all()
    if not user.is_authenticated:
        return tickets.none()
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return tickets
    assert isinstance(user, PermissionsMixin)
    visible = _any(_review_branches(user, walk=False) + _own_branch(user))
    return tickets.filter(visible) if visible is not None else tickets.none()


def _standing_approvals(user: AbstractBaseUser) -> QuerySet[AuditEntry]:
    """The user's approvals of the outer ticket that they have not withdrawn since (a subquery on OuterRef("pk"))."""
    withdrawn_later = AuditEntry.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        actor_id=OuterRef("actor_id"),
        action=AuditEntry.Action.APPROVAL_WITHDRAWN,
        created_at__gt=OuterRef("created_at"),
    )
    approvals = AuditEntry.objects.filter(
        ticket_id=OuterRef("pk"), actor_id=user.pk, action__in=policy.APPROVAL_ACTIONS
    )
    return approvals.exclude(Exists(withdrawn_later))


def waiting_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """Return pending tickets this user can decide now (a reviewer, not their own change, not yet approved)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    assert isinstance(user, PermissionsMixin)
    # Pending tickets are few: probe each rather than list every ticket the user reviews.
    reviews = _any(_review_branches(user, walk=True))
    if reviews is None:
        return Ticket.objects.none()
    approved = _standing_approvals(user)
    tickets = Ticket.objects.filter(reviews, status=Ticket.Status.PENDING).exclude(Exists(approved))
    uid = policy.dataworks_uid_of(user)
    if uid:
        tickets = tickets.exclude(operator_uid=uid)
    return tickets


# --- Lists newest first, one page at a time -------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MICROSECOND = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_CURSOR = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})")  # 18 digits: both fit a 64-bit database integer


def waiting_count(user: AbstractBaseUser | AnonymousUser) -> int:
    """Count `waiting_for(user)` in one query (every signed-in page's title prints it): the user's rules and
    DataWorks UID as subqueries rather than the literals `waiting_for` reads first."""
    if not user.is_authenticated or not user.is_active:
        return 0
    assert isinstance(user, PermissionsMixin)
    rules = Rule.objects.filter(Q(reviewers=user) | Q(groups__user=user), auto_outcome="").values("pk")
    reviews = Q(Exists(TicketRule.objects.filter(ticket_id=OuterRef("pk"), rule_id__in=rules)))
    if user.has_perm("approvals.review_any"):
        reviews |= Q(has_rules=False)
    approved = _standing_approvals(user)
    own = ReviewerProfile.objects.filter(user_id=user.pk, dataworks_uid=OuterRef("operator_uid")).exclude(
        dataworks_uid=""
    )
    tickets = Ticket.objects.filter(reviews, status=Ticket.Status.PENDING)
    return tickets.exclude(Exists(approved)).exclude(Exists(own)).count()


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a newest-first list: the last ticket shown; the next page holds the tickets after it."""

    created_at: datetime
    pk: int

    def encode(self) -> str:
        return f"{(self.created_at - _EPOCH) // timedelta(microseconds=1)}.{self.pk}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """Parse `encode()`'s form; None when it is not one (the caller reports the bad value)."""
        match = _CURSOR.fullmatch(text)
        if match is None:
            return None
        # Every position the schema's pattern admits is valid: one past the calendar means "after the end of time".
        micros = min(int(match[1]), _LAST_MICROSECOND)
        return cls(_EPOCH + timedelta(microseconds=micros), int(match[2]))


@dataclass(frozen=True, slots=True)
class IdPage:
    """The IDs of one page, newest first, and where the next page starts (None on the last page)."""

    ids: list[int]
    next: Cursor | None

    def arrange(self, rows: Iterable[RowT]) -> list[RowT]:
        """Put the page's rows (read by their IDs, in any order) in the page's order."""
        by_id = {row.pk: row for row in rows}
        return [by_id[pk] for pk in self.ids if pk in by_id]


def _visibility_branches(user: AbstractBaseUser | AnonymousUser) -> list[Q] | None:
    """Return the ways a user may see a ticket as separate conditions (None: staff see all; []: nothing).

    Each branch alone gets a plan that suits its size, which an OR of them does not: a reviewer of 25,000 tickets
    walks the created_at index and stops after a page; one of 10 fetches those 10 and sorts them (`WALK_FROM_LINKS`).
    """
    if not user.is_authenticated:
        return []
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return None
    assert isinstance(user, PermissionsMixin)
    return _review_branches(user, walk=None) + _own_branch(user)


def newest_visible_ids(
    user: AbstractBaseUser | AnonymousUser,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] = lambda tickets: tickets,
    *,
    after: Cursor | None = None,
    limit: int,
) -> IdPage:
    """Return one page of the tickets a user may see (the same set as `visible_tickets`), newest first.

    `narrow` applies the list's filters; `after` continues from a previous page. One query per visibility branch
    (at most three), each reading at most `limit + 1` rows from where the page starts, merged here: a page costs the
    same at the 1st and the 1,000th page, and nothing counts the whole set.
    """
    branches = _visibility_branches(user)
    if branches is not None and not branches:
        return IdPage([], None)
    queries: list[QuerySet[Ticket]] = (
        [Ticket.objects.all()] if branches is None else [Ticket.objects.filter(branch) for branch in branches]
    )
    found: dict[int, datetime] = {}
    for tickets in queries:
        tickets = narrow(tickets)
        if after is not None:
            # `created_at <= x` lets the index bound the scan; the exclusion drops what the last page already showed.
            tickets = tickets.filter(created_at__lte=after.created_at).exclude(
                created_at=after.created_at, pk__gte=after.pk
            )
        rows = tickets.order_by("-created_at", "-pk").values_list("pk", "created_at")[: limit + 1]
        found.update(rows)
    newest = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)
    page = newest[:limit]
    more = len(newest) > limit
    return IdPage([pk for pk, _ in page], Cursor(page[-1][1], page[-1][0]) if more and page else None)


# --- Lists riskiest first -------------------------------------------------------------------------------------------

# The inbox's "riskiest first" order. NOT_ASSESSED sorts below every finding and above NONE: an unread change may be
# anything, but a reviewer looking for the worst findings should see them first. Blank (not prepared yet) sorts last.
RISK_RANK: dict[str, int] = {
    Risk.CRITICAL: 6,
    Risk.HIGH: 5,
    Risk.MEDIUM: 4,
    Risk.LOW: 3,
    Risk.NOT_ASSESSED: 2,
    Risk.NONE: 1,
}
_RISK_CURSOR = re.compile(r"r([0-6])\.([0-9]{1,18})\.([0-9]{1,18})")


def risk_rank() -> Case:
    """The ticket's place in the riskiest-first order, as a database expression (0 for a blank risk)."""
    whens = [When(risk=risk, then=Value(rank)) for risk, rank in RISK_RANK.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


@dataclass(frozen=True, slots=True)
class RiskCursor:
    """A position in a riskiest-first list: the last ticket shown, with its risk's rank."""

    rank: int
    created_at: datetime
    pk: int

    def encode(self) -> str:
        return f"r{self.rank}.{(self.created_at - _EPOCH) // timedelta(microseconds=1)}.{self.pk}"

    @classmethod
    def decode(cls, text: str) -> RiskCursor | None:
        """Parse `encode()`'s form; None when it is not one."""
        match = _RISK_CURSOR.fullmatch(text)
        if match is None:
            return None
        micros = min(int(match[2]), _LAST_MICROSECOND)
        return cls(int(match[1]), _EPOCH + timedelta(microseconds=micros), int(match[3]))


@dataclass(frozen=True, slots=True)
class RiskIdPage:
    """The IDs of one riskiest-first page and where the next page starts (None on the last page)."""

    ids: list[int]
    next: RiskCursor | None

    def arrange(self, rows: Iterable[RowT]) -> list[RowT]:
        by_id = {row.pk: row for row in rows}
        return [by_id[pk] for pk in self.ids if pk in by_id]


def riskiest_visible_ids(
    user: AbstractBaseUser | AnonymousUser,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] = lambda tickets: tickets,
    *,
    after: RiskCursor | None = None,
    limit: int,
) -> RiskIdPage:
    """Return one page of the tickets a user may see, riskiest first (`RISK_RANK`), newest first within a risk.

    Like `newest_visible_ids`: one query per visibility branch, each reading at most `limit + 1` rows after the
    cursor, merged here. The rank is computed per row (no index orders by it), so a page reads every visible ticket
    that the filters leave; the inbox's filters (status, workspace) keep that small in practice.
    """
    branches = _visibility_branches(user)
    if branches is not None and not branches:
        return RiskIdPage([], None)
    queries: list[QuerySet[Ticket]] = (
        [Ticket.objects.all()] if branches is None else [Ticket.objects.filter(branch) for branch in branches]
    )
    found: dict[int, tuple[int, datetime]] = {}
    for tickets in queries:
        tickets = narrow(tickets).annotate(risk_rank=risk_rank())
        if after is not None:
            tickets = tickets.filter(
                Q(risk_rank__lt=after.rank)
                | Q(risk_rank=after.rank, created_at__lt=after.created_at)
                | Q(risk_rank=after.rank, created_at=after.created_at, pk__lt=after.pk)
            )
        rows = tickets.order_by("-risk_rank", "-created_at", "-pk").values_list("pk", "risk_rank", "created_at")
        found.update((pk, (rank, created)) for pk, rank, created in rows[: limit + 1])
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[1][1], item[0]), reverse=True)
    page = ordered[:limit]
    more = len(ordered) > limit
    last = page[-1] if page else None
    cursor = RiskCursor(last[1][0], last[1][1], last[0]) if more and last else None
    return RiskIdPage([pk for pk, _ in page], cursor)


# --- One ticket ---------------------------------------------------------------------------------------------------


def ticket_by_id(ticket_id: int) -> Ticket | None:
    """Return a ticket by its id, or None when there is none."""
    return Ticket.objects.filter(pk=ticket_id).first()


def tickets_by_ids(ids: Iterable[int]) -> QuerySet[Ticket]:
    """Return the tickets with these ids (a page already chosen by `newest_visible_ids`), in no particular order."""
    return Ticket.objects.filter(pk__in=list(ids))


def with_api_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Add what a listing prints for every ticket without a query per row: the decider and the operator's name."""
    username = f"user__{get_user_model().USERNAME_FIELD}"
    operator_name = ReviewerProfile.objects.filter(dataworks_uid=OuterRef("operator_uid")).values(username)[:1]
    return tickets.select_related("decided_by").annotate(operator_name=Subquery(operator_name))


def ticket_visible(
    *, user: AbstractBaseUser | AnonymousUser, ticket_id: int, for_listing: bool = False
) -> Ticket | None:
    """Return the ticket if the user may see it (None whether it is missing or hidden), with its event and decider
    (or, `for_listing`, with the columns `with_api_columns` adds)."""
    tickets = visible_tickets(user)
    tickets = with_api_columns(tickets) if for_listing else tickets.select_related("event", "decided_by")
    return tickets.filter(pk=ticket_id).first()


def operator_name(ticket: Ticket) -> str:
    """Name who triggered the change like `policy.operator_display`, from the annotation when it is there."""
    if not hasattr(ticket, "operator_name"):
        return policy.operator_display(ticket)
    if not ticket.operator_uid:
        return "-"
    return str(getattr(ticket, "operator_name", None) or ticket.operator_uid)


@dataclass(frozen=True)
class ReviewState:
    """How far a ticket's review has come and what one user may do with it now."""

    requirements: list[policy.Requirement]
    history: list[AuditEntry]
    cannot_decide_reason: str | None
    may_override: bool

    @property
    def can_decide(self) -> bool:
        return self.cannot_decide_reason is None


def ticket_review_state(*, ticket: Ticket, user: AbstractBaseUser | AnonymousUser) -> ReviewState:
    """Return the ticket's requirements (computed once), its audit history (oldest first) and what the user may do."""
    reqs = policy.requirements(ticket)
    history = list(ticket.audit.select_related("actor").order_by("created_at", "pk"))
    return ReviewState(
        requirements=reqs,
        history=history,
        cannot_decide_reason=policy.why_cannot_decide(user, ticket, reqs),
        may_override=policy.may_override(user, ticket),
    )


# --- Risk findings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding as a reader sees it: texts in the active language, AccessKeys masked, and its waiver if any."""

    rule: str
    severity: str
    line: int
    title: str
    message: str
    why: str
    excerpt: str
    waived: bool = False
    waived_by: str = ""
    waiver_reason: str = ""
    waived_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "title": self.title,
            "message": self.message,
            "why": self.why,
            "excerpt": self.excerpt,
            "waived": self.waived,
            "waived_by": self.waived_by or None,
            "waiver_reason": self.waiver_reason or None,
        }


@dataclass(frozen=True)
class RiskView:
    """A ticket's risk: as found at preparation (what rules matched on), after waivers (what the page and the tip
    show), the findings, and why it was not assessed or what the analyser did not know."""

    found: str | None  # Ticket.risk; None when the ticket was never analysed (preparing, or prepared before)
    effective: str | None  # the highest severity of the findings nobody waived (NONE when all are waived)
    findings: list[FindingView]
    reason: str = ""  # why it is NOT_ASSESSED, in the active language
    projects_unknown: bool = False  # MC11 was silent: the workspace's own projects could not be read

    @property
    def open_findings(self) -> list[FindingView]:
        return [finding for finding in self.findings if not finding.waived]


def _language_key() -> str:
    """The analyser's language key for the active language ("zh-hans" or "en")."""
    return "zh-hans" if (translation.get_language() or "").lower().startswith("zh") else "en"


def _in_language(texts: dict[str, str] | None, key: str) -> str:
    if not texts:
        return ""
    return mask_secrets(texts.get(key) or texts.get("en") or next(iter(texts.values()), ""))


def _stored_analysis(ticket: Ticket) -> tuple[Analysis | None, dict[str, Any]]:
    stored = ticket.snapshot.get("risk") if isinstance(ticket.snapshot, dict) else None
    if not isinstance(stored, dict):
        return None, {}
    context = stored.get("context")
    try:
        return Analysis.from_json(stored), context if isinstance(context, dict) else {}
    except (ValueError, TypeError):
        return None, {}


def ticket_risk_view(ticket: Ticket) -> RiskView:
    """Return the ticket's stored risk and findings with its waivers, for the page, the API and the tip."""
    analysis, context = _stored_analysis(ticket)
    found = ticket.risk or None
    if analysis is None:
        return RiskView(found=found, effective=found, findings=[])
    key = _language_key()
    waivers = {(waiver.rule, waiver.line): waiver for waiver in ticket.waivers.select_related("actor")}
    findings = []
    for finding in analysis.findings:
        waiver = waivers.get((finding.rule, finding.line))
        findings.append(
            FindingView(
                rule=finding.rule,
                severity=finding.severity.name,
                line=finding.line,
                title=_in_language(TITLES.get(finding.rule), key),
                message=_in_language(finding.message, key),
                why=_in_language(finding.why, key),
                excerpt=mask_secrets(finding.excerpt),
                waived=waiver is not None,
                waived_by=waiver.actor.get_username() if waiver is not None else "",
                waiver_reason=waiver.reason if waiver is not None else "",
                waived_at=waiver.created_at if waiver is not None else None,
            )
        )
    effective = found
    if found not in (None, Risk.NOT_ASSESSED):
        remaining = [Severity.parse(finding.severity) for finding in findings if not finding.waived]
        effective = max(remaining, default=Severity.NONE).name
    return RiskView(
        found=found,
        effective=effective,
        findings=findings,
        reason=_in_language(analysis.reason, key),
        projects_unknown=bool(context.get("projects_error")),
    )


def ticket_risk(ticket: Ticket) -> tuple[str | None, list[dict]]:
    """Return the ticket's risk and its findings with waivers applied (waived findings left out, the risk the
    highest severity of the rest), AccessKeys masked, messages in the active language; None when never analysed.

    Notifications call this; keep the signature.
    """
    view = ticket_risk_view(ticket)
    return view.effective, [finding.as_dict() for finding in view.open_findings]


# --- The inbox: tabs, search, filters, counts, keyset pages in three orders -------------------------------------------

INBOX_TABS = ("waiting", "all", "mine", "decided")
INBOX_SORTS = ("oldest", "newest", "risk")
COUNT_CAP = 1_000  # a tab's count stops here ("1,000+"): counting every match would read every visible ticket
_MAX_NAME_MATCHES = 200  # workspaces or operators a name filter may stand for (a bounded IN list)
_TICKET_NUMBER = re.compile(r"#?([0-9]{1,18})")


@dataclass(frozen=True, slots=True)
class CappedCount:
    """How many tickets a tab holds, exactly up to `COUNT_CAP`; `capped` when there are more."""

    n: int
    capped: bool = False


def _tab_queries(user: AbstractBaseUser | AnonymousUser, tab: str) -> list[QuerySet[Ticket]]:
    """The tab's tickets as one query per visibility branch (merged by the caller), [] when it holds nothing.

    waiting: `waiting_for`; mine: the user's own changes (their DataWorks UID); all: what they may see;
    decided: what they may see that is no longer open.
    """
    if not user.is_authenticated:
        return []
    if tab == "waiting":
        return [waiting_for(user)]
    if tab == "mine":
        uid = policy.dataworks_uid_of(user)
        return [Ticket.objects.filter(operator_uid=uid)] if uid else []
    branches = _visibility_branches(user)
    queries: list[QuerySet[Ticket]] = (
        [Ticket.objects.all()] if branches is None else [Ticket.objects.filter(branch) for branch in branches]
    )
    if tab == "decided":
        queries = [tickets.exclude(status__in=Ticket.OPEN_STATUSES) for tickets in queries]
    return queries


def tab_tickets(user: AbstractBaseUser | AnonymousUser, tab: str) -> QuerySet[Ticket]:
    """The tab's tickets as one query (for counting or choosing a batch), every branch OR-ed."""
    if tab == "waiting":
        return waiting_for(user)
    if tab == "mine":
        uid = policy.dataworks_uid_of(user) if user.is_authenticated else ""
        return Ticket.objects.filter(operator_uid=uid) if uid else Ticket.objects.none()
    tickets = visible_tickets(user)
    if tab == "decided":
        tickets = tickets.exclude(status__in=Ticket.OPEN_STATUSES)
    return tickets


def tab_count(
    user: AbstractBaseUser | AnonymousUser,
    tab: str,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] = lambda tickets: tickets,
    cap: int = COUNT_CAP,
) -> CappedCount:
    """Count a tab's tickets under the filters, up to `cap`: at most `cap + 1` IDs read per visibility branch and
    merged here. One OR of the branches made PostgreSQL scan every ticket (60 ms at 100,000 for a reviewer who sees
    none); each branch alone uses its index, as the lists do."""
    found: set[int] = set()
    for tickets in _tab_queries(user, tab):
        found.update(narrow(tickets).order_by().values_list("pk", flat=True)[: cap + 1])
        if len(found) > cap:
            return CappedCount(cap, True)
    return CappedCount(len(found))


def search_condition(term: str) -> Q | None:
    """The tickets a search term finds: in the node or file name (title) or the path, a message ID, a ticket number.

    Case-insensitive substring matches; on PostgreSQL the trigram indexes of migration 0010 serve them.
    """
    term = term.strip()
    if not term:
        return None
    found = Q(title__icontains=term) | Q(path__icontains=term) | Q(message_id=term)
    number = _TICKET_NUMBER.fullmatch(term)
    if number:
        found |= Q(pk=int(number[1]))
    return found


SEARCH_IDS_MAX = 2_000  # a search matching at most this many tickets is resolved to their IDs once


def search_ticket_ids(term: str, limit: int = SEARCH_IDS_MAX) -> list[int] | None:
    """The IDs of every ticket the search finds (visible or not; the caller narrows), or None when more than `limit`.

    A page runs the search in its list and in each tab's count: resolved once to a short ID list, the others are
    primary-key lookups instead of a substring scan each (SQLite has no trigram index). A common term stays a
    condition, where walking the list's order finds a page of matches early.
    """
    found = search_condition(term)
    if found is None:
        return None
    ids = list(Ticket.objects.filter(found).order_by().values_list("pk", flat=True)[: limit + 1])
    return None if len(ids) > limit else ids


def workspace_ids_named(text: str) -> list[int]:
    """The IDs of the workspaces whose name contains `text` (case-insensitive), or the ID itself when it is one."""
    from workspaces.models import WorkspaceSettings

    text = text.strip()
    ids = set(
        WorkspaceSettings.objects.filter(name__icontains=text).values_list("project_id", flat=True)[:_MAX_NAME_MATCHES]
    )
    if text.isascii() and text.isdigit() and len(text) <= 18:
        ids.add(int(text))
    return sorted(ids)


def operator_uids_named(text: str) -> list[str]:
    """The DataWorks UIDs of the users whose user name is `text` (case-insensitive), and `text` itself as a UID."""
    text = text.strip()
    username = f"user__{get_user_model().USERNAME_FIELD}__iexact"
    uids = set(
        ReviewerProfile.objects.filter(**{username: text})
        .exclude(dataworks_uid=None)
        .values_list("dataworks_uid", flat=True)[:_MAX_NAME_MATCHES]
    )
    uids.add(text)
    return sorted(uid for uid in uids if uid)


def workspace_names(project_ids: Iterable[int]) -> dict[int, str]:
    """The names given to these workspaces in Review Gate (those without one are left out), in one query."""
    from workspaces.models import WorkspaceSettings

    rows = WorkspaceSettings.objects.filter(project_id__in=set(project_ids)).exclude(name="")
    return dict(rows.values_list("project_id", "name"))


def _keyset(tickets: QuerySet[Ticket], after: Cursor | None, *, oldest: bool) -> QuerySet[Ticket]:
    if after is None:
        return tickets
    # `created_at >= x` (or <=) lets the index bound the scan; the exclusion drops what the last page showed.
    if oldest:
        return tickets.filter(created_at__gte=after.created_at).exclude(created_at=after.created_at, pk__lte=after.pk)
    return tickets.filter(created_at__lte=after.created_at).exclude(created_at=after.created_at, pk__gte=after.pk)


def inbox_ids(
    user: AbstractBaseUser | AnonymousUser,
    tab: str,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] = lambda tickets: tickets,
    *,
    sort: str = "oldest",
    after: Cursor | RiskCursor | None = None,
    limit: int,
) -> IdPage | RiskIdPage:
    """One page of a tab of the inbox in the given order (oldest or newest first, or riskiest first), by keyset.

    Like `newest_visible_ids`: one query per visibility branch, each reading at most `limit + 1` rows from where the
    page starts, merged here, so the 1st and the 1,000th page cost the same and nothing counts the whole tab.
    """
    queries = _tab_queries(user, tab)
    if sort == "risk":
        if not queries:
            return RiskIdPage([], None)
        return _riskiest(queries, narrow, after if isinstance(after, RiskCursor) else None, limit)
    if not queries:
        return IdPage([], None)
    oldest = sort == "oldest"
    position = after if isinstance(after, Cursor) else None
    found: dict[int, datetime] = {}
    for tickets in queries:
        tickets = _keyset(narrow(tickets), position, oldest=oldest)
        order = ("created_at", "pk") if oldest else ("-created_at", "-pk")
        found.update(tickets.order_by(*order).values_list("pk", "created_at")[: limit + 1])
    ordered = sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=not oldest)
    page = ordered[:limit]
    more = len(ordered) > limit
    return IdPage([pk for pk, _ in page], Cursor(page[-1][1], page[-1][0]) if more and page else None)


def _riskiest(
    queries: list[QuerySet[Ticket]],
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]],
    after: RiskCursor | None,
    limit: int,
) -> RiskIdPage:
    found: dict[int, tuple[int, datetime]] = {}
    for tickets in queries:
        tickets = narrow(tickets).annotate(risk_rank=risk_rank())
        if after is not None:
            tickets = tickets.filter(
                Q(risk_rank__lt=after.rank)
                | Q(risk_rank=after.rank, created_at__lt=after.created_at)
                | Q(risk_rank=after.rank, created_at=after.created_at, pk__lt=after.pk)
            )
        rows = tickets.order_by("-risk_rank", "-created_at", "-pk").values_list("pk", "risk_rank", "created_at")
        found.update((pk, (rank, created)) for pk, rank, created in rows[: limit + 1])
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[1][1], item[0]), reverse=True)
    page = ordered[:limit]
    last = page[-1] if page else None
    cursor = RiskCursor(last[1][0], last[1][1], last[0]) if len(ordered) > limit and last else None
    return RiskIdPage([pk for pk, _ in page], cursor)


def inbox_batch_ids(
    user: AbstractBaseUser | AnonymousUser,
    tab: str,
    narrow: Callable[[QuerySet[Ticket]], QuerySet[Ticket]],
    *,
    limit: int,
) -> list[int]:
    """The first `limit` pending tickets of a tab with its filters, oldest first: what "all matching" decides."""
    tickets = narrow(tab_tickets(user, tab)).filter(status=Ticket.Status.PENDING)
    return list(tickets.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


# --- The ticket page (issue 18): line comments, the last approved version, names in the decision panel -------------


def ticket_line_comments(ticket: Ticket) -> list[LineComment]:
    """Return the ticket's line comments, oldest first, with their authors."""
    return list(LineComment.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "pk"))


def last_approved_version(*, ticket: Ticket, user: AbstractBaseUser | AnonymousUser) -> Ticket | None:
    """Return the newest earlier ticket for the same file in the same workspace that Review Gate approved and this
    user may see (its new code is the version last approved), or None. Read with its code columns only."""
    if ticket.file_id is None:
        return None
    return (
        visible_tickets(user)
        .filter(
            project_id=ticket.project_id,
            file_id=ticket.file_id,
            status=Ticket.Status.APPROVED,
            created_at__lt=ticket.created_at,
        )
        .exclude(pk=ticket.pk)
        .exclude(new_content="")
        .order_by("-created_at", "-pk")
        .only("pk", "new_content", "new_label", "decided_at", "created_at", "project_id", "file_id", "status")
        .first()
    )


def usernames(user_ids: Iterable[int]) -> dict[int, str]:
    """Return the usernames of these users (one query)."""
    ids = set(user_ids)
    if not ids:
        return {}
    model = get_user_model()
    field = model.USERNAME_FIELD
    return {pk: str(name) for pk, name in model.objects.filter(pk__in=ids).values_list("pk", field)}
