"""Staff actions on notifications: send a channel a test message, send a failed notification again."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from notifications.channels.message import Intent, Kind
from notifications.models import Channel, Notification
from notifications.outbox import dispatch


def channel_send_test(channel: Channel, *, email: str = "") -> Notification:
    """Queue a test message to `channel` (an e-mail channel without recipients writes to `email`)."""
    target = "channel"
    if channel.kind == Kind.EMAIL and not channel.to:
        target = f"email:{email}" if email else "channel"
    with transaction.atomic():
        row = Notification.objects.create(
            delivery_id=str(uuid.uuid4()),
            dedupe_key=f"test:{channel.pk}:{uuid.uuid4().hex}",
            channel=channel,
            intent=Intent.TEST,
            target=target,
        )
        transaction.on_commit(lambda: dispatch([row.pk]))
    return row


def notification_retry(notification_ids: list[int]) -> int:
    """Send failed notifications again now (after a fix: the URL variable set, the robot's keyword added)."""
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(pk__in=notification_ids, state=Notification.State.FAILED).values_list(
                "pk", flat=True
            )
        )
        Notification.objects.filter(pk__in=ids).update(
            state=Notification.State.PENDING, next_attempt_at=timezone.now(), attempts=0, created_at=timezone.now()
        )
        transaction.on_commit(lambda: dispatch(ids))
    return len(ids)
