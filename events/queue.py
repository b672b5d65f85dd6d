"""Queue the processing of a stored event, by the task another app registers (events never imports it).

The app that turns events into work (approvals) registers its task in its `AppConfig.ready()`; events only knows
the name. Only IDs cross the queue.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.queue import enqueue_or_log, enqueue_with_commit

_processor: str = ""


def register_event_processor(task: str) -> None:
    """Name the task (dotted path) that processes a stored gated event; called once at start-up."""
    global _processor
    _processor = task


def event_processor_task() -> str:
    """Return the registered processing task.

    :raises ImproperlyConfigured: no app registered one (approvals is not installed).
    """
    if not _processor:
        raise ImproperlyConfigured("No event processor is registered; is the approvals app installed?")
    return _processor


def enqueue_event_processing_or_log(event_id: int) -> str | None:
    """Queue processing of a stored event; a broker refusal is logged and left to the due-time loop."""
    return enqueue_or_log(event_processor_task(), event_id=event_id, group="events")


def enqueue_event_processing_with_commit(event_id: int) -> None:
    """Queue processing of an event being stored in the current transaction (see `config.queue.enqueue_with_commit`)."""
    enqueue_with_commit(event_processor_task(), event_id=event_id, group="events")
