from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals.jobs.timer import register_due_step
        from approvals.rules.extensions import register_reference_check, register_section
        from approvals.tickets.changes import subscribe
        from notifications.outbox import notification_dispatch_due, notify_on_change
        from notifications.reminders import reminders_due_step
        from notifications.rules_file import CHANNELS_SECTION, unknown_channels

        # Messages are written in the transaction of the ticket change that causes them (the outbox).
        subscribe(notify_on_change, when="in_transaction")
        # Due sends and reminders are queued by every queue worker's due-time loop (and the sweeper).
        register_due_step("notifications", notification_dispatch_due)
        register_due_step("reminders", reminders_due_step)
        # Channels live in the rules file beside the rules; rules may only name channels that exist.
        register_section(CHANNELS_SECTION)
        register_reference_check(unknown_channels)
        # The holiday table is seeded from chinese-calendar at every migrate (rows an admin changed are kept).
        post_migrate.connect(_seed_holidays, sender=self, dispatch_uid="notifications.seed_holidays")


def _seed_holidays(sender: AppConfig, **kwargs: object) -> None:
    from notifications.holidays import seed_holidays

    seed_holidays()
