"""Diff rendering on the ticket page: server time of /tickets/<id>/ for 100 to 50,000-line nodes, vs difflib.HtmlDiff.

Run: `python bench/bench_diff_page.py [--sizes 100,1000,10000,50000] [--runs 5]`. It creates a SQLite database in a
temp dir (production settings, static files collected), stores one PENDING commit-file ticket per size whose old and
new code come from bench/bench_diff.py's generator (10% of the lines changed), and requests the ticket page as a
reviewer through Django's test Client: server time = the whole request (middleware, view, diff engine, template).
The baseline is `difflib.HtmlDiff().make_table` on the same lines (what Python ships for an HTML side-by-side diff).
Results: bench/out/diff.json.
"""

from __future__ import annotations

import argparse
import difflib
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


def timings_ms(function: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(sizes: list[int], runs: int, share: float) -> dict[str, Any]:
    data_dir = benchlib.temp_dir("diff")
    env = benchlib.app_env(benchlib.SQLITE, data_dir)
    benchlib.prepare_database(benchlib.SQLITE, env, collectstatic=True)
    with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
        import bench_diff
        from django.contrib.auth.models import User
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from approvals.diff import compute_diff, render_diff_html
        from approvals.models import AuditEntry, RenderedDiff, Rule, Ticket
        from approvals.tickets.diff_store import prerender_ticket
        from events.models import InboundEvent

        reviewer = User.objects.create_user("bench-diff-reviewer", "r@example.invalid", None)
        rule = Rule.objects.create(name="bench: every change")
        rule.reviewers.add(reviewer)
        client = Client()
        client.force_login(reviewer)
        rows = []
        for size in sizes:
            rng = random.Random(size)  # the same inputs bench_diff.py uses
            old_lines = bench_diff.sql_node(size, rng)
            new_lines = bench_diff.edit(old_lines, share, rng)
            old, new = "\n".join(old_lines) + "\n", "\n".join(new_lines) + "\n"
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
                title=f"bench_node_{size}",
                path=f"etl/bench/bench_node_{size}",
                file_id=900_000 + size,
                file_type=10,
                old_content=old,
                new_content=new,
                old_label="version 6",
                new_label="version 7 (this change)",
                status=Ticket.Status.PENDING,
                created_at=timezone.now(),
                has_rules=True,
            )
            ticket.rules.add(rule)
            AuditEntry.objects.create(ticket=ticket, action=AuditEntry.Action.CREATED, comment="bench")
            url = f"/tickets/{ticket.pk}/"
            page_runs = runs if size <= 10_000 else max(2, runs // 2)
            html_runs = max(1, runs // 2) if size <= 10_000 else 1

            # What the worker does when the ticket becomes ready (off the request path), timed once.
            RenderedDiff.objects.all().delete()  # only this ticket's rows count below
            started = time.perf_counter()
            prerender_ticket(ticket)
            prerender_ms = (time.perf_counter() - started) * 1000
            stored_bytes = sum(len(row.html) for row in RenderedDiff.objects.all())
            first = client.get(url)  # warm-up; also checks the page
            if first.status_code != 200:
                raise RuntimeError(f"{url} answered {first.status_code}")
            # A first view with nothing stored (no pre-render: e.g. another interface language): render + store.
            cold = []
            for _ in range(page_runs):
                RenderedDiff.objects.all().delete()
                cold += timings_ms(lambda url=url: client.get(url), 1)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            query_count = len(captured.captured_queries)  # read now: the next request clears the log
            page = timings_ms(lambda url=url: client.get(url), page_runs)
            engine = timings_ms(
                lambda old=old, new=new: render_diff_html(compute_diff(old, new, file_type=10), "split"), page_runs
            )
            html_diff = timings_ms(lambda a=old_lines, b=new_lines: difflib.HtmlDiff().make_table(a, b), html_runs)
            diff = compute_diff(old, new, file_type=10)
            page_ms, html_ms = statistics.median(page), statistics.median(html_diff)
            rows.append(
                {
                    "lines": size,
                    "added": diff.added,
                    "removed": diff.removed,
                    "bytes": len(new.encode()),
                    "highlighted": diff.highlighted,
                    "page_ms": page_ms,
                    "page_ms_all": page,
                    "cold_page_ms": statistics.median(cold),
                    "prerender_ms": prerender_ms,
                    "stored_bytes": stored_bytes,
                    "engine_ms": statistics.median(engine),
                    "htmldiff_ms": html_ms,
                    "htmldiff_ms_all": html_diff,
                    "page_bytes": len(first.content),
                    "queries": query_count,
                    "ratio_htmldiff_over_page": html_ms / page_ms,
                }
            )
            print(
                f"diff page {size:>6} lines: page {page_ms:8.1f} ms  cold {rows[-1]['cold_page_ms']:8.1f} ms  "
                f"engine {rows[-1]['engine_ms']:8.1f} ms  "
                f"HtmlDiff {html_ms:8.1f} ms",
                file=sys.stderr,
            )
        connection.close()
    return {"share_changed": share, "runs": runs, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--share", type=float, default=0.10)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if any(not 1 <= s <= 100_000 for s in sizes) or not 1 <= args.runs <= 50:
        parser.error("sizes must be 1..100000 and runs 1..50")
    try:
        data = run(sizes, args.runs, args.share)
    finally:
        CLEANUP.run()
    benchlib.write_result("diff", data)
    import report

    print(report.diff_section())


if __name__ == "__main__":
    benchlib.start_bench()
    main()
