"""The reviewer's browser UI: inbox, ticket page, decision and override. Views parse, call one service, redirect.

The inbox and the ticket page refresh themselves by polling `inbox_poll` (static/approvals/inbox.js): a short GET
every few seconds rather than server-sent events, which would hold one sync worker per open tab.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from approvals.errors import ApprovalError, NotAllowed
from approvals.tickets import policy, services
from approvals.tickets.presentation import InboxRow, inbox_rows, ticket_context
from approvals.tickets.selectors import (
    Cursor,
    ReviewState,
    RiskCursor,
    newest_visible_ids,
    riskiest_visible_ids,
    ticket_review_state,
    ticket_visible,
    tickets_by_ids,
    waiting_count,
    waiting_for,
)
from approvals.web.forms import DecisionForm, InboxFilterForm, OverrideForm, WaiveFindingForm
from approvals.web.rows import inbox_table_rows
from config.http import client_ip, json_error

if TYPE_CHECKING:
    from approvals.models import Ticket

PAGE_SIZE = 25
WAITING_ROWS = 50  # the "Waiting for you" list shows the oldest 50; the title counts them all
# The poll's own parameters; the rest of its query string is the inbox page's (filters, cursor).
_POLL_KEYS = ("scope", "since", "fragments", "ticket")
_PARTIALS = {"waiting": "approvals/includes/inbox_waiting.html", "all": "approvals/includes/inbox_all.html"}
_AGES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}
_HIGH_OR_WORSE = ("CRITICAL", "HIGH", "NOT_ASSESSED")


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, newest first; the next page continues after its last row (no count, no offset)."""

    object_list: list[InboxRow]
    after: str  # the cursor this page started after ("" for the newest page)
    next_after: str  # the cursor of the next page ("" on the last page)
    bad_cursor: bool = False  # `after` was given but is not a cursor: the newest page is shown, with a message

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser, form: InboxFilterForm, raw_after: str | None) -> InboxPage:
        narrow = partial(_filtered, form=form)
        if form.is_valid() and form.cleaned_data.get("sort") == "risk":
            risk_after = RiskCursor.decode(raw_after or "")
            risk_ids = riskiest_visible_ids(user, narrow, after=risk_after, limit=PAGE_SIZE)
            return cls(
                object_list=risk_ids.arrange(inbox_rows(tickets_by_ids(risk_ids.ids))),
                after=risk_after.encode() if risk_after else "",
                next_after=risk_ids.next.encode() if risk_ids.next else "",
                bad_cursor=bool(raw_after) and risk_after is None,
            )
        after = Cursor.decode(raw_after or "")
        ids = newest_visible_ids(user, narrow, after=after, limit=PAGE_SIZE)
        return cls(
            object_list=ids.arrange(inbox_rows(tickets_by_ids(ids.ids))),
            after=after.encode() if after else "",
            next_after=ids.next.encode() if ids.next else "",
            bad_cursor=bool(raw_after) and after is None,
        )


def _filtered(tickets: QuerySet[Ticket], *, form: InboxFilterForm) -> QuerySet[Ticket]:
    if not form.is_valid():
        return tickets
    data = form.cleaned_data
    if data.get("status"):
        tickets = tickets.filter(status=data["status"])
    if data.get("project") is not None:
        tickets = tickets.filter(project_id=data["project"])
    if data.get("event"):
        tickets = tickets.filter(event_code=data["event"])
    if data.get("age") in _AGES:
        tickets = tickets.filter(created_at__lte=timezone.now() - _AGES[data["age"]])
    risk = data.get("risk")
    if risk == "HIGH+":  # as a rule's "risk at least HIGH" counts: changes nobody could assess included
        tickets = tickets.filter(risk__in=_HIGH_OR_WORSE)
    elif risk:
        tickets = tickets.filter(risk=risk)
    return tickets


def _fingerprint(*parts: object) -> str:
    """Digest what a list or panel shows, so the page can tell whether anything it shows changed.

    Built from the displayed values rather than `updated_at`: a column the page does not show (reconciliation's
    last check) would otherwise raise a "new changes" notice for nothing.
    """
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _inbox_context(request: HttpRequest, params: QueryDict) -> dict[str, Any]:
    """Everything the inbox page and its poll show for these filters and this cursor, with the lists' fingerprint."""
    form = InboxFilterForm(params or None)
    # The rows show ticket columns only: joining events here made PostgreSQL join all visible tickets before sorting.
    page = InboxPage.of(request.user, form, params.get("after"))
    waiting = inbox_rows(waiting_for(request.user).order_by("created_at")[:WAITING_ROWS])
    query = params.copy()
    query.pop("after", None)
    # Staff see which pending tickets have a rule that cannot be met (tickets.quorum).
    show_unreachable = bool(getattr(request.user, "is_staff", False))
    now = timezone.now()
    context: dict[str, Any] = {
        "form": form,
        "waiting": waiting,
        "page": page,
        "waiting_rows": inbox_table_rows(waiting, now, show_unreachable=show_unreachable),
        "page_rows": inbox_table_rows(page.object_list, now, show_unreachable=show_unreachable),
        "query": query.urlencode(),
        "now": now,
        "show_unreachable": show_unreachable,
        "live_scope": "inbox",
        "live_fingerprint": _fingerprint(waiting, page.object_list, page.next_after, show_unreachable),
    }
    if len(waiting) < WAITING_ROWS:
        context["waiting_count"] = len(waiting)  # the whole list is here: the title's COUNT query is not needed
    return context


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """List tickets waiting for me first, then every ticket I may see (filtered, paginated)."""
    return render(request, "approvals/inbox.html", _inbox_context(request, request.GET))


