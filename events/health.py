"""Readiness checks: database reachable, queue reachable, settings complete."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _queue() -> dict[str, Any]:
    from django_q.brokers import get_broker

    try:
        depth = get_broker().queue_size()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "broker": "redis" if settings.REDIS_URL else "orm", "depth": depth}


def missing_settings() -> list[str]:
    """Name the settings still needed to answer DataWorks."""
    missing = []
    if not settings.EVENTBRIDGE_TOKEN:
        missing.append("EVENTBRIDGE_TOKEN")
    if not settings.DATAWORKS_EXTENSION_CODE:
        missing.append("DATAWORKS_EXTENSION_CODE")
    return missing


def readiness() -> dict[str, Any]:
    """Run every check and say whether all passed."""
    missing = missing_settings()
    checks = {"database": _database(), "queue": _queue(), "settings": {"ok": not missing, "missing": missing}}
    return {"ready": all(check["ok"] for check in checks.values()), "checks": checks}
