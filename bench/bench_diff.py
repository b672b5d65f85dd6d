"""Benchmark the diff engine against difflib.HtmlDiff on generated SQL nodes; print a markdown table.

Run from the repository root: ``python bench/bench_diff.py`` (add ``--sizes 100,1000`` or ``--runs 3``).
Uses DJANGO_SETTINGS_MODULE when set, otherwise a minimal in-process configuration.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django
from django.conf import settings

COLUMNS = ["user_id", "order_id", "amount", "region", "status", "created_at", "price", "qty", "sku", "channel"]
TABLES = ["ods_orders", "dwd_user_di", "dim_sku", "ads_report_d", "tmp_stage"]


def sql_node(lines: int, rng: random.Random) -> list[str]:
    """Return an ODPS-SQL-like node: statements of varied, mostly unique lines, comments and blank lines."""
    out: list[str] = []
    statement = 0
    while len(out) < lines:
        statement += 1
        table = rng.choice(TABLES)
        out.append(f"-- step {statement}: load {table} for ${{bizdate}}")
        out.append(f"INSERT OVERWRITE TABLE {table}_{statement} PARTITION (ds = '${{bizdate}}')")
        out.append("SELECT")
        for n in range(rng.randint(3, 12)):
            column = rng.choice(COLUMNS)
            kind = rng.randrange(4)
            if kind == 0:
                out.append(f"    t{statement}.{column} AS {column}_{n},")
            elif kind == 1:
                out.append(f"    SUM(COALESCE(t{statement}.{column}, 0)) AS sum_{column}_{n},")
            elif kind == 2:
                out.append(f"    CASE WHEN {column} > {rng.randrange(1000)} THEN 'high' ELSE 'low' END AS band_{n},")
            else:
                out.append(f"    CAST({column} AS DECIMAL(18, {rng.randrange(2, 6)})) AS {column}_{n}_dec,")
        out.append(f"    '{statement}' AS batch_id")
        out.append(f"FROM {rng.choice(TABLES)} t{statement}")
        out.append(f"WHERE ds = '${{bizdate}}' AND {rng.choice(COLUMNS)} IS NOT NULL")
        out.append(f"GROUP BY {rng.choice(COLUMNS)}, {rng.choice(COLUMNS)};")
        out.append("")
    return out[:lines]


def edit(lines: list[str], share: float, rng: random.Random) -> list[str]:
    """Change ``share`` of the lines in clusters of 1-3: 60% modified, 20% deleted, 20% new lines inserted."""
    new: list[str] = []
    budget = int(len(lines) * share)
    starts = set(rng.sample(range(len(lines)), max(1, budget // 2)))
    run = 0
    for index, line in enumerate(lines):
        if index in starts and budget > 0:
            run = min(rng.randint(1, 3), budget)
        if run:
            run -= 1
            budget -= 1
            roll = rng.random()
            if roll < 0.6:
                new.append(line.replace("AS", "AS /* v2 */", 1) if "AS" in line else line + " -- changed")
            elif roll < 0.8:
                new.extend([line, f"    -- review note {index}: keep {rng.choice(COLUMNS)}"])
            continue  # the remaining 20% are deleted
        new.append(line)
    return new


def median_ms(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def setup_django() -> None:
    """Make the project importable and configure Django (minimal settings unless DJANGO_SETTINGS_MODULE is set)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(USE_I18N=True, LANGUAGE_CODE="en")
    django.setup()


def main() -> None:
    setup_django()
    from approvals.diff import compute_diff, render_diff_html

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--share", type=float, default=0.10, help="share of lines changed")
    args = parser.parse_args()
    print("| lines | +added / -removed | engine split (ms) | engine unified (ms) ", end="")
    print("| difflib.HtmlDiff (ms) | HtmlDiff / split |\n|---:|---:|---:|---:|---:|---:|")
    for size in (int(part) for part in args.sizes.split(",")):
        rng = random.Random(size)  # deterministic per size
        old_lines = sql_node(size, rng)
        new_lines = edit(old_lines, args.share, rng)
        old, new = "\n".join(old_lines) + "\n", "\n".join(new_lines) + "\n"
        runs = args.runs if size <= 10_000 else max(1, args.runs // 2)
        diff = compute_diff(old, new, file_type=10)
        split = median_ms(
            lambda old=old, new=new: render_diff_html(compute_diff(old, new, file_type=10), "split"), runs
        )
        unified = median_ms(
            lambda old=old, new=new: render_diff_html(compute_diff(old, new, file_type=10), "unified"), runs
        )
        html_diff = median_ms(
            lambda old_lines=old_lines, new_lines=new_lines: difflib.HtmlDiff().make_table(old_lines, new_lines), runs
        )
        print(
            f"| {size:,} | +{diff.added:,} / -{diff.removed:,} | {split:,.0f} | {unified:,.0f} | {html_diff:,.0f} "
            f"| {html_diff / split:.1f}x |"
        )


if __name__ == "__main__":
    main()
