"""Database (PostgreSQL from DATABASE_URL, else embedded SQLite), cache and the django-q2 task queue."""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_int, env_str, env_url
from config.settings._mode import DATA_DIR

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this app understands: {exc}") from None
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "review_gate.sqlite3")}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so two processes never
    # deadlock upgrading a read lock (the "database is locked" failure django-q2's monitor hits otherwise).
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Persistent per process, as on PostgreSQL: django-q2's ORM broker calls close_old_connections() before each
    # enqueue, and with CONN_MAX_AGE=0 every webhook request reopened the file and re-ran the PRAGMAs
    # (2.6 -> 1.1 ms CPU per event, bench/RESULTS.md). Safe: a connection is never shared between threads.
    _db["CONN_MAX_AGE"] = 60
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Queue: one worker call to DataWorks is bounded by connect+read timeouts (13 s by default), far below `timeout`;
# `retry` exceeds `timeout` plus time queued so a task still running is never handed to a second worker.
Q_CLUSTER: dict[str, object] = {
    "name": "review_gate",
    "workers": env_int("REVIEW_GATE_QUEUE_WORKERS", 2, minimum=1, maximum=64),
    "timeout": 60,
    "retry": 150,
    "max_attempts": 10,
    "queue_limit": 8,
    "catch_up": False,
    "save_limit": 500,
    "label": _("Task queue"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
