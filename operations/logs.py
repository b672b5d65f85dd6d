"""Carry log ids from the code that queues a task into the worker that runs it (django-q2 signals).

`pre_enqueue` stores what is bound now (the webhook request's id, a task's event id) in the task package, beside its
arguments; `pre_execute` binds it again in the worker, with the ids among the task's arguments (event, ticket,
result delivery) and the MessageId they lead to, and `post_execute_in_worker` unbinds. Task functions never see it,
so no task signature changes.
"""

from __future__ import annotations

import logging
import threading
from contextvars import Token
from typing import Any

from django.db import DatabaseError

from config import logging_context

logger = logging.getLogger(__name__)
TASK_KEY = "log_context"
_ID_KWARGS = ("event_id", "ticket_id", "callback_id")
_CARRIED = ("request_id", "event_id", "ticket_id", "message_id")
_ALLOWED = frozenset(logging_context.FIELDS)
_tokens = threading.local()


def carry_context(sender: Any = None, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Store the ids bound now in the task package about to be queued (only ids; never arguments or bodies)."""
    if task is None:
        return
    bound = logging_context.current()
    carried = {key: bound[key] for key in _CARRIED if key in bound}
    if carried:
        task[TASK_KEY] = carried


def _message_id(task_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Look up the MessageId (and ticket) a task is about: one indexed read, worth it to find a case in the logs."""
    from approvals.models import Callback, Ticket
    from events.models import InboundEvent

    try:
        if isinstance(task_kwargs.get("event_id"), int):
            events = InboundEvent.objects.filter(pk=task_kwargs["event_id"])
            return {"message_id": events.values_list("message_id", flat=True).first()}
        if isinstance(task_kwargs.get("callback_id"), int):
            row = Callback.objects.filter(pk=task_kwargs["callback_id"]).values("message_id", "ticket_id").first()
            return dict(row) if row else {}
        if isinstance(task_kwargs.get("ticket_id"), int):
            tickets = Ticket.objects.filter(pk=task_kwargs["ticket_id"])
            return {"message_id": tickets.values_list("message_id", flat=True).first()}
    except DatabaseError:  # the task itself will meet (and report) the database's trouble
        return {}
    return {}


def bind_task_context(sender: Any = None, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Bind the carried ids, the task's own ids and its name for the lines the task writes."""
    if task is None:
        return
    carried = task.get(TASK_KEY)
    fields: dict[str, Any] = dict(carried) if isinstance(carried, dict) else {}
    raw_kwargs = task.get("kwargs")
    task_kwargs: dict[str, Any] = raw_kwargs if isinstance(raw_kwargs, dict) else {}
    for key in _ID_KWARGS:
        if isinstance(task_kwargs.get(key), int):
            fields[key] = task_kwargs[key]
    fields.update({key: value for key, value in _message_id(task_kwargs).items() if value is not None})
    func = task.get("func")
    fields["task"] = func if isinstance(func, str) else getattr(func, "__name__", "")
    stack: list[Token[dict[str, str]]] = getattr(_tokens, "stack", [])
    stack.append(logging_context.bind(**{key: value for key, value in fields.items() if key in _ALLOWED}))
    _tokens.stack = stack


def unbind_task_context(sender: Any = None, **kwargs: Any) -> None:
    """Restore what was bound before the task (sync mode runs tasks inside a request)."""
    stack: list[Token[dict[str, str]]] = getattr(_tokens, "stack", [])
    if stack:
        logging_context.unbind(stack.pop())
