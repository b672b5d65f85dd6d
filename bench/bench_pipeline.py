"""End-to-end pipeline: event -> ticket ready, and approve -> result callback received by DataWorks (the emulator).

Run: `python bench/bench_pipeline.py` (PostgreSQL + Redis, then SQLite + ORM broker for comparison) or
`--backend postgres|sqlite`. For a backend it creates a fresh database (PostgreSQL `review_gate_bench`, Redis db 15
flushed before and after; or a SQLite file in a temp dir with the ORM broker), then starts the real processes the
way `make run` does: `manage.py dataworks_emulator`, gunicorn with config/gunicorn.conf.py and `manage.py qcluster`
with REVIEW_GATE_QUEUE_WORKERS=2, all on free 127.0.0.1 ports, in production mode (DEBUG off, no demo mode).

1. It seeds the emulator with 500 realistic commit-file events (events.simulation: detail, version history,
   folder) and posts them to the webhook at a fixed rate (10/s: 30 DataWorks reads/s, under the app's own 40/s
   read budget). Ticket ready = the ticket's CREATED audit entry, written in the transaction that makes it PENDING
   (details and versions fetched, rules matched, code stored for the diff) - the event's received_at.
2. A reviewer approves every ticket through the JSON API (token auth, 10/s). Approve -> callback = the emulator's
   received_at of UpdateIDEEventResult - the ticket's decided_at.
3. Memory: VmRSS of every gunicorn worker and queue worker after the run (and right after start, the baseline),
   after the workers also served the inbox and ticket pages.

Results: bench/out/pipeline-<backend>.json. Everything is stopped and dropped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
import loadgen
import report

PROJECT_ID = 10001
REVIEWER = "bench-reviewer"


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _seed(emulator_port: int, sims: list[Any]) -> None:
    """Seed details, versions and folders (not check processes: reconciliation would race the webhook for them)."""
    for start in range(0, len(sims), 100):
        seed: dict[str, list[Any]] = {}
        for sim in sims[start : start + 100]:
            for key, entries in sim.seed.items():
                if key != "check_processes":
                    seed.setdefault(key, []).extend(entries)
        benchlib.http_json(emulator_port, "POST", "/_emulator/seed", seed)


def _session_cookie(user: Any) -> str:
    """A logged-in session for `user`, made the way Django's test Client does (stored in the app's database)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _pages(port: int, cookie: str, ticket_ids: list[int], token: str) -> dict[str, int]:
    """Serve the pages a reviewer uses, so every gunicorn worker has rendered them before memory is read."""
    statuses: dict[str, int] = {}
    paths = ["/", "/?page=2", *[f"/tickets/{pk}/" for pk in ticket_ids]]
    requests = [loadgen.build_request(port, "GET", p, b"", {"Cookie": cookie}) for p in paths]
    api = ["/api/v1/tickets/", *[f"/api/v1/tickets/{pk}/" for pk in ticket_ids[:10]]]
    requests += [loadgen.build_request(port, "GET", p, b"", {"Authorization": f"Token {token}"}) for p in api]
    samples, _ = loadgen.run_fixed_rate(port, requests * 3, rate=50, count=len(requests) * 3, concurrency=4)
    for sample in samples:
        statuses[str(sample.status)] = statuses.get(str(sample.status), 0) + 1
    return statuses


