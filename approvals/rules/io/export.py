"""Write reviewer rules as TOML with a small emitter, deterministically, in the format the import reads."""

from __future__ import annotations

from approvals.models import Rule
from approvals.rules.extensions import sections
from approvals.rules.fields import file_values

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


def rule_to_toml(rule: Rule) -> str:
    """Return one rule as a `[[rules]]` table, keys in the documented order."""
    return "[[rules]]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in file_values(rule))


def export_rules() -> str:
    """Return every rule as a rules file, ordered by name, so export → import → export is byte-identical."""
    # Sorted in Python, by code point, so the order does not depend on the database's collation.
    rules = sorted(Rule.objects.prefetch_related("reviewers", "groups"), key=lambda rule: rule.name)
    other = "".join(section.export() for _key, section in sorted(sections().items()))
    return EXPORT_HEADER + other + "".join("\n" + rule_to_toml(rule) for rule in rules)
