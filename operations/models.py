"""Operations' own records: queue-worker heartbeats, when each ticket became ready, and the daily jobs' last runs.

All of them live in the database because every process must see them: a heartbeat written by a queue worker on one
host is read by the doctor on another, and a ticket made ready by a worker is decided in a web process.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One queue-worker process, and when its due-time loop last ran."""

    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process ID"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("queue worker heartbeat")
        verbose_name_plural = _("queue worker heartbeats")
        constraints = [models.UniqueConstraint(fields=["host", "pid"], name="heartbeat_host_pid")]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class TicketReadyAt(models.Model):
    """When a ticket became ready for review, kept until its decision (for review_gate_ready_to_decision_seconds)."""

    ticket_id = models.BigIntegerField(_("ticket ID"), unique=True)
    ready_at = models.DateTimeField(_("ready at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ticket ready time")
        verbose_name_plural = _("ticket ready times")

    def __str__(self) -> str:
        return f"{self.ticket_id}@{self.ready_at:%Y-%m-%d %H:%M:%S}"


class DailyRun(models.Model):
    """The last run of a job that acts at most once a day across every process (the retention purge)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily job")
        verbose_name_plural = _("daily jobs")

    def __str__(self) -> str:
        return self.name
