"""A real `qcluster` killed with SIGKILL while `GetIDEEventDetail` is in flight; a new worker prepares the ticket.

Issue 12, finding 2: the ticket used to stay PREPARING forever (the sweeper re-queued only events without a ticket).
The emulator holds the call, so the kill lands while it is in flight, whatever the machine's speed. The broker cannot
be what rescues the ticket here: the ORM broker re-delivers an unacknowledged task only after `retry` (150 s), and
Redis keeps no receipts at all; the preparation lease (default REVIEW_GATE_PREPARE_LEASE_SECONDS, 30 s) and the
due-time loop must. The defaults are used: no setting is shortened for the test.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from approvals.models import AuditEntry, Ticket
from events import simulation
from events.models import InboundEvent
from tests.processes import app_env, start_cluster, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DEADLINE_AFTER_RESTART = 60  # the bound, from the new worker's start
PROJECT = 10001


def test_killed_worker_during_preparation_then_new_worker_prepares_within_a_minute(
    post_event, emulator, dw_settings, tmp_path
):
    sim = simulation.build("commit-file", project_id=PROJECT, message_id=str(uuid.uuid4()))
    emulator.store.load_seed(sim.seed)
    emulator.store.add_fault("GetIDEEventDetail", "hold", latency_ms=120_000)  # until released after the kill
    assert post_event(sim.event).status_code == 202  # committed: the event and its processing task exist
    env, log = app_env(emulator), tmp_path / "qcluster.log"

    first = start_cluster(env, log)
    try:
        assert emulator.store.wait_for_calls("GetIDEEventDetail", timeout=60), "the first worker never asked DataWorks"
        assert Ticket.objects.get(message_id=sim.message_id).status == Ticket.Status.PREPARING
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the call is in flight: the emulator still holds it
        first.wait(timeout=30)
    assert emulator.store.held_count() == 1
    emulator.store.release_held()  # its answer now goes to a dead socket

    started = time.monotonic()
    second = start_cluster(env, log)
    try:
        elapsed = wait_for(
            lambda: Ticket.objects.filter(message_id=sim.message_id, status=Ticket.Status.PENDING).exists(),
            DEADLINE_AFTER_RESTART,
            "the ticket to become PENDING after the new worker started",
            every=0.2,
        )
    except AssertionError:
        ticket = Ticket.objects.filter(message_id=sim.message_id).first()
        state = ticket and (ticket.status, ticket.prepare_claimed_until, ticket.prepare_next_attempt_at)
        raise AssertionError(f"still {state} after {time.monotonic() - started:.0f}s; log: {log}") from None
    finally:
        stop(second)

    [ticket] = Ticket.objects.filter(message_id=sim.message_id)
    actions = list(ticket.audit.values_list("action", flat=True))
    assert actions == [AuditEntry.Action.CREATED], actions
    assert ticket.path == f"{simulation.FOLDER_PATH}/ods_orders_daily"
    assert InboundEvent.objects.get(message_id=sim.message_id).status == InboundEvent.Status.PROCESSED
    assert emulator.store.started_json()["GetIDEEventDetail"] >= 2  # the killed call, then the new worker's
    print(f"PENDING {elapsed:.1f}s after the new worker started")  # noqa: T201
