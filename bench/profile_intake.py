"""Profile the webhook in-process: where the server time of one unique event goes (evidence for RESULTS.md).

Run: `python bench/profile_intake.py [--backend postgres|sqlite] [--events 500]`. It creates the bench database
(dropped at exit), posts unique commit-file events through Django's test Client with production settings, and
prints the mean server time per event, with and without the queue enqueue, and the top functions under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(benchlib.BACKENDS), help="one backend (default: both)")
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--quiet", action="store_true", help="write bench/out/ JSON only, print no profile")
    args = parser.parse_args()
    count = max(10, min(args.events, 5000))

    def measure(key: str) -> dict[str, object]:
        backend = benchlib.BACKENDS[key]
        env = benchlib.app_env(backend, benchlib.temp_dir("profile-intake"))
        benchlib.prepare_database(backend, env)
        with benchlib.django_for({**env, "LOG_LEVEL": "WARNING"}):
            return run(env, count, args.top, backend.label, quiet=args.quiet)

    benchlib.run_backends(Path(__file__), "intake-profile", args.backend, measure, timeout=300)


def run(env: dict[str, str], count: int, top: int, label: str, *, quiet: bool) -> dict[str, object]:
    from unittest import mock

    from django.test import Client

    from events.simulation import build

    template = json.dumps(build("commit-file", project_id=10001, message_id="__MESSAGE_ID__").event)
    client = Client()
    headers = {"x-eventbridge-signature-token": env["EVENTBRIDGE_TOKEN"]}

    def post(prefix: str, index: int) -> None:
        body = template.replace("__MESSAGE_ID__", f"{prefix}-{index}")
        response = client.post("/events/eventbridge/", body, content_type="application/json", headers=headers)
        assert response.status_code == 202, response.content

    def timed(prefix: str) -> dict[str, float]:
        """Mean wall and CPU time per event (wall includes waiting for the database's commit to reach disk)."""
        started, cpu = time.perf_counter(), time.process_time()
        for index in range(count):
            post(prefix, index)
        return {
            "wall_ms": (time.perf_counter() - started) * 1000 / count,
            "cpu_ms": (time.process_time() - cpu) * 1000 / count,
        }

    for index in range(20):  # warm-up: connections, imports, caches
        post("warm", index)
    results: dict[str, dict[str, float]] = {"as is": timed("plain")}
    with mock.patch("events.services.enqueue_event_processing_with_commit"):
        results["without the enqueue"] = timed("noenqueue")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        client.get("/healthz")
    results["/healthz"] = {
        "wall_ms": (time.perf_counter() - started) * 1000 / count,
        "cpu_ms": (time.process_time() - cpu) * 1000 / count,
    }

    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(count):
        post("profiled", index)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    cumulative = "\n".join(line for line in out.getvalue().splitlines() if line.strip())

    if not quiet:
        print(f"## Webhook profile ({label}, {count} unique commit-file events, Django test Client, in-process)\n")
        for name, value in results.items():
            print(f"- {name}: {value['wall_ms']:.2f} ms wall, {value['cpu_ms']:.2f} ms CPU per request")
        print(f"\n### Top {top} by cumulative time\n\n```\n{cumulative}\n```\n")
    return {"backend": label, "events": count, "per_event": results, "profile_cumulative": cumulative[:8000]}


if __name__ == "__main__":
    benchlib.start_bench()
    main()
