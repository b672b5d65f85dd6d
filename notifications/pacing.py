"""Per-target pacing shared by every process: a sliding window of recent sends per robot, kept in the database.

A token bucket refilled at 20/min lets 40 messages through in some 60-second window (a full bucket, then the
refill); DingTalk counts a sliding window and mutes the robot for 10 minutes past 20. So this keeps the actual
send times and allows a send only when every window (Feishu has two: 100/min and 5/s) has room, with a margin for
clock differences. Writes use a version check (optimistic concurrency), which works the same on SQLite and
PostgreSQL: two workers never both take the last slot.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from notifications.channels.limits import KIND_LIMITS
from notifications.channels.message import Kind
from notifications.models import PacingWindow

Windows = list[tuple[int, float]]
KIND_VALUES = {kind.value for kind in Kind}


@dataclass(frozen=True)
class Slot:
    granted: bool
    wait_seconds: float = 0.0  # when not granted: how long until a slot frees (or the mute ends)
    stamp: float | None = None  # when granted: the send time recorded for it (epoch seconds)


def target_key(kind: str, url: str) -> str:
    """Return the pacing key of a target: a hash of its URL (which carries a token), never the URL."""
    return hashlib.sha256(f"{kind}\n{url}".encode()).hexdigest()


def limits_for(kind: str) -> Windows:
    """Return the (messages, seconds) windows of a channel kind: the setting's override, else the documented one."""
    override = settings.REVIEW_GATE_NOTIFY_LIMITS.get(kind)
    if override is not None:
        return list(override)
    return list(KIND_LIMITS.get(Kind(kind)) or []) if kind in KIND_VALUES else []


def _margin(seconds: float) -> float:
    # Room for the difference between our clock and the platform's, and for a request's time on the way.
    return max(0.5, seconds * 0.02)


def _wait(sends: list[float], windows: Windows, now: float) -> float:
    wait = 0.0
    for limit, seconds in windows:
        span = seconds + _margin(seconds)
        recent = [t for t in sends if t > now - span]
        if len(recent) >= limit:
            wait = max(wait, recent[-limit] + span - now)
    # Whole milliseconds, rounded up: a wait that rounds to zero microseconds would never free the slot.
    return math.ceil(wait * 1000) / 1000 if wait > 0 else 0.0


def acquire(key: str, windows: Windows, now: datetime, *, attempts: int = 20) -> Slot:
    """Take a send slot for `key` now, or say how long to wait; a muted target waits until the mute ends."""
    if not windows:
        return Slot(True)
    longest = max(seconds + _margin(seconds) for _limit, seconds in windows)
    stamp = now.timestamp()
    for _ in range(attempts):
        row = _row(key)
        if row.blocked_until and row.blocked_until > now:
            return Slot(False, (row.blocked_until - now).total_seconds())
        sends = [float(t) for t in row.sends if float(t) > stamp - longest]
        wait = _wait(sends, windows, stamp)
        if wait > 0:
            return Slot(False, wait)
        updated = PacingWindow.objects.filter(pk=row.pk, version=row.version).update(
            sends=[*sends, stamp], version=row.version + 1
        )
        if updated:
            return Slot(True, stamp=stamp)
    return Slot(False, 0.5)  # heavy contention: try again shortly


def restamp(key: str, windows: Windows, slot: Slot, now: datetime, *, attempts: int = 20) -> None:
    """Move a granted slot's recorded send time to `now` (just before the request goes out)."""
    if not windows or slot.stamp is None:
        return
    for _ in range(attempts):
        row = _row(key)
        sends = [float(t) for t in row.sends]
        if slot.stamp not in sends:
            return  # already out of every window: nothing to move
        sends[sends.index(slot.stamp)] = max(now.timestamp(), slot.stamp)
        sends.sort()
        if PacingWindow.objects.filter(pk=row.pk, version=row.version).update(sends=sends, version=row.version + 1):
            return


def block(key: str, seconds: float, now: datetime) -> None:
    """Hold every send to `key` for `seconds` (the platform said it throttled us: DingTalk mutes for 10 minutes)."""
    row = _row(key)
    until = now + timedelta(seconds=seconds)
    PacingWindow.objects.filter(pk=row.pk).update(blocked_until=until, version=row.version + 1)


def _row(key: str) -> PacingWindow:
    row = PacingWindow.objects.filter(target_key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return PacingWindow.objects.create(target_key=key)
    except IntegrityError:  # another process created it a moment ago
        return PacingWindow.objects.get(target_key=key)
