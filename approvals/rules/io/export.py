"""Write reviewer rules as TOML with a small emitter, deterministically, in the format the import reads."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from approvals.models import Rule
from approvals.rules.io.validators import format_duration

EXPORT_HEADER = "# Review Gate reviewer rules. Load with: python manage.py import_rules FILE [--prune] [--dry-run]\n"
_TOML_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\"}


def toml_string(value: str) -> str:
    """Quote a TOML basic string: escape quotes and backslashes, and every control character as \\uXXXX."""
    out = ['"']
    for ch in value:
        if ch in _TOML_SHORT_ESCAPES:
            out.append(_TOML_SHORT_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"Cannot write {type(value).__name__} as TOML")


def _as_int(value: object) -> int:
    # Rows written before validation existed may hold numeric strings; the matcher reads them with int() too.
    return int(value)  # type: ignore[call-overload]


def rule_fields(rule: Rule) -> list[tuple[str, object]]:
    """Return a rule's keys and values as the rules file has them, in the documented order."""
    username_field = get_user_model().USERNAME_FIELD
    reviewers = sorted(str(getattr(user, username_field)) for user in rule.reviewers.all())
    groups = sorted(group.name for group in rule.groups.all())
    pairs: list[tuple[str, object]] = [
        ("name", rule.name),
        ("enabled", rule.enabled),
        ("projects", [_as_int(p) for p in rule.projects or []]),
        ("events", [str(e) for e in rule.events or []]),
        ("paths", [str(p) for p in rule.paths or []]),
        ("file_types", [_as_int(t) for t in rule.file_types or []]),
        ("reviewers", reviewers),
        ("groups", groups),
        ("min_approvals", rule.min_approvals),
        ("timeout", format_duration(rule.timeout)),
        ("on_timeout", rule.on_timeout),
        ("auto", rule.auto_outcome),
    ]
    return pairs


def rule_to_toml(rule: Rule) -> str:
    """Return one rule as a `[[rules]]` table, keys in the documented order."""
    return "[[rules]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in rule_fields(rule))


def export_rules() -> str:
    """Return every rule as a rules file, ordered by name, so export → import → export is byte-identical."""
    # Sorted in Python, by code point, so the order does not depend on the database's collation.
    rules = sorted(Rule.objects.prefetch_related("reviewers", "groups"), key=lambda rule: rule.name)
    return EXPORT_HEADER + "".join("\n" + rule_to_toml(rule) for rule in rules)
