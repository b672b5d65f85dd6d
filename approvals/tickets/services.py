"""Ticket transitions: approve, reject, override, expire, auto-decide. Nothing else writes a ticket's status.

Every transition has one shape: lock the ticket row, check its state and the actor, write an append-only audit
entry in the same transaction, and queue the DataWorks callback after commit. Two reviewers deciding at the same
moment therefore serialise on the row lock and produce one consistent outcome.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.tickets import policy
from approvals.errors import CommentRequired, NotAllowed, TicketNotOpen
from approvals.models import AuditEntry, CheckResult, Ticket
from approvals.delivery.outbox import callback_create
from approvals.tickets.tips import build_tip

_SEVERITY = {CheckResult.OK: 0, CheckResult.WARN: 1, CheckResult.FAIL: 2}


def _locked(ticket_id: int) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket_id)


def _clean_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise CommentRequired(_("A comment is required."))
    limit = settings.REVIEW_GATE_COMMENT_MAX_LENGTH
    if len(comment) > limit:
        raise CommentRequired(_("The comment is longer than %(n)d characters.") % {"n": limit})
    return comment


def audit(
    ticket: Ticket,
    action: str,
    *,
    actor: User | None = None,
    result: str = "",
    comment: str = "",
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to a ticket's history."""
    return AuditEntry.objects.create(
        ticket=ticket, actor=actor, action=action, result=result, comment=comment, ip_address=ip
    )


def _finalize(ticket: Ticket, *, status: str, result: str, actor: User | None, comment: str, now: datetime) -> Ticket:
    ticket.status = status
    ticket.check_result = result
    ticket.decided_at = now
    ticket.decided_by = actor
    ticket.decision_comment = comment
    ticket.save(update_fields=["status", "check_result", "decided_at", "decided_by", "decision_comment", "updated_at"])
    # The outbox record is written in this same transaction: the decision and its delivery stand or fall together.
    callback_create(
        message_id=ticket.message_id, api=ticket.callback_api, result=result, tip=build_tip(ticket), ticket=ticket
    )
    return ticket


def _require_pending(ticket: Ticket) -> None:
    if ticket.status != Ticket.Status.PENDING:
        raise TicketNotOpen(
            _("The ticket is not waiting for a decision (it is %(status)s).") % {"status": ticket.status}
        )


def ticket_approve(
    *, ticket_id: int, user: User, comment: str = "", warn: bool = False, ip: str | None = None
) -> Ticket:
    """Record an approval; decide the ticket once every matched rule has enough eligible approvals.

    :raises TicketNotOpen: the ticket is not pending.
    :raises NotAllowed: the user may not approve it (own change, not a reviewer, already approved).
    """
    comment = _clean_comment(comment, required=warn)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        reqs = policy.requirements(ticket)
        reason = policy.why_cannot_decide(user, ticket, reqs)
        if reason:
            raise NotAllowed(reason)
        action = AuditEntry.Action.APPROVED_WITH_WARNING if warn else AuditEntry.Action.APPROVED
        audit(ticket, action, actor=user, result=CheckResult.WARN if warn else CheckResult.OK, comment=comment, ip=ip)
        reqs = policy.requirements(ticket)
        if all(req.satisfied for req in reqs):
            result = _approval_result(ticket, reqs)
            _finalize(
                ticket, status=Ticket.Status.APPROVED, result=result, actor=user, comment=comment, now=timezone.now()
            )
        return ticket


def _approval_result(ticket: Ticket, reqs: list[policy.Requirement]) -> str:
    """WARN when any approval or any automatic rule said WARN, else OK."""
    warned = ticket.audit.filter(action=AuditEntry.Action.APPROVED_WITH_WARNING).exists()
    if warned or any(req.auto_outcome == CheckResult.WARN for req in reqs):
        return CheckResult.WARN
    return CheckResult.OK


def ticket_reject(*, ticket_id: int, user: User, comment: str, ip: str | None = None) -> Ticket:
    """Reject the ticket: one eligible reviewer's rejection decides it as FAIL.

    :raises CommentRequired: no comment was given.
    :raises TicketNotOpen: the ticket is not pending.
    :raises NotAllowed: the user may not decide it.
    """
    comment = _clean_comment(comment, required=True)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        reason = policy.why_cannot_decide(user, ticket)
        if reason:
            raise NotAllowed(reason)
        result = reject_result(ticket)
        audit(ticket, AuditEntry.Action.REJECTED, actor=user, result=result, comment=comment, ip=ip)
        return _finalize(
            ticket, status=Ticket.Status.REJECTED, result=result, actor=user, comment=comment, now=timezone.now()
        )


def reject_result(ticket: Ticket) -> str:
    """Return what a reviewer's rejection sends: FAIL, or WARN where the workspace's extension options say so."""
    options = ticket.snapshot.get("options") if isinstance(ticket.snapshot, dict) else None
    if isinstance(options, dict) and options.get("rejectResult") == CheckResult.WARN:
        return CheckResult.WARN
    return CheckResult.FAIL


def ticket_override(*, ticket_id: int, user: User, result: str, reason: str, ip: str | None = None) -> Ticket:
    """Decide a ticket in an emergency, bypassing the rules; staff only, reason mandatory, audited in red.

    Even an override cannot approve the overrider's own change.

    :raises NotAllowed: the user may not override, or tries to pass their own change.
    :raises TicketNotOpen: the ticket is already decided.
    """
    if result not in CheckResult.values:
        raise CommentRequired(_("The result must be OK, WARN or FAIL."))
    reason = _clean_comment(reason, required=True)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if not ticket.is_open:
            raise TicketNotOpen(_("The ticket is already decided."))
        if not policy.may_override(user, ticket):
            raise NotAllowed(_("You may not override decisions."))
        if result != CheckResult.FAIL and policy.is_own_change(user, ticket):
            raise NotAllowed(_("You triggered this change; even an override cannot pass it."))
        audit(ticket, AuditEntry.Action.OVERRIDDEN, actor=user, result=result, comment=reason, ip=ip)
        status = Ticket.Status.REJECTED if result == CheckResult.FAIL else Ticket.Status.APPROVED
        return _finalize(ticket, status=status, result=result, actor=user, comment=reason, now=timezone.now())


def ticket_expire(*, ticket_id: int, now: datetime | None = None) -> Ticket:
    """Decide a pending ticket whose timeout has passed with its rule's timeout outcome.

    :raises TicketNotOpen: the ticket is not pending or has no expiry that has passed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        if ticket.expires_at is None or ticket.expires_at > now or not ticket.timeout_outcome:
            raise TicketNotOpen(_("The ticket has not timed out."))
        result = ticket.timeout_outcome
        comment = _("No decision before the timeout.")
        audit(ticket, AuditEntry.Action.EXPIRED, result=result, comment=comment)
        return _finalize(ticket, status=Ticket.Status.EXPIRED, result=result, actor=None, comment=comment, now=now)


def ticket_auto_decide(*, ticket_id: int, result: str, comment: str) -> Ticket:
    """Decide a freshly prepared ticket without a human (an automatic rule or the no-rule setting)."""
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        audit(ticket, AuditEntry.Action.AUTO_DECIDED, result=result, comment=comment)
        status = Ticket.Status.REJECTED if result == CheckResult.FAIL else Ticket.Status.APPROVED
        return _finalize(ticket, status=status, result=result, actor=None, comment=comment, now=timezone.now())


def most_severe(results: list[str]) -> str:
    """Return the most blocking of several results (FAIL > WARN > OK)."""
    return max(results, key=lambda r: _SEVERITY[CheckResult(r)])
