"""A real `qcluster` killed with SIGKILL while its DataWorks call is in flight; a new worker still delivers in time.

On Redis (the PostgreSQL + Redis run) the killed worker's task is simply gone — Redis keeps no receipts — so this
also shows that the outbox and the due-time loop, not the broker, are what make delivery safe. No schedule exists in
this test, so the recovery is the due-time loop's (approvals.jobs.timer), not the one-minute sweeper's.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django_q.models import Schedule

from approvals.models import Callback
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory
from tests.processes import app_env, start_cluster, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DEADLINE_AFTER_RESTART = 45  # issue 12: a dead worker's delivery resumes within 45 s (claim expiry + due-time loop)


def test_killed_worker_mid_call_then_new_worker_delivers_within_45_seconds(emulator, dw_settings, tmp_path):
    reviewer = UserFactory(username="crash")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])])
    Schedule.objects.all().delete()  # no sweeper: the due-time loop alone must notice the dead worker's claim
    emulator.store.add_fault("UpdateIDEEventResult", "latency", count=1, latency_ms=4000)
    services.ticket_approve(ticket_id=ticket.pk, user=reviewer)  # commits: the outbox record and its task exist
    callback = Callback.objects.get(ticket=ticket)
    env, log = app_env(emulator), tmp_path / "qcluster.log"

    first = start_cluster(env, log)
    try:
        wait_for(lambda: Callback.objects.filter(pk=callback.pk, state="SENDING").exists(), 60, "the first claim")
        time.sleep(0.5)  # the UpdateIDEEventResult call is now in flight (the emulator holds it for 4 s)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

    second = start_cluster(env, log)
    try:
        elapsed = wait_for(
            lambda: Callback.objects.filter(pk=callback.pk, state="DELIVERED").exists(),
            DEADLINE_AFTER_RESTART,
            "delivery by the new worker",
        )
    finally:
        stop(second)

    callback.refresh_from_db()
    results = [c["params"]["CheckResult"] for c in emulator.store.callbacks_json()]
    assert elapsed < DEADLINE_AFTER_RESTART
    assert callback.attempts >= 2
    # The killed call may still have reached DataWorks; any repeat carries the same single result.
    assert results and set(results) == {"OK"}
    print(f"delivered {elapsed:.1f}s after the new worker started; DataWorks saw {len(results)} call(s)")  # noqa: T201
