"""Logging to the console: never payload bodies or secrets, only identifiers (LOG_LEVEL sets the level).

REVIEW_GATE_LOG_FORMAT: `json` (the default in production: one JSON object per line, for a log collector) or
`text` (the default in the demo and under DEBUG). Either way each line carries the ids bound for its request or task
(config.logging_context): the request id, and the event, ticket and message ids in queue tasks.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str
from config.settings._mode import PRODUCTION

REVIEW_GATE_LOG_FORMAT = env_str("REVIEW_GATE_LOG_FORMAT", "json" if PRODUCTION else "text").lower()
if REVIEW_GATE_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("REVIEW_GATE_LOG_FORMAT must be json or text.")
_LEVEL = env_str("LOG_LEVEL", "INFO").upper()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "config.logging_context.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "config.logging_context.json_formatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": REVIEW_GATE_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": _LEVEL},
    # django-q2 adds its own handler and format unless its logger has one: give it ours, so its lines are JSON too.
    "loggers": {
        "django-q": {"handlers": ["console"], "level": _LEVEL, "propagate": False},
        # urllib3 logs request lines at DEBUG, and chat robots' URLs carry their access tokens: never below INFO.
        "urllib3": {"level": "INFO" if _LEVEL == "DEBUG" else _LEVEL},
    },
}
