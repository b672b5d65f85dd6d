"""The inbox: one list with tabs (waiting for me, all I may see, my changes, decided), search, filters, three
orders, keyset pages with a visible position, and batch decisions. Views parse, call selectors or one service,
redirect (docs/review-ui.md).

The inbox refreshes itself by polling `inbox_poll` (static/approvals/inbox.js): a short GET every few seconds rather
than server-sent events, which would hold one sync worker per open tab.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from approvals.tickets import batch
from approvals.tickets.presentation import InboxRow, inbox_rows
from approvals.tickets.selectors import (
    CappedCount,
    Cursor,
    ReviewState,
    RiskCursor,
    inbox_batch_ids,
    inbox_ids,
    operator_uids_named,
    search_condition,
    search_ticket_ids,
    tab_count,
    ticket_review_state,
    ticket_visible,
    tickets_by_ids,
    waiting_count,
    waiting_for,
    workspace_ids_named,
    workspace_names,
)
from approvals.web.forms import BatchDecisionForm, InboxFilterForm
from approvals.web.rows import inbox_table_rows, status_label
from config.http import client_ip, json_error
from events.catalogue import BY_CODE, event_name

if TYPE_CHECKING:
    from approvals.models import Ticket

PAGE_SIZE = 50
MAX_START = 10_000_000  # the shown position of a page ("51-100"): carried in the link, for display only
# The poll's own parameters; the rest of its query string is the inbox page's (tab, filters, cursor).
_POLL_KEYS = ("scope", "since", "fragments", "ticket")
_PAGE_KEYS = ("after", "start", "batch")  # what a pager or filter link drops
_PARTIALS = {"list": "approvals/includes/inbox_list.html", "tabs": "approvals/includes/inbox_tabs.html"}
_AGES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}
_HIGH_OR_WORSE = ("CRITICAL", "HIGH", "NOT_ASSESSED")
_NARROWING = ("q", "status", "workspace", "project", "event", "operator", "age", "risk")
_SESSION_BATCH = "inbox_batch_result"
_SHOWN_OUTCOMES = 500


@dataclass(frozen=True)
class Filters:
    """The inbox's valid filters, with the names already resolved to IDs (one query per name filter given)."""

    data: dict[str, Any]
    workspace_ids: list[int] | None = None
    operator_uids: list[str] | None = None
    search_ids: list[int] | None = None  # every ticket the search finds, when they are few

    @classmethod
    def of(cls, form: InboxFilterForm) -> Filters:
        form.is_valid()  # invalid fields are left out of cleaned_data; the valid ones still apply
        data = dict(getattr(form, "cleaned_data", {}))
        workspace = data.get("workspace") or ""
        operator = data.get("operator") or ""
        term = data.get("q") or ""
        return cls(
            data=data,
            workspace_ids=workspace_ids_named(workspace) if workspace else None,
            operator_uids=operator_uids_named(operator) if operator else None,
            search_ids=search_ticket_ids(term) if term.strip() else None,
        )

    @property
    def tab(self) -> str:
        return self.data.get("tab") or "waiting"

    @property
    def sort(self) -> str:
        return self.data.get("sort") or "oldest"

    @property
    def narrowing(self) -> bool:
        """Whether anything but the tab and the order is chosen (the tab's count then is not the title's)."""
        return any(self.data.get(name) not in (None, "") for name in _NARROWING)

    def __call__(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        return _filtered(tickets, filters=self)


def _filtered(tickets: QuerySet[Ticket], *, filters: Filters) -> QuerySet[Ticket]:
    data = filters.data
    if filters.search_ids is not None:
        tickets = tickets.filter(pk__in=filters.search_ids)
    else:
        found = search_condition(data.get("q") or "")
        if found is not None:
            tickets = tickets.filter(found)
    if data.get("status"):
        tickets = tickets.filter(status=data["status"])
    if data.get("project") is not None:
        tickets = tickets.filter(project_id=data["project"])
    if filters.workspace_ids is not None:
        tickets = tickets.filter(project_id__in=filters.workspace_ids)
    if data.get("event"):
        tickets = tickets.filter(event_code=data["event"])
    if filters.operator_uids is not None:
        tickets = tickets.filter(operator_uid__in=filters.operator_uids)
    if data.get("age") in _AGES:
        tickets = tickets.filter(created_at__lte=timezone.now() - _AGES[data["age"]])
    risk = data.get("risk")
    if risk == "HIGH+":  # as a rule's "risk at least HIGH" counts: changes nobody could assess included
        tickets = tickets.filter(risk__in=_HIGH_OR_WORSE)
    elif risk:
        tickets = tickets.filter(risk=risk)
    return tickets


@dataclass(frozen=True)
class InboxPage:
    """One page of a tab: its rows, where it started, where the next page starts ("" on the last page)."""

    object_list: list[InboxRow]
    after: str  # the cursor this page started after ("" for the first page)
    next_after: str  # the cursor of the next page ("" on the last page)
    start: int = 0  # how many rows came before this page (for "51-100 of 1,000+")
    bad_cursor: bool = False  # `after` was given but is not a cursor: the first page is shown, with a message

    @classmethod
    def of(
        cls, user: AbstractBaseUser | AnonymousUser, filters: Filters, raw_after: str | None, start: int = 0
    ) -> InboxPage:
        after: Cursor | RiskCursor | None
        after = RiskCursor.decode(raw_after or "") if filters.sort == "risk" else Cursor.decode(raw_after or "")
        ids = inbox_ids(user, filters.tab, filters, sort=filters.sort, after=after, limit=PAGE_SIZE)
        return cls(
            # The rows show ticket columns only: joining events made PostgreSQL join all visible tickets first.
            object_list=ids.arrange(inbox_rows(tickets_by_ids(ids.ids))),
            after=after.encode() if after else "",
            next_after=ids.next.encode() if ids.next else "",
            start=start if after else 0,
            bad_cursor=bool(raw_after) and after is None,
        )

    @property
    def first(self) -> int:
        return self.start + 1 if self.object_list else 0

    @property
    def last(self) -> int:
        return self.start + len(self.object_list)


def fingerprint(*parts: object) -> str:
    """Digest what a list or panel shows, so the page can tell whether anything it shows changed.

    Built from the displayed values rather than `updated_at`: a column the page does not show (reconciliation's
    last check) would otherwise raise a "new changes" notice for nothing.
    """
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def count_text(count: CappedCount) -> str:
    """A tab's count as shown: "1,234", or "1,000+" past the cap (localized digits grouping)."""
    text = number_format(count.n, force_grouping=True)
    return _("%(n)s+") % {"n": text} if count.capped else text


def _tab_counts(
    user: AbstractBaseUser | AnonymousUser, filters: Filters, page: InboxPage
) -> tuple[dict[str, CappedCount], int | None]:
    """Each tab's count under the current filters, and the title's count of tickets waiting when it is known here.

    Unfiltered, the waiting tab's count is the title's exact one: the list's length when the whole list is on its
    first page, else the one COUNT the title would run anyway.
    """
    counts: dict[str, CappedCount] = {}
    title: int | None = None
    if not filters.narrowing:
        if filters.tab == "waiting" and not page.after and not page.next_after:
            title = len(page.object_list)
        else:
            title = waiting_count(user)
        counts["waiting"] = CappedCount(title)
    for tab, _label in InboxFilterForm.TABS:
        if tab not in counts:
            counts[tab] = tab_count(user, tab, filters)
    return counts, title


def _position_text(page: InboxPage, total: CappedCount) -> str:
    if not page.object_list:
        return ""
    text = _("%(first)s–%(last)s of %(total)s")  # noqa: RUF001 - a range is written with an en dash
    return text % {"first": page.first, "last": page.last, "total": count_text(total)}


def _start_of(params: QueryDict) -> int:
    raw = params.get("start", "")
    return min(int(raw), MAX_START) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


def _inbox_context(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    """Everything the inbox page and its poll show for this tab, filters and cursor, with the list's fingerprint."""
    form = InboxFilterForm(params or None)
    filters = Filters.of(form)
    defaulted = not filters.data.get("tab")
    if defaulted and not waiting_for(request.user).exists():
        # Nothing waits for this user: open on everything they may see rather than on an empty tab.
        filters = replace(filters, data={**filters.data, "tab": "all"})
    page = InboxPage.of(request.user, filters, params.get("after"), _start_of(params))
    counts, title_count = _tab_counts(request.user, filters, page)
    query = params.copy()
    for key in _PAGE_KEYS:
        query.pop(key, None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    # Staff see which pending tickets have a rule that cannot be met (tickets.quorum).
    show_unreachable = bool(getattr(request.user, "is_staff", False))
    now = timezone.now()
    names = workspace_names(row.project_id for row in page.object_list)
    tabs = [
        {"key": key, "label": label, "count": count_text(counts[key]), "active": key == filters.tab}
        for key, label in InboxFilterForm.TABS
    ]
    # Decisions are offered on tickets that wait for one; the service still checks each.
    selectable = filters.tab in ("waiting", "all")
    context: dict[str, Any] = {
        "form": form,
        "tab": filters.tab,
        "nothing_waiting": defaulted and filters.tab == "all",
        "tabs": tabs,
        "tab_query": tab_query.urlencode(),
        "narrowing": filters.narrowing,
        "search": filters.data.get("q") or "",
        "page": page,
        "waiting": page.object_list if filters.tab == "waiting" else [],  # the rows waiting for the user, this page
        "page_rows": inbox_table_rows(
            page.object_list, now, show_unreachable=show_unreachable, selectable=selectable, workspace_names=names
        ),
        "selectable": selectable,
        "position": _position_text(page, counts[filters.tab]),
        "tab_count": counts[filters.tab],
        "next_start": page.last,
        "query": query.urlencode(),
        "now": now,
        "show_unreachable": show_unreachable,
        "max_batch": batch.MAX_BATCH,
        "live_scope": "inbox",
        "live_fingerprint": fingerprint(
            filters.tab, page.object_list, page.next_after, show_unreachable, sorted(counts.items()), names
        ),
    }
    if title_count is not None:
        context["waiting_count"] = title_count  # known here: the title's COUNT query is not needed
    return context


def _batch_result(request: HttpRequest) -> dict[str, Any] | None:
    """The last batch's results, shown once the decision redirected here with its id (POST-redirect-GET)."""
    stored = request.session.get(_SESSION_BATCH)
    wanted = request.GET.get("batch", "")
    if not (isinstance(stored, dict) and wanted and stored.get("id") == wanted):
        return None
    decided = [[pk, title, status_label(status)] for pk, title, status in stored.get("decided", [])]
    return {**stored, "decided": decided}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox: one list, in tabs, searched, filtered, sorted, paged; batch decisions on the checked rows."""
    context = _inbox_context(request, request.GET)
    context["batch_form"] = BatchDecisionForm()
    context["batch_result"] = _batch_result(request)
    context["batch_matching_text"] = _(
        "All tickets waiting for a decision that match this filter (%(count)s in this tab; at most %(max)d at once, "
        "oldest first)"
    ) % {"count": count_text(context["tab_count"]), "max": batch.MAX_BATCH}
    context["event_choices"] = [(code, event_name(code)) for code in sorted(BY_CODE)]
    return render(request, "approvals/inbox.html", context)


def _waiting_text(count: int) -> str:
    return ngettext("%(n)d ticket waiting for you", "%(n)d tickets waiting for you", count) % {"n": count}


@never_cache
@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    """Answer inbox.js's poll: the count of tickets waiting for the user and, for the page it came from, a
    fingerprint of what that page shows; with `fragments=1` and a `since` that differs, the inbox's list and tabs as
    HTML.

    `scope=inbox` takes the inbox page's own tab, filters and cursor; `scope=ticket&ticket=<id>` one ticket's page.
    JSON 401 rather than a redirect to the login page when the session has ended: the script stops polling.
    """
    if not request.user.is_authenticated:
        return json_error(401, _("Your session has ended; log in again."), code="not_authenticated")
    scope = request.GET.get("scope", "")
    since = request.GET.get("since", "")
    body: dict[str, Any] = {}
    count: int | None = None
    if scope == "inbox":
        params = request.GET.copy()
        for key in _POLL_KEYS:
            params.pop(key, None)
        context = _inbox_context(request, params)
        body["fingerprint"] = context["live_fingerprint"]
        if body["fingerprint"] != since and request.GET.get("fragments") == "1":
            body["fragments"] = {name: render_to_string(path, context) for name, path in _PARTIALS.items()}
        count = context.get("waiting_count")
    elif scope == "ticket":
        raw = request.GET.get("ticket", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            return json_error(400, _("Give the ticket by its number."), field="ticket", code="invalid")
        ticket = ticket_visible(user=request.user, ticket_id=int(raw))
        # A ticket that vanished or became hidden changes the page too: the reviewer should reload it.
        body["fingerprint"] = (
            ticket_fingerprint(ticket, ticket_review_state(ticket=ticket, user=request.user)) if ticket else "gone"
        )
    if count is None:
        count = waiting_count(request.user)
    body["count"] = count
    body["count_text"] = _waiting_text(count)
    return JsonResponse(body)


def ticket_fingerprint(ticket: Ticket, state: ReviewState) -> str:
    """Digest what the ticket page's decision panel and history depend on (not the code, which never changes).

    The ticket page (approvals.web.views.ticket_detail) prints the same digest into the page.
    """
    return fingerprint(
        ticket.pk,
        ticket.status,
        ticket.check_result,
        ticket.callback_status,
        ticket.decided_at,
        ticket.expires_at,
        [entry.pk for entry in state.history],
        state.can_decide,
        state.may_override,
    )


# --- Batch decisions ------------------------------------------------------------------------------------------------


def _inbox_url(query: str, **extra: str) -> str:
    params = QueryDict(query, mutable=True)
    for key in _PAGE_KEYS:
        params.pop(key, None)
    params.update(extra)
    encoded = params.urlencode()
    return reverse("approvals:inbox") + (f"?{encoded}" if encoded else "")


def _store_result(request: HttpRequest, result: batch.BatchResult) -> None:
    def row(outcome: batch.BatchOutcome) -> list[Any]:
        return [outcome.ticket_id, outcome.title, outcome.status if outcome.decided else outcome.reason]

    request.session[_SESSION_BATCH] = {
        "id": result.batch_id,
        "action": result.action,
        "decided": [row(o) for o in result.decided[:_SHOWN_OUTCOMES]],
        "skipped": [row(o) for o in result.skipped[:_SHOWN_OUTCOMES]],
    }


@login_required
@require_http_methods(["GET", "POST"])
def inbox_batch(request: HttpRequest) -> HttpResponse:
    """Approve or reject the checked tickets (or all matching the inbox's filters, at most `batch.MAX_BATCH`) with
    one comment, each through the single-ticket service; then back to the inbox with the results (POST-redirect-GET).

    Opened with GET (a reload or a shared link), it goes to the inbox.
    """
    query = request.POST.get("query", "")[:4000] if request.method == "POST" else ""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("approvals:inbox"))
    form = BatchDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(_inbox_url(query))
    if form.cleaned_data.get("scope") == "matching":
        filters = Filters.of(InboxFilterForm(QueryDict(query)))
        ids = inbox_batch_ids(request.user, filters.tab, filters, limit=batch.MAX_BATCH)
    else:
        ids = form.cleaned_data["ticket"]
    if not ids:
        messages.error(request, _("No ticket waiting for a decision matches this filter."))
        return HttpResponseRedirect(_inbox_url(query))
    assert request.user.is_authenticated
    result = batch.batch_decide(
        ticket_ids=ids,
        user=request.user,
        action=form.cleaned_data["action"],
        comment=form.cleaned_data["comment"],
        ip=client_ip(request),
    )
    _store_result(request, result)
    decided, skipped = len(result.decided), len(result.skipped)
    if result.action == "reject":
        text = ngettext("You rejected %(n)d ticket.", "You rejected %(n)d tickets.", decided) % {"n": decided}
    else:
        text = ngettext("You approved %(n)d ticket.", "You approved %(n)d tickets.", decided) % {"n": decided}
    if skipped:
        text += " " + ngettext(
            "%(n)d ticket was skipped; the reason is below.",
            "%(n)d tickets were skipped; the reasons are below.",
            skipped,
        ) % {"n": skipped}
    messages.add_message(request, messages.SUCCESS if decided else messages.WARNING, text)
    return HttpResponseRedirect(_inbox_url(query, batch=result.batch_id))
