"""The one place that puts work on the django-q2 queue, for every app (only IDs cross the queue).

Neutral ground: `events` and `approvals` both queue through here, so neither needs the other to do it.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


@cache
def _broker() -> Broker:
    # async_task builds a new broker (with a new Redis connection) on every call unless given one; reusing one per
    # process halved the webhook's CPU time on PostgreSQL + Redis (bench/RESULTS.md, intake profile).
    return get_broker()


def enqueue(func: str, *, group: str, **kwargs: Any) -> str:
    """Queue `func(**kwargs)` and return the task id."""
    return str(async_task(func, group=group, broker=_broker(), **kwargs))


def enqueue_or_log(func: str, *, group: str, **kwargs: Any) -> str | None:
    """Queue `func(**kwargs)`; when the broker refuses (Redis restarting), log it and return None.

    For work whose data is already committed: the caller's success stands, and the due-time loop
    (approvals.jobs.timer) notices the task that never ran and queues it again.
    """
    try:
        return enqueue(func, group=group, **kwargs)
    except Exception as exc:  # any broker error; the committed data is the record of what is owed
        logger.error(
            "Could not queue %s %s (%s); the due-time loop will queue it again", func, kwargs, type(exc).__name__
        )
        return None


def enqueue_with_commit(func: str, *, group: str, **kwargs: Any) -> None:
    """Queue `func(**kwargs)` as part of the current transaction: the task exists iff the transaction commits.

    With the ORM broker the queue is a table in the same database: the task row joins the transaction (one commit
    instead of two, and no window where the data is stored but its task is lost). Any other broker is not
    transactional, so the task is queued after the commit, never for data that was rolled back.
    """
    if Conf.ORM == DEFAULT_DB_ALIAS and transaction.get_connection().in_atomic_block:
        enqueue(func, group=group, **kwargs)
    else:
        # After the commit a refusal must not turn the caller's success into an error: log it, recovery follows.
        transaction.on_commit(lambda: enqueue_or_log(func, group=group, **kwargs))
