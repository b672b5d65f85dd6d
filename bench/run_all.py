"""Run every benchmark and write bench/RESULTS.md (what `make bench` does).

Order: intake (SQLite, PostgreSQL), the intake's in-process profile, pipeline (PostgreSQL + Redis, SQLite + ORM
broker), diff page, inbox (PostgreSQL, SQLite), notifications (event -> chat message, decision -> message, a burst
under DingTalk's limit; PostgreSQL + Redis, about 3 minutes); memory is read during the pipeline and intake runs.
Each part runs in its own process with a time limit (stopped with SIGTERM, so it cleans up, when it overruns);
afterwards the bench PostgreSQL database and Redis db 15 are dropped/flushed once more in case a part was killed.
Needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and wrk (`bash bench/install_tools.sh` installs wrk and
starts the services if they are down). About 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import BENCH_DIR, CLEANUP, OUT_DIR

# (name, script, arguments, time limit in seconds)
PARTS = [
    ("intake", "bench_intake.py", [], 420),
    ("intake-profile", "profile_intake.py", ["--quiet"], 300),
    ("pipeline", "bench_pipeline.py", [], 900),
    ("diff", "bench_diff_page.py", [], 300),
    ("inbox", "bench_inbox.py", [], 900),
    ("notify", "bench_notify.py", [], 420),
]
OUTPUTS = {
    "intake": ["intake-sqlite", "intake-postgres"],
    "intake-profile": ["intake-profile-postgres", "intake-profile-sqlite"],
    "pipeline": ["pipeline-postgres", "pipeline-sqlite"],
    "diff": ["diff"],
    "inbox": ["inbox-postgres", "inbox-sqlite"],
    "notify": ["notify"],
}

NOTES = """## Notes

- Everything ran on one 2-core machine: the load generator (wrk or `bench/loadgen.py`), gunicorn, the queue
  workers, the emulator, PostgreSQL and Redis share the same two cores, so absolute figures are lower than on a
  server where the load comes from elsewhere; the ratios against the baselines measured in the same run are the
  comparable part.
- django-q2's ORM broker (SQLite runs) polls the queue every 0.2 s when it is empty, which shows as queue wait in the
  pipeline; Redis wakes a worker at once (BLPOP).
- DataWorks is the local emulator over HTTP on loopback (signed requests through the real SDK), so DataWorks' own
  latency (tens of ms from a real region) is not included.
- Re-run one part alone with `python bench/<script>.py` (see each script's docstring); `python bench/run_all.py
  --only intake,diff` re-runs some parts and rewrites RESULTS.md from all results present in bench/out/.
"""


def write_report(output: Path, durations: dict[str, float], failures: list[str], load: dict[str, str]) -> None:
    import report

    notes = (
        NOTES
        + "\nMachine load during each part (the benchmark's own processes included; steal = CPU time the "
        + "hypervisor gave to other guests, a sign of noisy neighbours): "
        + "; ".join(f"{k}: {v}" for k, v in load.items())
    )
    text = report.full_report(durations, failures, notes + ".\n")
    import bench_notify

    notify = bench_notify.section()  # from bench/out/notify.json, when the notify part ran
    if notify:
        text += "\n" + notify
    output.write_text(text, encoding="utf-8")
    print(f"[bench] wrote {output}", flush=True)


def _tree_cpu() -> float:
    """CPU of every finished process this run started (each part and everything it started and reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated parts to run (default: all)")
    parser.add_argument("--output", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite RESULTS.md from bench/out/ without running anything"
    )
    args = parser.parse_args()
    if args.render_only:
        saved = benchlib.read_result("run") or {"durations": {}, "failures": [], "load": {}}
        write_report(Path(args.output), saved["durations"], saved["failures"], saved["load"])
        return
    wanted = {p for p in args.only.split(",") if p} or {name for name, *_ in PARTS}
    unknown = wanted - {name for name, *_ in PARTS}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if "intake" in wanted and shutil.which("wrk") is None:
        subprocess.run(["bash", str(BENCH_DIR / "install_tools.sh")], check=True)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    machine = benchlib.machine()
    benchlib.write_result("machine", machine)
    print(
        f"[bench] {machine['cpu']}, {machine['cores']} cores, PostgreSQL {machine['postgresql']}, "
        f"Redis {machine['redis']}",
        flush=True,
    )
    durations: dict[str, float] = {}
    load: dict[str, str] = {}
    failures: list[str] = []
    try:
        for name, script, extra, limit in PARTS:
            if name not in wanted:
                continue
            for output in OUTPUTS[name]:
                (OUT_DIR / f"{output}.json").unlink(missing_ok=True)
            print(f"[bench] == {name} (limit {limit} s)", flush=True)
            started, cpu_before = time.monotonic(), benchlib.cpu_times()
            ours_before = _tree_cpu() + benchlib.service_cpu_seconds()
            load_before = Path("/proc/loadavg").read_text().split()[0]
            code = benchlib.run_child(BENCH_DIR / script, extra, timeout=limit)
            durations[name] = time.monotonic() - started
            cpu_after = benchlib.cpu_times()
            share = benchlib.cpu_share(cpu_before, cpu_after)
            ours = _tree_cpu() + benchlib.service_cpu_seconds() - ours_before
            busy = benchlib.busy_cpu_seconds(cpu_after) - benchlib.busy_cpu_seconds(cpu_before)
            other = max(0.0, busy - ours)
            cores = os.cpu_count() or 1
            load[name] = (
                f"load average {load_before} at start, CPU busy {share.get('busy', 0):.0%}, of which other "
                f"processes (not the bench, PostgreSQL or Redis) {other:.0f} CPU-s = "
                f"{other / max(1.0, durations[name] * cores):.0%} of the machine, steal {share.get('steal', 0):.1%}"
            )
            missing = [o for o in OUTPUTS[name] if not (OUT_DIR / f"{o}.json").exists()]
            if code != 0 or missing:
                failures.append(f"{name} (exit code {code}; missing {', '.join(missing) or 'nothing'})")
            print(f"[bench] {name} took {durations[name]:.0f} s", flush=True)
    finally:
        CLEANUP.run()
        for step in (benchlib.pg_drop, benchlib.redis_flush):  # in case a part was killed before its own cleanup
            try:
                step()
            except Exception as exc:
                print(f"[bench] final cleanup {step.__name__} failed: {exc!r}", file=sys.stderr)

    benchlib.write_result("run", {"durations": durations, "failures": failures, "load": load})
    write_report(Path(args.output), durations, failures, load)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    benchlib.start_bench()
    main()