def _ticket_fingerprint(ticket: Ticket, state: ReviewState) -> str:
    """Digest what the ticket page's decision panel and history depend on (not the code, which never changes)."""
    return _fingerprint(
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


def _waiting_text(count: int) -> str:
    return ngettext("%(n)d ticket waiting for you", "%(n)d tickets waiting for you", count) % {"n": count}


@never_cache
@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    """Answer inbox.js's poll: the count of tickets waiting for the user and, for the page it came from, a
    fingerprint of what that page shows; with `fragments=1` and a `since` that differs, the inbox's lists as HTML.

    `scope=inbox` takes the inbox page's own filters and cursor; `scope=ticket&ticket=<id>` one ticket's page.
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
            _ticket_fingerprint(ticket, ticket_review_state(ticket=ticket, user=request.user)) if ticket else "gone"
        )
    if count is None:
        count = waiting_count(request.user)
    body["count"] = count
    body["count_text"] = _waiting_text(count)
    return JsonResponse(body)


def _visible_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = ticket_visible(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404(_("No such ticket, or you may not see it."))
    return ticket


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Show one ticket: summary, diff, history and the decision panel."""
    ticket = _visible_ticket(request, ticket_id)
    view = "unified" if request.GET.get("view") == "unified" else "split"
    context: dict[str, Any] = ticket_context(ticket, request.user, view=view)
    context.setdefault("decision_form", DecisionForm())
    context.setdefault("override_form", OverrideForm())
    state = ReviewState(
        requirements=context["requirements"],
        history=context["history"],
        cannot_decide_reason=context["cannot_decide"],
        may_override=context["may_override"],
    )
    context.update(live_scope="ticket", live_ticket=ticket.pk, live_fingerprint=_ticket_fingerprint(ticket, state))
    return render(request, "approvals/ticket_detail.html", context)


def _reviewer(request: HttpRequest) -> AbstractBaseUser:
    """Return the logged-in user (views that decide are behind login_required)."""
    assert request.user.is_authenticated
    return request.user


def _act(
    request: HttpRequest,
    ticket_id: int,
    call: Callable[[], object],
    *,
    done: str,
    level: int = messages.SUCCESS,
    refuse: tuple[type[Exception], ...] = (),
) -> HttpResponse:
    """Run one service call for the ticket page and go back to it with a message: `done`, or the domain error's.
    Exceptions in `refuse` are not turned into a message (the caller answers them otherwise)."""
    try:
        call()
    except refuse:
        raise
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return _back(ticket_id)
    messages.add_message(request, level, done)
    return _back(ticket_id)


def _back(ticket_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("approvals:ticket", args=[ticket_id]))


@login_required
@require_POST
def ticket_decide(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Approve, approve with a warning, or reject."""
    ticket = _visible_ticket(request, ticket_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = ticket_context(ticket, request.user, view="split")
        context.update(decision_form=form, override_form=OverrideForm())
        return render(request, "approvals/ticket_detail.html", context, status=400)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    user, ip = _reviewer(request), client_ip(request)
    if action == "reject":
        decide = partial(services.ticket_reject, ticket_id=ticket.pk, user=user, comment=comment, ip=ip)
    else:
        decide = partial(
            services.ticket_approve, ticket_id=ticket.pk, user=user, comment=comment, warn=action == "warn", ip=ip
        )
    return _act(request, ticket.pk, decide, done=_("Your decision is recorded."))


@login_required
@require_POST
def ticket_override(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Emergency override by staff, with a mandatory reason."""
    ticket = _visible_ticket(request, ticket_id)
    if not ticket_review_state(ticket=ticket, user=request.user).may_override:
        messages.error(request, _("You may not override decisions."))
        return _back(ticket.pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An override needs a result and a reason."))
        return _back(ticket.pk)
    override = partial(
        services.ticket_override,
        ticket_id=ticket.pk,
        user=_reviewer(request),
        result=form.cleaned_data["result"],
        reason=form.cleaned_data["reason"],
        ip=client_ip(request),
    )
    return _act(
        request, ticket.pk, override, done=_("Override recorded and sent to DataWorks."), level=messages.WARNING
    )


@login_required
@require_POST
def ticket_waive_finding(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Waive one risk finding with a reason (a reviewer of the ticket, never its operator; audited)."""
    ticket = _visible_ticket(request, ticket_id)
    form = WaiveFindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A waiver needs the finding and a reason."))
        return _back(ticket.pk)
    waive = partial(
        services.ticket_waive_finding,
        ticket_id=ticket.pk,
        user=_reviewer(request),
        rule=form.cleaned_data["rule"],
        line=form.cleaned_data["line"],
        reason=form.cleaned_data["reason"],
        ip=client_ip(request),
    )
    return _act(request, ticket.pk, waive, done=_("The finding is waived; the waiver is in the history."))


@login_required
@require_POST
def ticket_retry_preparation(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Send a ticket whose details could not be fetched back to preparation (staff; audited by the service)."""
    if not policy.may_retry_preparation(request.user):
        raise PermissionDenied(_("Only staff may retry a ticket's preparation."))
    ticket = _visible_ticket(request, ticket_id)
    retry = partial(
        services.ticket_retry_preparation, ticket_id=ticket.pk, user=_reviewer(request), ip=client_ip(request)
    )
    try:
        return _act(
            request,
            ticket.pk,
            retry,
            done=_("Preparation will be retried now: the details are fetched from DataWorks again."),
            refuse=(NotAllowed,),
        )
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
