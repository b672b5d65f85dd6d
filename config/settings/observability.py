"""Metrics and retention for operators: the /metrics token, the multiprocess directory, the retention ages.

The multiprocess directory must be in the environment before prometheus_client is first imported (it picks its value
store then; django-q2 imports it while the apps load), so this module sets PROMETHEUS_MULTIPROC_DIR and prepares the
directory: the first process to start on a host wipes what the previous run left (operations.multiproc).
"""

from __future__ import annotations

import os
from pathlib import Path

from config.env import env_int, env_str
from config.settings._mode import DATA_DIR
from operations.multiproc import prepare

# Bearer token for GET /metrics; unset: only loopback clients may read it.
REVIEW_GATE_METRICS_TOKEN = env_str("REVIEW_GATE_METRICS_TOKEN")
# Per host; shared by the web and worker processes of that host (docs/operations.md).
REVIEW_GATE_METRICS_DIR = Path(env_str("PROMETHEUS_MULTIPROC_DIR") or DATA_DIR / "prometheus")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(REVIEW_GATE_METRICS_DIR)
prepare(REVIEW_GATE_METRICS_DIR)
# Seconds a scrape reuses the database-derived gauges (a scrape storm costs one set of queries per process).
REVIEW_GATE_METRICS_CACHE_SECONDS = env_int("REVIEW_GATE_METRICS_CACHE_SECONDS", 5, minimum=0, maximum=300)

# Retention, in days (0 keeps forever): what is purged once a day by the sweeper, or by `manage.py purge`.
REVIEW_GATE_RETAIN_EVENT_BODIES_DAYS = env_int("REVIEW_GATE_RETAIN_EVENT_BODIES_DAYS", 180, minimum=0)
REVIEW_GATE_RETAIN_RENDERED_DIFFS_DAYS = env_int("REVIEW_GATE_RETAIN_RENDERED_DIFFS_DAYS", 30, minimum=0)
REVIEW_GATE_RETAIN_DELIVERED_RESULTS_DAYS = env_int("REVIEW_GATE_RETAIN_DELIVERED_RESULTS_DAYS", 180, minimum=0)
REVIEW_GATE_RETAIN_NOTIFICATIONS_DAYS = env_int("REVIEW_GATE_RETAIN_NOTIFICATIONS_DAYS", 90, minimum=0)
