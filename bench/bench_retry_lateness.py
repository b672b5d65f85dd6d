"""How late retries start after their due time, with a real qcluster (issue 12's due-time loop).

Runs tests/approvals/jobs/test_due_time_loop.py (DataWorks answers 500, 500, 429, then OK) several times on each
backend and summarises the lateness of every retry and the time from approval to delivery:

    python bench/bench_retry_lateness.py [--runs 3] [--backends sqlite,postgres]

The PostgreSQL + Redis backend needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. Writes
bench/out/retry-lateness.json and prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = {
    "sqlite": {},
    "postgres": {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/review_gate_bench",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    },
}


def run(backend: str, runs: int) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lateness.json"
        env = {**os.environ, **BACKENDS[backend], "REVIEW_GATE_LATENESS_OUT": str(out)}
        for _ in range(runs):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "tests/approvals/jobs/test_due_time_loop.py",
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
        return json.loads(out.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    results = {backend: run(backend, args.runs) for backend in args.backends.split(",")}
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "out" / "retry-lateness.json").write_text(json.dumps(results, indent=2))
    print("| backend | retries | lateness p50 | lateness max | approval → delivered (s) | sum of backoff delays (s) |")
    print("|---|---|---|---|---|---|")
    for backend, runs in results.items():
        late = [x for r in runs for x in r["lateness_seconds"]]  # type: ignore[union-attr]
        totals = [float(r["approval_to_delivery_seconds"]) for r in runs]  # type: ignore[arg-type]
        delays = [sum(r["delays_seconds"]) for r in runs]  # type: ignore[arg-type]
        print(
            f"| {backend} | {len(late)} | {statistics.median(late):.2f} s | {max(late):.2f} s | "
            f"{', '.join(f'{t:.1f}' for t in totals)} | {', '.join(f'{d:.1f}' for d in delays)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
