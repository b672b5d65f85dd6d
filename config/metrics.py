"""The one registry of Review Gate's Prometheus series: counters and histograms every app records through here.

Neutral ground like `config/queue.py`: `events`, `dataworks_client`, `approvals` and `notifications` import these
functions, never each other. Every label value is bounded here (an allowed set, else `other`), so no caller can turn
an id or a hostile string into a new series. The gauges (open tickets, undelivered results, the queue) are not here:
they are read from the database at scrape time (`operations.collector`), because only the database sees every
process.

Processes: the values live in prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, set by
`config/settings/observability.py` before prometheus_client is first imported), so the /metrics view of any web
process sums what every gunicorn worker and every queue worker of the host recorded (docs/operations.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

OTHER = "other"
UNKNOWN = "unknown"

EVENT_OUTCOMES = frozenset({"accepted", "duplicate", "invalid", "unauthorized", "too_large", "unavailable"})
DECISION_RESULTS = frozenset({"OK", "WARN", "FAIL"})
DECISION_VIA = frozenset({"human", "auto", "timeout", "override", "chat", "batch"})
CALLBACK_APIS = frozenset({"UpdateIDEEventResult", "UpdateWorkbenchEventResult", "CallbackExtension"})
CALLBACK_OUTCOMES = frozenset({"delivered", "throttled", "transient", "permanent"})
NOTIFICATION_CHANNELS = frozenset({"dingtalk", "feishu", "wecom", "slack", "webhook", "email"})
NOTIFICATION_OUTCOMES = frozenset({"sent", "throttled", "transient", "permanent", "skipped"})
# DataWorks error codes, reduced to the family a runbook acts on (prefix match, first wins): the raw code is in the
# logs and the admin; the label only says which kind of trouble it is.
DATAWORKS_ERROR_FAMILIES = (
    "Throttling",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "Forbidden",
    "InvalidParameter",
    "MissingParameter",
    "InternalError",
    "ServiceUnavailable",
    "Local.Transport",
    "Local.Credentials",
    "Local.RateLimited",
    "Local.SuccessFalse",
    "Local.NoData",
)
# Codes that say our setup is wrong (credentials, signature, permission, parameters): what
# deploy/prometheus/alerts.yml pages on. NotFound is left out: a file or workspace deleted meanwhile is routine.
DATAWORKS_PERMANENT_FAMILIES = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "Forbidden",
    "InvalidParameter",
    "MissingParameter",
    "Local.Credentials",
)
_ACTION = re.compile(r"^[A-Z][A-Za-z0-9]{1,63}$")  # a DataWorks API action name (our code passes literals)

# Seconds: the webhook and DataWorks calls are sub-second; people take minutes to hours.
_FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_PIPELINE_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
_HUMAN_BUCKETS = (30, 60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800)

EVENTS_RECEIVED = Counter(
    "review_gate_events_received", "Webhook deliveries by event code and outcome.", ["event_code", "outcome"]
)
DECISIONS = Counter("review_gate_decisions", "Decisions by result and by how they were made.", ["result", "via"])
EVENT_TO_READY = Histogram(
    "review_gate_event_to_ready_seconds",
    "From the event's arrival to its ticket waiting for reviewers.",
    buckets=_PIPELINE_BUCKETS,
)
READY_TO_DECISION = Histogram(
    "review_gate_ready_to_decision_seconds", "From a ticket ready for review to its decision.", buckets=_HUMAN_BUCKETS
)
DECISION_TO_DELIVERY = Histogram(
    "review_gate_decision_to_delivery_seconds",
    "From a decision to DataWorks accepting its result.",
    buckets=_PIPELINE_BUCKETS,
)
CALLBACK_DELIVERIES = Counter(
    "review_gate_callback_deliveries", "Result delivery attempts by API and outcome.", ["api", "outcome"]
)
DATAWORKS_CALL_SECONDS = Histogram(
    "review_gate_dataworks_call_seconds", "DataWorks OpenAPI calls by action.", ["action"], buckets=_FAST_BUCKETS
)
DATAWORKS_ERRORS = Counter(
    "review_gate_dataworks_errors", "Failed DataWorks calls by action and error family.", ["action", "code"]
)
NOTIFICATIONS = Counter(
    "review_gate_notifications", "Chat and mail notifications by channel kind and outcome.", ["channel_kind", "outcome"]
)


def bounded(value: str | None, allowed: Iterable[str], *, empty: str = UNKNOWN) -> str:
    """Return `value` when it is one of `allowed`, `empty` when it is empty, and `other` for anything else."""
    if not value:
        return empty
    return value if value in allowed else OTHER


def dataworks_error_family(code: str | None) -> str:
    """Reduce a DataWorks error code to a bounded family: a known prefix, `NotFound`, or `other`."""
    text = code or ""
    for family in DATAWORKS_ERROR_FAMILIES:
        if text.startswith(family):
            return family
    if text.endswith(("NotExist", "NotExists", "NotFound")):
        return "NotFound"
    return UNKNOWN if not text else OTHER


def _action(action: str) -> str:
    return action if _ACTION.match(action or "") else OTHER


def event_received(event_code: str, outcome: str) -> None:
    """Count one webhook delivery. `event_code` must already be bounded by the caller (catalogue, unknown, other)."""
    code = event_code if len(event_code) <= 64 else OTHER
    EVENTS_RECEIVED.labels(event_code=code, outcome=bounded(outcome, EVENT_OUTCOMES)).inc()


def decision_made(result: str, via: str) -> None:
    """Count one decision (result OK/WARN/FAIL; via human, auto, timeout, override, chat, batch)."""
    DECISIONS.labels(result=bounded(result, DECISION_RESULTS), via=bounded(via, DECISION_VIA)).inc()


def observe_event_to_ready(seconds: float) -> None:
    """Record how long an event took to become a ticket waiting for review."""
    EVENT_TO_READY.observe(max(0.0, seconds))


def observe_ready_to_decision(seconds: float) -> None:
    """Record how long a ready ticket waited for its decision."""
    READY_TO_DECISION.observe(max(0.0, seconds))


def callback_delivery(api: str, outcome: str, decision_to_delivery_seconds: float | None = None) -> None:
    """Count one result delivery attempt; on `delivered`, also record the time since the decision."""
    CALLBACK_DELIVERIES.labels(api=bounded(api, CALLBACK_APIS), outcome=bounded(outcome, CALLBACK_OUTCOMES)).inc()
    if decision_to_delivery_seconds is not None:
        DECISION_TO_DELIVERY.observe(max(0.0, decision_to_delivery_seconds))


def dataworks_call(action: str, seconds: float, error_code: str | None = None, *, failed: bool = False) -> None:
    """Record one DataWorks call's duration and, when it failed, its error family."""
    label = _action(action)
    DATAWORKS_CALL_SECONDS.labels(action=label).observe(max(0.0, seconds))
    if failed:
        DATAWORKS_ERRORS.labels(action=label, code=dataworks_error_family(error_code)).inc()


def notification_sent(channel_kind: str, outcome: str) -> None:
    """Count one notification attempt (outcome: sent, throttled, transient, permanent, skipped)."""
    NOTIFICATIONS.labels(
        channel_kind=bounded(channel_kind, NOTIFICATION_CHANNELS),
        outcome=bounded(outcome, NOTIFICATION_OUTCOMES),
    ).inc()
