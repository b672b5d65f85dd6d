"""The reviewer's browser UI: the ticket page, decision and override. Views parse, call one service, redirect.

The inbox lives in `approvals.web.inbox`. The ticket page refreshes itself by polling `inbox.inbox_poll`
(static/approvals/inbox.js): a short GET every few seconds rather than server-sent events, which would hold one sync
worker per open tab.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from approvals.errors import ApprovalError, NotAllowed
from approvals.tickets import policy, services
from approvals.tickets.presentation import ticket_context, ticket_diff_part
from approvals.tickets.selectors import ReviewState, ticket_review_state, ticket_visible
from approvals.web.forms import DecisionForm, LineCommentForm, OverrideForm, WaiveFindingForm
from approvals.web.inbox import ticket_fingerprint
from config.http import client_ip

if TYPE_CHECKING:
    from approvals.models import Ticket

# The ticket page prints the digest its poll compares (approvals.web.inbox.inbox_poll).
_ticket_fingerprint = ticket_fingerprint


def _visible_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = ticket_visible(user=request.user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404(_("No such ticket, or you may not see it."))
    return ticket


# A refused decision is shown on the ticket page after the redirect (POST-redirect-GET): what was typed and why it was
# refused wait in the session for the next view of that ticket, read once.
_PENDING_DECISION = "approvals.decision_form"


def _stash_decision(request: HttpRequest, ticket_id: int, data: dict[str, str], error: str = "") -> None:
    request.session[_PENDING_DECISION] = {"ticket": ticket_id, "data": data, "error": error}


def _stashed_decision_form(request: HttpRequest, ticket_id: int) -> DecisionForm:
    stash = request.session.pop(_PENDING_DECISION, None)
    if not isinstance(stash, dict) or stash.get("ticket") != ticket_id or not isinstance(stash.get("data"), dict):
        return DecisionForm()
    form = DecisionForm({key: str(value) for key, value in stash["data"].items()})
    form.is_valid()  # validated again now: its messages are in the reader's language
    if stash.get("error"):
        form.add_error(None, str(stash["error"]))
    return form


def _view_params(request: HttpRequest) -> tuple[str, str, bool]:
    view = "unified" if request.GET.get("view") == "unified" else "split"
    against = "approved" if request.GET.get("against") == "approved" else "previous"
    return view, against, request.GET.get("full") == "1"


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Show one ticket: summary, the first screens of its diff (the rest on demand), history and the decision panel."""
    ticket = _visible_ticket(request, ticket_id)
    view, against, full = _view_params(request)
    context: dict[str, Any] = ticket_context(ticket, request.user, view=view, against=against, full=full)
    context["decision_form"] = _stashed_decision_form(request, ticket.pk)
    context["line_comment_form"] = LineCommentForm()
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


def _back_to_form(ticket_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("approvals:ticket", args=[ticket_id]) + "#decide")


@login_required
@require_http_methods(["GET", "POST"])
def ticket_decide(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Approve, approve with a warning, reject, or request changes; then back to the ticket (POST-redirect-GET).

    Opened with GET (a reloaded or shared address) it goes to the ticket. A refused decision goes back to the form,
    which shows why, in the reader's language, with the comment as typed.
    """
    ticket = _visible_ticket(request, ticket_id)
    if request.method != "POST":
        return _back(ticket.pk)
    data = {key: request.POST.get(key, "")[:20_000] for key in ("action", "comment")}
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _stash_decision(request, ticket.pk, data)
        return _back_to_form(ticket.pk)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    user, ip = _reviewer(request), client_ip(request)
    if action == "reject":
        decide = partial(services.ticket_reject, ticket_id=ticket.pk, user=user, comment=comment, ip=ip)
    elif action == "changes":
        decide = partial(services.ticket_request_changes, ticket_id=ticket.pk, user=user, notes=comment, ip=ip)
    else:
        decide = partial(
            services.ticket_approve, ticket_id=ticket.pk, user=user, comment=comment, warn=action == "warn", ip=ip
        )
    try:
        decide()
    except ApprovalError as exc:
        _stash_decision(request, ticket.pk, data, exc.message)
        return _back_to_form(ticket.pk)
    done = _("Changes requested; the developer sees your notes.") if action == "changes" else None
    messages.success(request, done or _("Your decision is recorded."))
    return _back(ticket.pk)


@login_required
@require_POST
def ticket_withdraw_approval(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Take back my approval of a ticket still waiting for others (audited by the service)."""
    ticket = _visible_ticket(request, ticket_id)
    withdraw = partial(
        services.ticket_withdraw_approval, ticket_id=ticket.pk, user=_reviewer(request), ip=client_ip(request)
    )
    return _act(request, ticket.pk, withdraw, done=_("Your approval is withdrawn; the ticket waits for reviewers."))


@login_required
@require_POST
def ticket_comment_line(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Comment on one line of the diff; back to the ticket at that line."""
    ticket = _visible_ticket(request, ticket_id)
    form = LineCommentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("A line comment needs the line and a text of at most %(n)d characters.")
            % {
                "n": form.fields["body"].max_length  # type: ignore[attr-defined]
            },
        )
        return _back(ticket.pk)
    try:
        comment = services.ticket_comment_line(
            ticket_id=ticket.pk,
            user=_reviewer(request),
            line=form.cleaned_data["line"],
            side=form.cleaned_data["side"],
            body=form.cleaned_data["body"],
            ip=client_ip(request),
        )
    except ApprovalError as exc:
        messages.error(request, exc.message)
        return _back(ticket.pk)
    messages.success(request, _("Your comment is added."))
    target = reverse("approvals:ticket", args=[ticket.pk])
    return HttpResponseRedirect(f"{target}#line-comment-{comment.pk}")


@login_required
@require_GET
def ticket_diff(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """More of a ticket's diff for the page (diff.js): blocks `from`..`to`, or the unchanged lines of fold `block`.

    JSON `{"html": ...}`; the HTML is the diff engine's, escaped there. 400 for parameters that are not numbers.
    """
    ticket = _visible_ticket(request, ticket_id)
    view, against, _full = _view_params(request)
    part = "config" if request.GET.get("part") == "config" else "code"
    numbers = {}
    for name in ("from", "to", "block"):
        raw = request.GET.get(name, "")
        if raw:
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 7):
                return JsonResponse({"error": _("Give the blocks by their numbers.")}, status=400)
            numbers[name] = int(raw)
    html = ticket_diff_part(
        ticket,
        request.user,
        view=view,
        against=against,
        part=part,
        start=numbers.get("from", 0),
        end=numbers.get("to"),
        fold=numbers.get("block"),
    )
    if html is None:
        return JsonResponse({"error": _("This ticket has no such part of a diff.")}, status=404)
    return JsonResponse({"html": str(html)})


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
