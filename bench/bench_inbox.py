"""Inbox and ticket list at 100,000 tickets: server time and query count of `/` and `/api/v1/tickets/`.

Run: `python bench/bench_inbox.py` (PostgreSQL, then SQLite) or `--backend postgres|sqlite`, `--tickets N`. For a
backend it creates a fresh database (PostgreSQL `review_gate_bench`, or SQLite in a temp dir), migrates it, and
bulk-creates realistic history: events with their raw CloudEvent, tickets over 20 workspaces and a year, the event
mix of a DataWorks tenant (file commits and deploys with code, table changes, Operation Center requests), 97% decided
(approved, rejected, expired), each matched to one or two of 10 reviewer rules, with their audit entries and
delivered result callbacks. A reviewer (named on one rule, and in a group named on another; 30% of the tickets are
theirs to see) and a staff user then request each page through Django's test Client (production settings): first at
1,000 tickets (the baseline), then at the full count. On PostgreSQL the tables are VACUUM ANALYZEd after the load,
as autovacuum would; SQLite is left as the app leaves it (no ANALYZE). For a page over the goal, the slowest queries,
their EXPLAIN and a cProfile summary are kept. Results: bench/out/inbox-<backend>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
import report

GOAL_MS = 50.0
BASELINE_TICKETS = 1_000
BATCH = 2_000
PAGES = [
    ("inbox", "/"),
    ("api list", "/api/v1/tickets/"),
]
# "{after}" is the list position after the 4,975th ticket the user may see (where page 200 of 25 starts).
DEEP_PAGES = [
    ("inbox page 200", "/?after={after}"),
    ("api list page 200", "/api/v1/tickets/?after={after}"),
    ("inbox filtered PENDING", "/?status=PENDING"),
]
ROLES = ("reviewer", "staff", "sparse")
# (event code, weight): the gated extension points, file events most common.
EVENT_MIX = [
    ("commit-file", 40),
    ("deploy-file", 25),
    ("delete-file", 3),
    ("run-file", 2),
    ("commit-table", 5),
    ("deploy-table", 3),
    ("undeploy-node", 4),
    ("freeze-node", 3),
    ("unfreeze-node", 2),
    ("backfill-data", 8),
    ("pre-rerun-instance", 3),
    ("pre-kill-instance", 2),
]
STATUS_MIX = [
    ("APPROVED", 80.0),
    ("REJECTED", 12.0),
    ("EXPIRED", 4.0),
    ("RESOLVED_IN_DATAWORKS", 0.8),
    ("NEEDS_ATTENTION", 0.2),
    ("PENDING", 3.0),
]


class Population:
    """Bulk-creates tickets with everything around them, deterministically."""

    def __init__(self, users: dict[str, Any], rules: list[Any]) -> None:
        from events.simulation import CHANGED_SQL, PREVIOUS_SQL, build

        self.rng = random.Random(20261101)
        self.users = users
        self.rules = rules
        self.reviewer_ids = [u.pk for u in users["others"]] + [users["reviewer"].pk]
        self.previous_sql, self.changed_sql = PREVIOUS_SQL, CHANGED_SQL
        self.template = json.dumps(build("commit-file", project_id=10001, message_id="__ID__").event)
        self.now = None
        self.created = 0
        self.codes = [c for c, w in EVENT_MIX for _ in range(w)]
        self.statuses = [s for s, w in STATUS_MIX for _ in range(int(w * 10))]

    def add(self, count: int) -> float:
        from django.db import transaction
        from django.utils import timezone

        started = time.perf_counter()
        self.now = timezone.now()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with transaction.atomic():
                self._batch(size)
            done += size
        self.created += count
        return time.perf_counter() - started

    def _batch(self, size: int) -> None:
        from approvals.models import AuditEntry, Callback, Ticket
        from events.catalogue import BY_CODE
        from events.models import InboundEvent

        rng, now = self.rng, self.now
        assert now is not None
        specs = []
        for _ in range(size):
            code = rng.choice(self.codes)
            age = timedelta(seconds=rng.uniform(0, 365 * 86400) if rng.random() > 0.02 else rng.uniform(0, 86400))
            status = rng.choice(self.statuses)
            if age < timedelta(hours=1) and rng.random() < 0.5:
                status = "PENDING"
            specs.append((code, BY_CODE[code], now - age, status, str(uuid.uuid4())))

        events = []
        for code, spec, created, _status, message_id in specs:
            body = self.template.replace("__ID__", message_id)
            events.append(
                InboundEvent(
                    source="acs.dataworks",
                    message_id=message_id,
                    type=spec.type,
                    event_code=code,
                    module=spec.module.value,
                    gated=True,
                    callback_api=spec.callback.value,
                    project_id=10001 + rng.randrange(20),
                    tenant_id=283787765610656,
                    operator=self._operator(),
                    occurred_at=created - timedelta(milliseconds=300),
                    received_at=created,
                    raw_body=body,
                    body_sha256=hashlib.sha256(body.encode()).hexdigest(),
                    status=InboundEvent.Status.PROCESSED,
                    processed_at=created + timedelta(milliseconds=40),
                )
            )
        events = InboundEvent.objects.bulk_create(events)
        tickets = []
        for event, (code, spec, created, status, message_id) in zip(events, specs, strict=True):
            is_file = code.endswith("-file")
            name = f"ods_{rng.choice(['orders', 'users', 'sku', 'payments', 'refunds'])}_{rng.randrange(5000)}"
            decided = status not in ("PENDING", "NEEDS_ATTENTION")
            result = {"APPROVED": "OK", "REJECTED": "FAIL", "EXPIRED": "FAIL", "RESOLVED_IN_DATAWORKS": "OK"}
            decided_at = created + timedelta(minutes=rng.uniform(1, 600)) if decided else None
            tickets.append(
                Ticket(
                    event=event,
                    message_id=message_id,
                    event_code=code,
                    module=spec.module.value,
                    callback_api=spec.callback.value,
                    project_id=event.project_id,
                    operator_uid=event.operator,
                    title=name if (is_file or "table" in code) else f"{rng.randrange(1, 9)} node(s)",
                    path=f"etl/{name.split('_')[1]}/{name}" if is_file else "",
                    file_id=500_000_000 + rng.randrange(10**6) if is_file else None,
                    file_type=10 if is_file else None,
                    snapshot={"options": {}, "too_large": False} if is_file else {"node_ids": [700000001]},
                    old_content=self.previous_sql.format(name=name) if is_file and code != "run-file" else "",
                    new_content=self.changed_sql.format(name=name) if is_file and code != "delete-file" else "",
                    old_label="version 6" if is_file else "",
                    new_label="version 7 (this change)" if is_file else "",
                    old_config="cron_express: 00 00 02 * * ?\ncycle_type: DAY\n" if is_file else "",
                    new_config="cron_express: 00 30 02 * * ?\ncycle_type: DAY\n" if is_file else "",
                    status=status,
                    check_result=result.get(status, ""),
                    decided_at=decided_at,
                    decided_by_id=rng.choice(self.reviewer_ids) if status in ("APPROVED", "REJECTED") else None,
                    decision_comment="looks good" if status == "APPROVED" else ("" if not decided else "see comment"),
                    callback_status="SENT"
                    if status in ("APPROVED", "REJECTED", "EXPIRED")
                    else ("RESOLVED" if status == "RESOLVED_IN_DATAWORKS" else "NOT_SENT"),
                    created_at=created,
                    has_rules=True,  # every bench ticket is linked to one or two rules below
                )
            )
        tickets = Ticket.objects.bulk_create(tickets)
        links = []
        audits = []
        callbacks = []
        through = Ticket.rules.through
        for ticket in tickets:
            chosen = {self.rng.randrange(len(self.rules))}
            if rng.random() < 0.2:
                chosen.add(rng.randrange(len(self.rules)))
            links.extend(through(ticket_id=ticket.pk, rule_id=self.rules[i].pk) for i in chosen)
            audits.append(
                AuditEntry(ticket_id=ticket.pk, action="CREATED", comment="Matched rules", created_at=ticket.created_at)
            )
            if ticket.decided_at is not None:
                action = {"APPROVED": "APPROVED", "REJECTED": "REJECTED", "EXPIRED": "EXPIRED"}.get(
                    ticket.status, "RESOLVED_IN_DATAWORKS"
                )
                audits.append(
                    AuditEntry(
                        ticket_id=ticket.pk,
                        actor_id=ticket.decided_by_id,
                        action=action,
                        result=ticket.check_result,
                        comment=ticket.decision_comment,
                        created_at=ticket.decided_at,
                    )
                )
                if ticket.callback_status == "SENT":
                    audits.append(
                        AuditEntry(
                            ticket_id=ticket.pk,
                            action="CALLBACK_SENT",
                            result=ticket.check_result,
                            created_at=ticket.decided_at + timedelta(milliseconds=80),
                        )
                    )
                    callbacks.append(
                        Callback(
                            message_id=ticket.message_id,
                            ticket_id=ticket.pk,
                            api=ticket.callback_api,
                            result=ticket.check_result,
                            tip=f"[Review Gate] {ticket.check_result}: http://127.0.0.1/tickets/{ticket.pk}/",
                            state="DELIVERED",
                            attempts=1,
                            next_attempt_at=ticket.decided_at,
                            dispatched_at=ticket.decided_at,
                            delivered_at=ticket.decided_at + timedelta(milliseconds=80),
                            created_at=ticket.decided_at,
                        )
                    )
        through.objects.bulk_create(links)
        AuditEntry.objects.bulk_create(audits)
        Callback.objects.bulk_create(callbacks)

    def _operator(self) -> str:
        # 2% of the changes are the reviewer's own (they see those too, and cannot decide them).
        return "bench-reviewer-uid" if self.rng.random() < 0.02 else str(193745001700 + self.rng.randrange(300))


def setup_users() -> tuple[dict[str, Any], list[Any]]:
    from django.contrib.auth.models import Group, User

    from approvals.models import ReviewerProfile, Rule

    staff = User.objects.create_superuser("bench-staff", "staff@example.invalid", None)
    reviewer = User.objects.create_user("bench-reviewer", "reviewer@example.invalid", None)
    ReviewerProfile.objects.create(user=reviewer, dataworks_uid="bench-reviewer-uid")
    group = Group.objects.create(name="dataops")
    reviewer.groups.add(group)
    others = [User.objects.create_user(f"reviewer-{i:02d}", f"r{i}@example.invalid", None) for i in range(20)]
    rules = []
    for i in range(10):
        rule = Rule.objects.create(name=f"rule {i:02d}", projects=[], events=[], min_approvals=1 + (i % 2))
        rule.reviewers.add(*others[i * 2 : i * 2 + 2])
        rules.append(rule)
    rules[0].reviewers.add(reviewer)
    rules[1].groups.add(group)
    # A reviewer named on a rule that (so far) matched nothing, with a DataWorks account that triggered nothing:
    # the case where walking tickets newest first would read the whole table to fill one page.
    sparse = User.objects.create_user("bench-sparse", "sparse@example.invalid", None)
    ReviewerProfile.objects.create(user=sparse, dataworks_uid="bench-sparse-uid")
    Rule.objects.create(name="rare", projects=[99], events=[], min_approvals=1).reviewers.add(sparse)
    return {"staff": staff, "reviewer": reviewer, "sparse": sparse, "others": others}, rules


def measure(client: Any, path: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(path)
        if response.status_code != 200:
            return {"status": response.status_code, "median_ms": float("nan"), "queries": 0, "slowest": []}
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    captured_queries = list(captured.captured_queries)  # the property reads the log, which the next request clears
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    queries = sorted(captured_queries, key=lambda q: -float(q["time"]))
    return {
        "median_ms": statistics.median(timings),
        "p90_ms": benchlib.percentile(timings, 90),
        "min_ms": min(timings),
        "queries": len(captured_queries),
        "db_ms": sum(float(q["time"]) for q in captured_queries) * 1000,
        "slowest": [{"ms": float(q["time"]) * 1000, "sql": q["sql"][:1500]} for q in queries[:3]],
        "_slowest_sql": queries[0]["sql"] if queries else "",
    }


def explain(sql: str) -> str:
    """The plan of a logged query (logged SQL has its parameters inlined), with timings on PostgreSQL."""
    from django.db import DatabaseError, connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())[:4000]
    except DatabaseError as exc:
        return f"(could not explain: {exc})"


def profile(client: Any, path: str) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(18)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000]


def deep_cursor(user: Any, position: int = 4975) -> str:
    """The list position after the user's `position`-th visible ticket, newest first (page 200 starts there)."""
    from approvals.tickets.selectors import Cursor, visible_tickets

    row = visible_tickets(user).order_by("-created_at", "-pk").values_list("created_at", "pk")[position - 1 : position]
    return Cursor(*row[0]).encode() if row else "0.0"


