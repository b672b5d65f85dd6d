"""Admin forms for reviewer rules and the "which rules match this?" tester.

Every rule field is validated by the same functions as a TOML import (`approvals.rules.io`), so the admin and the
rules file accept exactly the same rules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from approvals.rules import io as rules_io
from approvals.tickets.matching import Subject
from approvals.models import Rule
from events.catalogue import GATED_CODES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_LIST_HELP = _("Separate entries with commas or new lines. Empty means all.")
# Paths are shown one per line: globs read better that way, and they may never contain commas anyway.
_LIST_FIELDS: dict[str, tuple[bool, str]] = {
    "projects": (True, ", "),
    "events": (False, ", "),
    "paths": (False, "\n"),
    "file_types": (True, ", "),
}


def _list_field(label: StrOrPromise, help_text: StrOrPromise, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows, "cols": 60})
    )


class RuleAdminForm(forms.ModelForm):
    """Edit a rule; list fields are text (comma- or newline-separated) validated like the TOML import."""

    projects = _list_field(_("workspace IDs"), _LIST_HELP)
    events = _list_field(
        _("event codes"),
        format_lazy(
            _("Separate entries with commas or new lines. Empty means all. Codes: {codes}."),
            codes=", ".join(GATED_CODES),
        ),
    )
    paths = _list_field(
        _("path globs"),
        _(
            "One glob over folder/path/file_name per line, e.g. etl/**. ** spans folders, * and ? stay within one. "
            "Empty means all; a path rule never matches an event without a path."
        ),
        rows=3,
    )
    file_types = _list_field(_("file types"), _LIST_HELP)
    timeout = forms.CharField(
        label=_("timeout"),
        required=False,
        max_length=20,
        help_text=_('A number and a unit: "90s", "30m", "24h", "2d". Empty means no timeout.'),
    )

    class Meta:
        model = Rule
        fields = (
            "name",
            "enabled",
            "projects",
            "events",
            "paths",
            "file_types",
            "reviewers",
            "groups",
            "min_approvals",
            "timeout",
            "on_timeout",
            "auto_outcome",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Initial values come from the model as lists and a timedelta; show them as the text the fields accept.
        for name, (_integers, separator) in _LIST_FIELDS.items():
            value = self.initial.get(name)
            if isinstance(value, list):
                self.initial[name] = rules_io.list_to_text(value, separator=separator)
        timeout = self.initial.get("timeout")
        if timeout is None or isinstance(timeout, timedelta):
            self.initial["timeout"] = rules_io.format_duration(timeout)

    def clean_name(self) -> str:
        return rules_io.validate_rule_name(self.cleaned_data["name"])

    def clean_projects(self) -> list[int]:
        return rules_io.validate_projects(rules_io.list_from_text(self.cleaned_data["projects"], integers=True))

    def clean_events(self) -> list[str]:
        return rules_io.validate_events(rules_io.list_from_text(self.cleaned_data["events"]))

    def clean_paths(self) -> list[str]:
        return rules_io.validate_paths(rules_io.list_from_text(self.cleaned_data["paths"]))

    def clean_file_types(self) -> list[int]:
        return rules_io.validate_file_types(rules_io.list_from_text(self.cleaned_data["file_types"], integers=True))

    def clean_min_approvals(self) -> int:
        return rules_io.validate_min_approvals(self.cleaned_data["min_approvals"])

    def clean_timeout(self) -> timedelta | None:
        return rules_io.parse_duration(self.cleaned_data["timeout"])

    def clean_on_timeout(self) -> str:
        return rules_io.validate_on_timeout(self.cleaned_data["on_timeout"])

    def clean_auto_outcome(self) -> str:
        return rules_io.validate_auto(self.cleaned_data["auto_outcome"])


class MatchTesterForm(forms.Form):
    """Describe a hypothetical change to see which rules would apply to it."""

    project_id = forms.IntegerField(label=_("workspace ID"), min_value=1, max_value=rules_io.MAX_INT)
    event_code = forms.ChoiceField(label=_("event code"), choices=[(code, code) for code in GATED_CODES])
    path = forms.CharField(
        label=_("path"),
        required=False,
        max_length=1024,
        help_text=_("folder/path/file_name; leave empty for events without a file (e.g. Operation Center)."),
    )
    file_type = forms.IntegerField(label=_("file type"), required=False, min_value=0, max_value=rules_io.MAX_INT)

    def subject(self) -> Subject:
        """Return the matching subject the (valid) form describes."""
        data = self.cleaned_data
        return Subject(
            project_id=data["project_id"], event_code=data["event_code"], path=data["path"], file_type=data["file_type"]
        )
