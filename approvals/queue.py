"""Approvals' queue entry points and task names, through `config.queue` (only IDs cross the queue)."""

from __future__ import annotations

from datetime import datetime

from django_q.models import Schedule
from django_q.tasks import schedule

from config.queue import enqueue, enqueue_with_commit

PROCESS_EVENT_TASK = "approvals.tasks.process_event"
DELIVER_CALLBACK_TASK = "approvals.tasks.deliver_callback"
PRERENDER_DIFF_TASK = "approvals.tasks.prerender_diff"


def enqueue_callback_delivery(callback_id: int) -> str:
    """Queue delivery of one outbox record to DataWorks and return the task id."""
    return enqueue(DELIVER_CALLBACK_TASK, callback_id=callback_id, group="callbacks")


def enqueue_diff_prerender_with_commit(ticket_id: int) -> None:
    """Queue rendering and storing the diff of a ticket made ready in the current transaction, so its first page
    view reads stored HTML (see `config.queue.enqueue_with_commit`)."""
    enqueue_with_commit(PRERENDER_DIFF_TASK, ticket_id=ticket_id, group="diffs")


def schedule_event_retry(event_id: int, *, at: datetime) -> None:
    """Process an event again at a later time (backoff after a transient DataWorks error)."""
    schedule(PROCESS_EVENT_TASK, event_id=event_id, schedule_type=Schedule.ONCE, next_run=at, repeats=1)
