"""Inbox search, tabs and orders at 100,000 tickets: server time and query count of `/?q=...` (issue 18).

Run: `python bench/bench_inbox_search.py` (PostgreSQL, then SQLite) or `--backend postgres|sqlite`, `--tickets N`,
`--runs N`. The data is `bench/bench_inbox.py`'s (its `Population` and users: 100,000 tickets over a year, a reviewer
who may see about 30% of them, staff who see all, a sparse reviewer who sees none), loaded into a database of this
bench's own (PostgreSQL `review_gate_bench_search`, or SQLite in a temp dir). Each page is requested through Django's
test Client with production settings; median of `--runs` after 2 warm-ups. Goal: a search under 100 ms server time
on PostgreSQL (the trigram indexes of migration 0010), and the same query count at 1,000 and at 100,000 tickets.
Results: bench/out/inbox-search-<backend>.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_inbox
import benchlib

GOAL_MS = 100.0
PG_DB = "review_gate_bench_search"  # not bench_inbox's database: the two may run on one machine at once
BASELINE_TICKETS = 1_000
# (label, path): "{message_id}" and "{ticket}" are filled from the loaded data.
PAGES = [
    ("search rare name", "/?tab=all&q=orders_1234"),
    ("search common word", "/?tab=all&q=refunds"),
    ("search no match", "/?tab=all&q=zzz-nothing-like-this"),
    ("search message id", "/?tab=all&q={message_id}"),
    ("search ticket number", "/?tab=all&q=%23{ticket}"),
    ("search path, newest", "/?tab=all&q=etl/payments/&sort=newest"),
    ("search, riskiest", "/?tab=all&q=orders&sort=risk"),
    ("waiting tab", "/?tab=waiting"),
    ("all tab, oldest", "/?tab=all"),
    ("decided tab, newest", "/?tab=decided&sort=newest"),
    ("my changes", "/?tab=mine"),
]
ROLES = ("reviewer", "staff", "sparse")


def run_backend(key: str, total: int, runs: int) -> dict[str, Any]:
    benchlib.PG_BENCH_DB = PG_DB  # pg_recreate / pg_drop read it when called
    base = benchlib.BACKENDS[key]
    url = base.database_url.rsplit("/", 1)[0] + f"/{PG_DB}" if base.database_url else ""
    backend = benchlib.Backend(base.key, base.label.split(" + ")[0], url, "")
    data_dir = benchlib.temp_dir(f"inbox-search-{key}")
    env = benchlib.app_env(backend, data_dir)
    benchlib.prepare_database(backend, env, collectstatic=True)
    result: dict[str, Any] = {"backend": backend.label, "key": key, "tickets": total, "runs": runs, "sizes": []}
    with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
        from django.db import connection
        from django.test import Client

        from approvals.models import Ticket

        users, rules = bench_inbox.setup_users()
        population = bench_inbox.Population(users, rules)
        clients = {}
        for role in ROLES:
            clients[role] = Client()
            clients[role].force_login(users[role])
        steps = [BASELINE_TICKETS, total] if total > BASELINE_TICKETS else [total]
        for target in steps:
            load_seconds = population.add(target - population.created)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a load like this
            sample = Ticket.objects.order_by("pk").values_list("pk", "message_id")[target // 2]
            size: dict[str, Any] = {"tickets": Ticket.objects.count(), "load_seconds": load_seconds, "pages": []}
            for label, template in PAGES:
                path = template.format(message_id=sample[1], ticket=sample[0])
                for role in ROLES:
                    m = bench_inbox.measure(clients[role], path, runs)
                    slowest = m.pop("_slowest_sql", "")
                    m.update(page=label, path=path, role=role)
                    if target == total and m["median_ms"] > GOAL_MS and slowest:
                        m["explain"] = bench_inbox.explain(slowest)
                    size["pages"].append(m)
                    print(
                        f"inbox-search {key} {size['tickets']:>7} tickets  {label:<22} {role:<8} "
                        f"{m['median_ms']:8.1f} ms  {m['queries']:>3} queries",
                        file=sys.stderr,
                    )
            result["sizes"].append(size)
        connection.close()
    return result


def table(data: dict[str, Any]) -> str:
    """The results as a Markdown table: each page and role at the baseline and the full size."""
    sizes = data["sizes"]
    small, large = (sizes[0], sizes[-1]) if len(sizes) > 1 else (None, sizes[0])
    lines = [
        f"**{data['backend']}** ({large['tickets']:,} tickets)",
        "",
        f"| page | user | {BASELINE_TICKETS:,} tickets ms | queries | {large['tickets']:,} tickets ms | p90 ms | "
        "queries | DB ms | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    before = {(p["page"], p["role"]): p for p in small["pages"]} if small else {}
    for page in large["pages"]:
        old = before.get((page["page"], page["role"]), {})
        # Query counts are compared by hand: a page that is empty at 1,000 tickets reads no rows (fewer queries).
        goal = "met" if page["median_ms"] < GOAL_MS else "**missed**"
        lines.append(
            f"| {page['page']} | {page['role']} | {benchlib.fmt(old.get('median_ms'))} | {old.get('queries', '-')} | "
            f"**{benchlib.fmt(page['median_ms'])}** | {benchlib.fmt(page.get('p90_ms'))} | {page['queries']} | "
            f"{benchlib.fmt(page.get('db_ms'))} | {goal} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), help="run one backend (default: both)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not 1 <= args.tickets <= 1_000_000 or not 1 <= args.runs <= 100:
        parser.error("tickets must be 1..1000000 and runs 1..100")

    def section() -> str:
        import json

        parts = []
        for key in ("postgres", "sqlite"):
            out = benchlib.OUT_DIR / f"inbox-search-{key}.json"
            if out.exists():
                parts.append(table(json.loads(out.read_text(encoding="utf-8"))))
        return "\n\n".join(parts)

    started = time.perf_counter()
    benchlib.run_backends(
        Path(__file__),
        "inbox-search",
        args.backend,
        lambda key: run_backend(key, args.tickets, args.runs),
        timeout=900,
        section=section,
    )
    print(f"[bench] inbox-search took {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    benchlib.start_bench()
    main()