def run_backend(key: str, total: int, runs: int) -> dict[str, Any]:
    backend = benchlib.BACKENDS[key]
    # The inbox reads only the database: no Redis for this bench (the cache is not used by these pages).
    backend = benchlib.Backend(backend.key, backend.label.split(" + ")[0], backend.database_url, "")
    data_dir = benchlib.temp_dir(f"inbox-{key}")
    env = benchlib.app_env(backend, data_dir)
    benchlib.prepare_database(backend, env, collectstatic=True)
    result: dict[str, Any] = {"backend": backend.label, "key": key, "tickets": total, "runs": runs, "sizes": []}
    with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
        from django.db import connection
        from django.test import Client

        from approvals.models import AuditEntry, Callback, Ticket

        users, rules = setup_users()
        population = Population(users, rules)
        clients = {}
        for role in ROLES:
            clients[role] = Client()
            clients[role].force_login(users[role])
        steps = [BASELINE_TICKETS, total] if total > BASELINE_TICKETS else [total]
        for target in steps:
            load_seconds = population.add(target - population.created)
            analyze_seconds = 0.0
            if connection.vendor == "postgresql":
                # Autovacuum vacuums and analyzes an insert-mostly table after a load like this (PostgreSQL >= 13):
                # statistics for the planner and a visibility map for index-only scans.
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
                analyze_seconds = time.perf_counter() - started
            visible = Ticket.objects.count()
            from approvals.tickets.selectors import visible_tickets

            size: dict[str, Any] = {
                "tickets": visible,
                "audit_entries": AuditEntry.objects.count(),
                "callbacks": Callback.objects.count(),
                "reviewer_visible": visible_tickets(users["reviewer"]).count(),
                "load_seconds": load_seconds,
                "analyze_seconds": analyze_seconds,
                "pages": [],
            }
            pages = PAGES + (DEEP_PAGES if target == total else [])
            for label, template in pages:
                for role in ROLES:
                    path = template.format(after=deep_cursor(users[role])) if "{after}" in template else template
                    m = measure(clients[role], path, runs)
                    m.update(page=label, path=path, role=role)
                    slowest_sql = m.pop("_slowest_sql", "")
                    if target == total and m["median_ms"] > GOAL_MS:
                        m["explain"] = explain(slowest_sql) if slowest_sql else ""
                        m["profile"] = profile(clients[role], path)
                    size["pages"].append(m)
                    print(
                        f"inbox {key} {visible:>7} tickets  {label:<24} {role:<8} {m['median_ms']:8.1f} ms  "
                        f"{m['queries']:>3} queries",
                        file=sys.stderr,
                    )
            result["sizes"].append(size)
        connection.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), help="run one backend (default: both)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not 1 <= args.tickets <= 1_000_000 or not 1 <= args.runs <= 100:
        parser.error("tickets must be 1..1000000 and runs 1..100")
    benchlib.run_backends(
        Path(__file__),
        "inbox",
        args.backend,
        lambda key: run_backend(key, args.tickets, args.runs),
        timeout=600,
        section=report.inbox_section,
    )


if __name__ == "__main__":
    benchlib.start_bench()
    main()
