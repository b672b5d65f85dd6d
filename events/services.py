"""Business transitions for inbound events: receive (store once, enqueue) and mark processed."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from config.text import storable_text
from events.catalogue import CallbackApi, Module
from events.models import InboundEvent
from events.payload import CloudEvent, parse_event
from events.queue import enqueue_event_processing_or_log, enqueue_event_processing_with_commit

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What happened to a delivery: the stored event, and whether this delivery created it."""

    event: InboundEvent
    created: bool


def event_receive(*, body: bytes) -> IntakeResult:
    """Validate a webhook body and store its event once; enqueue processing with the commit when it is gated.

    A repeated delivery (same source and id, even at the same instant) returns the stored event unchanged.

    :raises events.payload.InvalidEvent: the body is not a DataWorks CloudEvent; nothing is stored.
    """
    parsed = parse_event(body)
    try:
        with transaction.atomic():
            event = event_store(parsed=parsed, body=body)
    except IntegrityError:
        # The unique (source, message_id) constraint is the arbiter: another delivery stored it first.
        existing = InboundEvent.objects.get(source=parsed.source, message_id=parsed.message_id)
        if existing.body_sha256 != hashlib.sha256(body).hexdigest():
            logger.warning("Duplicate event id %s arrived with a different payload; kept the first", existing.pk)
        logger.info("Duplicate delivery of event %s ignored", existing.pk)
        return IntakeResult(event=existing, created=False)
    if not event.gated:
        logger.info("Stored informational event %s (%s)", event.pk, event.event_code or event.type)
    return IntakeResult(event=event, created=True)


def event_store(*, parsed: CloudEvent, body: bytes | None = None) -> InboundEvent:
    """Store a validated event in the caller's transaction and, when gated, queue its processing with the commit.

    `body` is the webhook's raw body, kept verbatim for audit; an event found another way (reconciliation) has
    none and stores only what was fetched.

    :raises IntegrityError: an event with the same source and id is already stored.
    """
    spec = parsed.spec
    gated = bool(spec and spec.gated)
    if spec and spec.extension_point and not spec.gated:
        logger.warning("Extension point %s is not gated by Review Gate; remove it from the EventBridge rule", spec.code)
    event = InboundEvent.objects.create(
        source=parsed.source,
        message_id=parsed.message_id,
        type=parsed.type,
        event_code=parsed.event_code,
        module=(spec.module if spec else Module.OTHER).value,
        gated=gated,
        callback_api=(spec.callback if spec else CallbackApi.NONE).value,
        project_id=parsed.project_id,
        tenant_id=parsed.tenant_id,
        operator=parsed.operator,
        occurred_at=parsed.occurred_at,
        raw_body=body.decode("utf-8") if body is not None else "",
        body_sha256=hashlib.sha256(body).hexdigest() if body is not None else "",
        data_json=json.dumps(parsed.data, ensure_ascii=True, separators=(",", ":")),
        status=InboundEvent.Status.RECEIVED if gated else InboundEvent.Status.INFORMATIONAL,
        queued_at=timezone.now() if gated else None,
    )
    if gated:
        enqueue_event_processing_with_commit(event.pk)
    return event


def event_mark_processed(*, event: InboundEvent, failed: bool = False, detail: str = "") -> InboundEvent:
    """Record the outcome of processing an event."""
    event.status = InboundEvent.Status.FAILED if failed else InboundEvent.Status.PROCESSED
    event.status_detail = storable_text(detail[:2000])
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "status_detail", "processed_at"])
    return event


def event_requeue_stale(*, now: datetime, older_than: timedelta, limit: int = 200) -> int:
    """Queue processing again for gated events still RECEIVED whose task was queued longer ago than `older_than`
    (its task was lost: a broker restart, a refused enqueue). Each is claimed by a conditional update, so two
    loops never queue the same event twice; processing is idempotent anyway. Return how many were queued."""
    cutoff = now - older_than
    stale = InboundEvent.objects.filter(gated=True, status=InboundEvent.Status.RECEIVED).filter(
        models.Q(queued_at__lt=cutoff) | models.Q(queued_at__isnull=True, received_at__lt=cutoff)
    )
    queued = 0
    for event_id, queued_at in stale.order_by("received_at").values_list("pk", "queued_at")[:limit]:
        claimed = InboundEvent.objects.filter(pk=event_id, queued_at=queued_at).update(queued_at=now)
        if claimed:
            enqueue_event_processing_or_log(event_id)
            queued += 1
    return queued
