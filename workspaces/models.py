"""A workspace's own settings, which override the extension's workspace options from DataWorks, which override the
global setting (resolved in `workspaces.resolve`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceSettings(models.Model):
    """Choices for one DataWorks workspace; a blank choice inherits (workspace option, then the global setting)."""

    class TipLanguage(models.TextChoices):
        INHERIT = "", _("Inherit (the workspace option in DataWorks, else the global setting)")
        CHINESE = "zh-hans", _("Simplified Chinese")
        ENGLISH = "en", _("English")

    project_id = models.BigIntegerField(_("workspace ID"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("For people; DataWorks uses the ID."))
    tip_language = models.CharField(
        _("tip language"),
        max_length=10,
        choices=TipLanguage.choices,
        blank=True,
        default=TipLanguage.INHERIT,
        help_text=_("The language of the tip DataWorks shows the developer when a change is decided."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")

    def __str__(self) -> str:
        return f"{self.name or self.project_id}"
