"""Measure the real SDK calling the local emulator: per-call p50/p99 and total for 200 sequential calls.

Run from the project root: `.venv/bin/python bench/bench_emulator.py [--calls 200]`. It sets up Django itself
(DJANGO_SETTINGS_MODULE=config.settings, demo mode, throwaway keys), starts the emulator on a free loopback port
and calls it through dataworks_client. The rate limiter is left out so the numbers are the protocol's own cost.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_KEY_ID = "LTAIbench000000000000"
BENCH_SECRET = "bench-secret-not-used-anywhere-else"  # noqa: S105 - a throwaway key for the local emulator


def setup_django() -> None:
    """Configure the environment the SDK and config.settings need, then set Django up."""
    sys.path.insert(0, str(ROOT))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": BENCH_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": BENCH_SECRET,
            "DATAWORKS_PROTOCOL": "http",
            "DATAWORKS_EXTENSION_CODE": "bench-extension",
        }
    )
    os.environ.setdefault("REVIEW_GATE_DEMO", "1")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    import django

    django.setup()


def timed(calls: int, call: Callable[[], object]) -> list[float]:
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def report(label: str, durations: list[float]) -> None:
    ordered = sorted(durations)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(
        f"{label:<28} calls={len(ordered)} p50={statistics.median(ordered):.2f} ms "
        f"p99={p99:.2f} ms max={ordered[-1]:.2f} ms total={sum(ordered):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    # One INFO line per call would drown the report.
    logging.getLogger("dataworks_client").setLevel(logging.WARNING)

    from django.conf import settings

    from dataworks_client.client import DataWorksClient
    from dataworks_client.conf import load_settings
    from dataworks_client.emulator import start_emulator
    from dataworks_client.ratelimit import DatabaseBackend, RateLimiter

    with start_emulator(access_key_id=BENCH_KEY_ID, access_key_secret=BENCH_SECRET) as emulator:
        settings.DATAWORKS_ENDPOINT = emulator.endpoint
        emulator.store.put_event_detail("bench-msg", 42, {"CommittedFile": {"FileId": 1, "Content": "SELECT 1;"}})
        no_limit = RateLimiter(
            DatabaseBackend(), reads_per_second=0, writes_per_second=0, max_wait_seconds=0, namespace="bench"
        )
        started = time.perf_counter()
        client = DataWorksClient(load_settings(), limiter=no_limit)  # imports the SDK
        print(f"SDK import and client construction: {(time.perf_counter() - started) * 1000:.0f} ms")

        first = timed(1, lambda: client.get_event_detail("bench-msg", 42))
        print(f"First call (new connection): {first[0]:.1f} ms")
        report("GetIDEEventDetail", timed(args.calls, lambda: client.get_event_detail("bench-msg", 42)))
        report("UpdateIDEEventResult", timed(args.calls, lambda: client.send_ide_result("bench-msg", "OK", "ok")))
        report("UpdateWorkbenchEventResult", timed(args.calls, lambda: client.send_workbench_result("m", "OK", "")))
        print(f"Callbacks recorded by the emulator: {len(emulator.store.callbacks)}")


if __name__ == "__main__":
    main()
