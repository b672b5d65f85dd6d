"""Read queries of the result outbox: what is still undelivered, and what is due to be queued again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet

from approvals.models import Callback


def undelivered() -> QuerySet[Callback]:
    """Return the records still to be delivered."""
    return Callback.objects.filter(state__in=(Callback.State.PENDING, Callback.State.SENDING))


def due_or_abandoned(
    now: datetime, *, lost_after: timedelta, every_expired_claim: bool, pending: str, sending: str
) -> Q:
    """The rows of an outbox (fields `state`, `next_attempt_at`, `claimed_until`, `dispatched_at`) to queue (again):
    due and not queued for this attempt, queued longer than `lost_after` ago without starting (a lost task), or
    claimed by a worker that died. Shared by the result outbox and the notification outbox.

    `every_expired_claim=False` (the due-time loop) takes an expired claim once, when nothing was queued since it
    was taken; True (the sweeper, the safety net) takes every expired claim each time it runs.
    """
    never_queued = Q(dispatched_at__isnull=True)
    due = Q(state=pending, next_attempt_at__lte=now) & (
        never_queued | Q(dispatched_at__lt=F("next_attempt_at")) | Q(dispatched_at__lt=now - lost_after)
    )
    expired_claim = Q(state=sending, claimed_until__lt=now)
    if not every_expired_claim:
        expired_claim &= never_queued | Q(dispatched_at__lt=F("claimed_until"))
    return due | expired_claim


def dispatch_candidates(now: datetime, *, lost_after: timedelta, every_expired_claim: bool) -> QuerySet[Callback]:
    """Return records to queue (again), oldest due first: due and not queued for this attempt, queued longer than
    `lost_after` ago without starting (a lost task), or claimed by a worker that died (an expired claim).

    `every_expired_claim=False` (the due-time loop) takes an expired claim once, when nothing was queued since it
    was taken; True (the sweeper, the safety net) takes every expired claim each time it runs.
    """
    rows = due_or_abandoned(
        now,
        lost_after=lost_after,
        every_expired_claim=every_expired_claim,
        pending=Callback.State.PENDING,
        sending=Callback.State.SENDING,
    )
    return Callback.objects.filter(rows).order_by("next_attempt_at")


def due_for_dispatch(now: datetime, *, grace: timedelta) -> list[int]:
    """Return records due to be (re)queued: due and not queued recently, or claimed by a worker that died."""
    candidates = dispatch_candidates(now, lost_after=grace, every_expired_claim=True)
    return list(candidates.values_list("pk", flat=True)[:500])
