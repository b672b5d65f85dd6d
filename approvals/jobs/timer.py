"""The due-time loop: retries run at their due time (within about a second), and lost work is noticed in seconds.

django-q2 has no delayed tasks and its scheduler looks at schedules only about every 30 s, so a retry "in 2.5 s"
used to wait for the one-minute sweeper (measured 116-181 s for three faults, issue 12). Each queue-worker process
runs this loop in a daemon thread (started by django-q2's `post_spawn` signal, so a recycled or killed worker's
replacement has one too). Every pass queues:
- result deliveries whose next attempt is due, whose claim expired (a dead worker), or whose task was lost;
- preparations whose retry is due, or whose lease ran out (a dead worker), or whose task was lost;
- received events whose processing task was lost (a broker restart, a refused enqueue).
Every step claims what it queues with a conditional update, so the loops of several workers never double up, and
every task is idempotent anyway. The sweeper runs the same steps once a minute as a safety net.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from approvals.delivery.outbox import callback_dispatch_due
from approvals.intake.recovery import preparation_dispatch_due
from events.services import event_requeue_stale

logger = logging.getLogger(__name__)
_started_in_pid: int | None = None
_lock = threading.Lock()


def lost_after() -> timedelta:
    """Return how long a queued task may wait before it is taken for lost."""
    return timedelta(seconds=settings.REVIEW_GATE_LOST_TASK_AFTER_SECONDS)


DueStep = Callable[..., int]  # (*, now: datetime, lost_after: timedelta) -> how many it queued
_extra_steps: dict[str, DueStep] = {}


def register_due_step(name: str, step: DueStep) -> None:
    """Run `step(now=..., lost_after=...)` in every pass of the due-time loop and of the sweeper: the way apps
    that build on approvals (notifications) get their due work queued within seconds. Steps must be idempotent."""
    _extra_steps[name] = step


def run_extra_steps(now: datetime) -> dict[str, int]:
    """Run the registered steps once; one failing step does not stop the others (it is logged)."""
    done: dict[str, int] = {}
    for name, step in tuple(_extra_steps.items()):
        try:
            done[name] = step(now=now, lost_after=lost_after())
        except Exception:
            logger.exception("Due-time step %s failed", name)
            done[name] = 0
    return done


def run_due_once(now: datetime | None = None) -> dict[str, int]:
    """Queue everything that is due now, once; return how many of each kind were queued."""
    now = now or timezone.now()
    return {
        "deliveries": callback_dispatch_due(now=now, lost_after=lost_after()),
        "preparations": preparation_dispatch_due(now=now, lost_after=lost_after()),
        "events": event_requeue_stale(now=now, older_than=lost_after()),
        **run_extra_steps(now),
    }


def _loop(stop: threading.Event) -> None:
    interval = settings.REVIEW_GATE_TIMER_INTERVAL_SECONDS
    failing = False
    while not stop.wait(interval):
        try:
            close_old_connections()  # a restarted database: drop the dead connection, the next query reconnects
            queued = run_due_once()
        except Exception as exc:  # the database or broker is down: say so once, keep trying
            if not failing:
                logger.error("Due-time loop: %s; retrying every %.1fs", type(exc).__name__, interval)
            failing = True
            connection.close()
            continue
        if failing:
            logger.info("Due-time loop: working again")
            failing = False
        if any(queued.values()):
            logger.info("Due-time loop queued %s", queued)


def start_due_time_loop(sender: Any = None, **kwargs: Any) -> threading.Event | None:
    """Start this process's due-time loop once (django-q2's `post_spawn`: each worker process); return its stop
    event, or None when one already runs in this process."""
    global _started_in_pid
    if multiprocessing.current_process().name == "MainProcess":
        # django-q2 also runs its worker function in-process (sync mode, tests): only a cluster's worker processes,
        # which are its children, run the loop.
        return None
    with _lock:
        if _started_in_pid == os.getpid():
            return None
        _started_in_pid = os.getpid()
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="review-gate-due-time-loop", daemon=True).start()
    return stop
