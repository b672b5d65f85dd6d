"""django-q2 entry points for approvals: fetch by id, call one service."""

from __future__ import annotations

from approvals.tickets.diff_store import prerender_ticket
from approvals.models import Ticket
from approvals.delivery.outbox import callback_deliver


def deliver_callback(*, callback_id: int) -> None:
    """Send one outbox record to DataWorks (a no-op when it is not due or someone else holds it)."""
    callback_deliver(callback_id=callback_id)


def prerender_diff(*, ticket_id: int) -> None:
    """Render and store a ready ticket's diff (best effort; a ticket that is gone is nothing to do)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        prerender_ticket(ticket)
