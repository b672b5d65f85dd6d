"""Channels (where messages go), the notification outbox, robot pacing and the holiday table."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.channels.message import Intent, Kind


class Channel(models.Model):
    """Somewhere messages go. Its URL (which carries the robot's token) and signing secret are read from the
    environment variables named here, never stored."""

    name = models.SlugField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.value) for k in Kind])
    enabled = models.BooleanField(_("enabled"), default=True)
    url_env = models.CharField(
        _("URL variable"), max_length=100, blank=True, help_text=_("Environment variable holding the webhook URL.")
    )
    secret_env = models.CharField(
        _("secret variable"),
        max_length=100,
        blank=True,
        help_text=_("Environment variable holding the signing secret (DingTalk, Feishu, webhook)."),
    )
    to = models.JSONField(
        _("e-mail recipients"),
        default=list,
        blank=True,
        help_text=_("E-mail only. Empty: each eligible reviewer's own address."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        help_text=_("For messages whose recipients' language is unknown. Empty: the site's default."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return os.environ.get(self.url_env, "").strip() if self.url_env else ""

    @property
    def secret(self) -> str:
        return os.environ.get(self.secret_env, "").strip() if self.secret_env else ""


class Notification(models.Model):
    """One message to one target, written with the ticket change that causes it (the outbox)."""

    class State(models.TextChoices):
        PENDING = "PENDING", _("waiting to be sent")
        SENDING = "SENDING", _("being sent")
        SENT = "SENT", _("sent")
        FOLDED = "FOLDED", _("sent in a digest")
        FAILED = "FAILED", _("failed")
        SKIPPED = "SKIPPED", _("not needed any more")

    delivery_id = models.CharField(_("delivery ID"), max_length=36, unique=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    ticket = models.ForeignKey(
        "approvals.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("Empty for a direct e-mail to a user."),
    )
    intent = models.CharField(_("intent"), max_length=20, choices=[(i.value, i.value) for i in Intent])
    target = models.CharField(_("target"), max_length=300, help_text=_('"channel", or "email:<address>"'))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    reason = models.TextField(_("reason"), blank=True)
    mention_group = models.CharField(
        _("also mention group"), max_length=150, blank=True, help_text=_("Escalation: the group to mention too.")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    # Waiting for the robot's budget: the next send to this target carries it in a digest.
    waiting_for_budget = models.BooleanField(_("waiting for the robot's budget"), default=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    dispatched_at = models.DateTimeField(_("last queued at"), null=True, blank=True)
    folded_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="folded", verbose_name=_("digest")
    )
    last_error_code = models.CharField(_("last error code"), max_length=128, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_http_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["channel", "state"], name="notif_channel_state")]

    def __str__(self) -> str:
        return f"{self.intent} #{self.ticket_id} → {self.channel or self.target}"


class PacingWindow(models.Model):
    """Per target (a robot URL's hash, never the URL), the times of recent sends: a sliding window shared by every
    process, so no robot ever gets more than its limit in any window, and a mute after a throttle answer."""

    target_key = models.CharField(max_length=64, unique=True)
    sends = models.JSONField(default=list)  # epoch seconds of the sends in the longest window, oldest first
    blocked_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)  # optimistic concurrency: every write bumps it
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pacing window")
        verbose_name_plural = _("pacing windows")

    def __str__(self) -> str:
        return self.target_key[:12]


class Holiday(models.Model):
    """A day off on a weekday (a public holiday) or a working weekend day (调休), for reminders in working hours."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday (no work)")
        WORKDAY = "workday", _("working day on a weekend (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    seeded = models.BooleanField(_("from chinese-calendar"), default=False, editable=False)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
