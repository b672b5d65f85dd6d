"""What-if patches for the benchmarks only (app code is unchanged): measure the suggested intake fixes.

- `cached_broker()`: `events.queue` / `approvals.queue` pass one django-q2 broker per process to `async_task`
  instead of letting it build a new one per call (a new Redis connection, or for the ORM broker an extra
  `close_old_connections()`), which is what the suggested change to the app does.
- `persistent_sqlite_connections()`: CONN_MAX_AGE=60 on SQLite, so django-q2's ORM broker
  (`close_old_connections()` before each enqueue) does not close and reopen the database connection mid-request.

`bench/patched_wsgi.py` applies both in a gunicorn worker for the intake what-if run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock


def _cached_async_task() -> Any:
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    broker = None

    def enqueue(func: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal broker
        if broker is None:
            broker = get_broker()
        kwargs.setdefault("broker", broker)
        return async_task(func, *args, **kwargs)

    return enqueue


@contextlib.contextmanager
def cached_broker() -> Iterator[None]:
    # Since the app passes one broker per process itself (events.queue.enqueue), this patch changes nothing there
    # any more; it is kept so older commits can still be compared the same way.
    import importlib

    enqueue = _cached_async_task()
    with contextlib.ExitStack() as stack:
        for name in ("events.queue", "approvals.queue"):
            if hasattr(importlib.import_module(name), "async_task"):
                stack.enter_context(mock.patch(f"{name}.async_task", enqueue))
        yield


@contextlib.contextmanager
def persistent_sqlite_connections(seconds: int = 60) -> Iterator[None]:
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    before = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = seconds
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = before


_KEPT: list[Any] = []


def apply_permanently() -> None:
    """Apply both patches for the life of the process (the gunicorn what-if run)."""
    patch = cached_broker()
    patch.__enter__()
    _KEPT.append(patch)  # a discarded generator context manager would be closed, undoing the patch
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
