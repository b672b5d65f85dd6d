"""Start real app processes (qcluster, gunicorn) against the test database, Redis and the emulator."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.dataworks_client.fixtures import ACCESS_KEY_ID, ACCESS_KEY_SECRET, EXTENSION_CODE

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """Return a DATABASE_URL for the database the tests are using right now (the test database)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def app_env(emulator: Any, **overrides: str) -> dict[str, str]:
    """Return the environment of an app process pointed at the test database, broker and emulator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        DATAWORKS_ENDPOINT=emulator.endpoint,
        DATAWORKS_PROTOCOL="http",
        ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET,
        DATAWORKS_EXTENSION_CODE=EXTENSION_CODE,
        DATAWORKS_CONNECT_TIMEOUT_MS="1000",
        DATAWORKS_READ_TIMEOUT_MS="5000",
        DATAWORKS_RATE_MAX_WAIT_SECONDS="0",
        REVIEW_GATE_QUEUE_WORKERS="1",
    )
    env.update(overrides)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process in its own session (so it and its children can be killed together), logging to a file."""
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)


def start_cluster(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return start([sys.executable, "manage.py", "qcluster"], env, log)


def stop(*processes: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Stop processes gracefully, then by force.

    SIGTERM goes to the main process only: qcluster (like gunicorn) then stops its own children in order; a SIGTERM
    to the whole group would hit the children first and leave the parent waiting. Whatever is left is killed.
    """
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent, or a stuck parent
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, *, every: float = 0.25) -> float:
    """Poll until the predicate holds and return how long it took; fail with `what` after `timeout` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
