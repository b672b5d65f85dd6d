"""The periodic sweeper (a django-q2 Schedule, every minute): nothing decided is left undelivered, nothing late.

Each step is idempotent and bounded, so two overlapping sweeps do no harm: re-queue due or orphaned deliveries,
expire tickets past their timeout, re-queue preparations and events whose task was lost (the due-time loop of
approvals.jobs.timer does that within seconds; this is the safety net), refresh the extension parameters, report
the age of the oldest undelivered result, and run the steps other apps registered (the retention purge of
`operations`, which acts at most once a day).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

from approvals.delivery import outbox
from approvals.delivery import selectors as delivery_selectors
from approvals.errors import TicketNotOpen
from approvals.intake.recovery import preparation_dispatch_due
from approvals.jobs.timer import lost_after, run_extra_steps
from approvals.models import Ticket
from approvals.tickets import services
from approvals.tickets.workspace import extension_parameters
from events.services import event_requeue_stale

logger = logging.getLogger(__name__)
DISPATCH_GRACE = timedelta(minutes=3)
OLDEST_UNDELIVERED_KEY = "review-gate:oldest-undelivered-seconds"
ALERT_AFTER = timedelta(minutes=10)

SweepStep = Callable[[datetime], Any]  # (now) -> what it did, for the sweep's report
_sweep_steps: dict[str, SweepStep] = {}


def register_sweep_step(name: str, step: SweepStep) -> None:
    """Run `step(now)` in every sweep (once a minute), after approvals' own steps: the way apps that build on
    approvals (operations: the retention purge) hook slow, rare work in. A step decides itself how often it acts."""
    _sweep_steps[name] = step


def _run_sweep_steps(now: datetime) -> dict[str, Any]:
    done: dict[str, Any] = {}
    for name, step in tuple(_sweep_steps.items()):
        try:
            done[name] = step(now)
        except Exception:  # one failing step must not stop the sweep; it is logged and tried again next minute
            logger.exception("Sweep step %s failed", name)
            done[name] = None
    return done


def sweep(now: datetime | None = None) -> dict[str, Any]:
    """Run every sweeper step once and return what it did."""
    now = now or timezone.now()
    report: dict[str, Any] = {}
    due = delivery_selectors.due_for_dispatch(now, grace=DISPATCH_GRACE)
    outbox.dispatch(due)
    report["requeued_deliveries"] = len(due)
    report["expired_tickets"] = _expire(now)
    # The due-time loop (approvals.jobs.timer) does these within seconds; here they run again as a safety net.
    report["requeued_preparations"] = preparation_dispatch_due(now=now, lost_after=lost_after())
    report["requeued_events"] = event_requeue_stale(now=now, older_than=lost_after())
    report.update(run_extra_steps(now))  # other apps' due work (notifications, reminders)
    extension_parameters(refresh=True)
    report["oldest_undelivered_seconds"] = _oldest_undelivered(now)
    report.update(_run_sweep_steps(now))
    if any(report[k] for k in ("requeued_deliveries", "expired_tickets", "requeued_preparations", "requeued_events")):
        logger.info("Sweep: %s", report)
    return report


def _expire(now: datetime) -> int:
    expired = 0
    due = Ticket.objects.filter(status=Ticket.Status.PENDING, expires_at__lte=now).values_list("pk", flat=True)[:500]
    for ticket_id in due:
        try:
            services.ticket_expire(ticket_id=ticket_id, now=now)
            expired += 1
        except TicketNotOpen:  # decided by a human a moment ago: nothing to do
            continue
    return expired


def _oldest_undelivered(now: datetime) -> float | None:
    oldest = delivery_selectors.undelivered().aggregate(oldest=Min("created_at"))["oldest"]
    age = (now - oldest).total_seconds() if oldest else None
    try:
        cache.set(OLDEST_UNDELIVERED_KEY, age, 300)
    except Exception as exc:  # an unreachable cache must not stop the sweep
        logger.warning("Cache unavailable (%s); oldest undelivered age not stored", type(exc).__name__)
    if oldest and now - oldest > ALERT_AFTER:
        logger.error("The oldest undelivered result is %.0f s old; DataWorks users are waiting", age)
    return age
