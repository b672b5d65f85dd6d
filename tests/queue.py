"""Test helpers that read and drain the real django-q2 queue in-process, whichever broker is configured.

With the ORM broker the queue is the `OrmQ` table; with Redis it is a Redis list. Either way the task packages are
the signed ones django-q2 wrote, and running one here does what a worker would.
"""

from __future__ import annotations

import pydoc
from typing import Any

from django.test import TestCase
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import SignedPackage


def _uses_redis() -> bool:
    # The broker is fixed when django-q2 loads its configuration; tests may change settings.REDIS_URL afterwards.
    from django_q.conf import Conf

    return bool(Conf.REDIS)


def _raw_payloads() -> list[bytes | str]:
    if _uses_redis():
        broker = get_broker()
        return list(broker.connection.lrange(broker.list_key, 0, -1))
    return [row.payload for row in OrmQ.objects.order_by("id")]


def queued_tasks() -> list[dict[str, Any]]:
    """Return the decoded task packages waiting in the queue, oldest first."""
    return [SignedPackage.loads(payload) for payload in _raw_payloads()]


def clear_queue() -> None:
    """Drop every queued task (tests start from an empty queue)."""
    if _uses_redis():
        broker = get_broker()
        broker.connection.delete(broker.list_key)
    else:
        OrmQ.objects.all().delete()


def _pop() -> bytes | str | None:
    if _uses_redis():
        broker = get_broker()
        return broker.connection.lpop(broker.list_key)
    row = OrmQ.objects.order_by("id").first()
    if row is None:
        return None
    row.delete()
    return row.payload


def run_queued_tasks(limit: int = 100) -> int:
    """Execute queued tasks in this process like a worker would, acknowledging each; return how many ran."""
    ran = 0
    while ran < limit:
        payload = _pop()
        if payload is None:
            return ran
        task = SignedPackage.loads(payload)
        func = pydoc.locate(task["func"]) if isinstance(task["func"], str) else task["func"]
        assert callable(func), task["func"]
        # Tests run in a transaction that never commits: run each task's on-commit work as a commit would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            func(*task.get("args", ()), **task.get("kwargs", {}))
        ran += 1
    return ran
