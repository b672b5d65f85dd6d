"""Extension points of reviewer rules for apps that build on approvals (approvals never imports them).

- *References*: a rule names things another app owns (`notify = ["sales-dingtalk"]` names notification channels).
  The app registers a check that returns the unknown names; the admin form and the import refuse them.
- *Sections*: a rules file may hold other top-level tables (`[[channels]]`) owned by another app. The app
  registers a reader (validates the tables, no database), an applier (writes them, inside the import's
  transaction, before the rules) and an exporter (writes them back as TOML).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (rule values by model field name, names declared by the same file's sections by section key) -> [(field, message)]
ReferenceCheck = Callable[[Mapping[str, Any], Mapping[str, set[str]]], list[tuple[str, str]]]


@dataclass(frozen=True)
class SectionProblem:
    index: int  # which table of the section (0-based)
    key: str
    message: str


@dataclass(frozen=True)
class Section:
    """A top-level array of tables in a rules file, owned by another app."""

    key: str
    # tables -> (declared names, problems); no database access
    read: Callable[[list[dict[str, Any]]], tuple[set[str], list[SectionProblem]]]
    # tables, dry_run -> summary lines; runs inside the import's transaction, before the rules are written
    apply: Callable[[list[dict[str, Any]], bool], list[str]]
    # -> the section's TOML text (each table with its `[[key]]` header), deterministic
    export: Callable[[], str]


_reference_checks: list[ReferenceCheck] = []
_sections: dict[str, Section] = {}


def register_reference_check(check: ReferenceCheck) -> None:
    if check not in _reference_checks:
        _reference_checks.append(check)


def register_section(section: Section) -> None:
    _sections[section.key] = section


def sections() -> dict[str, Section]:
    return dict(_sections)


def unknown_references(
    values: Mapping[str, Any], declared: Mapping[str, set[str]] | None = None
) -> list[tuple[str, str]]:
    """Return (field, message) for every name in `values` that no registered owner knows."""
    problems: list[tuple[str, str]] = []
    for check in _reference_checks:
        problems.extend(check(values, declared or {}))
    return problems
