"""Restarting PostgreSQL or Redis under load loses no accepted event and no decision (issue 12, findings 5 and 6).

A real deployment in miniature: gunicorn (config/gunicorn.conf.py) and two `manage.py qcluster` processes on a
*private* PostgreSQL cluster and a *private* Redis that these tests start on free ports (tests/private_servers.py),
so they can be restarted without touching the machine's shared servers; DataWorks is the emulator. 300 realistic
gated events are posted at 20/s and, after the 100th, PostgreSQL is restarted (`pg_ctl restart -m fast`) or Redis
is stopped for ~6 s and started again. Events answered 5xx are re-posted, as EventBridge would. Then every accepted
event must have a PENDING ticket within 2 minutes; in the Redis test, an approval made while Redis is down must
answer 2xx and its result must reach DataWorks after Redis is back.

Marked `restart` and left out of the default run (pyproject.toml); `.ci/run` runs them on their own:

    .venv/bin/python -m pytest -m restart -p no:cacheprovider tests/production/test_restarts.py

They use no pytest-django test database: the app database is a fresh one on the private cluster, migrated by
`manage.py migrate`, and read here with psycopg. The measured figures go to test-results/restarts/<test>.json
(and the test's output); the processes' and servers' logs to test-results/restarts/<test>/.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from events import simulation
from tests.private_servers import PrivatePostgres, PrivateRedis, private_postgres, private_redis
from tests.processes import ROOT, app_env, free_port, start, start_cluster, stop, wait_for

pytestmark = pytest.mark.restart

EVENTS = 300
RATE = 20.0  # events per second
RESTART_AFTER = 100  # events posted before the restart begins
REDIS_DOWN_SECONDS = 6.0
SETTLE_SECONDS = 120.0  # the bound: every accepted event PENDING, the approval delivered
REPOST_WINDOW_SECONDS = 30.0
BODY_LIMIT_SECONDS = 190  # hard stop for the test body (SIGALRM); setup and teardown have their own bounds
PROJECT = 10001
DATABASE = "review_gate"
RESULTS = ROOT / "test-results" / "restarts"


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    """Overrides tests/production/conftest.py: these tests bring their own PostgreSQL and Redis."""


@pytest.fixture(autouse=True)
def _empty_cache_and_queue() -> None:
    """Overrides tests/conftest.py: nothing here uses the test process's cache, and the shared Redis is not ours."""


# --- the deployment ---------------------------------------------------------------------------------------------


@dataclass
class Stack:
    pg: PrivatePostgres
    redis: PrivateRedis
    port: int
    token: str  # the reviewer's API token
    out: Path  # logs and results of this test

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.pg.dsn(DATABASE), autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]


SETUP_REVIEWER = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from approvals.models import Rule
user = get_user_model().objects.create_user("restart-reviewer", "restart-reviewer@example.invalid", "not-used-0")
rule = Rule.objects.create(name="restart: every change")
rule.reviewers.set([user])
print("TOKEN=" + Token.objects.create(user=user).key)
"""


def _manage(env: dict[str, str], args: list[str], log: Path, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"manage.py {args[0]} failed; see {log}"
    return result.stdout


def _keep_logs(stack_out: Path, *logs: Path) -> None:
    for log in logs:
        with contextlib.suppress(OSError):
            shutil.copy(log, stack_out / log.name)


@pytest.fixture
def stack(emulator: Any, request: pytest.FixtureRequest) -> Iterator[Stack]:
    """Private PostgreSQL and Redis, a migrated database with a reviewer, gunicorn and two queue clusters."""
    out = RESULTS / request.node.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with contextlib.ExitStack() as cleanup:
        pg = cleanup.enter_context(private_postgres())
        redis_server = cleanup.enter_context(private_redis())
        cleanup.callback(_keep_logs, out, pg.log, redis_server.log)  # runs before the servers are deleted
        pg.create_database(DATABASE)
        env = app_env(
            emulator,
            DATABASE_URL=pg.url(DATABASE),
            REDIS_URL=redis_server.url(0),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            GUNICORN_WORKERS="4",
            REVIEW_GATE_QUEUE_WORKERS="2",
            # The emulator is local: a budget that never throttles, so what is measured is the restart, not the
            # rate limiter (40 reads/s by default; preparation makes ~3 reads per event).
            DATAWORKS_READS_PER_SECOND="1000",
            DATAWORKS_WRITES_PER_SECOND="1000",
        )
        _manage(env, ["migrate", "--noinput"], out / "migrate.log")
        token = _manage(env, ["shell", "-c", SETUP_REVIEWER], out / "setup.log").split("TOKEN=")[-1].strip()

        processes: list[subprocess.Popen[bytes]] = []
        cleanup.callback(lambda: stop(*processes, timeout=15))
        port = free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
        processes.append(start([*gunicorn, "--bind", f"127.0.0.1:{port}"], env, out / "gunicorn.log"))
        processes += [start_cluster(env, out / f"qcluster-{n}.log") for n in range(2)]
        wait_for(lambda: _get(f"http://127.0.0.1:{port}/readyz") == 200, 60, "gunicorn to be ready")
        time.sleep(2)  # the clusters' workers have spawned and connected by then
        assert all(p.poll() is None for p in processes), f"an app process exited at start; see {out}"
        yield Stack(pg, redis_server, port, token, out)


@pytest.fixture
def hard_limit(stack: Stack) -> Iterator[None]:
    """Fail the test body after BODY_LIMIT_SECONDS (set up after `stack`, so its teardown is never cut short)."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the test body ran longer than {BODY_LIMIT_SECONDS}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(BODY_LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- HTTP -------------------------------------------------------------------------------------------------------


