"""Slow clients (slowloris) cannot stall the server: `/healthz` and the webhook answer while eight clients trickle.

gunicorn is started as `make run` (config/launcher.py), the Procfile and docs/deploy.md start it: `gunicorn
config.wsgi --config config/gunicorn.conf.py --bind ...`, with one worker process, the worst case (every slow
connection on the same worker). Eight clients send a request's headers one byte a second and never finish; while
they hold their connections, `/healthz` and a real webhook delivery must each answer within 5 s. With the sync
workers of before, each slow client held a whole worker until the 30 s timeout and both waited (issue 13).

It needs no PostgreSQL, so unlike the rest of tests/production it also runs in `make test` on SQLite.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from django.conf import settings

from events import simulation
from events.models import InboundEvent
from tests.processes import database_url, free_port, start, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLOW_CLIENTS = 8
ANSWER_WITHIN = 5.0
# Headers that never end: one byte a second for far longer than the test.
TRICKLE = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    """Override tests/production/conftest.py: this test needs only a server, on whichever database the run uses."""


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_WORKERS="1",
        ALIBABA_CLOUD_ECS_METADATA_DISABLED="true",
    )
    return env


@pytest.fixture
def server(tmp_path) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
    process = start([*command, "--bind", f"127.0.0.1:{port}"], _server_env(), tmp_path / "gunicorn.log")
    try:
        wait_for(lambda: _status(f"http://127.0.0.1:{port}/healthz") == 200, 30, "gunicorn to answer")
        yield port
    finally:
        stop(process)


def _status(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> int | None:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_WITHIN) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:  # refused, reset, or no answer within the timeout
        return None


class SlowClients:
    """Connections that each send one more byte of their headers every second until stopped."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        self.sent = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopping.is_set() and self.sent < len(TRICKLE):
            for sock in self.sockets:
                sock.sendall(TRICKLE[self.sent : self.sent + 1])
            self.sent += 1
            self.stopping.wait(1.0)

    def still_open(self) -> int:
        """Count the connections the server has neither answered nor closed."""
        open_count = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                sock.recv(1)  # an answer (an error page) or b"" (closed): the server let go of it
            except BlockingIOError:
                open_count += 1  # nothing to read: still waiting for the rest of the headers
        return open_count

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def _timed(call) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def test_healthz_and_the_webhook_answer_while_eight_slow_clients_hold_connections(server):
    base = f"http://127.0.0.1:{server}"
    token = {"x-eventbridge-signature-token": settings.EVENTBRIDGE_TOKEN}
    slow = SlowClients(server, SLOW_CLIENTS)
    try:
        time.sleep(2.5)  # every slow connection has sent its first bytes and been handed to a thread
        answers = []
        for _round in range(3):
            answers.append(("healthz", *_timed(lambda: _status(f"{base}/healthz"))))
            event = simulation.build("commit-file", project_id=10001).event
            body = json.dumps(event).encode()
            answers.append(("webhook", *_timed(lambda b=body: _status(f"{base}/events/eventbridge/", b, token))))
            time.sleep(1.0)
        held = slow.still_open()
    finally:
        slow.close()

    for what, seconds, status in answers:
        assert status in (200, 202), f"{what} answered {status} after {seconds:.1f} s"
        assert seconds < ANSWER_WITHIN, f"{what} took {seconds:.1f} s"
    assert held == SLOW_CLIENTS  # the slow clients really held their connections meanwhile
    assert slow.sent >= 5
    assert InboundEvent.objects.count() == 3
