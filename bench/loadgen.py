"""A small open-loop HTTP load generator for 127.0.0.1: fixed rate, raw sockets, one connection per request.

Request i is due at start + i/rate. A pool of threads sends each request when it is due (or as soon as a thread is
free), so a slow server shows up as latency instead of a lower offered rate: latency is measured from the moment the
request was *due* (no coordinated omission) and, separately, from the moment it was actually sent (service time).
gunicorn's sync workers close the connection after each answer, so each request opens its own connection.

As a script (the intake benchmark runs it as a separate process from the server):

    python bench/loadgen.py --port 8000 --path /events/eventbridge/ --rate 100 --duration 10 \
        --template body.json --header 'x-eventbridge-signature-token: ...' --id-prefix run1

`--template` is a JSON body containing the placeholder __MESSAGE_ID__, replaced by a unique id per request. It prints
one JSON object with the achieved rate, status counts and latency percentiles. Every run is bounded: at most
rate*duration requests, and it stops by itself `duration + 30` seconds after starting at the latest.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
PLACEHOLDER = "__MESSAGE_ID__"
MAX_REQUESTS = 100_000


@dataclass
class Sample:
    index: int
    status: int  # 0 = connection error or timeout
    due: float
    sent: float
    done: float
    body: bytes = b""

    @property
    def latency_ms(self) -> float:
        return (self.done - self.due) * 1000

    @property
    def service_ms(self) -> float:
        return (self.done - self.sent) * 1000


def build_request(port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_raw(port: int, request: bytes, timeout: float, keep_body: bool = False) -> tuple[int, bytes]:
    """Send one request on a new connection and read the answer until the server closes it."""
    chunks = []
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) >= 2 and status_line[1].isdigit() else 0
    return status, body if keep_body else b""


def run_fixed_rate(
    port: int,
    requests: list[bytes] | Callable[[int], bytes],
    *,
    rate: float,
    count: int,
    concurrency: int = 32,
    timeout: float = 10.0,
    max_seconds: float | None = None,
    keep_body: bool = False,
) -> tuple[list[Sample], float]:
    """Send `count` requests at `rate` per second; return the samples and the wall time from first due to last done."""
    count = min(count, MAX_REQUESTS)
    max_seconds = max_seconds if max_seconds is not None else count / rate + 30
    samples: list[Sample] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.05
    stop_at = start + max_seconds

    def one(index: int, due: float) -> None:
        request = requests[index] if isinstance(requests, list) else requests(index)
        sent = time.perf_counter()
        if sent > stop_at:
            return
        try:
            status, body = send_raw(port, request, timeout, keep_body)
        except OSError:
            status, body = 0, b""
        sample = Sample(index, status, due, sent, time.perf_counter(), body)
        with lock:
            samples.append(sample)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="loadgen") as pool:
        for index in range(count):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            if time.perf_counter() > stop_at:
                break
            pool.submit(one, index, due)
    wall = (max((s.done for s in samples), default=start) - start) if samples else 0.0
    samples.sort(key=lambda s: s.index)
    return samples, wall


def describe(samples: list[Sample], wall: float, rate: float) -> dict[str, object]:
    from benchlib import summary_ms  # bench/ is on sys.path when run as a script or imported by a bench

    statuses = Counter(s.status for s in samples)
    ok = [s for s in samples if 200 <= s.status < 300]
    return {
        "offered_rate": rate,
        "requests": len(samples),
        "ok": len(ok),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_seconds": wall,
        "achieved_rate": len(ok) / wall if wall > 0 else 0.0,
        "latency_ms": summary_ms([s.latency_ms for s in ok]),
        "service_ms": summary_ms([s.service_ms for s in ok]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/events/eventbridge/")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--template", required=True, help="JSON body file with the __MESSAGE_ID__ placeholder")
    parser.add_argument("--header", action="append", default=[], help="'Name: value' (repeatable)")
    parser.add_argument("--id-prefix", default="loadgen")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if not 0 < args.rate <= 10_000 or not 0 < args.duration <= 600:
        parser.error("rate must be in (0, 10000] and duration in (0, 600]")
    with open(args.template, encoding="utf-8") as file:  # noqa: PTH123 - stdlib only
        template = file.read()
    if PLACEHOLDER not in template:
        parser.error(f"the template has no {PLACEHOLDER}")
    before, after = template.split(PLACEHOLDER, 1)
    headers = {"Content-Type": "application/json"}
    for item in args.header:
        name, _, value = item.partition(":")
        headers[name.strip()] = value.strip()

    def request(index: int) -> bytes:
        body = f"{before}{args.id_prefix}-{index}{after}".encode()
        return build_request(args.port, "POST", args.path, body, headers)

    count = int(args.rate * args.duration)
    samples, wall = run_fixed_rate(args.port, request, rate=args.rate, count=count, concurrency=args.concurrency)
    json.dump(describe(samples, wall, args.rate), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
    main()
