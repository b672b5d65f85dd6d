"""The one place that puts event work on the django-q2 queue (only IDs cross the queue)."""

from __future__ import annotations

from django_q.tasks import async_task

PROCESS_EVENT_TASK = "events.tasks.process_event"


def enqueue_event_processing(event_id: int) -> str:
    """Queue processing of a stored event and return the task id."""
    return str(async_task(PROCESS_EVENT_TASK, event_id=event_id, group="events"))
