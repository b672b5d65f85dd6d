"""Read queries of the result outbox: what is still undelivered, and what is due to be queued again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet

from approvals.models import Callback


def undelivered() -> QuerySet[Callback]:
    """Return the records still to be delivered."""
    return Callback.objects.filter(state__in=(Callback.State.PENDING, Callback.State.SENDING))


def due_for_dispatch(now: datetime, *, grace: timedelta) -> list[int]:
    """Return records due to be (re)queued: due and not queued recently, or claimed by a worker that died."""
    due = Q(state=Callback.State.PENDING, next_attempt_at__lte=now) & (
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - grace) | Q(dispatched_at__lt=F("next_attempt_at"))
    )
    expired_claim = Q(state=Callback.State.SENDING, claimed_until__lt=now)
    return list(
        Callback.objects.filter(due | expired_claim).order_by("next_attempt_at").values_list("pk", flat=True)[:500]
    )