def run_backend(key: str, events: int, rate: float, approve_rate: float) -> dict[str, Any]:
    backend = benchlib.BACKENDS[key]
    data_dir = benchlib.temp_dir(f"pipeline-{key}")
    web_port, emulator_port = benchlib.free_port(), benchlib.free_port()
    env = benchlib.app_env(backend, data_dir, port=web_port, emulator_endpoint=f"{benchlib.LOOPBACK}:{emulator_port}")
    benchlib.prepare_database(backend, env, collectstatic=True)
    password = secrets.token_urlsafe(16)

    with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):  # quiet driver; servers keep INFO
        from django.contrib.auth.models import User
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from approvals.models import AuditEntry, Callback, DeliveryAttempt, Rule, Ticket
        from events.models import InboundEvent
        from events.simulation import build

        reviewer = User.objects.create_user(REVIEWER, "reviewer@example.invalid", password)
        rule = Rule.objects.create(name="bench: every change", min_approvals=1)
        rule.reviewers.add(reviewer)
        api_token = Token.objects.create(user=reviewer).key
        connection.close()

        emulator = benchlib.start_emulator(env, emulator_port, data_dir / "emulator.log")
        web = benchlib.start_gunicorn(env, web_port, data_dir / "gunicorn.log")
        cluster = benchlib.start_qcluster(env, data_dir / "qcluster.log", workers=2)
        baseline_rss = {
            "web_workers": sorted(filter(None, (benchlib.rss_kib(p) for p in benchlib.children(web.pid)))),
            "queue_workers": sorted(filter(None, (benchlib.rss_kib(p) for p in benchlib.queue_worker_pids(cluster)))),
        }

        run_id = secrets.token_hex(3)
        sims = [build("commit-file", project_id=PROJECT_ID, file_name=f"bench_{run_id}_{i:04d}") for i in range(events)]
        _seed(emulator_port, sims)
        headers = {"Content-Type": "application/json", "x-eventbridge-signature-token": env["EVENTBRIDGE_TOKEN"]}
        posts = [
            loadgen.build_request(web_port, "POST", "/events/eventbridge/", json.dumps(s.event).encode(), headers)
            for s in sims
        ]
        message_ids = [s.message_id for s in sims]

        # --- 1. event -> ticket ready --------------------------------------------------------------------------
        started = time.monotonic()
        samples, _ = loadgen.run_fixed_rate(web_port, posts, rate=rate, count=events, concurrency=8)
        post_statuses = {str(s.status) for s in samples}
        open_states = [Ticket.Status.PREPARING, Ticket.Status.NEEDS_ATTENTION]

        def all_ready() -> bool:
            ready = Ticket.objects.filter(message_id__in=message_ids, status=Ticket.Status.PENDING).count()
            return ready >= events

        with contextlib.suppress(TimeoutError):  # report what was reached
            benchlib.wait_until(all_ready, 240, "every ticket to become PENDING", every=0.5)
        ready_seconds = time.monotonic() - started
        tickets = list(Ticket.objects.filter(message_id__in=message_ids).select_related("event").order_by("pk"))
        created = dict(
            AuditEntry.objects.filter(ticket__in=tickets, action=AuditEntry.Action.CREATED).values_list(
                "ticket_id", "created_at"
            )
        )
        ready_ms, queue_wait_ms, prepare_ms = [], [], []
        for ticket in tickets:
            if ticket.pk not in created:
                continue
            received = ticket.event.received_at
            ready_ms.append((created[ticket.pk] - received).total_seconds() * 1000)
            queue_wait_ms.append((ticket.created_at - received).total_seconds() * 1000)
            prepare_ms.append((created[ticket.pk] - ticket.created_at).total_seconds() * 1000)
        not_ready = Ticket.objects.filter(message_id__in=message_ids, status__in=open_states).count()
        retried = Ticket.objects.filter(message_id__in=message_ids, prepare_attempts__gt=0).count()
        stored_events = InboundEvent.objects.filter(message_id__in=message_ids).count()

        # --- 2. approve -> callback received ----------------------------------------------------------------------
        pending = [t.pk for t in tickets if t.pk in created]
        auth = {"Content-Type": "application/json", "Authorization": f"Token {api_token}"}
        approvals = [
            loadgen.build_request(web_port, "POST", f"/api/v1/tickets/{pk}/approve", b"{}", auth) for pk in pending
        ]
        started = time.monotonic()
        approve_samples, _ = loadgen.run_fixed_rate(
            web_port, approvals, rate=approve_rate, count=len(approvals), concurrency=8
        )
        approve_statuses: dict[str, int] = {}
        for sample in approve_samples:
            approve_statuses[str(sample.status)] = approve_statuses.get(str(sample.status), 0) + 1

        def callbacks() -> list[dict[str, Any]]:
            wanted = set(message_ids)
            data = benchlib.http_json(emulator_port, "GET", "/_emulator/callbacks")["callbacks"]
            return [c for c in data if c["message_id"] in wanted]

        with contextlib.suppress(TimeoutError):
            benchlib.wait_until(lambda: len(callbacks()) >= len(pending), 240, "every callback", every=1.0)
        delivered_seconds = time.monotonic() - started
        received_by_message: dict[str, datetime] = {}
        for callback in callbacks():
            received_by_message.setdefault(callback["message_id"], _iso(callback["received_at"]))
        decided = {
            t.message_id: t
            for t in Ticket.objects.filter(message_id__in=message_ids, decided_at__isnull=False).select_related(
                "callback"
            )
        }
        callback_ms, delivered_ms, call_ms = [], [], []
        for message_id, ticket in decided.items():
            if message_id in received_by_message:
                callback_ms.append((received_by_message[message_id] - ticket.decided_at).total_seconds() * 1000)
            cb = getattr(ticket, "callback", None)
            if cb is not None and cb.delivered_at:
                delivered_ms.append((cb.delivered_at - ticket.decided_at).total_seconds() * 1000)
        call_ms = [
            float(d)
            for d in DeliveryAttempt.objects.filter(
                callback__message_id__in=message_ids, outcome="DELIVERED"
            ).values_list("duration_ms", flat=True)
        ]
        failed_attempts = DeliveryAttempt.objects.filter(callback__message_id__in=message_ids).exclude(
            outcome="DELIVERED"
        )
        duplicates = len(callbacks()) - len(received_by_message)
        undelivered = Callback.objects.filter(message_id__in=message_ids).exclude(state="DELIVERED").count()

        # --- 3. pages, then memory ----------------------------------------------------------------------------------
        cookie = _session_cookie(reviewer)
        page_statuses = _pages(web_port, cookie, pending[:20], api_token)
        rss = {
            "web_workers": sorted(filter(None, (benchlib.rss_kib(p) for p in benchlib.children(web.pid)))),
            "web_master": benchlib.rss_kib(web.pid),
            "queue_workers": sorted(filter(None, (benchlib.rss_kib(p) for p in benchlib.queue_worker_pids(cluster)))),
            "queue_cluster_all": sorted(
                filter(None, (benchlib.rss_kib(p) for p in [cluster.pid, *benchlib.descendants(cluster.pid)]))
            ),
            "emulator": benchlib.rss_kib(emulator.pid),
        }
        worker_boots = cluster.log_text().count("ready for work at")
        for proc in (cluster, web, emulator):
            proc.stop()
        connection.close()

    return {
        "backend": backend.label,
        "key": key,
        "events": events,
        "event_rate": rate,
        "approve_rate": approve_rate,
        "queue_workers": 2,
        "gunicorn_workers": len(rss["web_workers"]),
        "stored_events": stored_events,
        "post_statuses": sorted(post_statuses),
        "tickets_ready": len(ready_ms),
        "tickets_not_ready": not_ready,
        "tickets_prepare_retried": retried,
        "ready_wall_seconds": ready_seconds,
        "ticket_ready_ms": benchlib.summary_ms(ready_ms),
        "ticket_queue_wait_ms": benchlib.summary_ms(queue_wait_ms),
        "ticket_prepare_ms": benchlib.summary_ms(prepare_ms),
        "approve_statuses": approve_statuses,
        "approve_http_ms": benchlib.summary_ms([s.latency_ms for s in approve_samples if s.status == 200]),
        "callbacks_received": len(received_by_message),
        "callbacks_duplicated": duplicates,
        "callbacks_undelivered": undelivered,
        "failed_attempts": failed_attempts.count(),
        "delivered_wall_seconds": delivered_seconds,
        "approve_to_callback_ms": benchlib.summary_ms(callback_ms),
        "approve_to_delivered_ms": benchlib.summary_ms(delivered_ms),
        "dataworks_call_ms": benchlib.summary_ms(call_ms),
        "page_statuses": page_statuses,
        "rss_kib_baseline": baseline_rss,
        "rss_kib": rss,
        "queue_worker_starts": worker_boots,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), help="run one backend (default: both)")
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="events posted per second")
    parser.add_argument("--approve-rate", type=float, default=10.0, help="approvals per second")
    args = parser.parse_args()
    if not 1 <= args.events <= 5000 or not 0 < args.rate <= 100 or not 0 < args.approve_rate <= 100:
        parser.error("events must be 1..5000 and rates in (0, 100]")
    benchlib.run_backends(
        Path(__file__),
        "pipeline",
        args.backend,
        lambda key: run_backend(key, args.events, args.rate, args.approve_rate),
        timeout=720,
        section=report.pipeline_section,
    )


if __name__ == "__main__":
    benchlib.start_bench()
    main()
