"""Benchmark the risk analyser (riskcheck) on generated DataWorks-style SQL; print a markdown table.

Run from the repository root: ``python bench/bench_risk.py`` (add ``--sizes 1000,10000`` or ``--runs 5``).
No Django, no servers: the analyser is a pure package and runs in the worker.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from riskcheck import AnalysisConfig, analyse

COLUMNS = ["user_id", "order_id", "amount", "region", "status", "created_at", "price", "qty", "sku", "channel"]
TABLES = ["ods_orders", "dwd_user_di", "dim_sku", "ads_report_d", "tmp_stage", "明细_销售"]


def statement(number: int, rng: random.Random) -> list[str]:
    """One statement of a realistic mix: mostly partitioned inserts, some DDL, flags, variables and multi-inserts."""
    table = rng.choice(TABLES)
    roll = rng.random()
    if roll < 0.05:
        return [f"set odps.sql.mapper.split.size={rng.choice([64, 128, 256])}; -- 分片大小; MB"]
    if roll < 0.10:
        return [
            f"CREATE TABLE IF NOT EXISTS dwd_new_{number} (",
            "  id STRING COMMENT '主键; 唯一',",
            "  amount DOUBLE",
            ") PARTITIONED BY (ds STRING) LIFECYCLE 90;",
        ]
    if roll < 0.13:
        return [f"DROP TABLE IF EXISTS tmp_calc_{number}_${{bizdate}};"]
    if roll < 0.18:
        return [f"@v{number} := SELECT user_id, amount FROM `{table}` WHERE ds = '${{bizdate}}';"]  # noqa: S608
    if roll < 0.23:
        return [
            f"FROM `{table}` src",
            f"INSERT OVERWRITE TABLE dws_a_{number} PARTITION (ds = '${{bizdate}}')",
            "SELECT src.user_id, src.amount WHERE src.ds = '${bizdate}' AND src.status = 'paid'",
            f"INSERT OVERWRITE TABLE dws_b_{number} PARTITION (ds = '${{bizdate}}')",
            "SELECT src.user_id, src.amount WHERE src.ds = '${bizdate}';",
        ]
    lines = [
        f"-- step {number}: 加载 {table}",
        "--@exclude_input=ods_raw",
        f"INSERT OVERWRITE TABLE `{table}_{number}` PARTITION (ds = '${{bizdate}}')",
        "SELECT /*+ MAPJOIN(d) */",
    ]
    for n in range(rng.randint(3, 12)):
        column = rng.choice(COLUMNS)
        kind = rng.randrange(3)
        if kind == 0:
            lines.append(f"    t.{column} AS {column}_{n},")
        elif kind == 1:
            lines.append(f"    SUM(COALESCE(t.{column}, 0)) AS sum_{column}_{n},")
        else:
            lines.append(f"    CASE WHEN t.{column} > {rng.randrange(1000)} THEN 'a;b' ELSE 'low' END AS band_{n},")
    lines += [
        f"    '{number}' AS batch_id",
        f"FROM `{rng.choice(TABLES)}` t",
        "LEFT JOIN dim_sku d ON t.sku = d.sku AND d.ds = '${bizdate}'",
        f"WHERE t.ds = '${{bizdate}}' AND t.{rng.choice(COLUMNS)} IS NOT NULL",
        f"GROUP BY t.{rng.choice(COLUMNS)}, t.{rng.choice(COLUMNS)};",
        "",
    ]
    return lines


def script(lines: int, seed: int) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    number = 0
    while len(out) < lines:
        number += 1
        out.extend(statement(number, rng))
    # Cut at a statement boundary so the script stays valid, then pad with comments to the exact size.
    while len(out) > lines:
        out.pop()
    while out and not out[-1].rstrip().endswith(";"):
        out.pop()
    out += ["-- 结束"] * (lines - len(out))
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = AnalysisConfig(projects={"retail_dw"}, partition_columns={"dim_sku": ["ds"]})
    print("| lines | statements | findings | parse failures | median (ms) | min (ms) | ms per 1,000 lines |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(part) for part in args.sizes.split(",")):
        code = script(size, seed=size)
        timings = []
        analysis = None
        for _ in range(args.runs):
            start = time.perf_counter()
            analysis = analyse(code, language="sql", config=config)
            timings.append((time.perf_counter() - start) * 1000)
        assert analysis is not None and analysis.reason is None, analysis and analysis.reason
        median = statistics.median(timings)
        print(
            f"| {size:,} | {analysis.statements:,} | {len(analysis.findings):,} | {analysis.parse_failures} "
            f"| {median:,.0f} | {min(timings):,.0f} | {median / size * 1000:,.0f} |"
        )


if __name__ == "__main__":
    main()
