"""The run mode (production, DEBUG, demo) and the paths every other settings module builds on.

Production is the default: DEBUG is off unless DJANGO_DEBUG=1. `REVIEW_GATE_DEMO=1` (set by `make run` when no
DataWorks credentials are configured) relaxes only what the local emulator makes unnecessary.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("REVIEW_GATE_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO_MODE = env_bool("REVIEW_GATE_DEMO", False)
PRODUCTION = not DEBUG and not DEMO_MODE


def require(name: str, value: str, why: str) -> str:
    """Return the value; in production, an empty one stops the process with a message naming the variable."""
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} is not set; {why} (see README.md, 'Configuration').")
    return value
