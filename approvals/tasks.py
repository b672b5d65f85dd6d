"""django-q2 entry points for approvals: fetch by id, call one service."""

from __future__ import annotations

from approvals.outbox import callback_deliver


def deliver_callback(*, callback_id: int) -> None:
    """Send one outbox record to DataWorks (a no-op when it is not due or someone else holds it)."""
    callback_deliver(callback_id=callback_id)
