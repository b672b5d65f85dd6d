from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from approvals.schedules import ensure_schedules

        # After every migrate (so at every `make run` and deploy), the periodic jobs exist exactly once.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="approvals.ensure_schedules")
