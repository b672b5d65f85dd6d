"""A client-side rate limiter shared by every process: fixed one-second windows in Redis or in the database.

DataWorks allows about 50 reads/s and 20 writes/s per account and region, and failed calls count too; staying
under that locally avoids burning the budget on 429s. The limiter is advisory: if its store is unreachable it
lets the call through (DataWorks still answers 429, which maps to DataWorksThrottled).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from dataworks_client.conf import ClientSettings
from dataworks_client.errors import DataWorksThrottled

logger = logging.getLogger(__name__)

READ = "read"
WRITE = "write"
# Old windows are deleted by whoever opens a new one; a minute keeps them visible for debugging.
PRUNE_AFTER_SECONDS = 60
REDIS_KEY_TTL_SECONDS = 5


def action_kind(action: str) -> str:
    """Classify an OpenAPI action as a read (Get*/List*) or a write (Update*/Callback* and anything else)."""
    if action.startswith(("Get", "List")):
        return READ
    # Unknown verbs count as writes: the smaller budget is the safe guess.
    return WRITE


class Backend(Protocol):
    def try_acquire(self, bucket: str, window: int, limit: int) -> bool:
        """Take one slot of `bucket` in `window` if fewer than `limit` are taken; tell whether it did."""


class DatabaseBackend:
    """Count calls in RateWindow rows with an atomic conditional UPDATE."""

    def try_acquire(self, bucket: str, window: int, limit: int) -> bool:
        """Take a slot with `UPDATE ... SET count = count + 1 WHERE count < limit`, creating the row if needed."""
        from dataworks_client.models import RateWindow

        rows = RateWindow.objects.filter(bucket=bucket, window_start=window)
        if rows.filter(count__lt=limit).update(count=F("count") + 1):
            return True
        if rows.exists():
            return False
        try:
            with transaction.atomic():
                RateWindow.objects.create(bucket=bucket, window_start=window, count=1)
        except IntegrityError:
            # Another process opened this window between our UPDATE and INSERT: take a slot in its row.
            return bool(rows.filter(count__lt=limit).update(count=F("count") + 1))
        RateWindow.objects.filter(bucket=bucket, window_start__lt=window - PRUNE_AFTER_SECONDS).delete()
        return True


class RedisBackend:
    """Count calls with INCR + EXPIRE on one key per bucket and window."""

    def __init__(self, url: str, *, key_prefix: str = "review_gate:dataworks_rate") -> None:
        import redis

        # Short timeouts: the limiter must never be slower than the call it guards.
        self._redis: Any = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = key_prefix

    def try_acquire(self, bucket: str, window: int, limit: int) -> bool:
        """Increment the window's counter; the slot is ours if the new count is within `limit`."""
        key = f"{self._prefix}:{bucket}:{window}"
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, REDIS_KEY_TTL_SECONDS)
        count, _ = pipe.execute()
        return int(count) <= limit


def _store_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types that mean the limiter's store is unavailable."""
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a runtime dependency
        return (DatabaseError,)
    return (DatabaseError, redis.RedisError)


class RateLimiter:
    """Wait for, or refuse, a slot in the per-second read or write budget before each DataWorks call."""

    def __init__(
        self,
        backend: Backend,
        *,
        reads_per_second: int,
        writes_per_second: int,
        max_wait_seconds: float,
        namespace: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self.limits = {READ: reads_per_second, WRITE: writes_per_second}
        self.max_wait_seconds = max(0.0, max_wait_seconds)
        self.namespace = namespace
        self._clock = clock
        self._sleep = sleep

    def acquire(self, action: str) -> None:
        """Return once `action` may be sent; a limit of 0 or less disables limiting for its kind.

        :raises DataWorksThrottled: code Local.RateBudget, when no slot frees up within the maximum wait.
        """
        kind = action_kind(action)
        limit = self.limits[kind]
        if limit <= 0:
            return
        bucket = f"{self.namespace}:{kind}"
        deadline = self._clock() + self.max_wait_seconds
        while True:
            now = self._clock()
            window = int(now)
            try:
                if self.backend.try_acquire(bucket, window, limit):
                    return
            except _store_errors() as exc:
                logger.warning(
                    "DataWorks rate limiter store unavailable, allowing the call action=%s error=%s",
                    action,
                    type(exc).__name__,
                )
                return
            next_window = float(window + 1)
            if next_window > deadline:
                logger.info("DataWorks local rate budget exhausted action=%s kind=%s limit=%s", action, kind, limit)
                raise DataWorksThrottled(
                    f"local {kind} budget of {limit}/s exhausted",
                    code="Local.RateBudget",
                    retry_after=max(next_window - now, 0.0),
                    action=action,
                )
            self._sleep(next_window - now)


def build_limiter(config: ClientSettings) -> RateLimiter:
    """Build the shared rate limiter: Redis when REDIS_URL is set, else the database."""
    backend = RedisBackend(config.redis_url) if config.redis_url else DatabaseBackend()
    return RateLimiter(
        backend,
        reads_per_second=config.reads_per_second,
        writes_per_second=config.writes_per_second,
        max_wait_seconds=config.rate_max_wait_seconds,
        namespace=f"dataworks:{config.region}",
    )
