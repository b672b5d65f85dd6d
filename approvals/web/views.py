"""The reviewer's browser UI: inbox, ticket page, decision and override. Views parse, call one service, redirect."""

from __future__ import annotations

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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.errors import ApprovalError, NotAllowed
from approvals.tickets import policy, services
from approvals.tickets.presentation import InboxRow, inbox_rows, ticket_context
from approvals.tickets.selectors import (
    Cursor,
    newest_visible_ids,
    ticket_review_state,
    ticket_visible,
    tickets_by_ids,
    waiting_for,
)
from approvals.web.forms import DecisionForm, InboxFilterForm, OverrideForm
from config.http import client_ip

if TYPE_CHECKING:
    from approvals.models import Ticket

PAGE_SIZE = 25
_AGES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox, newest first; the next page continues after its last row (no count, no offset)."""

    object_list: list[InboxRow]
    after: str  # the cursor this page started after ("" for the newest page)
    next_after: str  # the cursor of the next page ("" on the last page)
    bad_cursor: bool = False  # `after` was given but is not a cursor: the newest page is shown, with a message

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser, form: InboxFilterForm, raw_after: str | None) -> InboxPage:
        after = Cursor.decode(raw_after or "")
        ids = newest_visible_ids(user, lambda tickets: _filtered(tickets, form), after=after, limit=PAGE_SIZE)
        return cls(
            object_list=ids.arrange(inbox_rows(tickets_by_ids(ids.ids))),
            after=after.encode() if after else "",
            next_after=ids.next.encode() if ids.next else "",
            bad_cursor=bool(raw_after) and after is None,
        )


def _filtered(tickets: QuerySet[Ticket], form: InboxFilterForm) -> QuerySet[Ticket]:
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
    return tickets


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """List tickets waiting for me first, then every ticket I may see (filtered, paginated)."""
    form = InboxFilterForm(request.GET or None)
    # The rows show ticket columns only: joining events here made PostgreSQL join all visible tickets before sorting.
    page = InboxPage.of(request.user, form, request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "approvals/inbox.html",
        {
            "form": form,
            "waiting": inbox_rows(waiting_for(request.user).order_by("created_at")[:50]),
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            # Staff see which pending tickets have a rule that cannot be met (tickets.quorum).
            "show_unreachable": bool(getattr(request.user, "is_staff", False)),
        },
    )


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
