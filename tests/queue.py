"""Test helpers that read and drain the real django-q2 ORM queue in-process."""

from __future__ import annotations

import pydoc
from typing import Any

from django.test import TestCase
from django_q.models import OrmQ
from django_q.signing import SignedPackage


def queued_tasks() -> list[dict[str, Any]]:
    """Return the decoded task packages waiting in the ORM queue, oldest first."""
    return [SignedPackage.loads(row.payload) for row in OrmQ.objects.order_by("id")]


def run_queued_tasks(limit: int = 100) -> int:
    """Execute queued tasks in this process like a worker would, acknowledging each; return how many ran."""
    ran = 0
    while ran < limit:
        row = OrmQ.objects.order_by("id").first()
        if row is None:
            return ran
        task = SignedPackage.loads(row.payload)
        row.delete()
        func = pydoc.locate(task["func"]) if isinstance(task["func"], str) else task["func"]
        assert callable(func), task["func"]
        # Tests run in a transaction that never commits: run each task's on-commit work as a commit would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            func(*task.get("args", ()), **task.get("kwargs", {}))
        ran += 1
    return ran
