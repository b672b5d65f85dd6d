"""Queue entry points of notifications (only IDs cross the queue)."""

from __future__ import annotations

from notifications.delivery import notification_deliver


def deliver_notification(notification_id: int) -> str:
    return notification_deliver(notification_id=notification_id)
