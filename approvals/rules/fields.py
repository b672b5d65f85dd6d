"""The reviewer rule's fields, declared once: for each, its TOML key, validator, export and place in the admin.

The admin form and fieldsets, the TOML import (parse, apply), the export and the rule-change log all read
`RULE_FIELDS`; its order is the order of the keys in a rules file. Defaults are the model's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from approvals.models import Rule
from approvals.rules import validators as v
from events.catalogue import GATED_CODES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Widget(enum.Enum):
    """How the admin's rule form edits a field."""

    MODEL = "model"  # the model field's own form field (checkbox, number, choice, picker)
    LIST = "list"  # text, entries separated by commas or new lines
    TEXT = "text"  # one line of text: the value as the rules file writes it (a duration)


@dataclass(frozen=True, eq=False, slots=True)
class Fieldset:
    """A group of fields on the admin's rule page."""

    title: StrOrPromise | None
    description: StrOrPromise = ""


MAIN = Fieldset(None)
MATCHES = Fieldset(
    _("What it matches"), _("Every criterion that is filled in must match; empty criteria match everything.")
)
REVIEWERS = Fieldset(_("Who reviews"))
OUTCOME = Fieldset(_("Automatic outcome and timeout"))
NOTIFY = Fieldset(
    _("Notifications"),
    _("Channels are defined under Notifications; reminders repeat until the ticket is decided."),
)


@dataclass(frozen=True, slots=True)
class RuleField:
    """One field of a rule: the model field `name` is written to a rules file as `key`."""

    name: str
    key: str
    validate: Callable[[Any], Any]  # the file's (or the admin's) value -> the model's; raises ValidationError
    export: Callable[[Any], Any]  # the model's value -> the file's
    fieldset: Fieldset
    widget: Widget = Widget.MODEL
    help_text: StrOrPromise = ""  # LIST and TEXT widgets
    integers: bool = False  # LIST: the entries are whole numbers
    separator: str = ", "  # LIST: how the admin shows the entries
    rows: int = 2  # LIST: the text area's height
    admin_rank: int = 0  # within its fieldset the admin shows fields by rank, then in this table's order

    @property
    def model_field(self) -> models.Field[Any, Any]:
        field = Rule._meta.get_field(self.name)
        assert isinstance(field, models.Field)
        return field

    @property
    def is_relation(self) -> bool:
        """Tell whether the field holds users or groups (named in a file, picked in the admin)."""
        return bool(self.model_field.many_to_many)

    def default(self) -> Any:
        """Return the value a rules file gives a key it leaves out: the model's default (none for relations)."""
        return [] if self.is_relation else self.model_field.get_default()


def _same(value: Any) -> object:
    return value


def _integers(values: Any) -> list[int]:
    # Rows written before validation existed may hold numeric strings; the matcher reads them with int() too.
    return [int(value) for value in values or []]


def _strings(values: Any) -> list[str]:
    return [str(value) for value in values or []]


def _usernames(users: Any) -> list[str]:
    username_field = get_user_model().USERNAME_FIELD
    return sorted(str(getattr(user, username_field)) for user in users.all())


def _group_names(groups: Any) -> list[str]:
    return sorted(group.name for group in groups.all())


_LIST_HELP = _("Separate entries with commas or new lines. Empty means all.")
_EVENTS_HELP = format_lazy(
    _("Separate entries with commas or new lines. Empty means all. Codes: {codes}."), codes=", ".join(GATED_CODES)
)
_PATHS_HELP = _(
    "One glob over folder/path/file_name per line, e.g. etl/**. ** spans folders, * and ? stay within one. "
    "Empty means all; a path rule never matches an event without a path."
)
_NOTIFY_HELP = _("Channel names, separated by commas or new lines. Empty: no messages for this rule.")
_EVERY_HELP = _('A number and a unit: "30m", "4h", "1d". Empty means never.')
_TIMEOUT_HELP = _('A number and a unit: "90s", "30m", "24h", "2d". Empty means no timeout.')

RULE_FIELDS: tuple[RuleField, ...] = (
    RuleField("name", "name", v.validate_rule_name, _same, MAIN),
    RuleField("enabled", "enabled", v.validate_enabled, _same, MAIN),
    RuleField("projects", "projects", v.validate_projects, _integers, MATCHES, Widget.LIST, _LIST_HELP, integers=True),
    RuleField("events", "events", v.validate_events, _strings, MATCHES, Widget.LIST, _EVENTS_HELP),
    # Paths are shown one per line: globs read better that way, and they may never contain commas anyway.
    RuleField("paths", "paths", v.validate_paths, _strings, MATCHES, Widget.LIST, _PATHS_HELP, separator="\n", rows=3),
    RuleField(
        "file_types", "file_types", v.validate_file_types, _integers, MATCHES, Widget.LIST, _LIST_HELP, integers=True
    ),
    RuleField("risk_at_least", "risk_at_least", v.validate_risk_at_least, _same, MATCHES),
    RuleField("risk_at_most", "risk_at_most", v.validate_risk_at_most, _same, MATCHES),
    RuleField("reviewers", "reviewers", v.validate_names, _usernames, REVIEWERS),
    RuleField("groups", "groups", v.validate_names, _group_names, REVIEWERS),
    RuleField("min_approvals", "min_approvals", v.validate_min_approvals, _same, REVIEWERS),
    RuleField("timeout", "timeout", v.parse_duration, v.format_duration, OUTCOME, Widget.TEXT, _TIMEOUT_HELP),
    RuleField("on_timeout", "on_timeout", v.validate_on_timeout, _same, OUTCOME),
    # The admin shows the automatic outcome first: with one, the timeout does not apply.
    RuleField("auto_outcome", "auto", v.validate_auto, _same, OUTCOME, admin_rank=-1),
    RuleField("notify", "notify", v.validate_channel_names, _strings, NOTIFY, Widget.LIST, _NOTIFY_HELP),
    RuleField("remind_every", "remind_every", v.parse_interval, v.format_duration, NOTIFY, Widget.TEXT, _EVERY_HELP),
    RuleField(
        "escalate_after", "escalate_after", v.parse_interval, v.format_duration, NOTIFY, Widget.TEXT, _EVERY_HELP
    ),
    RuleField("escalate_to_group", "escalate_to_group", v.validate_group_name, _same, NOTIFY),
    RuleField("escalate_to_channel", "escalate_to_channel", v.validate_channel_name, _same, NOTIFY),
    RuleField("working_hours", "working_hours", v.validate_enabled, _same, NOTIFY),
)
# The fields stored on the rule's row (every one but the reviewers and groups), which `rule_save` takes as `values`.
VALUE_FIELDS: tuple[RuleField, ...] = tuple(field for field in RULE_FIELDS if not field.is_relation)


def file_values(rule: Rule) -> list[tuple[str, object]]:
    """Return a rule's keys and values as a rules file has them, in the documented order."""
    return [(field.key, field.export(getattr(rule, field.name))) for field in RULE_FIELDS]


def admin_fieldsets() -> list[tuple[Fieldset, tuple[str, ...]]]:
    """Return the admin's groups of fields in order, each with the names of its fields in the order shown."""
    groups: dict[Fieldset, list[RuleField]] = {}
    for field in RULE_FIELDS:
        groups.setdefault(field.fieldset, []).append(field)
    return [
        (fieldset, tuple(field.name for field in sorted(fields, key=lambda field: field.admin_rank)))
        for fieldset, fields in groups.items()
    ]
