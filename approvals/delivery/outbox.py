"""The result outbox: record a decision's callback with the decision, then deliver it at least once, sent once.

Delivery is safe to run twice, even at the same moment: it claims the record with one conditional UPDATE before
calling DataWorks, and only the claimant calls. A claim lasts longer than the longest possible call (connect + read
timeouts + rate-limit wait + margin), so a claim is never taken over while its call is in flight; a claim whose
worker died expires and the sweeper hands the record to another worker. docs/delivery.md has the reasoning.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.delivery.selectors import dispatch_candidates
from approvals.models import AuditEntry, Callback, DeliveryAttempt, Ticket
from approvals.queue import enqueue_callback_delivery
from approvals.retry import backoff_seconds
from approvals.tickets.changes import Change, TicketChanged
from approvals.tickets.services import ticket_callback_update
from approvals.tickets.tips import build_tip
from config import metrics
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError, DataWorksPermanent, DataWorksThrottled
from events.catalogue import CallbackApi
from events.models import InboundEvent
from workspaces.resolve import API_VERSIONS, api_version

logger = logging.getLogger(__name__)
CLAIM_MARGIN_SECONDS = 15
_TICKET_STATUS = {
    Callback.State.PENDING: Ticket.CallbackStatus.PENDING,
    Callback.State.SENDING: Ticket.CallbackStatus.PENDING,
    Callback.State.DELIVERED: Ticket.CallbackStatus.SENT,
    Callback.State.FAILED: Ticket.CallbackStatus.FAILED,
    Callback.State.RESOLVED: Ticket.CallbackStatus.RESOLVED,
}


def claim_seconds() -> float:
    """Return how long a claim lasts: longer than any single DataWorks call can take."""
    call = (settings.DATAWORKS_CONNECT_TIMEOUT_MS + settings.DATAWORKS_READ_TIMEOUT_MS) / 1000
    return call + settings.DATAWORKS_RATE_MAX_WAIT_SECONDS + CLAIM_MARGIN_SECONDS


def delivery_backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Return the delay before the next delivery attempt (the shared formula with the delivery settings)."""
    return backoff_seconds(
        attempts,
        base=settings.REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS,
        cap=settings.REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS,
        retry_after=retry_after,
    )


def _callback_create(*, message_id: str, api: str, result: str, tip: str, ticket_id: int | None) -> Callback:
    """Write the outbox record (inside the caller's transaction) and queue its delivery after commit."""
    callback = Callback.objects.create(message_id=message_id, ticket_id=ticket_id, api=api, result=result, tip=tip)
    callback_id = callback.pk
    transaction.on_commit(lambda: _dispatch([callback_id]))
    return callback


def callback_for_decision(change: TicketChanged) -> None:
    """Write the result of a decided ticket to the outbox, in the decision's transaction (a subscriber of the
    transition layer, registered in ApprovalsConfig.ready): the decision and its delivery stand or fall together."""
    if change.change != Change.DECIDED:
        return
    ticket = Ticket.objects.select_related("decided_by").get(pk=change.ticket_id)
    _callback_create(
        message_id=ticket.message_id,
        api=ticket.callback_api,
        result=ticket.check_result,
        tip=build_tip(ticket),
        ticket_id=ticket.pk,
    )


def callback_answer_without_ticket(*, message_id: str, api: str, result: str, tip: str) -> Callback | None:
    """Answer an event that gets no ticket (an exempt workspace), once per MessageId; None if already answered."""
    with transaction.atomic():
        if Callback.objects.filter(message_id=message_id).exists():
            return None
        return _callback_create(message_id=message_id, api=api, result=result, tip=tip, ticket_id=None)


def _dispatch(callback_ids: list[int]) -> None:
    """Queue delivery of these records and stamp when. A broker that refuses (Redis restarting) is logged, not
    raised: the decision is committed, and the due-time loop queues the record again once the stamp is old."""
    Callback.objects.filter(pk__in=callback_ids).update(dispatched_at=timezone.now())
    for callback_id in callback_ids:
        enqueue_callback_delivery(callback_id)


