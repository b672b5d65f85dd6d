"""The transition layer: every change of a ticket's status, its callback status and its audit trail happens here.

Every transition has one shape: lock the ticket row, check its state and the actor, write the change and an
append-only audit entry in the same transaction, and publish a `TicketChanged` (approvals.tickets.changes) whose
in-transaction subscribers write outbox rows with the change (the result outbox, approvals.delivery.outbox) and
whose after-commit subscribers queue work. Two reviewers deciding at the same moment serialise on the row lock and
produce one consistent outcome. Functions are keyword-only and named `ticket_<verb>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.errors import ApprovalError, CommentRequired, NotAllowed, TicketNotOpen
from approvals.models import AuditEntry, CheckResult, FindingWaiver, LineComment, Rule, Ticket, current_approvers
from approvals.queue import enqueue_diff_prerender_with_commit
from approvals.tickets import policy
from approvals.tickets.changes import Change, TicketChanged, publish
from approvals.tickets.matching import Subject, matching_rules, timeout_choice
from approvals.tickets.quorum import ticket_refresh_unreachable
from config.text import storable_text
from events.catalogue import Subject as EventSubject
from events.catalogue import subject_of
from events.models import InboundEvent
from riskcheck import mask_secrets

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


def _audit(
    ticket_id: int,
    action: str,
    *,
    actor: AbstractBaseUser | None = None,
    result: str = "",
    comment: str = "",
    ip: str | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        ticket_id=ticket_id,
        actor_id=actor.pk if actor is not None else None,
        action=action,
        result=result,
        comment=storable_text(comment),  # reasons quote DataWorks' answers, which may hold NUL or lone surrogates
        ip_address=ip,
    )


def _publish(ticket: Ticket, change: Change, actor: AbstractBaseUser | None = None) -> None:
    publish(
        TicketChanged(
            ticket_id=ticket.pk,
            change=change,
            actor_id=actor.pk if actor is not None else None,
            status=ticket.status,
            result=ticket.check_result,
        )
    )


# --- Opening and preparing ----------------------------------------------------------------------------------------


def ticket_open(*, event: InboundEvent) -> Ticket:
    """Return the ticket of an event's MessageId, creating it (PREPARING) the first time; safe to race."""
    defaults = {
        "event": event,
        "event_code": event.event_code,
        "module": event.module,
        "callback_api": event.callback_api,
        "project_id": event.project_id or 0,  # 0: the event named no usable workspace (it will need attention)
        "operator_uid": event.operator,
    }
    try:
        with transaction.atomic():
            ticket, created = Ticket.objects.get_or_create(message_id=event.message_id, defaults=defaults)
            if created:
                _publish(ticket, Change.OPENED)
    except IntegrityError:  # a concurrent run created it between our read and insert
        ticket = Ticket.objects.get(message_id=event.message_id)
    return ticket


def ticket_ready(*, ticket_id: int, prepared: Mapping[str, object]) -> Ticket:
    """Store the prepared snapshot, match rules, set the expiry, and decide automatically where rules say so.

    `prepared` maps Ticket field names to what preparation fetched. A ticket no longer PREPARING is returned as is.
    """
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status != Ticket.Status.PREPARING:
            return ticket
        for name, value in prepared.items():
            setattr(ticket, name, value)
        # The risk found now, at preparation: a later waiver never changes which rules matched.
        subject = Subject(ticket.project_id, ticket.event_code, ticket.path, ticket.file_type, ticket.risk)
        rules = matching_rules(subject)
        timeout = timeout_choice(rules)
        if timeout is not None:
            ticket.expires_at = timezone.now() + timeout[0]
            ticket.timeout_outcome = timeout[1]
        ticket.status = Ticket.Status.PENDING
        ticket.attention_reason = ""
        ticket.prepare_claimed_until = ticket.prepare_next_attempt_at = None
        ticket.supersedes = _earlier_open_ticket(ticket)
        ticket.has_rules = bool(rules)
        ticket.save()
        ticket.rules.set(rules)
        names = ", ".join(rule.name for rule in rules) or _("none")
        _audit(ticket.pk, AuditEntry.Action.CREATED, comment=_("Matched rules: %(names)s") % {"names": names})
        if subject_of(ticket.event_code) == EventSubject.FILE:
            # Its own task: rendering a large diff (seconds at 50,000 lines) must not delay an automatic decision
            # or the next event; queued with the commit, so only for a ticket that is really ready.
            enqueue_diff_prerender_with_commit(ticket.pk)
        _publish(ticket, Change.READY)
    auto = automatic_outcome(rules)
    if auto is not None:
        result, comment = auto
        return ticket_auto_decide(ticket_id=ticket.pk, result=result, comment=comment)
    ticket_refresh_unreachable(ticket_ids=[ticket.pk])  # say at once when a matched rule can never be met
    ticket.refresh_from_db(fields=["unreachable_reason"])
    return ticket


