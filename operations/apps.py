from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

        from approvals.jobs.sweeper import register_sweep_step
        from approvals.jobs.timer import register_due_step
        from approvals.tickets.changes import subscribe
        from operations.heartbeat import heartbeat_step
        from operations.logs import bind_task_context, carry_context, unbind_task_context
        from operations.purge import purge_daily_step
        from operations.timings import record_ticket_change

        # Decisions and ticket timings, counted once the change is committed (never for a rolled-back one).
        subscribe(record_ticket_change, when="after_commit")
        # Every queue worker's due-time loop says it is alive (in the database: the doctor reads it from any host).
        register_due_step("operations.heartbeat", heartbeat_step)
        # Retention: at most once a day, from the sweeper.
        register_sweep_step("operations.purge", purge_daily_step)
        # The request id (and ids bound in a task) travel with the tasks queued meanwhile.
        pre_enqueue.connect(carry_context, dispatch_uid="operations.carry_context")
        pre_execute.connect(bind_task_context, dispatch_uid="operations.bind_task_context")
        post_execute_in_worker.connect(unbind_task_context, dispatch_uid="operations.unbind_task_context")
