"""One place for a user's external identities (chat platforms now, company login later) and contact preferences.

An identity typed in or imported by an admin is *unverified*: it is used only to mention someone in a message.
Only an identity proven by the platform itself (a login through it, a signed chat callback: later issues) is
verified, and only a verified identity may ever be used to decide from chat.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WECOM = "wecom", _("WeCom")
    SLACK = "slack", _("Slack")


class ExternalIdentity(models.Model):
    """Who a Review Gate user is on one platform (in one tenant or corp)."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("typed in by an admin")
        IMPORT = "import", _("imported by corporate e-mail")
        LOGIN = "login", _("proven by signing in through the platform")
        CALLBACK = "callback", _("proven by a signed chat callback")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user")
    )
    provider = models.CharField(_("platform"), max_length=20, choices=Provider.choices)
    tenant = models.CharField(
        _("tenant or corp ID"), max_length=128, blank=True, help_text=_("Empty when the platform has one tenant.")
    )
    external_id = models.CharField(
        _("user ID on the platform"),
        max_length=128,
        blank=True,
        help_text=_("DingTalk userId, Feishu open_id, WeCom userid or Slack member ID."),
    )
    mobile = models.CharField(
        _("mobile number"), max_length=32, blank=True, help_text=_("DingTalk robots can mention by mobile number.")
    )
    source = models.CharField(_("how it was obtained"), max_length=20, choices=Source.choices, default=Source.ADMIN)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Only identities proven by the platform are verified; others are used only to mention people."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="accounts_identity_unique_external_id",
            ),
            models.UniqueConstraint(fields=["user", "provider", "tenant"], name="accounts_identity_one_per_tenant"),
            models.CheckConstraint(
                condition=~models.Q(external_id="", mobile=""), name="accounts_identity_has_id_or_mobile"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.get_provider_display()}"


class ContactPreferences(models.Model):
    """How a user wants direct messages (e-mail to them, messages naming them personally): muted, or quiet hours.

    Quiet hours hold a direct message until they end; they never drop it. Group channels are not affected.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preferences", verbose_name=_("user")
    )
    muted = models.BooleanField(_("mute direct messages"), default=False)
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact preferences")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return str(self.user)

    def quiet_at(self, moment: datetime) -> bool:
        """Tell whether `moment` (an aware datetime, read in the server's time zone) falls in the quiet hours."""
        if self.quiet_from is None or self.quiet_until is None or self.quiet_from == self.quiet_until:
            return False
        from django.utils import timezone

        now: time = timezone.localtime(moment).time()
        if self.quiet_from < self.quiet_until:
            return self.quiet_from <= now < self.quiet_until
        return now >= self.quiet_from or now < self.quiet_until  # across midnight, e.g. 22:00-08:00
