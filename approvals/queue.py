"""Approvals' queue entry points and task names, through `config.queue` (only IDs cross the queue)."""

from __future__ import annotations

from config.queue import enqueue_or_log, enqueue_with_commit

PROCESS_EVENT_TASK = "approvals.tasks.process_event"
DELIVER_CALLBACK_TASK = "approvals.tasks.deliver_callback"
PRERENDER_DIFF_TASK = "approvals.tasks.prerender_diff"


def enqueue_callback_delivery(callback_id: int) -> str | None:
    """Queue delivery of one outbox record to DataWorks; a broker refusal is logged (the due-time loop retries)."""
    return enqueue_or_log(DELIVER_CALLBACK_TASK, callback_id=callback_id, group="callbacks")


def enqueue_diff_prerender_with_commit(ticket_id: int) -> None:
    """Queue rendering and storing the diff of a ticket made ready in the current transaction, so its first page
    view reads stored HTML (see `config.queue.enqueue_with_commit`)."""
    enqueue_with_commit(PRERENDER_DIFF_TASK, ticket_id=ticket_id, group="diffs")
