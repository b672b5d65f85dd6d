"""A real `qcluster` killed with SIGKILL while its DataWorks call is in flight; a new worker still delivers in time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from approvals import services
from approvals.models import Callback
from approvals.schedules import ensure_schedules
from tests.dataworks_client.fixtures import ACCESS_KEY_ID, ACCESS_KEY_SECRET, EXTENSION_CODE
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
DEADLINE_AFTER_RESTART = 120  # a DataWorks user is waiting: the bound


def _cluster_env(emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
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
    return env


def _start_cluster(env, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def _wait_for(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_killed_worker_mid_call_then_new_worker_delivers_within_two_minutes(emulator, dw_settings, tmp_path):
    reviewer = UserFactory(username="crash")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])])
    ensure_schedules()
    from django_q.models import Schedule

    Schedule.objects.filter(name="review-gate-sweeper").update(next_run=timezone.now())
    emulator.store.add_fault("UpdateIDEEventResult", "latency", count=1, latency_ms=4000)
    services.ticket_approve(ticket_id=ticket.pk, user=reviewer)  # commits: the outbox record and its task exist
    callback = Callback.objects.get(ticket=ticket)
    env, log = _cluster_env(emulator), tmp_path / "qcluster.log"

    first = _start_cluster(env, log)
    try:
        _wait_for(lambda: Callback.objects.filter(pk=callback.pk, state="SENDING").exists(), 60, "the first claim")
        time.sleep(0.5)  # the UpdateIDEEventResult call is now in flight (the emulator holds it for 4 s)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

    second = _start_cluster(env, log)
    try:
        elapsed = _wait_for(
            lambda: Callback.objects.filter(pk=callback.pk, state="DELIVERED").exists(),
            DEADLINE_AFTER_RESTART,
            "delivery by the new worker",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)

    callback.refresh_from_db()
    results = [c["params"]["CheckResult"] for c in emulator.store.callbacks_json()]
    assert elapsed < DEADLINE_AFTER_RESTART
    assert callback.attempts >= 2
    # The killed call may still have reached DataWorks; any repeat carries the same single result.
    assert results and set(results) == {"OK"}
    print(f"delivered {elapsed:.1f}s after the new worker started; DataWorks saw {len(results)} call(s)")  # noqa: T201