def callback_dispatch_due(*, now: datetime, lost_after: timedelta, limit: int = 200) -> int:
    """Queue every record whose attempt is due and not yet queued for it, whose claim expired (a dead worker), or
    whose task was queued longer than `lost_after` ago without starting (a lost task). Each is claimed by a
    conditional update of its queue stamp, so loops in several workers never queue one record twice at once.
    Return how many were queued."""
    candidates = dispatch_candidates(now, lost_after=lost_after, every_expired_claim=False)
    rows = candidates.values_list("pk", "dispatched_at")
    queued = 0
    for callback_id, stamp in rows[:limit]:
        if Callback.objects.filter(pk=callback_id, dispatched_at=stamp).update(dispatched_at=now):
            enqueue_callback_delivery(callback_id)
            queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    state: str
    called: bool


def _claim(callback_id: int, now: datetime) -> str | None:
    token = uuid.uuid4().hex
    due = Q(state=Callback.State.PENDING, next_attempt_at__lte=now) | Q(
        state=Callback.State.SENDING, claimed_until__lt=now
    )
    claimed = Callback.objects.filter(due, pk=callback_id).update(
        state=Callback.State.SENDING,
        claim_token=token,
        claimed_until=now + timedelta(seconds=claim_seconds()),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if claimed else None


def _ide_api_version(callback: Callback) -> str:
    """Answer in the API version preparation used for the ticket (new Data Studio workspaces use 2024-05-18), else
    the workspace's setting now (an answer without a ticket: an exempt workspace)."""
    ticket = callback.ticket
    if ticket is not None:
        snapshot = ticket.snapshot if isinstance(ticket.snapshot, dict) else {}
        stored = snapshot.get("api_version")
        if stored in API_VERSIONS:
            return str(stored)
        options = snapshot.get("options")
        return api_version(ticket.project_id, options if isinstance(options, dict) else None)
    events = InboundEvent.objects.filter(message_id=callback.message_id)
    project_id = events.values_list("project_id", flat=True).first()
    return api_version(project_id or 0)


def callback_deliver(*, callback_id: int) -> DeliveryOutcome:
    """Send one outbox record to DataWorks if it is due and nobody else holds it."""
    token = _claim(callback_id, timezone.now())
    if token is None:
        state = Callback.objects.filter(pk=callback_id).values_list("state", flat=True).first() or "MISSING"
        return DeliveryOutcome(state=state, called=False)
    callback = Callback.objects.select_related("ticket").get(pk=callback_id)
    client = get_client()
    if callback.api == CallbackApi.WORKBENCH:
        send = client.send_workbench_result  # 2020-05-18 only: 2024-05-18 has no UpdateWorkbenchEventResult
    else:
        send = partial(client.send_ide_result, api_version=_ide_api_version(callback))
    started_at, started = timezone.now(), time.monotonic()
    try:
        receipt = send(callback.message_id, callback.result, callback.tip)
    except DataWorksError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return _failed(callback, token, exc, elapsed, started_at)
    elapsed = int((time.monotonic() - started) * 1000)
    _finish(
        callback,
        token,
        state=Callback.State.DELIVERED,
        attempt=DeliveryAttempt(
            outcome="DELIVERED", request_id=receipt.request_id or "", duration_ms=elapsed, started_at=started_at
        ),
        fields={"delivered_at": timezone.now(), "last_request_id": receipt.request_id or ""},
        audit_action=AuditEntry.Action.CALLBACK_SENT,
        comment=receipt.request_id or "",
    )
    logger.info("Delivered %s for result delivery %s (request %s)", callback.result, callback.pk, receipt.request_id)
    # From the decision (the outbox row is written in the decision's transaction) to DataWorks accepting it.
    metrics.callback_delivery(callback.api, "delivered", (timezone.now() - callback.created_at).total_seconds())
    return DeliveryOutcome(state=Callback.State.DELIVERED, called=True)


def _failure_outcome(exc: DataWorksError) -> str:
    """The metric outcome of a failed attempt: throttled, transient (retried) or permanent."""
    if isinstance(exc, DataWorksThrottled):
        return "throttled"
    return "permanent" if isinstance(exc, DataWorksPermanent) else "transient"


def _failed(
    callback: Callback, token: str, exc: DataWorksError, elapsed_ms: int, started_at: datetime
) -> DeliveryOutcome:
    attempt = DeliveryAttempt(
        started_at=started_at,
        outcome=type(exc).__name__.removeprefix("DataWorks").upper(),
        error_code=(exc.code or "")[:128],
        request_id=(exc.request_id or "")[:128],
        http_status=exc.http_status,
        duration_ms=elapsed_ms,
    )
    error_fields = {
        "last_error_code": (exc.code or "")[:128],
        "last_error_message": str(exc)[:2000],
        "last_request_id": (exc.request_id or "")[:128],
        "last_http_status": exc.http_status,
    }
    metrics.callback_delivery(callback.api, _failure_outcome(exc))
    age = (timezone.now() - callback.created_at).total_seconds()
    if isinstance(exc, DataWorksPermanent) or age > settings.REVIEW_GATE_DELIVERY_HORIZON_SECONDS:
        logger.error(
            "Result delivery %s failed permanently: code=%s request=%s status=%s",
            callback.pk,
            exc.code,
            exc.request_id,
            exc.http_status,
        )
        _finish(
            callback,
            token,
            state=Callback.State.FAILED,
            attempt=attempt,
            fields=error_fields,
            audit_action=AuditEntry.Action.CALLBACK_FAILED,
            comment=str(exc)[:500],
        )
        return DeliveryOutcome(state=Callback.State.FAILED, called=True)
    delay = delivery_backoff_seconds(callback.attempts, getattr(exc, "retry_after", None))
    retry_at = timezone.now() + timedelta(seconds=delay)
    attempt.next_attempt_at = retry_at
    logger.warning("Result delivery %s will retry in %.1fs: code=%s", callback.pk, delay, exc.code)
    _finish(
        callback,
        token,
        state=Callback.State.PENDING,
        attempt=attempt,
        fields={**error_fields, "next_attempt_at": retry_at},
    )
    return DeliveryOutcome(state=Callback.State.PENDING, called=True)


def _finish(
    callback: Callback,
    token: str,
    *,
    state: str,
    attempt: DeliveryAttempt,
    fields: Mapping[str, object],
    audit_action: str = "",
    comment: str = "",
) -> None:
    with transaction.atomic():
        updated = Callback.objects.filter(pk=callback.pk, claim_token=token).update(
            state=state, claimed_until=None, updated_at=timezone.now(), **fields
        )
        if not updated:  # our claim expired and another worker took over; it records its own outcome
            logger.warning("Result delivery %s: claim lost before recording %s", callback.pk, state)
        attempt.callback = callback
        attempt.save()
        if callback.ticket_id is not None and updated:
            ticket_callback_update(
                ticket_id=callback.ticket_id,
                callback_status=_TICKET_STATUS[Callback.State(state)],
                action=audit_action,
                result=callback.result,
                comment=comment,
            )


def callback_retry_now(*, callback_id: int, user: AbstractBaseUser, ip: str | None = None) -> Callback:
    """Make a failed or waiting record due now and queue it (admin action); a delivered one is left alone."""
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.state not in (Callback.State.FAILED, Callback.State.PENDING):
            return callback
        callback.state = Callback.State.PENDING
        callback.next_attempt_at = timezone.now()
        callback.save(update_fields=["state", "next_attempt_at", "updated_at"])
        if callback.ticket_id is not None:
            ticket_callback_update(
                ticket_id=callback.ticket_id,
                callback_status=Ticket.CallbackStatus.PENDING,
                action=AuditEntry.Action.CALLBACK_RETRIED,
                actor=user,
                ip=ip,
            )
        transaction.on_commit(lambda: _dispatch([callback_id]))
    return callback


def callback_mark_resolved(*, callback_id: int, user: AbstractBaseUser, reason: str, ip: str | None = None) -> Callback:
    """Close an undelivered record by hand (someone passed the check in DataWorks); never sends anything."""
    reason = reason.strip()
    if not reason:
        raise ValueError(_("A reason is required."))
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback_id)
        if callback.state == Callback.State.DELIVERED:
            return callback
        callback.state = Callback.State.RESOLVED
        callback.resolved_reason = reason[:2000]
        callback.claimed_until = None
        callback.save(update_fields=["state", "resolved_reason", "claimed_until", "updated_at"])
        if callback.ticket_id is not None:
            ticket_callback_update(
                ticket_id=callback.ticket_id,
                callback_status=Ticket.CallbackStatus.RESOLVED,
                action=AuditEntry.Action.CALLBACK_RESOLVED,
                comment=reason[:2000],
                actor=user,
                ip=ip,
            )
    return callback


def dispatch(callback_ids: list[int]) -> None:
    """Queue delivery of these records now."""
    if callback_ids:
        _dispatch(callback_ids)
