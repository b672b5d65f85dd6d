"""Shared fixtures: the webhook poster and the event payload fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

FIXTURES = Path(__file__).parent / "events" / "fixtures"
WEBHOOK_URL = "/events/eventbridge/"


def load_fixture(name: str) -> dict[str, Any]:
    """Return a payload fixture by file stem (e.g. "commit_file")."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


@pytest.fixture(autouse=True)
def _empty_cache_and_queue(request: pytest.FixtureRequest) -> None:
    """Start every test with an empty cache (parameters and options live there) and, on Redis, an empty queue.

    With the ORM broker the queue is a table the test transaction already isolates; a Redis list is not rolled back.
    """
    if not settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()
        return
    import redis

    connection = redis.Redis.from_url(settings.REDIS_URL)
    connection.flushdb()  # the test Redis database holds only this run's cache, queue and rate windows


@pytest.fixture
def post_event(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Post a payload to the webhook like EventBridge does (raw JSON body, token header).

    Tests run inside a transaction that never commits, so the on-commit enqueue is run as a commit would.
    """

    def _post(payload: Any, *, token: str | None = None, content_type: str = "application/json") -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        headers = {}
        token = settings.EVENTBRIDGE_TOKEN if token is None else token
        if token:
            headers["x-eventbridge-signature-token"] = token
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic("POST", WEBHOOK_URL, body, content_type=content_type, headers=headers)

    return _post


# The emulator fixtures (one emulator per session, the real SDK pointed at it) serve every test package.
from tests.dataworks_client.fixtures import *  # noqa: E402,F403
