"""Admin forms for reviewer rules and the "which rules match this?" tester.

The rule form is built from the rule's field table (`approvals.rules.fields`): every field is validated by the same
function as a TOML import, so the admin and the rules file accept exactly the same rules.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.models import Risk, Rule
from approvals.rules.extensions import unknown_references
from approvals.rules.fields import RULE_FIELDS, RuleField, Widget
from approvals.rules.validators import MAX_INT, list_from_text, list_to_text
from approvals.tickets.matching import Subject
from events.catalogue import GATED_CODES, event_name


def _text_field(field: RuleField) -> forms.CharField:
    """Return the form field that edits a LIST or TEXT field as text."""
    label = field.model_field.verbose_name
    if field.widget is Widget.LIST:
        textarea = forms.Textarea(attrs={"rows": field.rows, "cols": 60})
        return forms.CharField(label=label, required=False, help_text=field.help_text, widget=textarea)
    return forms.CharField(label=label, required=False, max_length=20, help_text=field.help_text)


def _as_text(field: RuleField, value: object) -> str:
    """Return a stored value as the text its form field shows: the list's entries, or the value as in a file."""
    exported = field.export(value)
    return list_to_text(exported, separator=field.separator) if field.widget is Widget.LIST else str(exported)


def _as_file_value(field: RuleField, value: Any) -> object:
    """Return what a rules file would hold for a cleaned form value: a LIST field's text split into entries."""
    return list_from_text(value, integers=field.integers) if field.widget is Widget.LIST else value


class RuleAdminForm(forms.ModelForm):
    """Edit a rule; list fields are text (comma- or newline-separated), every field validated like the TOML import."""

    class Meta:
        model = Rule
        fields = tuple(field.name for field in RULE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in RULE_FIELDS:
            if field.widget is Widget.MODEL or field.name not in self.fields:
                continue
            self.fields[field.name] = _text_field(field)
            # Initial values come from the model (a list, a timedelta, None); show them as the text the field takes.
            value = self.initial.get(field.name)
            if not isinstance(value, str):
                self.initial[field.name] = _as_text(field, value)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for field in RULE_FIELDS:
            # Reviewers and groups are picked from existing ones; a field that failed its own checks is left out.
            if field.is_relation or field.name not in cleaned:
                continue
            try:
                cleaned[field.name] = field.validate(_as_file_value(field, cleaned[field.name]))
            except ValidationError as exc:
                self.add_error(field.name, exc)
        for name, message in unknown_references(cleaned):
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned


def _event_choices() -> list[tuple[str, str]]:
    """Return the gated event codes, each named for people in the active language: "文件提交 (commit-file)"."""
    return [(code, event_name(code)) for code in GATED_CODES]


class MatchTesterForm(forms.Form):
    """Describe a hypothetical change to see which rules would apply to it."""

    project_id = forms.IntegerField(label=_("workspace ID"), min_value=1, max_value=MAX_INT)
    event_code = forms.ChoiceField(label=_("event code"), choices=_event_choices)
    path = forms.CharField(
        label=_("path"),
        required=False,
        max_length=1024,
        help_text=_("folder/path/file_name; leave empty for events without a file (e.g. Operation Center)."),
    )
    file_type = forms.IntegerField(label=_("file type"), required=False, min_value=0, max_value=MAX_INT)
    risk = forms.ChoiceField(
        label=_("risk"),
        required=False,
        choices=[("", _("Not assessed (as an unread change)")), *Risk.choices],
        help_text=_("The risk preparation would find. Not assessed counts as at least every level and at most none."),
    )

    def risk_used(self) -> str:
        """Return the risk the (valid) form matches with: the one chosen, else NOT_ASSESSED."""
        return self.cleaned_data.get("risk") or Risk.NOT_ASSESSED

    def subject(self) -> Subject:
        """Return the matching subject the (valid) form describes."""
        data = self.cleaned_data
        return Subject(
            project_id=data["project_id"],
            event_code=data["event_code"],
            path=data["path"],
            file_type=data["file_type"],
            risk=self.risk_used(),
        )
