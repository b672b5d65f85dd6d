"""django-q2 entry points for events: fetch by id, call one service."""

from __future__ import annotations

import logging

from events.models import InboundEvent

logger = logging.getLogger(__name__)


def process_event(*, event_id: int) -> None:
    """Turn a stored gated event into a review ticket."""
    from approvals.intake.pipeline import ticket_open_for_event  # import here: approvals depends on events, not back

    event = InboundEvent.objects.filter(pk=event_id).first()
    if event is None:
        logger.error("Event %s vanished before processing", event_id)
        return
    ticket_open_for_event(event=event)
