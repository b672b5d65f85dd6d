"""Write notification outbox rows in the transaction of the ticket change that causes them, and queue them.

A subscriber of the transition layer (approvals.tickets.changes): the rows commit or roll back with the change, so
no message goes out for a change that rolled back; after the commit each row's delivery is queued. Every row has
a dedupe key, so a repeated change (a ticket made ready again after a retried preparation) writes nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from approvals.delivery.selectors import due_or_abandoned
from approvals.models import Ticket
from approvals.tickets.changes import Change, TicketChanged
from approvals.tickets.services import automatic_outcome
from config.queue import enqueue_or_log
from notifications.channels.message import Intent, Kind
from notifications.facts import developer_user_id, waiting_reviewer_ids
from notifications.models import Channel, Notification

logger = logging.getLogger(__name__)
User = get_user_model()
DELIVER_TASK = "notifications.tasks.deliver_notification"
_STAFF_INTENTS = {
    Change.NEEDS_ATTENTION: Intent.NEEDS_ATTENTION,
    Change.UNREACHABLE: Intent.UNREACHABLE,
    Change.CALLBACK_FAILED: Intent.DELIVERY_FAILED,
}


def notify_on_change(change: TicketChanged) -> None:
    """Write the messages a ticket change causes (an in-transaction subscriber, registered in apps.py)."""
    if change.change == Change.READY:
        ticket = Ticket.objects.get(pk=change.ticket_id)
        if automatic_outcome(list(ticket.rules.all())) is not None:
            return  # decided by a rule in a moment: safe changes pass by themselves, quietly
        _to_rule_channels(ticket, Intent.READY)
    elif change.change == Change.DECIDED:
        # Only tickets people were told about: a change that passed by a rule's automatic outcome stays quiet.
        if Notification.objects.filter(ticket_id=change.ticket_id, intent=Intent.READY).exists():
            ticket = Ticket.objects.select_related("decided_by").get(pk=change.ticket_id)
            _to_rule_channels(ticket, Intent.DECIDED)
            _to_developer(ticket)
    elif change.change in _STAFF_INTENTS:
        staff_alert(change.ticket_id, _STAFF_INTENTS[change.change])


def rule_channels(ticket: Ticket) -> list[Channel]:
    """Return the enabled channels named by the ticket's matched rules, in name order."""
    names = {name for notify in ticket.rules.values_list("notify", flat=True) for name in (notify or [])}
    return list(Channel.objects.filter(name__in=names, enabled=True).order_by("name"))


def _to_rule_channels(ticket: Ticket, intent: Intent) -> None:
    waiting = waiting_reviewer_ids(ticket) if intent != Intent.DECIDED else []
    for channel in rule_channels(ticket):
        # The outcome goes to the same people who were asked to review.
        asked = Notification.objects.filter(
            ticket=ticket, channel=channel, intent=Intent.READY, recipient__isnull=False
        )
        reviewer_ids = list(asked.values_list("recipient_id", flat=True)) if intent == Intent.DECIDED else waiting
        write_for_channel(ticket, channel, intent, reviewer_ids=reviewer_ids)


def write_for_channel(
    ticket: Ticket,
    channel: Channel,
    intent: Intent,
    *,
    reviewer_ids: list[int],
    round_: int = 0,
    reason: str = "",
    mention_group: str = "",
) -> list[int]:
    """Write one row for a chat or webhook channel, or one per address for an e-mail channel (its own list, else
    each waiting reviewer's address). `round_` tells repeated messages apart (reminder 1, 2, ...)."""
    if channel.kind != Kind.EMAIL or channel.to:
        return _write(
            ticket, channel, intent, target="channel", round_=round_, reason=reason, mention_group=mention_group
        )
    created: list[int] = []
    for user in User.objects.filter(pk__in=reviewer_ids, is_active=True).exclude(email="").order_by("pk"):
        created += _write(
            ticket, channel, intent, target=f"email:{user.email}", recipient_id=user.pk, round_=round_, reason=reason
        )
    return created


def _to_developer(ticket: Ticket) -> None:
    """Tell the developer who made the change the outcome by e-mail, when they are mapped and have an address
    (in DataWorks they see only "Checking" until the tip arrives)."""
    user_id = developer_user_id(ticket)
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first() if user_id else None
    if user is None or not settings.MAIL_CONFIGURED:
        return
    _write(ticket, None, Intent.DECIDED, target=f"email:{user.email}", recipient_id=user.pk, round_=0)


def staff_alert(ticket_id: int, intent: Intent) -> None:
    """Tell the staff channel (REVIEW_GATE_STAFF_CHANNEL) that something needs a person."""
    name = settings.REVIEW_GATE_STAFF_CHANNEL
    if not name:
        return
    channel = Channel.objects.filter(name=name, enabled=True).first()
    if channel is None:
        logger.error("REVIEW_GATE_STAFF_CHANNEL names %r, which is not an enabled channel; staff alert lost", name)
        return
    ticket = Ticket.objects.get(pk=ticket_id)
    # Each occurrence is its own alert (a ticket can need attention again after a retry).
    round_ = Notification.objects.filter(ticket=ticket, channel=channel, intent=intent).count()
    write_for_channel(ticket, channel, intent, reviewer_ids=[], round_=round_)


def _write(
    ticket: Ticket,
    channel: Channel | None,
    intent: Intent,
    *,
    target: str,
    round_: int,
    recipient_id: int | None = None,
    reason: str = "",
    mention_group: str = "",
) -> list[int]:
    key = f"{intent}:{ticket.pk}:{channel.pk if channel else 'direct'}:{target}:{round_}"[:255]
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the ticket change's transaction
            row = Notification.objects.create(
                delivery_id=str(uuid.uuid4()),
                dedupe_key=key,
                ticket=ticket,
                channel=channel,
                intent=intent,
                target=target[:300],
                recipient_id=recipient_id,
                reason=reason,
                mention_group=mention_group,
            )
    except IntegrityError:
        return []
    row_id = row.pk
    transaction.on_commit(lambda: dispatch([row_id]))
    return [row_id]


def dispatch(notification_ids: list[int]) -> None:
    """Queue delivery of these rows and stamp when (a refused enqueue is logged; the due-time loop retries)."""
    Notification.objects.filter(pk__in=notification_ids).update(dispatched_at=timezone.now())
    for notification_id in notification_ids:
        enqueue_or_log(DELIVER_TASK, notification_id=notification_id, group="notifications")


def dispatch_candidates(now: datetime, *, lost_after: timedelta) -> QuerySet[Notification]:
    """Rows to queue (again): due and not queued for this attempt, queued long ago without starting (a lost task),
    or claimed by a worker that died."""
    rows = due_or_abandoned(
        now,
        lost_after=lost_after,
        every_expired_claim=False,  # the sweeper runs the same step: an expired claim is queued once
        pending=Notification.State.PENDING,
        sending=Notification.State.SENDING,
    )
    return Notification.objects.filter(rows).order_by("next_attempt_at")


def notification_dispatch_due(*, now: datetime, lost_after: timedelta, limit: int = 200) -> int:
    """Queue every row that is due (a step of the due-time loop and the sweeper); each is claimed by a conditional
    update of its queue stamp, so several loops never queue one row twice at once."""
    queued = 0
    for row_id, stamp in dispatch_candidates(now, lost_after=lost_after).values_list("pk", "dispatched_at")[:limit]:
        if Notification.objects.filter(pk=row_id, dispatched_at=stamp).update(dispatched_at=now):
            enqueue_or_log(DELIVER_TASK, notification_id=row_id, group="notifications")
            queued += 1
    return queued
