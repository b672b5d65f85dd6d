from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django_q.signals import post_spawn

        from approvals.delivery.outbox import callback_for_decision
        from approvals.jobs.schedules import ensure_schedules
        from approvals.jobs.timer import start_due_time_loop
        from approvals.jobs.worker import warm_up
        from approvals.queue import PROCESS_EVENT_TASK
        from approvals.tickets.changes import subscribe
        from approvals.tickets.quorum import connect_quorum_signals
        from approvals.web.language import remember_language_at_login
        from events.queue import register_event_processor

        # Events queue their processing by name; approvals says which task that is (events never imports us).
        register_event_processor(PROCESS_EVENT_TASK)
        # Every decision writes its result to the outbox in the decision's own transaction.
        subscribe(callback_for_decision, when="in_transaction")
        # Rules, groups or users change: recheck whether open tickets' rules can still be met.
        connect_quorum_signals()
        # After every migrate (so at every `make run` and deploy), the periodic jobs exist exactly once.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="approvals.ensure_schedules")
        post_spawn.connect(warm_up, dispatch_uid="approvals.warm_up")
        # A user's chosen interface language goes into the session at login (approvals.web.language).
        user_logged_in.connect(remember_language_at_login, dispatch_uid="approvals.remember_language")
        # Each queue-worker process runs the due-time loop: retries at their due time, lost work found in seconds.
        post_spawn.connect(start_due_time_loop, dispatch_uid="approvals.due_time_loop")
