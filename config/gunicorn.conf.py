"""gunicorn settings for Review Gate (`make run`, the Procfile, the systemd unit); GUNICORN_* variables override.

Threaded workers (`gthread`), so that slow clients cannot take the whole server: gunicorn has no time limit for
receiving a request's headers, and a sync worker serves one connection at a time, so eight clients trickling their
headers a byte a second held all five sync workers until the timeout, and `/healthz` and the webhook waited (issue
13). A gthread worker waits for a connection's first bytes in its main loop (without a thread), and each slow client
then holds one of its threads only; with THREADS threads per worker, every worker still answers while fewer than
THREADS slow clients hold it (tests/production/test_slow_clients.py). This raises the bar, it does not remove it: on
the internet, put a buffering proxy in front (docs/deploy.md, deploy/nginx/review-gate.conf), which receives the
whole request before gunicorn sees it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

_BASE_DIR = Path(__file__).resolve().parent.parent
if str(_BASE_DIR) not in sys.path:
    sys.path.insert(0, str(_BASE_DIR))
# Metrics: every worker of this host writes its values into one directory, which /metrics sums (docs/operations.md).
# Set here so the workers inherit it; the first process to start on the host wipes it (operations.multiproc).
_DATA_DIR = Path(os.environ.get("REVIEW_GATE_DATA_DIR") or _BASE_DIR / "var")
METRICS_DIR = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or _DATA_DIR / "prometheus")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)

worker_class = "gthread"
# Requests are short (the webhook stores and enqueues; pages query the database). Processes use the CPUs (the GIL
# binds each to one); threads keep a process answering while some of its connections are slow. Each thread that has
# served a request keeps its database connection (CONN_MAX_AGE), so WORKERS x THREADS bounds the connections of one
# host (docs/deploy.md: PgBouncer for many hosts).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# For gthread workers, the time a worker's main loop may go without a heartbeat before it is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Idle keep-alive connections wait in the worker's main loop (no thread) and are closed after this many seconds.
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; rarely, since a restart costs ~1 s of
# imports during which that worker answers nothing (it showed as p99 spikes under saturation in bench/RESULTS.md).
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# No query strings or bodies in the access log: a URL may carry a token someone pasted by mistake. The last field is
# the request id every application log line of the request carries (config.middleware.RequestIdMiddleware).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited (recycled, crashed): drop its live gauges and its claim on the metrics directory."""
    from operations.multiproc import process_exited

    process_exited(METRICS_DIR, worker.pid)
