"""Notifications (REVIEW_GATE_NOTIFY_*, the working day, the staff channel): docs/notifications.md."""

from __future__ import annotations

import json
import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

from config.env import env_float, env_int, env_str

# The channel (by name) that hears about results DataWorks refused, tickets needing attention and unreachable rules.
REVIEW_GATE_STAFF_CHANNEL = env_str("REVIEW_GATE_STAFF_CHANNEL")
# Retries of a failed send: exponential backoff with full jitter, then give up after the horizon.
REVIEW_GATE_NOTIFY_BACKOFF_BASE_SECONDS = env_float("REVIEW_GATE_NOTIFY_BACKOFF_BASE_SECONDS", 5.0)
REVIEW_GATE_NOTIFY_BACKOFF_CAP_SECONDS = env_float("REVIEW_GATE_NOTIFY_BACKOFF_CAP_SECONDS", 600.0)
REVIEW_GATE_NOTIFY_HORIZON_SECONDS = env_int("REVIEW_GATE_NOTIFY_HORIZON_SECONDS", 24 * 3600, minimum=60)
# At most this many waiting messages are folded into one digest (each names its ticket).
REVIEW_GATE_NOTIFY_DIGEST_MAX = env_int("REVIEW_GATE_NOTIFY_DIGEST_MAX", 30, minimum=2, maximum=200)
REVIEW_GATE_NOTIFY_CONNECT_TIMEOUT = env_float("REVIEW_GATE_NOTIFY_CONNECT_TIMEOUT", 3.0)
REVIEW_GATE_NOTIFY_READ_TIMEOUT = env_float("REVIEW_GATE_NOTIFY_READ_TIMEOUT", 10.0)


def _limits(raw: str) -> dict[str, list[tuple[int, float]]]:
    """Parse {"dingtalk": [[20, 60]], ...}: per channel kind, (messages, seconds) windows that override the
    platforms' documented limits (tests shorten the windows; a team on a paid tier may raise them)."""
    if not raw:
        return {}
    try:
        data = json.loads(raw)
        return {str(kind): [(int(n), float(s)) for n, s in windows] for kind, windows in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ImproperlyConfigured(
            f'REVIEW_GATE_NOTIFY_LIMITS must be JSON like {{"dingtalk": [[20, 60]]}} ({exc}).'
        ) from None


REVIEW_GATE_NOTIFY_LIMITS = _limits(env_str("REVIEW_GATE_NOTIFY_LIMITS"))


def _clock(name: str, default: str) -> time:
    value = env_str(name, default)
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ImproperlyConfigured(f"{name} must be a time like 09:00 (got {value!r}).")
    return time(int(value[:2]), int(value[3:]))


# The working day for reminders and escalation with `working_hours = true`, in REVIEW_GATE_WORKDAY_TIME_ZONE.
REVIEW_GATE_WORKDAY_START = _clock("REVIEW_GATE_WORKDAY_START", "09:00")
REVIEW_GATE_WORKDAY_END = _clock("REVIEW_GATE_WORKDAY_END", "18:00")
if REVIEW_GATE_WORKDAY_END <= REVIEW_GATE_WORKDAY_START:
    raise ImproperlyConfigured("REVIEW_GATE_WORKDAY_END must be later than REVIEW_GATE_WORKDAY_START.")
REVIEW_GATE_WORKDAY_TIME_ZONE = env_str("REVIEW_GATE_WORKDAY_TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(REVIEW_GATE_WORKDAY_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"REVIEW_GATE_WORKDAY_TIME_ZONE is not a known time zone: {REVIEW_GATE_WORKDAY_TIME_ZONE!r}."
    ) from None
_days = env_str("REVIEW_GATE_WORKDAYS", "1,2,3,4,5")  # ISO weekdays: 1 is Monday
if not re.fullmatch(r"[1-7](,[1-7])*", _days):
    raise ImproperlyConfigured(f"REVIEW_GATE_WORKDAYS must be ISO weekday numbers like 1,2,3,4,5 (got {_days!r}).")
REVIEW_GATE_WORKDAYS = frozenset(int(day) for day in _days.split(","))
