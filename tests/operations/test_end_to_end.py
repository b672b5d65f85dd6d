"""The required end-to-end check of issue 19: one flow across gunicorn, a decision process and a real queue worker.

The webhook is received by gunicorn, the ticket prepared and the result delivered by `qcluster`, the decision made
in a third process; gunicorn's /metrics must show all of it (the multiprocess directory is shared by the three),
and the worker's JSON log lines for the event must carry the request id the webhook request came with.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from approvals.models import Callback, Ticket
from events import simulation
from events.models import InboundEvent
from tests.factories import RuleFactory, UserFactory
from tests.processes import app_env, free_port, start, start_cluster, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
REQUEST_ID = "e2e-request-0123456789abcdef"
DECIDE = """
import os
import django
django.setup()
from django.contrib.auth.models import User
from approvals.tickets import services
services.ticket_approve(ticket_id=int(os.environ["RG_TICKET"]), user=User.objects.get(username=os.environ["RG_USER"]))
"""


def samples(body: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Index a scrape by (sample name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def json_lines(path: Path) -> list[dict[str, object]]:
    """Return the JSON log lines of a process log (gunicorn's own start-up lines are plain text)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_scrape_from_the_web_process_shows_the_workers_delivery_and_logs_carry_the_request_id(
    emulator, dw_settings, tmp_path
):
    reviewer = UserFactory(username="e2e-reviewer")
    RuleFactory(reviewer_users=[reviewer])
    sim = simulation.build("commit-file", project_id=10001)
    emulator.store.load_seed(sim.seed)
    port = free_port()
    env = app_env(
        emulator,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        REVIEW_GATE_LOG_FORMAT="json",
        REVIEW_GATE_METRICS_CACHE_SECONDS="0",
    )
    env.pop("REVIEW_GATE_METRICS_TOKEN", None)
    web_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "qcluster.log"
    web = start(
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
        web_log,
    )
    worker = start_cluster(env, worker_log)
    try:
        wait_for(lambda: _healthy(port), 30, "gunicorn to answer")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/events/eventbridge/",
            data=json.dumps(sim.event).encode(),
            method="POST",
            headers={"x-eventbridge-signature-token": env["EVENTBRIDGE_TOKEN"], "X-Request-ID": REQUEST_ID},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
            assert response.headers["X-Request-ID"] == REQUEST_ID
        wait_for(lambda: Ticket.objects.filter(message_id=sim.message_id, status="PENDING").exists(), 60, "the ticket")
        ticket = Ticket.objects.get(message_id=sim.message_id)
        decided = subprocess.run(
            [sys.executable, "-c", DECIDE],
            env={**env, "RG_TICKET": str(ticket.pk), "RG_USER": reviewer.username},
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert decided.returncode == 0, decided.stderr.decode()[-2000:]
        wait_for(
            lambda: Callback.objects.filter(message_id=sim.message_id, state="DELIVERED").exists(), 60, "the delivery"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            scrape = response.read().decode()
    finally:
        stop(web, worker)

    values = samples(scrape)
    event = InboundEvent.objects.get(message_id=sim.message_id)
    # Recorded by gunicorn, by the decision process and by the queue worker: one scrape shows all three.
    assert (
        values[
            ("review_gate_events_received_total", frozenset({("event_code", "commit-file"), ("outcome", "accepted")}))
        ]
        == 1
    )
    assert values[("review_gate_decisions_total", frozenset({("result", "OK"), ("via", "human")}))] == 1
    assert (
        values[
            (
                "review_gate_callback_deliveries_total",
                frozenset({("api", "UpdateIDEEventResult"), ("outcome", "delivered")}),
            )
        ]
        == 1
    )
    assert values[("review_gate_decision_to_delivery_seconds_count", frozenset())] == 1
    assert values[("review_gate_event_to_ready_seconds_count", frozenset())] == 1
    assert values[("review_gate_ready_to_decision_seconds_count", frozenset())] == 1
    assert values[("review_gate_dataworks_call_seconds_count", frozenset({("action", "UpdateIDEEventResult")}))] == 1
    assert values[("review_gate_callbacks_undelivered", frozenset())] == 0
    assert values[("review_gate_tickets_open", frozenset({("status", "PENDING")}))] == 0
    assert ("review_gate_queue_tasks_waiting", frozenset()) in values

    # Every application line of both processes is JSON; the worker's lines for this event carry the request's id.
    web_lines, worker_lines = json_lines(web_log), json_lines(worker_log)
    assert any(line.get("request_id") == REQUEST_ID and line["logger"] == "events.views" for line in web_lines)
    for_event = [line for line in worker_lines if line.get("event_id") == str(event.pk)]
    assert for_event, worker_log.read_text()[-3000:]
    assert {line.get("request_id") for line in for_event} == {REQUEST_ID}
    assert {line.get("message_id") for line in for_event} == {sim.message_id}
    # The delivery task was queued by the decision process (no request): it carries the ticket and message ids.
    delivery = [line for line in worker_lines if line.get("task") == "approvals.tasks.deliver_callback"]
    assert delivery and {line.get("message_id") for line in delivery} == {sim.message_id}
    assert all(sim.event["data"].get("content", "\0") not in json.dumps(line) for line in worker_lines + web_lines)
