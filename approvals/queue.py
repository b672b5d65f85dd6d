"""Approvals' queue entry points, through `events.queue.enqueue` (only IDs cross the queue)."""

from __future__ import annotations

from datetime import datetime

from django_q.models import Schedule
from django_q.tasks import schedule

from events.queue import PROCESS_EVENT_TASK, enqueue

DELIVER_CALLBACK_TASK = "approvals.tasks.deliver_callback"


def enqueue_callback_delivery(callback_id: int) -> str:
    """Queue delivery of one outbox record to DataWorks and return the task id."""
    return enqueue(DELIVER_CALLBACK_TASK, callback_id=callback_id, group="callbacks")


def schedule_event_retry(event_id: int, *, at: datetime) -> None:
    """Process an event again at a later time (backoff after a transient DataWorks error)."""
    schedule(PROCESS_EVENT_TASK, event_id=event_id, schedule_type=Schedule.ONCE, next_run=at, repeats=1)
