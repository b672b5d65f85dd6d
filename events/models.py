"""Inbound DataWorks events, stored once per (source, id) with the raw payload kept verbatim for audit."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.catalogue import CallbackApi, Module


class InboundEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", _("Received, waiting for processing")
        PROCESSED = "PROCESSED", _("Processed")
        INFORMATIONAL = "INFORMATIONAL", _("Informational, nothing to review")
        FAILED = "FAILED", _("Processing failed")

    source = models.CharField(_("source"), max_length=200)
    message_id = models.CharField(_("message ID"), max_length=128, help_text=_("CloudEvent id = DataWorks MessageId"))
    type = models.CharField(_("type"), max_length=200, db_index=True)
    event_code = models.CharField(_("event code"), max_length=100, blank=True, db_index=True)
    module = models.CharField(_("module"), max_length=20, choices=[(m.value, m.name) for m in Module])
    gated = models.BooleanField(_("needs review"), default=False)
    callback_api = models.CharField(
        _("callback API"), max_length=40, blank=True, choices=[(c.value, c.value or "-") for c in CallbackApi]
    )
    project_id = models.BigIntegerField(_("workspace ID"), null=True, blank=True, db_index=True)
    tenant_id = models.BigIntegerField(_("tenant ID"), null=True, blank=True)
    operator = models.CharField(_("operator UID"), max_length=512, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    raw_body = models.TextField(_("raw payload"), blank=True, help_text=_("Empty for events found by reconciliation."))
    # The validated CloudEvent `data`, kept so the worker never parses the body again. JSON text, not jsonb:
    # PostgreSQL's jsonb refuses NUL and lone surrogates, which accepted payloads may contain; written with
    # ensure_ascii, such characters stay escapes that any text column stores. "" = the body could not be read.
    data_json = models.TextField(_("validated data (JSON)"), default="{}", blank=True, editable=False)
    body_sha256 = models.CharField(_("payload SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_detail = models.TextField(_("status detail"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # When its processing task was last queued: a received event whose task was lost (a broker restart) is queued
    # again once this is old enough (approvals.jobs.timer).
    queued_at = models.DateTimeField(_("last queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="inbound_event_unique_source_id"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_event_status_received")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_code or self.type} {self.message_id}"

    @property
    def data(self) -> dict[str, Any]:
        """Return the validated `data` object ({} when none was stored)."""
        value = json.loads(self.data_json) if self.data_json else {}
        return value if isinstance(value, dict) else {}

    @property
    def data_readable(self) -> bool:
        """Tell whether the event's data was stored (False for a body that failed to decode at migration)."""
        return bool(self.data_json)
