"""gunicorn settings for Review Gate (used by `make run` and production; override with GUNICORN_* variables)."""

from __future__ import annotations

import multiprocessing
import os

# Requests are short (the webhook stores and enqueues; pages query the database), so sync workers sized from the
# CPU count serve them; more than 2*CPU+1 only adds memory.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; rarely, since a restart costs ~1 s of
# imports during which that worker answers nothing (it showed as p99 spikes under saturation in bench/RESULTS.md).
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# No query strings or bodies in the access log: a URL may carry a token someone pasted by mistake.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
