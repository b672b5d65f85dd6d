"""Notifications end to end: event -> message at DingTalk, Feishu and a signed webhook; decision -> message; the
burst of 30 tickets under DingTalk's real 20-a-minute limit.

Run: `python bench/bench_notify.py` (PostgreSQL + Redis, production-like) or `--backend sqlite` (SQLite + ORM
broker). It creates a fresh database (PostgreSQL `review_gate_bench`, Redis db 15 flushed before and after; or a
SQLite file in a temp dir) and starts the real processes as `make run` does: `manage.py dataworks_emulator`,
gunicorn with config/gunicorn.conf.py and `manage.py qcluster` with 2 workers, on free 127.0.0.1 ports, in
production mode. The chat platforms are the local fakes of tests/fakes/chat_servers.py, which verify every
signature with their own code and enforce the platforms' limits.

1. Latency. One rule (project 10001) notifies a DingTalk, a Feishu and a webhook channel. REVIEW_GATE_NOTIFY_LIMITS
   (and the fakes' own limits) are raised so pacing does not decide the latency. `--events` commit-file events
   (events.simulation, emulator seeded as bench_pipeline does) are posted to the webhook at `--rate` per second.
   Event -> message = the fake's receive time of the first message naming the ticket - the event's received_at
   (same machine clock). The ticket-ready step (event -> CREATED audit entry) is reported beside it.
2. Decision. A reviewer approves every ticket through the JSON API at `--rate`; decision -> message = the fake's
   receive time of the first message naming the ticket after its decided_at - decided_at.
3. Burst. The cluster is restarted with DingTalk's documented limit (20 per 60 s); a second rule (project 10002)
   notifies a fresh DingTalk fake with the real 60 s window and 600 s mute. 30 events are posted at once; the
   timeline is when each ticket was first named (seconds after the first POST) and the messages per 60 s window.

Results: bench/out/notify.json; `--section` prints the Markdown section of bench/RESULTS.md from it. Everything is
stopped and dropped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.fakes: the chat platforms' local fakes

import benchlib
import loadgen

PROJECT_ID, BURST_PROJECT_ID = 10001, 10002
REVIEWER = "bench-reviewer"
TICKET_URL = re.compile(r"/tickets/(\d+)/")
GENEROUS = {"dingtalk": [[10000, 60]], "feishu": [[10000, 60], [1000, 1]], "webhook": []}
DINGTALK_LIMIT, DINGTALK_WINDOW = 20, 60.0
BURST = 30


def _seed(emulator_port: int, sims: list[Any]) -> None:
    """Seed details, versions and folders (not check processes: reconciliation would race the webhook for them)."""
    for start in range(0, len(sims), 100):
        seed: dict[str, list[Any]] = {}
        for sim in sims[start : start + 100]:
            for key, entries in sim.seed.items():
                if key != "check_processes":
                    seed.setdefault(key, []).extend(entries)
        benchlib.http_json(emulator_port, "POST", "/_emulator/seed", seed)


def _named(fake: Any) -> list[tuple[float, set[int]]]:
    """(receive time, ticket ids named) of every message the fake accepted, in order."""
    return [(m.at, {int(pk) for pk in TICKET_URL.findall(m.raw.decode("utf-8", "replace"))}) for m in fake.messages]


def _first_after(fake: Any, since: dict[int, float]) -> dict[int, float]:
    """Per ticket, the receive time of the first message naming it at or after since[ticket]."""
    first: dict[int, float] = {}
    for at, ids in _named(fake):
        for pk in ids:
            if pk in since and pk not in first and at >= since[pk] - 0.001:
                first[pk] = at
    return first


def _post_events(web_port: int, token: str, sims: list[Any], rate: float) -> dict[str, int]:
    headers = {"Content-Type": "application/json", "x-eventbridge-signature-token": token}
    posts = [
        loadgen.build_request(web_port, "POST", "/events/eventbridge/", json.dumps(s.event).encode(), headers)
        for s in sims
    ]
    samples, _ = loadgen.run_fixed_rate(web_port, posts, rate=rate, count=len(posts), concurrency=8)
    statuses: dict[str, int] = {}
    for sample in samples:
        statuses[str(sample.status)] = statuses.get(str(sample.status), 0) + 1
    return statuses


def _per_window(times: list[float], window: float) -> list[int]:
    """Messages in each consecutive `window`-second window from 0 (the burst's first POST)."""
    if not times:
        return []
    counts = [0] * (int(max(times) // window) + 1)
    for moment in times:
        counts[int(moment // window)] += 1
    return counts


def run(key: str, events: int, rate: float) -> dict[str, Any]:
    from tests.fakes.chat_servers import FakeDingTalkRobot, FakeFeishuBot, FakeSignedWebhook, running_fakes

    backend = benchlib.BACKENDS[key]
    data_dir = benchlib.temp_dir(f"notify-{key}")
    web_port, emulator_port = benchlib.free_port(), benchlib.free_port()
    with running_fakes() as make:
        ding = make(FakeDingTalkRobot, limits=((10000, 60.0),))
        feishu = make(FakeFeishuBot, limits=((10000, 60.0), (1000, 1.0)))
        hook = make(FakeSignedWebhook)
        burst_robot = make(FakeDingTalkRobot)  # DingTalk's real limit: 20 in any 60 s, then muted for 600 s
        channels = {"bench-dingtalk": ding, "bench-feishu": feishu, "bench-hook": hook, "burst-dingtalk": burst_robot}
        channel_env: dict[str, str] = {}
        for name, fake in channels.items():
            prefix = "RG_" + name.upper().replace("-", "_")
            channel_env[f"{prefix}_URL"], channel_env[f"{prefix}_SECRET"] = fake.url, fake.secret
        env = benchlib.app_env(
            backend,
            data_dir,
            port=web_port,
            emulator_endpoint=f"{benchlib.LOOPBACK}:{emulator_port}",
            # English logs: benchlib finds the queue workers by django-q2's "ready for work at", which its own
            # zh_Hans catalogue translates under the default language.
            REVIEW_GATE_LANGUAGE="en",
            **channel_env,
        )
        benchlib.prepare_database(backend, env, collectstatic=True)
        with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
            return _measure(env, data_dir, web_port, emulator_port, channels, backend.label, events, rate)


def _measure(
    env: dict[str, str],
    data_dir: Path,
    web_port: int,
    emulator_port: int,
    channels: dict[str, Any],
    label: str,
    events: int,
    rate: float,
) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from approvals.models import AuditEntry, Rule, Ticket
    from events.simulation import build
    from notifications.models import Channel, Notification

    for name, fake in channels.items():
        prefix = "RG_" + name.upper().replace("-", "_")
        Channel.objects.create(name=name, kind=fake.kind, url_env=f"{prefix}_URL", secret_env=f"{prefix}_SECRET")
    reviewer = User.objects.create_user(REVIEWER, "reviewer@example.invalid", secrets.token_urlsafe(16))
    rule = Rule.objects.create(
        name="bench: notify", projects=[PROJECT_ID], notify=["bench-dingtalk", "bench-feishu", "bench-hook"]
    )
    rule.reviewers.add(reviewer)
    burst_rule = Rule.objects.create(name="bench: burst", projects=[BURST_PROJECT_ID], notify=["burst-dingtalk"])
    burst_rule.reviewers.add(reviewer)
    api_token = Token.objects.create(user=reviewer).key
    connection.close()
    latency_fakes = {"dingtalk": channels["bench-dingtalk"], "feishu": channels["bench-feishu"]}
    latency_fakes["webhook"] = channels["bench-hook"]

    emulator = benchlib.start_emulator(env, emulator_port, data_dir / "emulator.log")
    web = benchlib.start_gunicorn(env, web_port, data_dir / "gunicorn.log")
    generous = {**env, "REVIEW_GATE_NOTIFY_LIMITS": json.dumps(GENEROUS)}
    cluster = benchlib.start_qcluster(generous, data_dir / "qcluster.log", workers=2)

    # --- 1. event -> message -------------------------------------------------------------------------------------
    run_id = secrets.token_hex(3)
    sims = [build("commit-file", project_id=PROJECT_ID, file_name=f"notify_{run_id}_{i:03d}") for i in range(events)]
    _seed(emulator_port, sims)
    message_ids = [s.message_id for s in sims]
    post_statuses = _post_events(web_port, env["EVENTBRIDGE_TOKEN"], sims, rate)

    def tickets() -> list[Any]:
        return list(Ticket.objects.filter(message_id__in=message_ids).select_related("event").order_by("pk"))

    def everyone_heard(since: dict[int, float]) -> bool:
        return all(len(_first_after(fake, since)) >= len(since) for fake in latency_fakes.values())

    with contextlib.suppress(TimeoutError):
        benchlib.wait_until(
            lambda: Ticket.objects.filter(message_id__in=message_ids, status=Ticket.Status.PENDING).count() >= events,
            180,
            "every ticket to be ready",
            every=0.5,
        )
    received = {t.pk: t.event.received_at.timestamp() for t in tickets()}
    with contextlib.suppress(TimeoutError):
        benchlib.wait_until(lambda: everyone_heard(received), 120, "every ready message", every=0.5)
    created = dict(
        AuditEntry.objects.filter(ticket_id__in=received, action=AuditEntry.Action.CREATED).values_list(
            "ticket_id", "created_at"
        )
    )
    ready_ms = [(created[pk].timestamp() - at) * 1000 for pk, at in received.items() if pk in created]
    event_to_message: dict[str, dict[str, float]] = {}
    ready_to_message: dict[str, dict[str, float]] = {}
    for kind, fake in latency_fakes.items():
        first = _first_after(fake, received)
        event_to_message[kind] = benchlib.summary_ms([(first[pk] - received[pk]) * 1000 for pk in first])
        ready_to_message[kind] = benchlib.summary_ms(
            [(first[pk] - created[pk].timestamp()) * 1000 for pk in first if pk in created]
        )

    # --- 2. decision -> message ------------------------------------------------------------------------------------
    pending = list(received)
    auth = {"Content-Type": "application/json", "Authorization": f"Token {api_token}"}
    approvals = [
        loadgen.build_request(web_port, "POST", f"/api/v1/tickets/{pk}/approve", b"{}", auth) for pk in pending
    ]
    approve_samples, _ = loadgen.run_fixed_rate(web_port, approvals, rate=rate, count=len(approvals), concurrency=8)
    approve_statuses: dict[str, int] = {}
    for sample in approve_samples:
        approve_statuses[str(sample.status)] = approve_statuses.get(str(sample.status), 0) + 1

    def decided() -> dict[int, float]:
        rows = Ticket.objects.filter(pk__in=pending, decided_at__isnull=False).values_list("pk", "decided_at")
        return {pk: at.timestamp() for pk, at in rows if at is not None}

    with contextlib.suppress(TimeoutError):
        benchlib.wait_until(lambda: len(decided()) >= len(pending), 120, "every decision", every=0.5)
    decided_at = decided()
    with contextlib.suppress(TimeoutError):
        benchlib.wait_until(lambda: everyone_heard(decided_at), 120, "every decided message", every=0.5)
    decision_to_message: dict[str, dict[str, float]] = {}
    for kind, fake in latency_fakes.items():
        first = _first_after(fake, decided_at)
        decision_to_message[kind] = benchlib.summary_ms([(first[pk] - decided_at[pk]) * 1000 for pk in first])
    hook_types: dict[str, int] = {}
    for message in latency_fakes["webhook"].messages:
        hook_types[message.body.get("type", "?")] = hook_types.get(message.body.get("type", "?"), 0) + 1
    cluster.stop()

    # --- 3. the burst, under DingTalk's real limit ---------------------------------------------------------------
    robot = channels["burst-dingtalk"]
    cluster = benchlib.start_qcluster(env, data_dir / "qcluster-burst.log", workers=2)  # documented limits
    burst_sims = [
        build("commit-file", project_id=BURST_PROJECT_ID, file_name=f"burst_{run_id}_{i:02d}") for i in range(BURST)
    ]
    _seed(emulator_port, burst_sims)
    burst_ids = [s.message_id for s in burst_sims]
    burst_at = time.time()
    burst_statuses = _post_events(web_port, env["EVENTBRIDGE_TOKEN"], burst_sims, 100.0)
    posted_in = time.time() - burst_at

    def burst_tickets() -> set[int]:
        return set(Ticket.objects.filter(message_id__in=burst_ids).values_list("pk", flat=True))

    with contextlib.suppress(TimeoutError):
        benchlib.wait_until(
            lambda: len(burst_tickets()) >= BURST and burst_tickets() <= _all_named(robot),
            150,
            "every ticket named",
            0.5,
        )
    named_at: dict[int, float] = {}
    for at, ids in _named(robot):
        for pk in ids:
            named_at.setdefault(pk, at - burst_at)
    ids = burst_tickets()
    burst_ready = dict(
        AuditEntry.objects.filter(ticket_id__in=ids, action=AuditEntry.Action.CREATED).values_list(
            "ticket_id", "created_at"
        )
    )
    message_times = [at - burst_at for at, _ in _named(robot)]
    states: dict[str, int] = {}
    for state in Notification.objects.filter(ticket_id__in=ids).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    for proc in (cluster, web, emulator):
        proc.stop()
    connection.close()

    return {
        "backend": label,
        "events": events,
        "rate": rate,
        "queue_workers": 2,
        "post_statuses": post_statuses,
        "tickets": len(received),
        "event_to_ready_ms": benchlib.summary_ms(ready_ms),
        "event_to_message_ms": event_to_message,
        "ready_to_message_ms": ready_to_message,
        "approve_statuses": approve_statuses,
        "decision_to_message_ms": decision_to_message,
        "webhook_types": hook_types,
        "rejected": {kind: len(fake.rejected) for kind, fake in latency_fakes.items()},
        "burst": {
            "tickets": len(ids),
            "post_statuses": burst_statuses,
            "posted_in_s": posted_in,
            "ready_after_s": sorted(at.timestamp() - burst_at for at in burst_ready.values()),
            "named_after_s": sorted(named_at.get(pk, float("nan")) for pk in ids),
            "unnamed": sorted(pk for pk in ids if pk not in named_at),
            "messages_at_s": message_times,
            "tickets_per_message": [len(found) for _, found in _named(robot)],
            "messages_per_60s_window": _per_window(message_times, DINGTALK_WINDOW),
            "max_in_any_60s": robot.max_in_any_window(DINGTALK_WINDOW),
            "limit": DINGTALK_LIMIT,
            "requests": robot.requests,
            "throttled_answers": robot.requests - len(robot.messages) - len(robot.rejected),
            "rejected": len(robot.rejected),
            "muted": robot.muted_until > 0,
            "notification_states": states,
        },
    }


def _all_named(fake: Any) -> set[int]:
    return {pk for _, ids in _named(fake) for pk in ids}


def section(data: dict[str, Any] | None = None) -> str:
    """The "Notifications" section of bench/RESULTS.md, from bench/out/notify.json."""
    data = data or benchlib.read_result("notify")
    if not data:
        return ""
    f = benchlib.fmt
    lines = [
        "## Notifications: event → chat message, decision → message, a burst under DingTalk's limit (issue 15)\n",
        f"`python bench/bench_notify.py`, {data.get('date', 'date not recorded')} ({data['backend']}, gunicorn + "
        f"`qcluster` with {data['queue_workers']} "
        f"workers + emulator, production mode; chat platforms are the local fakes of tests/fakes/chat_servers.py, "
        f"which verify each signature). {data['tickets']} commit-file events posted at {data['rate']:g}/s to a rule "
        "with a DingTalk, a Feishu and a webhook channel; pacing limits raised (REVIEW_GATE_NOTIFY_LIMITS) for the "
        "latency parts. Event → message = the fake's receive time - the event's `received_at`; decision → message "
        "= the fake's receive time - the ticket's `decided_at` (API approve).\n",
        "| path | channel | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    ready = data["event_to_ready_ms"]
    lines.append(
        f"| event → ticket ready | - | {ready['n']} | {f(ready['p50'], 0)} | {f(ready['p90'], 0)} | "
        f"{f(ready['p99'], 0)} | {f(ready['max'], 0)} |"
    )
    paths = (
        ("event → message", "event_to_message_ms"),
        ("of which ticket ready → message", "ready_to_message_ms"),
        ("decision → message", "decision_to_message_ms"),
    )
    for label, key in paths:
        for kind, s in data[key].items():
            lines.append(
                f"| {label} | {kind} | {s['n']} | {f(s['p50'], 0)} | {f(s['p90'], 0)} | {f(s['p99'], 0)} | "
                f"{f(s['max'], 0)} |"
            )
    burst = data["burst"]
    named = [t for t in burst["named_after_s"] if t == t]
    first_batch = sorted(named)[: burst["limit"]]
    rest = sorted(named)[burst["limit"] :]
    lines += [
        "",
        f"Burst: {burst['tickets']} events posted at once (in {burst['posted_in_s']:.1f} s) to a rule with one "
        f"DingTalk channel at the documented limit ({burst['limit']} per 60 s; the fake mutes for 600 s past it). "
        f"Messages: {len(burst['messages_at_s'])}, tickets per message {burst['tickets_per_message']}; most in any "
        f"60 s window **{burst['max_in_any_60s']}** (limit {burst['limit']}); per consecutive 60 s window from the "
        f"burst {burst['messages_per_60s_window']}; throttle answers {burst['throttled_answers']}, rejected "
        f"{burst['rejected']}, muted {'yes' if burst['muted'] else 'no'}; unnamed tickets {len(burst['unnamed'])}.",
        "",
        "| | seconds after the first POST |",
        "|---|---|",
        f"| tickets ready | {f(min(burst['ready_after_s'], default=float('nan')), 2)} to "
        f"{f(max(burst['ready_after_s'], default=float('nan')), 2)} |",
        f"| first {len(first_batch)} tickets named (one message each) | "
        f"{f(min(first_batch, default=float('nan')), 2)} to {f(max(first_batch, default=float('nan')), 2)} |",
        f"| remaining {len(rest)} named (when the window frees, in a digest) | "
        f"{f(min(rest, default=float('nan')), 2)} to {f(max(rest, default=float('nan')), 2)} |",
        "",
        "The first message of the burst waits for the preparations queued before it (one queue, FIFO, 2 workers; "
        "the DataWorks read budget paces preparation); the digest goes out when the first send leaves the 60 s "
        "window plus the pacing's 2 % margin (61.2 s) and the due-time loop's next pass.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), default="postgres")
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--rate", type=float, default=2.0, help="events posted, then approvals, per second")
    parser.add_argument("--section", action="store_true", help="print the RESULTS.md section from bench/out/")
    args = parser.parse_args()
    if args.section:  # no servers, so no need for the one-run-at-a-time lock
        print(section())
        return
    benchlib.start_bench()
    if not 1 <= args.events <= 1000 or not 0 < args.rate <= 50:
        parser.error("events must be 1..1000 and the rate in (0, 50]")
    try:
        data = run(args.backend, args.events, args.rate)
    finally:
        benchlib.CLEANUP.run()
    data["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    benchlib.write_result("notify", data)
    print(section(data))


if __name__ == "__main__":
    benchlib.ensure_venv()
    main()
