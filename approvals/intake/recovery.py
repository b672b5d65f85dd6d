"""Queue preparations that are due: a retry whose time has come, or a ticket whose worker died (its lease ran out).

Called by the due-time loop in every queue worker (approvals.jobs.timer) and by the sweeper as a safety net. The
queue stamp (`prepare_dispatched_at`) is claimed by a conditional update, so two loops never queue one ticket twice
at once; processing itself is idempotent under the preparation lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q

from approvals.models import Ticket
from approvals.tickets import services
from events.queue import enqueue_event_processing_or_log


def preparation_dispatch_due(*, now: datetime, lost_after: timedelta, limit: int = 200) -> int:
    """Queue the processing of every PREPARING ticket that is due or abandoned; return how many were queued."""
    never_queued = Q(prepare_dispatched_at__isnull=True)
    lost = Q(prepare_dispatched_at__lt=now - lost_after)
    retry_due = Q(prepare_next_attempt_at__lte=now) & (
        never_queued | Q(prepare_dispatched_at__lt=F("prepare_next_attempt_at")) | lost
    )
    lease_over = Q(prepare_claimed_until__lt=now) | Q(
        prepare_claimed_until__isnull=True, created_at__lt=now - lost_after
    )
    abandoned = (
        Q(prepare_next_attempt_at__isnull=True)
        & lease_over
        & (never_queued | Q(prepare_dispatched_at__lt=F("prepare_claimed_until")) | lost)
    )
    rows = (
        Ticket.objects.filter(status=Ticket.Status.PREPARING)
        .filter(retry_due | abandoned)
        .order_by("created_at")
        .values_list("pk", "event_id", "prepare_dispatched_at")[:limit]
    )
    queued = 0
    for ticket_id, event_id, stamp in rows:
        if services.ticket_mark_preparation_queued(ticket_id=ticket_id, seen=stamp, now=now):
            enqueue_event_processing_or_log(event_id)
            queued += 1
    return queued
