"""Retention: purge what is only kept for a while, keep tickets and the audit trail for good.

After their configured ages (days; 0 keeps forever; docs/operations.md has the defaults):
- raw event bodies (`InboundEvent.raw_body` emptied; the event row, its hash and its validated data stay);
- stored diff renderings (`RenderedDiff`: a ticket page renders and stores again what it needs);
- delivered result-outbox rows (`Callback` DELIVERED, with their attempt log; the ticket keeps its callback status
  and its audit entry "Result delivered to DataWorks");
- sent notifications (`notifications.Notification` SENT, FOLDED or SKIPPED).
The sweeper calls `purge_daily_step` every minute; it acts at most once a day across every process (a conditional
update of one row decides which sweep does it). Each purge works in bounded batches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from approvals.models import Callback, RenderedDiff
from events.models import InboundEvent
from operations.models import DailyRun, TicketReadyAt

logger = logging.getLogger(__name__)
BATCH = 500
MAX_BATCHES = 200  # a first purge of years of data is spread over several days rather than one long sweep
PURGE_JOB = "retention-purge"
PURGE_EVERY = timedelta(hours=23)  # "daily-ish": a sweep that runs a little early still counts as the next day


@dataclass(frozen=True, slots=True)
class Purgeable:
    """One kind of data to purge: its name, its retention setting, and the rows past their age."""

    name: str
    setting: str

    def days(self) -> int:
        return int(getattr(settings, self.setting))


KINDS = (
    Purgeable("event_bodies", "REVIEW_GATE_RETAIN_EVENT_BODIES_DAYS"),
    Purgeable("rendered_diffs", "REVIEW_GATE_RETAIN_RENDERED_DIFFS_DAYS"),
    Purgeable("delivered_results", "REVIEW_GATE_RETAIN_DELIVERED_RESULTS_DAYS"),
    Purgeable("notifications", "REVIEW_GATE_RETAIN_NOTIFICATIONS_DAYS"),
)


def _candidates(name: str, cutoff: datetime) -> QuerySet[Model]:
    queryset: QuerySet[Model]
    if name == "event_bodies":
        queryset = InboundEvent.objects.filter(received_at__lt=cutoff).exclude(raw_body="")
    elif name == "rendered_diffs":
        queryset = RenderedDiff.objects.filter(created_at__lt=cutoff)
    elif name == "delivered_results":
        queryset = Callback.objects.filter(state=Callback.State.DELIVERED, delivered_at__lt=cutoff)
    elif name == "notifications":
        from notifications.models import Notification

        done = (Notification.State.SENT, Notification.State.FOLDED, Notification.State.SKIPPED)
        queryset = Notification.objects.filter(
            Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, created_at__lt=cutoff), state__in=done
        )
    else:  # pragma: no cover - KINDS lists every name
        raise ValueError(name)
    return queryset


def _purge_batch(name: str, model: type[Model], ids: list[int]) -> int:
    with transaction.atomic():
        if name == "event_bodies":
            return InboundEvent.objects.filter(pk__in=ids).update(raw_body="")
        _total, per_model = model._default_manager.filter(pk__in=ids).delete()
        return per_model.get(model._meta.label, 0)  # not the cascaded attempt log


def purge(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Purge (or, with `dry_run`, count) everything past its retention age; return how many of each kind."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for kind in KINDS:
        days = kind.days()
        if days <= 0:
            done[kind.name] = 0
            continue
        queryset = _candidates(kind.name, now - timedelta(days=days))
        if dry_run:
            done[kind.name] = queryset.count()
            continue
        total = 0
        for _batch in range(MAX_BATCHES):
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            total += _purge_batch(kind.name, queryset.model, ids)
        done[kind.name] = total
    if not dry_run:
        # Ready times of tickets decided (or gone) long ago: a decision deletes its own; these are leftovers.
        TicketReadyAt.objects.filter(ready_at__lt=now - timedelta(days=90)).delete()
    return done


def _claim_today(now: datetime) -> bool:
    """Take today's run: True for exactly one caller per PURGE_EVERY, whatever the number of sweepers."""
    DailyRun.objects.get_or_create(name=PURGE_JOB)
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - PURGE_EVERY)
    return bool(DailyRun.objects.filter(due, name=PURGE_JOB).update(last_run_at=now))


def purge_daily_step(now: datetime) -> dict[str, int] | None:
    """A sweep step: purge once a day; None when today's purge already ran."""
    if not _claim_today(now):
        return None
    done = purge(now=now)
    if any(done.values()):
        logger.info("Retention purge: %s", done)
    return done
