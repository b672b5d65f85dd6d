"""Queue-worker heartbeats, in the database: each worker process's due-time loop stamps its row every few seconds.

The doctor (and the readiness of an install) asks whether any worker was seen recently. django-q2's own statistics
live in the cache, which without Redis is a per-process memory no other process can read.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta

from django.db import DatabaseError
from django.utils import timezone

from operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
BEAT_EVERY_SECONDS = 10.0
ALIVE_WITHIN = timedelta(seconds=60)
FORGET_AFTER = timedelta(days=1)
_last_beat: dict[int, float] = {}  # pid -> monotonic time of this process's last stamp (a fork starts afresh)


def beat(now: datetime | None = None) -> None:
    """Stamp this process's heartbeat row now (and forget rows of processes gone for a day)."""
    now = now or timezone.now()
    host = socket.gethostname()[:255]
    pid = os.getpid()
    updated = WorkerHeartbeat.objects.filter(host=host, pid=pid).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(host=host, pid=pid, defaults={"seen_at": now, "started_at": now})
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def heartbeat_step(*, now: datetime, lost_after: timedelta) -> int:
    """A due-time step (every pass of every worker's loop): stamp at most every BEAT_EVERY_SECONDS. Returns 0 (it
    queues nothing)."""
    pid = os.getpid()
    if time.monotonic() - _last_beat.get(pid, float("-inf")) < BEAT_EVERY_SECONDS:
        return 0
    try:
        beat(now)
    except DatabaseError as exc:  # the loop reports database trouble itself; try again next pass
        logger.warning("Heartbeat not stored (%s)", type(exc).__name__)
        return 0
    _last_beat[pid] = time.monotonic()
    return 0


def live_workers(now: datetime | None = None) -> list[WorkerHeartbeat]:
    """Return the worker processes seen within ALIVE_WITHIN, most recent first."""
    now = now or timezone.now()
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=now - ALIVE_WITHIN).order_by("-seen_at"))
