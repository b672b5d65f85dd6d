"""The ticket page with a large change (issue 18): first response size and server time, DOM size, decision bar time.

Run: `python bench/bench_ticket_page.py [--lines 12779] [--runs 7] [--label after]`. It creates a SQLite database in a
temp dir (production settings, static files collected), stores one PENDING commit-file ticket whose old and new code
come from bench/bench_diff.py's generator (10% of the lines changed), pre-renders it as the worker does, then:

- server time: `GET /tickets/<id>/` as a reviewer through Django's test Client (middleware, view, template), median;
- first response size: raw, and as sent to a browser that accepts gzip (the body the middleware compressed, or, when
  nothing compressed it, what gzip level 6 would make of it, reported as "gzip if compressed");
- in headless Chromium against gunicorn on 127.0.0.1 (same database): the number of DOM elements once the page has
  loaded (before expanding anything) and the time from navigation start until the decision buttons are visible in the
  viewport (the sticky bar) or, on a page without one, until the decision form exists and is laid out.

Targets (issue 18): < 300 KB compressed, < 200 ms server time, <= 5,000 DOM elements, decision bar < 1 s.
Results: bench/out/ticket_page-<label>.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import CLEANUP

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
# What "the decision bar" is: the sticky bar when the page has one, else the decision form at the bottom.
_DECISION_JS = """() => {
  const bar = document.querySelector('[data-testid="decision-bar"]');
  if (bar) { const r = bar.getBoundingClientRect(); return r.height > 0 && r.top < innerHeight && r.bottom > 0; }
  const form = document.querySelector('#decide form button[value="approve"]');
  return !!form && form.getBoundingClientRect().height > 0;
}"""


def _ticket(lines: int, share: float) -> Any:
    import bench_diff
    from django.utils import timezone

    from approvals.models import AuditEntry, Ticket
    from events.models import InboundEvent

    rng = random.Random(lines)
    old_lines = bench_diff.sql_node(lines, rng)
    new_lines = bench_diff.edit(old_lines, share, rng)
    message_id = str(uuid.uuid4())
    event = InboundEvent.objects.create(
        source="acs.dataworks",
        message_id=message_id,
        type="dataworks:FileChange:CommitFile",
        event_code="commit-file",
        module="DATASTUDIO",
        gated=True,
        callback_api="UpdateIDEEventResult",
        project_id=10001,
        operator="193745001735",
        raw_body="{}",
        body_sha256="0" * 64,
        status=InboundEvent.Status.PROCESSED,
    )
    ticket = Ticket.objects.create(
        event=event,
        message_id=message_id,
        event_code="commit-file",
        module="DATASTUDIO",
        callback_api="UpdateIDEEventResult",
        project_id=10001,
        operator_uid="193745001735",
        title=f"bench_node_{lines}",
        path=f"etl/bench/bench_node_{lines}",
        file_id=910_000 + lines,
        file_type=10,
        old_content="\n".join(old_lines) + "\n",
        new_content="\n".join(new_lines) + "\n",
        old_label="version 6",
        new_label="version 7 (this change)",
        status=Ticket.Status.PENDING,
        created_at=timezone.now(),
        has_rules=True,
    )
    AuditEntry.objects.create(ticket=ticket, action=AuditEntry.Action.CREATED, comment="bench")
    return ticket


def _browser(port: int, path: str, session: str, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    times, elements = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs + 1):  # the first run warms the server and the static files
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{port}/"}])
                page = context.new_page()
                started = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}{path}", wait_until="commit")
                page.wait_for_function(_DECISION_JS, polling="raf", timeout=60_000)
                decision_ms = (time.perf_counter() - started) * 1000
                page.wait_for_load_state("load", timeout=60_000)
                times.append(decision_ms)
                elements.append(page.evaluate("document.getElementsByTagName('*').length"))
                context.close()
        finally:
            browser.close()
    return {"decision_bar_ms": statistics.median(times[1:]), "decision_bar_ms_all": times[1:], "dom": elements[-1]}


def run(lines: int, runs: int, share: float, browser: bool) -> dict[str, Any]:
    data_dir = benchlib.temp_dir("ticket-page")
    port = benchlib.free_port()
    env = benchlib.app_env(benchlib.SQLITE, data_dir, port=port)
    benchlib.prepare_database(benchlib.SQLITE, env, collectstatic=True)
    with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
        from django.contrib.auth.models import User
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from approvals.diff import compute_diff
        from approvals.models import Rule
        from approvals.tickets.diff_store import prerender_ticket

        reviewer = User.objects.create_user("bench-ticket-reviewer", "r@example.invalid", None)
        rule = Rule.objects.create(name="bench: every change")
        rule.reviewers.add(reviewer)
        ticket = _ticket(lines, share)
        ticket.rules.add(rule)
        started = time.perf_counter()
        prerender_ticket(ticket)  # what the worker does when the ticket becomes ready
        prerender_ms = (time.perf_counter() - started) * 1000
        client = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        client.force_login(reviewer)
        url = f"/tickets/{ticket.pk}/"
        first = client.get(url)
        if first.status_code != 200:
            raise RuntimeError(f"{url} answered {first.status_code}")
        sent = first.content
        encoding = first.get("Content-Encoding", "")
        body = gzip.decompress(sent) if encoding == "gzip" else sent
        compressed = len(sent) if encoding else len(gzip.compress(sent, 6))
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        diff = compute_diff(ticket.old_content, ticket.new_content, file_type=10)
        result: dict[str, Any] = {
            "lines": lines,
            "old_lines": diff.old.line_count,
            "new_lines": diff.new.line_count,
            "added": diff.added,
            "removed": diff.removed,
            "hunks": len(diff.hunks),
            "prerender_ms": prerender_ms,
            "server_ms": statistics.median(timings),
            "server_ms_all": timings,
            "queries": len(captured.captured_queries),
            "bytes_raw": len(body),
            "bytes_compressed": compressed,
            "content_encoding": encoding or "(none)",
        }
        session = client.cookies["sessionid"].value
        connection.close()
    if browser:
        server = benchlib.start_gunicorn(env, port, data_dir / "gunicorn.log", workers=2)
        try:
            result.update(_browser(port, url, session, max(3, runs // 2)))
        finally:
            server.stop()
    return result


def table(label: str, data: dict[str, Any]) -> str:
    kib = 1024
    rows = [
        (
            "first response, compressed",
            f"{data['bytes_compressed'] / kib:,.0f} KiB ({data['content_encoding']})",
            "< 300 KB",
        ),
        ("first response, raw HTML", f"{data['bytes_raw'] / kib:,.0f} KiB", ""),
        ("server time (median)", f"{data['server_ms']:,.1f} ms", "< 200 ms"),
        ("queries", f"{data['queries']}", ""),
        ("DOM elements after load", f"{data.get('dom', '-'):,}" if "dom" in data else "-", "<= 5,000"),
        (
            "time to the decision bar",
            f"{data['decision_bar_ms']:,.0f} ms" if "decision_bar_ms" in data else "-",
            "< 1 s",
        ),
        ("worker pre-render", f"{data['prerender_ms']:,.0f} ms", ""),
    ]
    head = (
        f"**{label}**: {data['lines']:,}-line node, +{data['added']:,} / -{data['removed']:,} lines in "
        f"{data['hunks']:,} hunks\n\n| measure | value | target |\n|---|---:|---|\n"
    )
    return head + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=12_779)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--share", type=float, default=0.10)
    parser.add_argument("--label", default="after", help="names the result file: bench/out/ticket_page-<label>.json")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args()
    if not 1 <= args.lines <= 100_000 or not 1 <= args.runs <= 50 or not args.label.isidentifier():
        parser.error("lines must be 1..100000, runs 1..50, label an identifier")
    try:
        data = run(args.lines, args.runs, args.share, browser=not args.no_browser)
    finally:
        CLEANUP.run()
    benchlib.write_result(f"ticket_page-{args.label}", data)
    print(table(args.label, data))


if __name__ == "__main__":
    benchlib.start_bench()
    main()