def _request(url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Return (status, body); status 0 when there was no HTTP answer (refused, reset, timed out)."""
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _get(url: str) -> int:
    return _request(url)[0]


def _accepted(status: int) -> bool:
    return 200 <= status < 300


def _retryable(status: int) -> bool:
    """What EventBridge retries: no answer or a server error."""
    return status == 0 or status >= 500


@dataclass
class Load:
    """The events posted, every answer each got, and when each was first accepted (seconds after t0)."""

    sims: list[simulation.Simulation]
    t0: float = 0.0
    answers: dict[str, list[int]] = field(default_factory=dict)
    accepted_at: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.t0

    @property
    def accepted(self) -> list[str]:
        return [s.message_id for s in self.sims if s.message_id in self.accepted_at]

    def summary(self) -> dict[str, Any]:
        first = Counter(str(a[0]) for a in self.answers.values() if a)
        reposts = Counter(str(s) for a in self.answers.values() for s in a[1:])
        return {
            "events": len(self.sims),
            "rate_per_second": RATE,
            "first_answers": dict(sorted(first.items())),
            "reposted_events": sum(1 for a in self.answers.values() if len(a) > 1),
            "repost_answers": dict(sorted(reposts.items())),
            "accepted": len(self.accepted_at),
            "never_accepted": len(self.sims) - len(self.accepted_at),
            "last_accepted_s": round(max(self.accepted_at.values(), default=0.0), 2),
        }


def _post_event(stack: Stack, load: Load, sim: simulation.Simulation) -> None:
    status, _ = _request(
        f"{stack.base}/events/eventbridge/",
        body=json.dumps(sim.event).encode(),
        headers={"Content-Type": "application/json", "x-eventbridge-signature-token": settings.EVENTBRIDGE_TOKEN},
    )
    with load.lock:
        load.answers.setdefault(sim.message_id, []).append(status)
        if _accepted(status) and sim.message_id not in load.accepted_at:
            load.accepted_at[sim.message_id] = load.now()


def _build_events(emulator: Any) -> list[simulation.Simulation]:
    """300 commit-file events, each for its own file, with the emulator seeded to answer their preparation."""
    sims = [
        simulation.build("commit-file", project_id=PROJECT, file_name=f"ods_restart_{n:03d}") for n in range(EVENTS)
    ]
    for sim in sims:
        emulator.store.load_seed(sim.seed)
    return sims


def _run_load(stack: Stack, sims: list[simulation.Simulation], disruption: Callable[[Load], None]) -> Load:
    """Post at RATE; start `disruption` in a thread after RESTART_AFTER events; re-post what got a 5xx or nothing."""
    load = Load(sims)
    load.t0 = time.monotonic()
    disrupter: threading.Thread | None = None
    errors: list[BaseException] = []

    def disrupt() -> None:
        try:
            disruption(load)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="eventbridge") as pool:
        for index, sim in enumerate(sims):
            if index == RESTART_AFTER:
                disrupter = threading.Thread(target=disrupt, name="disruption")
                disrupter.start()
            delay = index / RATE - load.now()
            if delay > 0:
                time.sleep(delay)
            pool.submit(_post_event, stack, load, sim)
    assert disrupter is not None
    disrupter.join(timeout=60)
    assert not disrupter.is_alive(), "the restart did not finish within 60 s"
    if errors:
        raise errors[0]

    deadline = time.monotonic() + REPOST_WINDOW_SECONDS  # EventBridge retries with backoff; we retry every second
    while time.monotonic() < deadline:
        todo = [s for s in sims if s.message_id not in load.accepted_at and _retryable(load.answers[s.message_id][-1])]
        if not todo:
            break
        for sim in todo:
            _post_event(stack, load, sim)
        time.sleep(1)
    return load


# --- waiting for the outcome ------------------------------------------------------------------------------------


def _ticket_statuses(stack: Stack, message_ids: list[str]) -> dict[str, str] | None:
    """message_id -> ticket status for those that have a ticket; None if the database cannot be read right now."""
    try:
        rows = stack.query("SELECT message_id, status FROM approvals_ticket WHERE message_id = ANY(%s)", (message_ids,))
    except psycopg.Error:
        return None
    return {message_id: status for message_id, status in rows}


def _stuck_examples(stack: Stack, message_ids: list[str], expected: dict[str, str]) -> list[dict[str, Any]]:
    rows = stack.query(
        "SELECT e.message_id, e.status, e.status_detail, t.status FROM events_inboundevent e "
        "LEFT JOIN approvals_ticket t ON t.message_id = e.message_id WHERE e.message_id = ANY(%s)",
        (message_ids,),
    )
    found = {r[0]: r for r in rows}
    examples = []
    for message_id in message_ids:
        row = found.get(message_id)
        ticket = row[3] if row else None
        if ticket != expected.get(message_id, "PENDING"):
            examples.append(
                {
                    "message_id": message_id,
                    "event": row[1] if row else "MISSING",
                    "event_detail": (row[2] or "")[:200] if row else "",
                    "ticket": ticket or "MISSING",
                }
            )
    return examples[:10]


@dataclass
class Outcome:
    all_pending_at: float | None = None  # seconds after t0: every accepted event has its expected ticket status
    settled_at: float | None = None  # every accepted event has a ticket that is no longer PREPARING (any status)
    delivered_at: float | None = None
    final_counts: dict[str, int] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)


def _wait_for_outcome(
    stack: Stack,
    load: Load,
    *,
    deadline: float,
    expected: dict[str, str],
    delivered: Callable[[], bool] | None = None,
) -> Outcome:
    """Poll once a second until every accepted event has its expected ticket status (PENDING unless named in
    `expected`) and, if given, `delivered()` holds; or until `deadline` (seconds after t0)."""
    outcome = Outcome()
    message_ids = load.accepted
    last_logged = -10.0
    while True:
        statuses = _ticket_statuses(stack, message_ids)
        now = load.now()
        if statuses is not None:
            counts = Counter(statuses.get(m, "MISSING") for m in message_ids)
            outcome.final_counts = dict(sorted(counts.items()))
            if outcome.settled_at is None and all(statuses.get(m, "PREPARING") != "PREPARING" for m in message_ids):
                outcome.settled_at = now
            if outcome.all_pending_at is None and all(
                statuses.get(m) == expected.get(m, "PENDING") for m in message_ids
            ):
                outcome.all_pending_at = now
            if now - last_logged >= 5:
                outcome.timeline.append({"t": round(now, 1), **outcome.final_counts})
                last_logged = now
        if delivered is not None and outcome.delivered_at is None and delivered():
            outcome.delivered_at = now
        if outcome.all_pending_at is not None and (delivered is None or outcome.delivered_at is not None):
            break
        if now > deadline:
            break
        time.sleep(1)
    outcome.timeline.append({"t": round(load.now(), 1), **outcome.final_counts})
    return outcome


def _record(stack: Stack, name: str, figures: dict[str, Any]) -> None:
    figures["logs"] = str(stack.out.relative_to(ROOT))
    text = json.dumps(figures, indent=2, sort_keys=False)
    (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print(f"\n{name}: {text}")  # noqa: T201 - the figures the issue's closing note quotes


def _recovery_figures(outcome: Any, back: float, last_accepted: float, stuck: Any) -> dict[str, Any]:
    """Return how long after the server came back (and after the last accepted event) every ticket was PENDING."""

    def since(moment: float | None, origin: float) -> float | None:
        return _rounded(None if moment is None else moment - origin)

    return {
        "all_pending_s_after_restart": since(outcome.all_pending_at, back),
        "all_pending_s_after_last_accept": since(outcome.all_pending_at, last_accepted),
        "all_settled_s_after_restart": since(outcome.settled_at, back),
        "final_ticket_statuses": outcome.final_counts,
        "stuck_examples": stuck,
        "timeline": outcome.timeline,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the tests --------------------------------------------------------------------------------------------------


def test_postgresql_restart_under_load_leaves_every_accepted_event_pending(stack, emulator, hard_limit):
    sims = _build_events(emulator)
    restart: dict[str, float] = {}

    def restart_postgresql(load: Load) -> None:
        restart["began"] = load.now()
        stack.pg.restart("fast")
        restart["back"] = load.now()

    load = _run_load(stack, sims, restart_postgresql)
    deadline = max(restart["back"], max(load.accepted_at.values(), default=0.0)) + SETTLE_SECONDS
    outcome = _wait_for_outcome(stack, load, deadline=deadline, expected={})
    stuck = _stuck_examples(stack, load.accepted, {}) if outcome.all_pending_at is None else []

    _record(
        stack,
        "postgresql",
        {
            **load.summary(),
            "restart_began_s": _rounded(restart["began"]),
            "restart_back_s": _rounded(restart["back"]),
            **_recovery_figures(outcome, restart["back"], load.summary()["last_accepted_s"], stuck),
        },
    )

    assert load.summary()["never_accepted"] == 0, load.summary()
    assert all(not 400 <= a[0] < 500 for a in load.answers.values()), "an event was refused"
    assert outcome.all_pending_at is not None, (
        f"not every accepted event had a PENDING ticket {SETTLE_SECONDS:.0f}s after the restart and the last post: "
        f"{outcome.final_counts}; e.g. {stuck[:3]}"
    )


def test_redis_restart_under_load_loses_no_event_and_no_decision(stack, emulator, hard_limit):
    sims = _build_events(emulator)
    restart: dict[str, Any] = {}

    def approve(ticket_id: int, load: Load) -> None:
        restart["approval_sent"] = load.now()
        status, body = _request(
            f"{stack.base}/api/v1/tickets/{ticket_id}/approve",
            body=b"{}",
            headers={"Content-Type": "application/json", "Authorization": f"Token {stack.token}"},
        )
        restart["approval_answered"] = load.now()
        restart["approval_status"] = status
        restart["approval_body"] = body[:300].decode("utf-8", "replace")

    def restart_redis(load: Load) -> None:
        # An already PENDING ticket to approve while Redis is down (preparation of the first events is done by now,
        # or within seconds).
        def pending() -> bool:
            rows = stack.query(
                "SELECT id, message_id FROM approvals_ticket WHERE status = 'PENDING' ORDER BY id LIMIT 1"
            )
            if rows:
                restart["ticket_id"], restart["message_id"] = rows[0]
            return bool(rows)

        wait_for(pending, 20, "a PENDING ticket to approve")
        restart["began"] = load.now()
        stack.redis.stop()
        restart["down"] = load.now()
        approver = threading.Thread(target=approve, args=(restart["ticket_id"], load), name="approver")
        approver.start()
        time.sleep(max(0.0, REDIS_DOWN_SECONDS - (load.now() - restart["down"])))
        restart["starting"] = load.now()
        stack.redis.start()
        restart["back"] = load.now()
        approver.join(timeout=30)

    load = _run_load(stack, sims, restart_redis)
    message_id = restart["message_id"]

    def delivered() -> bool:
        return any(c["message_id"] == message_id for c in emulator.store.callbacks_json())

    deadline = max(restart["back"], max(load.accepted_at.values(), default=0.0)) + SETTLE_SECONDS
    expected = {message_id: "APPROVED"}
    outcome = _wait_for_outcome(stack, load, deadline=deadline, expected=expected, delivered=delivered)
    stuck = _stuck_examples(stack, load.accepted, expected) if outcome.all_pending_at is None else []
    callback = stack.query(
        "SELECT t.status, t.callback_status FROM approvals_ticket t WHERE t.message_id = %s", (message_id,)
    )

    approval_status = restart.get("approval_status")
    _record(
        stack,
        "redis",
        {
            **load.summary(),
            "redis_stopped_s": _rounded(restart["down"]),
            "redis_back_s": _rounded(restart["back"]),
            "approval": {
                "ticket_id": restart["ticket_id"],
                "status": approval_status,
                "sent_s": _rounded(restart.get("approval_sent")),
                "answered_s": _rounded(restart.get("approval_answered")),
                "answered_while_redis_down": restart.get("approval_answered", float("inf")) < restart["starting"],
                "body": restart.get("approval_body"),
                "ticket_after": list(callback[0]) if callback else None,
                "delivered_s_after_redis_back": _rounded(
                    None if outcome.delivered_at is None else outcome.delivered_at - restart["back"]
                ),
            },
            **_recovery_figures(outcome, restart["back"], load.summary()["last_accepted_s"], stuck),
        },
    )

    assert restart["approval_sent"] < restart["starting"], "the approval was not sent while Redis was down"
    assert approval_status is not None and 200 <= approval_status < 300, (
        f"approving while Redis was down answered {approval_status}: {restart.get('approval_body')}"
    )
    assert outcome.delivered_at is not None and outcome.delivered_at - restart["back"] <= SETTLE_SECONDS, (
        f"the approval made while Redis was down did not reach DataWorks within {SETTLE_SECONDS:.0f}s of Redis "
        f"returning (ticket status, callback status: {callback})"
    )
    assert load.summary()["never_accepted"] == 0, load.summary()
    assert all(not 400 <= a[0] < 500 for a in load.answers.values()), "an event was refused"
    assert outcome.all_pending_at is not None, (
        f"not every accepted event had a PENDING ticket {SETTLE_SECONDS:.0f}s after Redis returned and the last "
        f"post: {outcome.final_counts}; e.g. {stuck[:3]}"
    )
