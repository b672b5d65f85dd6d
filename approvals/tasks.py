"""django-q2 entry points for approvals: fetch by id, call one service."""

from __future__ import annotations

from approvals.delivery import ticket_deliver_decision


def deliver_decision(*, ticket_id: int) -> None:
    """Send a decided ticket's result to DataWorks."""
    ticket_deliver_decision(ticket_id=ticket_id)
