"""What the HTML pages show of tickets: inbox rows, and the ticket page's context built on the review state that
`selectors.ticket_review_state` gives the page and the API alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from approvals.models import AuditEntry, Risk, Ticket, current_approvers
from approvals.tickets import policy, quorum
from approvals.tickets.context import ticket_dataworks_context
from approvals.tickets.diff_store import (
    FIRST_ROWS,
    MORE_ROWS,
    PagedDiff,
    fold_rows_html,
    full_body_html,
    paged_body_html,
    ticket_paged_diffs,
)
from approvals.tickets.selectors import (
    ReviewState,
    last_approved_version,
    ticket_line_comments,
    ticket_review_state,
    ticket_risk_view,
    usernames,
)
from events.catalogue import Subject, subject_of


@dataclass(frozen=True, slots=True)
class InboxRow:
    """What one inbox line shows of a ticket, read as plain values: building model instances cost more than the
    query at 75 rows a page (bench/RESULTS.md, inbox at 100,000 tickets)."""

    pk: int
    message_id: str
    event_code: str
    project_id: int
    title: str
    status: str
    check_result: str
    created_at: datetime
    unreachable_reason: str  # why a matched rule cannot be met (`tickets.quorum`); the inbox marks it for staff
    risk: str  # the risk found at preparation ("" before it)


_INBOX_COLUMNS = tuple(field.name for field in fields(InboxRow))


def inbox_rows(tickets: QuerySet[Ticket]) -> list[InboxRow]:
    """Evaluate a (sliced) ticket query as inbox rows, reading only the columns a row shows."""
    return [InboxRow(*values) for values in tickets.values_list(*_INBOX_COLUMNS)]


def dataworks_wait(ticket: Ticket) -> Any:
    """Return how long the DataWorks user has been (or was) held in "Checking"."""
    started = ticket.event.occurred_at or ticket.event.received_at
    callback = getattr(ticket, "callback", None)
    delivered = callback.delivered_at if callback is not None else None
    ended = delivered or (None if ticket.is_open else ticket.decided_at) or timezone.now()
    return max(ended - started, timedelta(0))


# How `DataWorksError.__str__` names a failed call: "<Action> <Code>[ HTTP <status>][ request <id>]: <message>" (the
# code "-" when DataWorks gave none). The event's status detail holds it as is, and the attention reason quotes it;
# a local failure stores its code alone ("Local.BadPayload") as the status detail.
_DATAWORKS_ERROR = re.compile(
    r"(?P<action>[A-Z][A-Za-z0-9]*) (?P<code>-|[A-Z][\w.]*)(?: HTTP (?P<http_status>\d{3}))?"
    r"(?: request (?P<request_id>[\w.-]+))?: "
)
_BARE_CODE = re.compile(r"[A-Z]\w*(?:\.\w+)+")


@dataclass(frozen=True, slots=True)
class PreparationFailure:
    """Why a ticket's details could not be fetched: the reason in words, and the failed call's identifiers."""

    reason: str
    action: str = ""
    code: str = ""
    http_status: str = ""
    request_id: str = ""


def _failure_of(reason: str, detail: str) -> PreparationFailure:
    """Read the failed call's identifiers from the event's status detail, else from the reason that quotes them."""
    detail = detail.strip()
    match = _DATAWORKS_ERROR.match(detail) or _DATAWORKS_ERROR.search(reason)
    if match is None:
        return PreparationFailure(reason=reason or detail, code=detail if _BARE_CODE.fullmatch(detail) else "")
    return PreparationFailure(
        reason=reason or detail,
        action="" if match["action"] == "DataWorks" else match["action"],
        code="" if match["code"] == "-" else match["code"],
        http_status=match["http_status"] or "",
        request_id=match["request_id"] or "",
    )


def preparation_failure(ticket: Ticket) -> PreparationFailure | None:
    """Return what failed for a ticket that needs attention, or whose last preparation attempt failed, else None.

    The reason is `attention_reason` (DataWorks' error in words); the error code and request id are read from the
    event's status detail or from the reason, as preparation wrote them (`DataWorksError` printed).
    """
    reason = ticket.attention_reason.strip()
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        detail = ticket.event.status_detail
    elif ticket.status == Ticket.Status.PREPARING and reason:
        detail = ""  # the event's detail is written once processing ends; the reason holds the last attempt's error
    else:
        return None
    return _failure_of(reason, detail)


class CodeState(StrEnum):
    """Whether the ticket page has code to compare and, if not, why: code not fetched is never "no changes"."""

    FETCHED = "fetched"
    PREPARING = "preparing"  # still being fetched
    FAILED = "failed"  # fetching failed for good: the ticket needs attention
    MISSING = "missing"  # decided before anything was fetched (an override, or closed in DataWorks)


def code_state(ticket: Ticket) -> CodeState:
    """Say whether a ticket's code was fetched from DataWorks (see `CodeState`).

    A prepared ticket always has a snapshot (preparation stores at least the workspace's options) or code; a ticket
    with neither was never prepared, and its two empty sides are not identical versions of anything.
    """
    if ticket.status == Ticket.Status.PREPARING:
        return CodeState.PREPARING
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        return CodeState.FAILED
    if not (ticket.snapshot or ticket.old_content or ticket.new_content):
        return CodeState.MISSING
    return CodeState.FETCHED


@dataclass(frozen=True, slots=True)
class LinkedTicket:
    """Another ticket for the same file, as the banner names it: its number and its current status."""

    pk: int
    status: str
    status_label: str
    is_open: bool


def _linked(tickets: QuerySet[Ticket]) -> list[LinkedTicket]:
    labels = dict(Ticket.Status.choices)
    return [
        LinkedTicket(pk, status, str(labels.get(status, status)), status in Ticket.OPEN_STATUSES)
        for pk, status in tickets.order_by("created_at", "pk").values_list("pk", "status")
    ]


def ticket_context(
    ticket: Ticket,
    user: AbstractBaseUser | AnonymousUser,
    *,
    view: str,
    against: str = "previous",
    full: bool = False,
) -> dict[str, Any]:
    """Build the template context of the ticket page: the code diff against the previous version, or `against`
    "approved" the last version approved in Review Gate; the first screens of it, or `full` every line."""
    state = ticket_review_state(ticket=ticket, user=user)
    subject = subject_of(ticket.event_code)
    is_file = subject == Subject.FILE
    code = code_state(ticket)
    earlier = _linked(Ticket.objects.filter(pk=ticket.supersedes_id)) if ticket.supersedes_id else []
    context: dict[str, Any] = {
        "ticket": ticket,
        "view": view,
        "operator": policy.operator_display(ticket),
        "requirements": state.requirements,
        "history": state.history,
        "cannot_decide": state.cannot_decide_reason,
        "may_override": state.may_override,
        "waited": dataworks_wait(ticket),
        "is_file_event": is_file,
        "is_table_event": subject == Subject.TABLE,
        "snapshot": ticket.snapshot,
        "override_action": AuditEntry.Action.OVERRIDDEN,
        "code_state": code,
        "code_fetched": code == CodeState.FETCHED,
        "failure": preparation_failure(ticket),
        "may_retry_preparation": (
            ticket.status == Ticket.Status.NEEDS_ATTENTION and policy.may_retry_preparation(user)
        ),
        # Computed now, in the reader's language; what the ticket stores (`unreachable_reason`) is for lists.
        "unreachable": (
            quorum.unreachable_reasons(state.requirements) if ticket.status == Ticket.Status.PENDING else []
        ),
        "linked_earlier": earlier[0] if earlier else None,
        "linked_newer": _linked(ticket.superseded_by.all()),
        # What preparation read around the change (nodes, impact, people, the table as it exists): read, not fetched.
        "dw": ticket_dataworks_context(ticket),
    }
    context.update(risk_context(ticket, user, state.requirements))
    context.update(decision_panel(ticket, user, state))
    comments = ticket_line_comments(ticket)
    context["line_comments"] = comments
    context["line_comment_marks"] = [
        {
            "id": comment.pk,
            "side": comment.side,
            "line": comment.line,
            "author": comment.author.get_username(),
            "body": comment.body,  # masked when written (services.ticket_comment_line)
            "at": comment.created_at.isoformat(),
        }
        for comment in comments
    ]
    if is_file and code == CodeState.FETCHED:
        flagged = [("new", int(mark["line"])) for mark in context["risk_marks"]]
        flagged += [(comment.side, comment.line) for comment in comments]
        context.update(_diff_context(ticket, user, view=view, against=against, full=full, eager=frozenset(flagged)))
        context["may_comment"] = ticket.status == Ticket.Status.PENDING and user.is_authenticated
    return context


def _diff_context(
    ticket: Ticket,
    user: AbstractBaseUser | AnonymousUser,
    *,
    view: str,
    against: str,
    full: bool,
    eager: frozenset[tuple[str, int]],
) -> dict[str, Any]:
    """The paged code and configuration diffs of the ticket page: the first screens, the rest loaded on demand."""
    approved = last_approved_version(ticket=ticket, user=user)
    if approved is not None and approved.new_content == ticket.old_content:
        approved = None  # the previous version is the approved one: one diff says it all
    against = "approved" if against == "approved" and approved is not None else "previous"
    base = approved.new_content if against == "approved" and approved is not None else None
    code, config = ticket_paged_diffs(ticket, view=view, base=base)
    query = {"view": view, "against": against}
    full_url = "?" + urlencode({**query, "full": "1"})
    part_url = reverse("approvals:ticket_diff", args=[ticket.pk])

    def body(diff: PagedDiff, collapsible: bool) -> SafeString:
        if full:
            return full_body_html(diff)
        budget = 0 if collapsible and diff.collapsed else FIRST_ROWS
        return paged_body_html(diff, budget=budget, eager=eager if diff is code else frozenset(), full_url=full_url)

    return {
        "diff": code,
        "diff_body": body(code, True),
        "diff_url": part_url + "?" + urlencode({**query, "part": "code"}),
        "config_diff": config,
        "config_body": body(config, True) if config is not None else "",
        "config_url": part_url + "?" + urlencode({**query, "part": "config"}),
        "against": against,
        "approved_version": approved,
        "full": full,
    }


@dataclass(frozen=True, slots=True)
class RequirementRow:
    """One rule in the decision panel: who approved, how many more approvals it needs, and who could give them."""

    label: str
    auto_outcome: str
    required: int
    approved: list[str]
    missing: int
    could_approve: list[str]  # eligible reviewers who have not approved (at most `_NAMES_SHOWN`)
    more_could_approve: int  # how many more are eligible beyond those named
    satisfied: bool
    reviewer_names: tuple[str, ...]  # whom the rule names: users, and groups
    group_names: tuple[str, ...]


_NAMES_SHOWN = 8


def decision_panel(ticket: Ticket, user: AbstractBaseUser | AnonymousUser, state: ReviewState) -> dict[str, Any]:
    """Per rule, who approved and who is still needed; whether this user's approval can be withdrawn; the counts the
    sticky decision bar shows. One query for the names."""
    approving = current_approvers([(entry.action, entry.actor_id) for entry in state.history])
    ids: set[int] = set(approving)
    for req in state.requirements:
        ids.update(sorted(req.reviewer_ids)[: _NAMES_SHOWN + len(req.approver_ids)])
    names = usernames(ids)
    rows = []
    for req in state.requirements:
        others = sorted(
            (names.get(pk, "?") for pk in req.reviewer_ids - set(req.approver_ids) if pk in names), key=str.lower
        )
        eligible_left = len(req.reviewer_ids - set(req.approver_ids))
        rows.append(
            RequirementRow(
                label=req.label,
                auto_outcome=req.auto_outcome,
                required=req.required,
                approved=[names.get(pk, "?") for pk in req.approver_ids],
                missing=0 if req.satisfied else req.required - len(req.approver_ids),
                could_approve=others[:_NAMES_SHOWN],
                more_could_approve=max(eligible_left - min(len(others), _NAMES_SHOWN), 0),
                satisfied=req.satisfied,
                reviewer_names=req.reviewer_names,
                group_names=req.group_names,
            )
        )
    human = [req for req in state.requirements if not req.auto_outcome]
    return {
        "requirement_rows": rows,
        "approvals_given": sum(min(len(req.approver_ids), req.required) for req in human),
        "approvals_needed": sum(req.required for req in human),
        "may_withdraw": (ticket.status == Ticket.Status.PENDING and user.is_authenticated and user.pk in approving),
    }


def risk_context(
    ticket: Ticket, user: AbstractBaseUser | AnonymousUser, reqs: list[policy.Requirement]
) -> dict[str, Any]:
    """The ticket page's risk card: the stored risk and findings (never analysed here), who may waive them, and the
    open findings by new-side line for the diff's inline marks (static/approvals/risk.js)."""
    view = ticket_risk_view(ticket)
    labels = {value: str(label) for value, label in Risk.choices}
    findings = [
        {**finding.as_dict(), "severity_label": labels.get(finding.severity, finding.severity)}
        for finding in view.findings
    ]
    marks = [
        {
            "line": finding.line,
            "rule": finding.rule,
            "severity": finding.severity,
            "label": labels.get(finding.severity, finding.severity),
            "title": finding.title,
            "message": finding.message,
        }
        for finding in view.open_findings
    ]
    return {
        "risk": view,
        "risk_label": labels.get(view.found or "", ""),
        "risk_effective_label": labels.get(view.effective or "", ""),
        "risk_findings": findings,
        "risk_marks": marks,
        "may_waive": bool(view.open_findings) and policy.why_cannot_waive(user, ticket, reqs) is None,
    }


def ticket_diff_part(
    ticket: Ticket,
    user: AbstractBaseUser | AnonymousUser,
    *,
    view: str,
    against: str,
    part: str,
    start: int,
    end: int | None,
    fold: int | None,
) -> SafeString | None:
    """More of the ticket page's diff (approvals.web.views.ticket_diff): the unchanged lines of block `fold`, else the
    blocks from `start` to `end`, a load's worth of rows, with a placeholder for the rest. None: no such diff."""
    if subject_of(ticket.event_code) != Subject.FILE or code_state(ticket) != CodeState.FETCHED:
        return None
    approved = last_approved_version(ticket=ticket, user=user) if against == "approved" else None
    code, config = ticket_paged_diffs(ticket, view=view, base=approved.new_content if approved else None)
    diff = config if part == "config" else code
    if diff is None:
        return None
    if fold is not None:
        return fold_rows_html(diff, fold)
    query = urlencode({"view": view, "against": "approved" if approved else "previous", "full": "1"})
    full_url = reverse("approvals:ticket", args=[ticket.pk]) + "?" + query
    return paged_body_html(diff, start=start, end=end, budget=MORE_ROWS, full_url=full_url)
