"""The one place that puts approvals work on the django-q2 queue (only IDs cross the queue)."""

from __future__ import annotations

from datetime import datetime

from django_q.models import Schedule
from django_q.tasks import async_task, schedule

DELIVER_DECISION_TASK = "approvals.tasks.deliver_decision"
PROCESS_EVENT_TASK = "events.tasks.process_event"


def enqueue_decision_delivery(ticket_id: int) -> str:
    """Queue delivery of a ticket's decision to DataWorks and return the task id."""
    return str(async_task(DELIVER_DECISION_TASK, ticket_id=ticket_id, group="callbacks"))


def schedule_event_retry(event_id: int, *, at: datetime) -> None:
    """Process an event again at a later time (backoff after a transient DataWorks error)."""
    schedule(PROCESS_EVENT_TASK, event_id=event_id, schedule_type=Schedule.ONCE, next_run=at, repeats=1)