def _earlier_open_ticket(ticket: Ticket) -> Ticket | None:
    """Find an older ticket for the same file that still waits, to link both; neither is answered for the other."""
    if ticket.file_id is None:
        return None
    return (
        Ticket.objects.open()
        .filter(project_id=ticket.project_id, file_id=ticket.file_id, created_at__lt=ticket.created_at)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .first()
    )


def automatic_outcome(rules: list[Rule]) -> tuple[str, str] | None:
    """Return (result, why) when no human is needed, else None."""
    if not rules:
        unmatched = settings.REVIEW_GATE_UNMATCHED
        if unmatched == "review":
            return None
        return unmatched, _("No rule matched; the configured outcome for unmatched changes applies.")
    autos = [rule.auto_outcome for rule in rules if rule.auto_outcome]
    if CheckResult.FAIL in autos:
        return CheckResult.FAIL, _("An automatic rule blocks this change.")
    if len(autos) == len(rules):
        most_severe = max(autos, key=lambda r: _SEVERITY[CheckResult(r)])
        return most_severe, _("Decided automatically by rule: %(names)s") % {
            "names": ", ".join(rule.name for rule in rules)
        }
    return None


def ticket_claim_preparation(*, ticket_id: int, lease: timedelta, now: datetime | None = None) -> bool:
    """Take the preparation lease of a PREPARING ticket that is due and not held by a live worker.

    Return False when another worker holds it, it is not due yet (a retry waits for its time), or it is no longer
    PREPARING. The holder renews the lease while it works (`ticket_renew_preparation`), so a lease that runs out
    means its worker died and the due-time loop queues the ticket again.
    """
    now = now or timezone.now()
    due = Q(prepare_next_attempt_at__isnull=True) | Q(prepare_next_attempt_at__lte=now)
    free = Q(prepare_claimed_until__isnull=True) | Q(prepare_claimed_until__lt=now)
    claimed = Ticket.objects.filter(due & free, pk=ticket_id, status=Ticket.Status.PREPARING).update(
        prepare_claimed_until=now + lease, prepare_next_attempt_at=None, updated_at=now
    )
    return bool(claimed)


def ticket_renew_preparation(*, ticket_id: int, lease: timedelta) -> bool:
    """Extend the preparation lease while the work goes on (the heartbeat); False once the ticket left PREPARING."""
    now = timezone.now()
    renewed = Ticket.objects.filter(pk=ticket_id, status=Ticket.Status.PREPARING).update(
        prepare_claimed_until=now + lease, updated_at=now
    )
    return bool(renewed)


def ticket_defer_preparation(*, ticket_id: int, attempts: int, reason: str, retry_at: datetime) -> None:
    """Record a failed preparation attempt that will be retried at `retry_at` (the status stays PREPARING); the
    lease is released so the due-time loop queues the retry on time."""
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket_id, status=Ticket.Status.PREPARING).update(
            prepare_attempts=attempts,
            attention_reason=storable_text(reason[:2000]),
            prepare_next_attempt_at=retry_at,
            prepare_claimed_until=None,
            updated_at=timezone.now(),
        )
        ticket = Ticket.objects.only("pk", "status", "check_result").get(pk=ticket_id)
        _publish(ticket, Change.PREPARATION_DEFERRED)


