"""Workspace settings in the admin: the tip language and the risk analyser's per-workspace settings, validated by
`workspaces.risk` (the same checks the extension's workspace options pass)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceSettings
from workspaces.risk import split_entries, validate_patterns, validate_rule_ids, validate_severity_overrides

_LIST_FIELDS = {
    "risk_disabled_rules": validate_rule_ids,
    "risk_scratch_patterns": validate_patterns,
    "risk_protected_patterns": validate_patterns,
}


def _severities_from_text(text: str) -> dict[str, str]:
    """Read "MC14=MEDIUM, MC09=LOW" (commas, spaces or new lines between entries)."""
    result: dict[str, object] = {}
    for entry in split_entries(text):
        rule, sep, level = entry.partition("=")
        if not sep:
            raise ValidationError(
                gettext("%(entry)s: write a rule id, = and a severity, e.g. MC14=MEDIUM.") % {"entry": entry[:40]}
            )
        if rule.strip().upper() in result:
            raise ValidationError(gettext("%(item)s is listed twice.") % {"item": rule.strip().upper()})
        result[rule.strip().upper()] = level.strip().upper()
    return validate_severity_overrides(result)


class WorkspaceSettingsForm(forms.ModelForm):
    """Risk settings as text: rule ids and patterns separated by commas or new lines, severities as MC14=MEDIUM."""

    risk_severity_overrides = forms.CharField(
        label=_("risk rule severities"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("One rule=severity per entry, e.g. MC14=MEDIUM, MC09=LOW. Empty: inherit."),
    )
    risk_disabled_rules = forms.CharField(
        label=_("switched-off risk rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "cols": 60}),
        help_text=_("Rule ids, e.g. MC09, MC14. Empty: inherit."),
    )
    risk_scratch_patterns = forms.CharField(
        label=_("scratch table patterns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Patterns such as tmp_*, *_tmp (case-insensitive). Empty: inherit (tmp_*, temp_*, *_tmp, *_temp)."),
    )
    risk_protected_patterns = forms.CharField(
        label=_("protected table patterns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Patterns such as ods_* or prod_prj.dim_*; every write or DDL on them is CRITICAL. Empty: inherit."
        ),
    )

    class Meta:
        model = WorkspaceSettings
        fields = (
            "project_id",
            "name",
            "tip_language",
            "api_version",
            "risk_severity_overrides",
            "risk_disabled_rules",
            "risk_scratch_patterns",
            "risk_protected_patterns",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None and not self.is_bound:
            overrides = instance.risk_severity_overrides or {}
            self.initial["risk_severity_overrides"] = ", ".join(f"{rule}={level}" for rule, level in overrides.items())
            for name in _LIST_FIELDS:
                self.initial[name] = ", ".join(getattr(instance, name) or [])

    def clean_risk_severity_overrides(self) -> dict[str, str]:
        return _severities_from_text(self.cleaned_data.get("risk_severity_overrides") or "")

    def _clean_list(self, name: str) -> list[str]:
        return _LIST_FIELDS[name](split_entries(self.cleaned_data.get(name) or ""))

    def clean_risk_disabled_rules(self) -> list[str]:
        return self._clean_list("risk_disabled_rules")

    def clean_risk_scratch_patterns(self) -> list[str]:
        return self._clean_list("risk_scratch_patterns")

    def clean_risk_protected_patterns(self) -> list[str]:
        return self._clean_list("risk_protected_patterns")


@admin.register(WorkspaceSettings)
class WorkspaceSettingsAdmin(admin.ModelAdmin):
    form = WorkspaceSettingsForm
    list_display = ("project_id", "name", "tip_language", "api_version", "updated_at")
    search_fields = ("name", "project_id")
    ordering = ("project_id",)
    fieldsets = (
        (None, {"fields": ("project_id", "name", "tip_language", "api_version")}),
        (
            _("Risk analysis"),
            {
                "description": _(
                    "Each setting left empty inherits the extension's workspace option in DataWorks, else the "
                    "analyser's default. Changes apply to changes prepared from now on."
                ),
                "fields": (
                    "risk_severity_overrides",
                    "risk_disabled_rules",
                    "risk_scratch_patterns",
                    "risk_protected_patterns",
                ),
            },
        ),
    )
