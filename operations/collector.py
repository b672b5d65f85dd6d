"""The gauges of /metrics, read from the database at scrape time: open tickets, undelivered results, the queue.

Every process answers a scrape with the same numbers because they come from the shared database (and the broker),
never from a process's memory. A scrape reuses the last reading for REVIEW_GATE_METRICS_CACHE_SECONDS, so a burst of
scrapes costs one set of queries per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from approvals.delivery.selectors import undelivered
from approvals.models import Ticket

_lock = threading.Lock()
_cached: tuple[float, list[GaugeMetricFamily]] | None = None


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


def _queue(now: datetime) -> tuple[int | None, float | None]:
    """Return the tasks waiting in the broker and the age of the oldest (None when the broker cannot tell)."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    try:
        broker = get_broker()
        waiting = int(broker.queue_size() or 0)
    except Exception:  # the broker is down: the gauge is absent, the doctor says why
        return None, None
    if not waiting:
        return 0, 0.0
    if not Conf.ORM:
        return waiting, None  # a Redis list keeps no enqueue time we could read cheaply
    from django_q.models import OrmQ

    # An ORM task's `lock` is its enqueue time until a worker takes it (then it moves into the future).
    oldest = OrmQ.objects.filter(key=broker.list_key, lock__lte=now).aggregate(oldest=Min("lock"))["oldest"]
    return waiting, _age(now, oldest)


def read_gauges(now: datetime | None = None) -> list[GaugeMetricFamily]:
    """Query the database and broker once and return the gauge families."""
    now = now or timezone.now()
    open_tickets = GaugeMetricFamily("review_gate_tickets_open", "Tickets waiting, by status.", labels=["status"])
    counts = dict(
        Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    for status in Ticket.OPEN_STATUSES:
        open_tickets.add_metric([str(status)], counts.get(str(status), 0))
    oldest_open = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).aggregate(oldest=Min("created_at"))["oldest"]
    pending = undelivered().aggregate(n=Count("pk"), oldest=Min("created_at"))
    families = [
        open_tickets,
        GaugeMetricFamily(
            "review_gate_oldest_open_ticket_seconds", "Age of the oldest open ticket.", value=_age(now, oldest_open)
        ),
        GaugeMetricFamily(
            "review_gate_callbacks_undelivered", "Results not yet delivered to DataWorks.", value=pending["n"]
        ),
        GaugeMetricFamily(
            "review_gate_oldest_undelivered_seconds",
            "Age of the oldest result not yet delivered to DataWorks.",
            value=_age(now, pending["oldest"]),
        ),
    ]
    waiting, oldest_task = _queue(now)
    if waiting is not None:
        families.append(
            GaugeMetricFamily("review_gate_queue_tasks_waiting", "Tasks waiting in the queue.", value=waiting)
        )
    if oldest_task is not None:
        families.append(
            GaugeMetricFamily(
                "review_gate_oldest_queued_task_seconds", "Age of the oldest task waiting.", value=oldest_task
            )
        )
    return families


class DatabaseCollector(Collector):
    """A prometheus_client collector over `read_gauges`, cached for a few seconds per process."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        global _cached
        ttl = settings.REVIEW_GATE_METRICS_CACHE_SECONDS
        with _lock:
            if _cached is None or time.monotonic() - _cached[0] >= ttl:
                _cached = (time.monotonic(), read_gauges())
            families = _cached[1]
        yield from families


def forget_cached() -> None:
    """Drop the cached reading (tests, and the doctor page, which wants numbers of now)."""
    global _cached
    with _lock:
        _cached = None
