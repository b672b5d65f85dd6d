"""A workspace's risk-analysis settings: the checks every source of them passes (the admin's form, the extension's
workspace options), so the analyser is only ever configured with rule ids it knows, severities and sane patterns.

Imports only Django and `riskcheck` (pure): `workspaces` stays a leaf.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from riskcheck import RULES, Severity

MAX_PATTERNS = 100
MAX_PATTERN_LENGTH = 200
# Table names with project prefixes, DataWorks parameters (${bizdate}) and fnmatch wildcards; no spaces, commas or
# control characters, so a pattern always round-trips through the admin's comma- or line-separated text.
_PATTERN_RE = re.compile(r"[A-Za-z0-9_.*?$@{}\[\]!-]+")
# "NONE" is no severity to give a finding: a rule that should report nothing is switched off instead.
SEVERITY_NAMES = tuple(level.name for level in Severity if level is not Severity.NONE)
_SPLIT_RE = re.compile(r"[,\s]+")


def _rule_id(value: object) -> str:
    if not isinstance(value, str) or value not in RULES:
        raise ValidationError(_("%(value)s is not a risk rule; use one of MC01 to MC18.") % {"value": repr(value)[:40]})
    return value


def validate_severity_overrides(value: object) -> dict[str, str]:
    """Return {rule id: severity name}: known rule ids (MC01-MC18) and LOW, MEDIUM, HIGH or CRITICAL."""
    if not isinstance(value, dict):
        raise ValidationError(_('Must be an object of rule ids and severities, e.g. {"MC14": "MEDIUM"}.'))
    result: dict[str, str] = {}
    for rule, level in value.items():
        _rule_id(rule)
        if not isinstance(level, str) or level not in SEVERITY_NAMES:
            raise ValidationError(
                _("%(rule)s: %(value)s is not a severity; use one of %(names)s.")
                % {"rule": rule, "value": repr(level)[:40], "names": ", ".join(SEVERITY_NAMES)}
            )
        result[rule] = level
    return dict(sorted(result.items()))


def validate_rule_ids(value: object) -> list[str]:
    """Return a list of distinct risk rule ids (MC01-MC18)."""
    if not isinstance(value, list):
        raise ValidationError(_("Must be a list of risk rule ids."))
    seen: list[str] = []
    for item in value:
        if _rule_id(item) in seen:
            raise ValidationError(_("%(item)s is listed twice.") % {"item": item})
        seen.append(item)
    return sorted(seen)


def validate_patterns(value: object) -> list[str]:
    """Return a list of distinct table-name patterns (`*` and `?` wildcards, `project.table` allowed), lower-cased."""
    if not isinstance(value, list):
        raise ValidationError(_("Must be a list of table name patterns."))
    if len(value) > MAX_PATTERNS:
        raise ValidationError(_("At most %(n)d patterns.") % {"n": MAX_PATTERNS})
    result: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item or len(item) > MAX_PATTERN_LENGTH or not _PATTERN_RE.fullmatch(item):
            raise ValidationError(
                _("%(item)s is not a table name pattern (letters, digits, _ . * ? $ { } and at most %(n)d characters).")
                % {"item": repr(item)[:60], "n": MAX_PATTERN_LENGTH}
            )
        pattern = item.lower()  # MaxCompute names are case-insensitive
        if pattern in result:
            raise ValidationError(_("%(item)s is listed twice.") % {"item": item})
        result.append(pattern)
    return result


def split_entries(text: str) -> list[str]:
    """Split the admin's text (commas, spaces or new lines) into entries."""
    return [part for part in _SPLIT_RE.split(text or "") if part]


def option_list(value: Any) -> list[str] | None:
    """Read a list from an extension option: a JSON list or comma-separated text; None when it is neither."""
    if isinstance(value, str):
        return split_entries(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None
