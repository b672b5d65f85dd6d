"""Concurrency on a real server and a real database: gunicorn, separate processes, several queue workers."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction

from approvals.delivery import selectors as delivery_selectors
from approvals.jobs.sweeper import sweep
from approvals.models import Callback, Ticket
from approvals.tickets import services
from events import simulation
from events.models import InboundEvent
from tests.factories import RuleFactory, TicketFactory, UserFactory
from tests.processes import app_env, free_port, start, start_cluster, stop, wait_for
from tests.queue import run_queued_tasks

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _post(url: str, body: bytes, results: list[int], barrier: threading.Barrier) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"x-eventbridge-signature-token": settings.EVENTBRIDGE_TOKEN}
    )
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.append(response.status)
    except urllib.error.HTTPError as exc:
        results.append(exc.code)


def test_twenty_simultaneous_deliveries_to_gunicorn_make_one_event_and_one_ticket(emulator, dw_settings, tmp_path):
    port = free_port()
    env = app_env(emulator, DJANGO_ALLOWED_HOSTS="127.0.0.1", GUNICORN_WORKERS="4", GUNICORN_THREADS="4")
    server = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--config",
            "config/gunicorn.conf.py",
        ],
        env,
        tmp_path / "gunicorn.log",
    )
    try:
        wait_for(lambda: _healthy(port), 30, "gunicorn to answer")
        sim = simulation.build("commit-file", project_id=10001)
        emulator.store.load_seed(sim.seed)
        barrier, results = threading.Barrier(20), []
        threads = [
            threading.Thread(
                target=_post,
                args=(f"http://127.0.0.1:{port}/events/eventbridge/", json.dumps(sim.event).encode(), results, barrier),
            )
            for _ in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop(server)

    assert Counter(results) == Counter({200: 19, 202: 1})
    assert InboundEvent.objects.filter(message_id=sim.message_id).count() == 1
    run_queued_tasks()
    assert Ticket.objects.filter(message_id=sim.message_id).count() == 1


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


DECIDE = """
import os, time
import django
django.setup()
from django.contrib.auth.models import User
from approvals.tickets import services
from approvals.errors import ApprovalError
user = User.objects.get(username=os.environ["RG_USER"])
time.sleep(max(0.0, float(os.environ["RG_AT"]) - time.time()))
try:
    if os.environ["RG_ACTION"] == "approve":
        services.ticket_approve(ticket_id=int(os.environ["RG_TICKET"]), user=user)
    else:
        services.ticket_reject(ticket_id=int(os.environ["RG_TICKET"]), user=user, comment="no")
    print("decided")
except ApprovalError as exc:
    print(type(exc).__name__)
"""


def test_two_reviewers_in_two_processes_give_one_outcome_and_one_callback(emulator, dw_settings, tmp_path):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice, bob])])
    at = str(time.time() + 3)  # both processes are loaded and waiting by then
    procs = []
    for user, action in (("alice", "approve"), ("bob", "reject")):
        env = app_env(emulator, RG_USER=user, RG_ACTION=action, RG_TICKET=str(ticket.pk), RG_AT=at)
        procs.append(start([sys.executable, "-c", DECIDE], env, tmp_path / f"{user}.log"))
    for proc in procs:
        proc.wait(timeout=60)

    outputs = sorted((tmp_path / f"{u}.log").read_text().strip().splitlines()[-1] for u in ("alice", "bob"))
    ticket.refresh_from_db()
    assert outputs == ["TicketNotOpen", "decided"]
    assert ticket.audit.filter(action__in=["APPROVED", "REJECTED"]).count() == 1
    assert Callback.objects.filter(message_id=ticket.message_id).count() == 1


DECISIONS = 500


def test_three_workers_deliver_500_decisions_with_faults_exactly_once_each(emulator, dw_settings, tmp_path):
    reviewer = UserFactory(username="bulk")
    rule = RuleFactory(reviewer_users=[reviewer])
    with transaction.atomic():  # one commit, not 2,000: setup is not what this test measures
        tickets = TicketFactory.create_batch(DECISIONS, matched=[rule])
    for fault, count in (("throttle", 40), ("server_error", 40), ("drop", 20)):
        emulator.store.add_fault("UpdateIDEEventResult", fault, count=count)
    env = app_env(
        emulator,
        DATAWORKS_WRITES_PER_SECOND="1000",
        REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS="0.2",
        REVIEW_GATE_DELIVERY_BACKOFF_CAP_SECONDS="1",
    )
    workers = [start_cluster(env, tmp_path / f"qcluster-{n}.log") for n in range(3)]
    try:
        for ticket in tickets:  # decisions arrive while the workers are already delivering
            services.ticket_approve(ticket_id=ticket.pk, user=reviewer)

        def all_delivered() -> bool:
            sweep()  # what the periodic schedule does, run here so retries after faults come round quickly
            return not delivery_selectors.undelivered().exists()

        wait_for(all_delivered, 240, "every decision to be delivered", every=1.0)
    finally:
        stop(*workers)

    per_message = Counter(c["params"]["MessageId"] for c in emulator.store.callbacks_json())
    assert len(per_message) == DECISIONS
    assert set(per_message.values()) == {1}
    assert Callback.objects.filter(state="DELIVERED").count() == DECISIONS
    assert Callback.objects.filter(attempts__gt=1).count() >= 50  # the faults really were met and retried
