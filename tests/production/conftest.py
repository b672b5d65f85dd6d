"""Tests that only a real server on a real database shows: they run in the PostgreSQL + Redis pass of `.ci/run`.

`make test` on the embedded default (SQLite) skips them and says why; with REVIEW_GATE_REQUIRE_POSTGRES=1 (set by
`.ci/run` for its PostgreSQL run) a missing PostgreSQL is a failure instead.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine and settings.REDIS_URL:
        return
    reason = "needs PostgreSQL and Redis: run with DATABASE_URL=postgres://... REDIS_URL=redis://... (as .ci/run does)"
    if os.environ.get("REVIEW_GATE_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
