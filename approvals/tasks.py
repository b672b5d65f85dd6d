"""django-q2 entry points for approvals: fetch by id, call one service. Their dotted names are in approvals.queue."""

from __future__ import annotations

import logging

from approvals.delivery.outbox import callback_deliver
from approvals.intake.pipeline import ticket_open_for_event
from approvals.tickets.diff_store import prerender_ticket
from approvals.tickets.selectors import ticket_by_id
from events.selectors import event_by_id

logger = logging.getLogger(__name__)


def process_event(*, event_id: int) -> None:
    """Turn a stored gated event into a review ticket."""
    event = event_by_id(event_id)
    if event is None:
        logger.error("Event %s vanished before processing", event_id)
        return
    ticket_open_for_event(event=event)


def deliver_callback(*, callback_id: int) -> None:
    """Send one outbox record to DataWorks (a no-op when it is not due or someone else holds it)."""
    callback_deliver(callback_id=callback_id)


def prerender_diff(*, ticket_id: int) -> None:
    """Render and store a ready ticket's diff (best effort; a ticket that is gone is nothing to do)."""
    ticket = ticket_by_id(ticket_id)
    if ticket is not None:
        prerender_ticket(ticket)
