"""Webhook intake under load: events/s and latency for unique CloudEvents on gunicorn, against its own /healthz.

Run: `python bench/bench_intake.py` (both backends) or `--backend sqlite|postgres` (one). For each backend it
creates a fresh database (SQLite file in a temp dir; PostgreSQL `review_gate_bench` + Redis db 15 as the broker),
migrates it, starts gunicorn with config/gunicorn.conf.py on a free 127.0.0.1 port, and measures:

1. saturation with wrk: GET /healthz (the baseline), then POST /events/eventbridge/ where every request carries a
   new CloudEvent id (bench/wrk_intake.lua), same threads/connections/duration;
2. a fixed-rate run at 100 events/s (bench/loadgen.py, a separate process): achieved rate and latency percentiles.

The queue worker is NOT running: accepted events are stored and queued, and the queue just fills. Results go to
bench/out/intake-<backend>.json; everything started or created is removed at the end, even on failure.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
import report
from benchlib import ROOT

BENCH = Path(__file__).resolve().parent


def wrk(port: int, path: str, *, threads: int, connections: int, seconds: int, script: Path, args: list[str]) -> dict:
    """Run wrk against 127.0.0.1 (bounded by -d and by a subprocess timeout) and return its JSON report."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{benchlib.LOOPBACK}:{port}{path}",
    ]
    if args:
        command += ["--", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"^WRK_JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    report = json.loads(match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    report["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    report["latency_ms"] = {k: v / 1000 for k, v in report.pop("latency_us").items()}
    report["command"] = " ".join(command[:-3] if args else command).replace(str(ROOT) + "/", "")
    return report


def group_cpu_seconds(master: int) -> float:
    """CPU used by gunicorn's master and workers, including workers that exited (reaped into cutime/cstime)."""
    total = benchlib.cpu_seconds(master)
    try:
        fields = Path(f"/proc/{master}/stat").read_text().rsplit(")", 1)[1].split()
        import os

        total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return total + sum(benchlib.cpu_seconds(pid) for pid in benchlib.children(master))


def measured(master: int, log: benchlib.Proc, run: Callable[[], dict]) -> dict:
    boots_before = log.log_text().count("Booting worker")
    cpu_before, wall_before = group_cpu_seconds(master), time.monotonic()
    report = run()
    report["server_cpu_seconds"] = group_cpu_seconds(master) - cpu_before
    report["server_cpu_ms_per_request"] = report["server_cpu_seconds"] * 1000 / max(1, report["requests"])
    report["wall_seconds"] = time.monotonic() - wall_before
    report["worker_restarts"] = log.log_text().count("Booting worker") - boots_before
    return report


def run_backend(key: str, seconds: int, connections: int, threads: int, rate: float, rate_seconds: float) -> dict:
    backend = benchlib.BACKENDS[key]
    data_dir = benchlib.temp_dir(f"intake-{key}")
    port = benchlib.free_port()
    env = benchlib.app_env(backend, data_dir, port=port)
    benchlib.prepare_database(backend, env)

    from events.simulation import build

    event = build("commit-file", project_id=10001, message_id="__MESSAGE_ID__").event
    template = data_dir / "event-template.json"
    template.write_text(json.dumps(event), encoding="utf-8")
    token = env["EVENTBRIDGE_TOKEN"]
    run_id = secrets.token_hex(4)

    common = {"threads": threads, "connections": connections}
    report_lua, intake_lua = BENCH / "wrk_report.lua", BENCH / "wrk_intake.lua"

    def intake_run(server: benchlib.Proc, duration: int, prefix: str) -> dict:
        return measured(
            server.pid,
            server,
            lambda: wrk(
                port,
                "/events/eventbridge/",
                seconds=duration,
                script=intake_lua,
                args=[str(template), token, prefix],
                **common,
            ),
        )

    # Each measured phase gets a fresh server (warmed up for 2 s, not reported), so gunicorn's max_requests
    # counters start from zero in each phase and no phase inherits the worker restarts of the one before.
    server = benchlib.start_gunicorn(env, port, data_dir / "gunicorn.log")
    workers = benchlib.children(server.pid)
    rss_idle = {pid: benchlib.rss_kib(pid) for pid in workers}
    wrk(port, "/healthz", seconds=2, script=report_lua, args=[], **common)
    healthz = measured(
        server.pid,
        server,
        lambda: wrk(port, "/healthz", seconds=seconds, script=report_lua, args=[], **common),
    )
    server.stop()

    server = benchlib.start_gunicorn(env, port, data_dir / "gunicorn.log")
    intake_run(server, 2, f"{run_id}w")
    count_before = _count_events(env)
    intake = intake_run(server, seconds, run_id)
    intake["stored_events"] = _count_events(env) - count_before

    fixed_cmd = [
        benchlib.PYTHON,
        str(BENCH / "loadgen.py"),
        "--port",
        str(port),
        "--rate",
        str(rate),
        "--duration",
        str(rate_seconds),
        "--template",
        str(template),
        "--header",
        f"x-eventbridge-signature-token: {token}",
        "--id-prefix",
        f"{run_id}-fixed",
    ]
    result = subprocess.run(fixed_cmd, capture_output=True, text=True, timeout=rate_seconds + 90, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed: {result.stderr[-2000:]}")
    fixed = json.loads(result.stdout)
    queue_depth, total_events = _queue_depth(env), _count_events(env)

    workers_now = benchlib.children(server.pid)
    rss_after = {pid: benchlib.rss_kib(pid) for pid in workers_now}
    rss_master = benchlib.rss_kib(server.pid)
    server.stop()

    return {
        "backend": backend.label,
        "key": key,
        "gunicorn_workers": len(workers),
        "healthz": healthz,
        "intake": intake,
        "fixed_rate": fixed,
        "events_stored_total": total_events,
        "queue_depth_after": queue_depth,
        "rss_kib": {
            "worker_idle": sorted(v for v in rss_idle.values() if v),
            "worker_after": sorted(v for v in rss_after.values() if v),
            "master": rss_master,
        },
        "body_bytes": len(json.dumps(event)) + len(run_id) + 10,
    }


_COUNT_SCRIPT = (
    "from events.models import InboundEvent;"
    "from django_q.brokers import get_broker;"
    "import json; print(json.dumps({'events': InboundEvent.objects.count(), 'queue': get_broker().queue_size()}))"
)


def _counts(env: dict[str, str]) -> dict:
    out = benchlib.manage(env, "shell", "--no-imports", "-c", _COUNT_SCRIPT, timeout=60)
    return json.loads(out.strip().splitlines()[-1])


def _count_events(env: dict[str, str]) -> int:
    return int(_counts(env)["events"])


def _queue_depth(env: dict[str, str]) -> int:
    return int(_counts(env)["queue"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), help="run one backend (default: all)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (it shares the 2 cores with gunicorn)")
    parser.add_argument("--rate", type=float, default=100.0, help="fixed-rate run: events per second")
    parser.add_argument("--rate-seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not 1 <= args.seconds <= 60 or not 1 <= args.connections <= 256:
        parser.error("seconds must be 1..60 and connections 1..256")
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        sys.exit("wrk is not installed: run `bash bench/install_tools.sh` (apt-get install -y wrk)")
    benchlib.run_backends(
        Path(__file__),
        "intake",
        args.backend,
        lambda key: run_backend(key, args.seconds, args.connections, args.threads, args.rate, args.rate_seconds),
        timeout=400,
        order=("sqlite", "postgres"),
        section=report.intake_section,
    )


if __name__ == "__main__":
    benchlib.start_bench()
    main()
