"""Read queries of the result outbox: what is still undelivered, and what is due to be queued again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet

from approvals.models import Callback


def undelivered() -> QuerySet[Callback]:
    """Return the records still to be delivered."""
    return Callback.objects.filter(state__in=(Callback.State.PENDING, Callback.State.SENDING))


def dispatch_candidates(now: datetime, *, lost_after: timedelta, every_expired_claim: bool) -> QuerySet[Callback]:
    """Return records to queue (again), oldest due first: due and not queued for this attempt, queued longer than
    `lost_after` ago without starting (a lost task), or claimed by a worker that died (an expired claim).

    `every_expired_claim=False` (the due-time loop) takes an expired claim once, when nothing was queued since it
    was taken; True (the sweeper, the safety net) takes every expired claim each time it runs.
    """
    never_queued = Q(dispatched_at__isnull=True)
    due = Q(state=Callback.State.PENDING, next_attempt_at__lte=now) & (
        never_queued | Q(dispatched_at__lt=F("next_attempt_at")) | Q(dispatched_at__lt=now - lost_after)
    )
    expired_claim = Q(state=Callback.State.SENDING, claimed_until__lt=now)
    if not every_expired_claim:
        expired_claim &= never_queued | Q(dispatched_at__lt=F("claimed_until"))
    return Callback.objects.filter(due | expired_claim).order_by("next_attempt_at")


def due_for_dispatch(now: datetime, *, grace: timedelta) -> list[int]:
    """Return records due to be (re)queued: due and not queued recently, or claimed by a worker that died."""
    candidates = dispatch_candidates(now, lost_after=grace, every_expired_claim=True)
    return list(candidates.values_list("pk", flat=True)[:500])
