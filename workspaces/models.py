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

    class ApiVersion(models.TextChoices):
        """The DataWorks OpenAPI version for this workspace's Data Studio calls (docs/dataworks-api-versions.md)."""

        INHERIT = "", _("Inherit (the workspace option in DataWorks, else 2020-05-18)")
        V2020 = "2020-05-18", _("2020-05-18 (DataStudio)")
        V2024 = "2024-05-18", _("2024-05-18 (new Data Studio)")

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
    api_version = models.CharField(
        _("DataWorks API version"),
        max_length=10,
        choices=ApiVersion.choices,
        blank=True,
        default=ApiVersion.INHERIT,
        help_text=_(
            "Workspaces on the new Data Studio use 2024-05-18 for the event detail, file versions and the result "
            "of Data Studio events; Operation Center results always use 2020-05-18."
        ),
    )
    # Risk analysis (riskcheck, docs/risk-in-review.md). Each one left empty inherits: the extension's workspace
    # option in DataWorks, else the analyser's default. Validated by workspaces.risk (the admin's form uses it).
    risk_severity_overrides = models.JSONField(
        _("risk rule severities"),
        default=dict,
        blank=True,
        help_text=_('Severity per risk rule, replacing its default, e.g. {"MC14": "MEDIUM", "MC09": "LOW"}.'),
    )
    risk_disabled_rules = models.JSONField(
        _("switched-off risk rules"),
        default=list,
        blank=True,
        help_text=_("Risk rules (MC01-MC18) that report nothing here."),
    )
    risk_scratch_patterns = models.JSONField(
        _("scratch table patterns"),
        default=list,
        blank=True,
        help_text=_("Table names whose DROP or TRUNCATE is only LOW risk. Empty: tmp_*, temp_*, *_tmp, *_temp."),
    )
    risk_protected_patterns = models.JSONField(
        _("protected table patterns"),
        default=list,
        blank=True,
        help_text=_("Tables whose every write or DDL is CRITICAL (MC18), e.g. ods_* or prod_prj.dim_*. Empty: none."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")

    def __str__(self) -> str:
        return f"{self.name or self.project_id}"