def ticket_mark_preparation_queued(*, ticket_id: int, seen: datetime | None, now: datetime) -> bool:
    """Stamp that the ticket's preparation was queued (once per due time: `seen` is the stamp read with it)."""
    return bool(
        Ticket.objects.filter(pk=ticket_id, status=Ticket.Status.PREPARING, prepare_dispatched_at=seen).update(
            prepare_dispatched_at=now, updated_at=now
        )
    )


def ticket_needs_attention(*, ticket_id: int, reason: str) -> None:
    """Mark a ticket whose preparation failed for good as needing attention, with the reason, audited."""
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket_id, status=Ticket.Status.PREPARING).update(
            status=Ticket.Status.NEEDS_ATTENTION,
            attention_reason=storable_text(reason[:2000]),
            prepare_claimed_until=None,
            prepare_next_attempt_at=None,
            updated_at=timezone.now(),
        )
        _audit(ticket_id, AuditEntry.Action.NEEDS_ATTENTION, comment=reason)
        ticket = Ticket.objects.only("pk", "status", "check_result").get(pk=ticket_id)
        _publish(ticket, Change.NEEDS_ATTENTION)


def ticket_retry_preparation(*, ticket_id: int, user: AbstractBaseUser, ip: str | None = None) -> Ticket:
    """Send a ticket that needs attention back to preparation (staff, audited); it is prepared again within a second.

    :raises NotAllowed: the user is not staff.
    :raises TicketNotOpen: the ticket does not need attention.
    """
    if not policy.may_retry_preparation(user):
        raise NotAllowed(_("Only staff may retry a ticket's preparation."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status != Ticket.Status.NEEDS_ATTENTION:
            raise TicketNotOpen(_("Only a ticket that needs attention can be prepared again."))
        ticket.status = Ticket.Status.PREPARING
        ticket.attention_reason = ""
        ticket.prepare_attempts = 0
        ticket.prepare_claimed_until = None
        ticket.prepare_next_attempt_at = timezone.now()  # due now: the due-time loop queues it
        ticket.save(
            update_fields=[
                "status",
                "attention_reason",
                "prepare_attempts",
                "prepare_claimed_until",
                "prepare_next_attempt_at",
                "updated_at",
            ]
        )
        _audit(ticket.pk, AuditEntry.Action.PREPARATION_RETRIED, actor=user, ip=ip)
        _publish(ticket, Change.PREPARATION_RETRIED, user)
    return ticket


# --- Decisions ----------------------------------------------------------------------------------------------------


def _finalize(
    ticket: Ticket, *, status: str, result: str, actor: AbstractBaseUser | None, comment: str, now: datetime
) -> Ticket:
    ticket.status = status
    ticket.check_result = result
    ticket.decided_at = now
    ticket.decided_by = actor  # type: ignore[assignment]  # AUTH_USER_MODEL
    ticket.decision_comment = comment
    # The result outbox writes its record in this same transaction (an in-transaction subscriber of DECIDED): the
    # decision and its delivery stand or fall together.
    ticket.callback_status = Ticket.CallbackStatus.PENDING
    ticket.save(
        update_fields=[
            "status",
            "check_result",
            "decided_at",
            "decided_by",
            "decision_comment",
            "callback_status",
            "updated_at",
        ]
    )
    _publish(ticket, Change.DECIDED, actor)
    return ticket


def _require_pending(ticket: Ticket) -> None:
    if ticket.status != Ticket.Status.PENDING:
        raise TicketNotOpen(
            _("The ticket is not waiting for a decision (it is %(status)s).") % {"status": ticket.status}
        )


def ticket_approve(
    *, ticket_id: int, user: AbstractBaseUser, comment: str = "", warn: bool = False, ip: str | None = None
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
        _audit(
            ticket.pk, action, actor=user, result=CheckResult.WARN if warn else CheckResult.OK, comment=comment, ip=ip
        )
        # The new approval counts where the user is eligible; the requirements need not be computed again.
        reqs = [req.with_approval(user.pk) for req in reqs]
        if all(req.satisfied for req in reqs):
            warned = warn or ticket.audit.filter(action=AuditEntry.Action.APPROVED_WITH_WARNING).exists()
            result = _approval_result(warned, reqs)
            _finalize(
                ticket, status=Ticket.Status.APPROVED, result=result, actor=user, comment=comment, now=timezone.now()
            )
        else:
            _publish(ticket, Change.APPROVAL_RECORDED, user)
        return ticket


def _approval_result(warned: bool, reqs: list[policy.Requirement]) -> str:
    """WARN when any approval or any automatic rule said WARN, else OK."""
    if warned or any(req.auto_outcome == CheckResult.WARN for req in reqs):
        return CheckResult.WARN
    return CheckResult.OK


def ticket_reject(*, ticket_id: int, user: AbstractBaseUser, comment: str, ip: str | None = None) -> Ticket:
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
        result = policy.reject_result(ticket)
        _audit(ticket.pk, AuditEntry.Action.REJECTED, actor=user, result=result, comment=comment, ip=ip)
        return _finalize(
            ticket, status=Ticket.Status.REJECTED, result=result, actor=user, comment=comment, now=timezone.now()
        )


def ticket_override(
    *, ticket_id: int, user: AbstractBaseUser, result: str, reason: str, ip: str | None = None
) -> Ticket:
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
        _audit(ticket.pk, AuditEntry.Action.OVERRIDDEN, actor=user, result=result, comment=reason, ip=ip)
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
        _audit(ticket.pk, AuditEntry.Action.EXPIRED, result=result, comment=comment)
        return _finalize(ticket, status=Ticket.Status.EXPIRED, result=result, actor=None, comment=comment, now=now)


def ticket_auto_decide(*, ticket_id: int, result: str, comment: str) -> Ticket:
    """Decide a freshly prepared ticket without a human (an automatic rule or the no-rule setting)."""
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        _audit(ticket.pk, AuditEntry.Action.AUTO_DECIDED, result=result, comment=comment)
        status = Ticket.Status.REJECTED if result == CheckResult.FAIL else Ticket.Status.APPROVED
        return _finalize(ticket, status=status, result=result, actor=None, comment=comment, now=timezone.now())


def ticket_resolve_in_dataworks(*, ticket_id: int, dataworks_status: str, has_callback: bool) -> bool:
    """Close an open ticket that DataWorks already finished; nothing is sent. Return whether it changed.

    `has_callback`: a result is already in the outbox for this MessageId (then the outbox owns the outcome).
    """
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if not ticket.is_open or has_callback:
            return False
        result = CheckResult.OK if dataworks_status == "PASSED" else CheckResult.FAIL
        comment = _("DataWorks already shows this check as %(status)s; closed without sending.") % {
            "status": dataworks_status
        }
        ticket.status = Ticket.Status.RESOLVED_IN_DATAWORKS
        ticket.check_result = result
        ticket.decided_at = timezone.now()
        ticket.decision_comment = comment
        ticket.callback_status = Ticket.CallbackStatus.RESOLVED
        ticket.save(
            update_fields=["status", "check_result", "decided_at", "decision_comment", "callback_status", "updated_at"]
        )
        _audit(ticket.pk, AuditEntry.Action.RESOLVED_IN_DATAWORKS, result=result, comment=comment)
        _publish(ticket, Change.RESOLVED_IN_DATAWORKS)
    return True


def ticket_mark_compared(*, ticket_ids: list[int], now: datetime) -> None:
    """Record when tickets were last compared with DataWorks' own view (reconciliation's round-robin order)."""
    Ticket.objects.filter(pk__in=ticket_ids).update(checked_in_dataworks_at=now, updated_at=now)


def ticket_request_changes(*, ticket_id: int, user: AbstractBaseUser, notes: str, ip: str | None = None) -> Ticket:
    """Reject the ticket asking for changes: the reviewer's notes are the decision's comment, so the developer's tip
    carries them (with a summary of the line comments, approvals.tickets.tips). Same rights and result as a rejection.

    :raises CommentRequired: no notes were given.
    :raises TicketNotOpen: the ticket is not pending.
    :raises NotAllowed: the user may not decide it.
    """
    notes = _clean_comment(notes, required=True)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        reason = policy.why_cannot_decide(user, ticket)
        if reason:
            raise NotAllowed(reason)
        result = policy.reject_result(ticket)
        _audit(ticket.pk, AuditEntry.Action.CHANGES_REQUESTED, actor=user, result=result, comment=notes, ip=ip)
        return _finalize(
            ticket, status=Ticket.Status.REJECTED, result=result, actor=user, comment=notes, now=timezone.now()
        )


def ticket_withdraw_approval(*, ticket_id: int, user: AbstractBaseUser, ip: str | None = None) -> Ticket:
    """Take back the user's approval of a ticket that still waits for other approvals (audited, published).

    A decided ticket cannot be taken back this way (its result may already be in DataWorks): only a pending one.

    :raises TicketNotOpen: the ticket is not pending.
    :raises NotAllowed: the user has no approval of this ticket to withdraw.
    """
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        entries = ticket.audit.filter(
            action__in=(*policy.APPROVAL_ACTIONS, AuditEntry.Action.APPROVAL_WITHDRAWN)
        ).order_by("created_at", "pk")
        if user.pk not in current_approvers(entries.values_list("action", "actor_id")):
            raise NotAllowed(_("You have no approval of this ticket to withdraw."))
        _audit(ticket.pk, AuditEntry.Action.APPROVAL_WITHDRAWN, actor=user, ip=ip)
        _publish(ticket, Change.APPROVAL_WITHDRAWN, user)
    return ticket


def _side_line_count(ticket: Ticket, side: str) -> int:
    text = ticket.new_content if side == LineComment.Side.NEW else ticket.old_content
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def ticket_comment_line(
    *, ticket_id: int, user: AbstractBaseUser, line: int, body: str, side: str = "new", ip: str | None = None
) -> LineComment:
    """Comment on one line of a pending ticket's code (new side, or old side for a removed line); audited.

    Whoever may see the ticket may comment (the caller checked visibility): reviewers, and the developer who made the
    change, whose answer belongs next to the line too. Deciding stays a reviewer's right (policy).

    :raises CommentRequired: no text, or one too long.
    :raises TicketNotOpen: the ticket is not pending.
    :raises ApprovalError: the line is not a line of that side (400).
    """
    # Masked once, here: the page, the history and the tip then never hold an AccessKey quoted in a comment.
    body = mask_secrets(_clean_comment(body, required=True))
    if side not in LineComment.Side.values:
        raise ApprovalError(_("A comment is on the new or the previous version."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        if not 1 <= line <= _side_line_count(ticket, side):
            raise ApprovalError(_("The code has no line %(line)s.") % {"line": line})
        comment = LineComment.objects.create(
            ticket=ticket, side=side, line=line, body=storable_text(body), author_id=user.pk
        )
        where = (_("line %(line)s") if side == LineComment.Side.NEW else _("previous line %(line)s")) % {"line": line}
        _audit(ticket.pk, AuditEntry.Action.LINE_COMMENTED, actor=user, comment=f"{where}: {body}", ip=ip)
        _publish(ticket, Change.LINE_COMMENTED, user)
    return comment


# --- Risk findings ------------------------------------------------------------------------------------------------


def _stored_findings(ticket: Ticket) -> set[tuple[str, int]]:
    risk = ticket.snapshot.get("risk") if isinstance(ticket.snapshot, dict) else None
    findings = risk.get("findings") if isinstance(risk, dict) else None
    found: set[tuple[str, int]] = set()
    for item in findings if isinstance(findings, list) else []:
        if isinstance(item, dict) and isinstance(item.get("rule"), str) and isinstance(item.get("line"), int):
            found.add((item["rule"], item["line"]))
    return found


def ticket_waive_finding(
    *, ticket_id: int, user: AbstractBaseUser, rule: str, line: int, reason: str, ip: str | None = None
) -> FindingWaiver:
    """Waive one risk finding (rule and line) of a pending ticket, with a mandatory reason; audited.

    A waiver changes what the ticket page and the tip show, never the rules that matched (matching used the risk
    found at preparation), so it cannot remove a requirement.

    :raises CommentRequired: no reason, or one too long.
    :raises TicketNotOpen: the ticket is not pending.
    :raises NotAllowed: the user is not a reviewer of the ticket, or triggered the change.
    :raises ApprovalError: the ticket has no such finding (400).
    :raises TicketNotOpen: the finding is already waived (409).
    """
    reason = _clean_comment(reason, required=True)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _require_pending(ticket)
        refusal = policy.why_cannot_waive(user, ticket)
        if refusal:
            raise NotAllowed(refusal)
        if (rule, line) not in _stored_findings(ticket):
            raise ApprovalError(
                _("This ticket has no finding %(rule)s on line %(line)s.") % {"rule": rule, "line": line}
            )
        if FindingWaiver.objects.filter(ticket=ticket, rule=rule, line=line).exists():
            raise TicketNotOpen(
                _("Finding %(rule)s on line %(line)s is already waived.") % {"rule": rule, "line": line}
            )
        waiver = FindingWaiver.objects.create(ticket=ticket, rule=rule, line=line, reason=reason, actor_id=user.pk)
        comment = _("%(rule)s on line %(line)s: %(reason)s") % {"rule": rule, "line": line, "reason": reason}
        _audit(ticket.pk, AuditEntry.Action.FINDING_WAIVED, actor=user, comment=comment, ip=ip)
        # No Change member says "a finding was waived" yet (approvals.tickets.changes); once one exists it is
        # published here, so subscribers (notifications) can refresh what they show.
        change = getattr(Change, "FINDING_WAIVED", None)
        if change is not None:
            _publish(ticket, change, user)
    return waiver


# --- The result's delivery ----------------------------------------------------------------------------------------

_CALLBACK_CHANGES = {
    AuditEntry.Action.CALLBACK_SENT: Change.CALLBACK_DELIVERED,
    AuditEntry.Action.CALLBACK_FAILED: Change.CALLBACK_FAILED,
    AuditEntry.Action.CALLBACK_RETRIED: Change.CALLBACK_RETRIED,
    AuditEntry.Action.CALLBACK_RESOLVED: Change.CALLBACK_RESOLVED,
}


def ticket_callback_update(
    *,
    ticket_id: int,
    callback_status: str,
    action: str = "",
    result: str = "",
    comment: str = "",
    actor: AbstractBaseUser | None = None,
    ip: str | None = None,
) -> None:
    """Record where the ticket's result delivery stands (the outbox calls this in its own transaction).

    `action` (one of the CALLBACK_* audit actions) adds an audit entry and publishes the matching change; without
    it only the status is updated (a retry that will happen anyway is not history).
    """
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket_id).update(callback_status=callback_status, updated_at=timezone.now())
        if action:
            _audit(ticket_id, action, actor=actor, result=result, comment=comment, ip=ip)
            ticket = Ticket.objects.only("pk", "status", "check_result").get(pk=ticket_id)
            _publish(ticket, _CALLBACK_CHANGES[AuditEntry.Action(action)], actor)
