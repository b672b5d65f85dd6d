"""Parse and validate a rules file into `RuleSpec`s, collecting every problem with its line and field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from approvals.rules.extensions import sections
from approvals.rules.fields import RULE_FIELDS
from approvals.rules.io.locate import TableLines, first_key, locate

RULE_KEYS: tuple[str, ...] = tuple(rule_field.key for rule_field in RULE_FIELDS)
_FIELD_OF_KEY = {rule_field.key: rule_field for rule_field in RULE_FIELDS}
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


class Problem(NamedTuple):
    """One thing wrong with a rules file: where (line, 1-based, None when unknown), which field, and what."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else _("unknown line")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RulesFileError(Exception):
    """A rules file was refused; `problems` lists every (line, field, message) found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class RuleSpec:
    """One validated rule from a file: every field of `RULE_FIELDS` by model name (keys left out hold the model's
    default), reviewers and groups still named (resolved when applied)."""

    values: dict[str, Any]
    line: int | None = None
    key_lines: dict[str, int | None] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return str(self.values["name"])


def _syntax_problem(source: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    lines = source.splitlines()
    match = _TOML_POSITION_RE.search(message)
    if match:
        line: int | None = int(match.group(1))
    elif "end of document" in message:
        line = len(lines) or None
    else:
        line = None
    text = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    key = first_key(text) if "=" in text and not text.lstrip().startswith("[") else ""
    return Problem(line, key, _("Not valid TOML: %(error)s") % {"error": message})


def read_rules(source: str) -> tuple[list[RuleSpec], list[Problem]]:
    """Parse the text of a rules file as far as possible (no database access).

    Return a spec for every rule with a valid, unique name (fields that failed keep their defaults) and every
    problem found, so a caller can add its own checks (unknown users) and report everything at once.
    """
    try:
        document = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        return [], [_syntax_problem(source, exc)]
    layout = locate(source)
    problems: list[Problem] = []
    known_sections = sections()
    for key in document:
        if key != "rules" and key not in known_sections:
            allowed = ", ".join(f"[[{name}]]" for name in ["rules", *sorted(known_sections)])
            message = _("Unknown top-level key; a rules file holds only %(tables)s tables.") % {"tables": allowed}
            problems.append(Problem(layout.top_keys.get(key), key, message))
    tables = document.get("rules", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append(Problem(layout.top_keys.get("rules"), "rules", _("Must be [[rules]] tables.")))
        return [], problems
    # Rules written as inline tables (`rules = [{...}]`) have no headers to point at; fall back to the `rules` key.
    located = len(layout.rules) == len(tables)
    specs: list[RuleSpec] = []
    first_line_of: dict[str, int | None] = {}
    for index, table in enumerate(tables):
        where = layout.rules[index] if located else TableLines(layout.top_keys.get("rules", 0))
        header = where.line or None
        values = _read_table(table, where, header, problems)
        if "name" not in table:
            problems.append(Problem(header, "name", _("Every rule needs a name.")))
            continue
        if "name" not in values:
            continue
        name = values["name"]
        if name in first_line_of:
            message = _("Rule %(name)r is defined twice (first at line %(line)s).")
            problems.append(
                Problem(where.keys.get("name", header), "name", message % {"name": name, "line": first_line_of[name]})
            )
            continue
        first_line_of[name] = header
        complete = {rule_field.name: values.get(rule_field.name, rule_field.default()) for rule_field in RULE_FIELDS}
        specs.append(RuleSpec(complete, line=header, key_lines={k: where.keys.get(k, header) for k in table}))
    return specs, problems


def _read_table(
    table: dict[str, Any], where: TableLines, header: int | None, problems: list[Problem]
) -> dict[str, Any]:
    """Validate one rule's keys; return the valid values by model field name and append the problems."""
    values: dict[str, Any] = {}
    for key, raw in table.items():
        line = where.keys.get(key, header)
        rule_field = _FIELD_OF_KEY.get(key)
        if rule_field is None:
            allowed = ", ".join(RULE_KEYS)
            problems.append(Problem(line, key, _("Unknown key; allowed keys: %(keys)s.") % {"keys": allowed}))
            continue
        try:
            values[rule_field.name] = rule_field.validate(raw)
        except ValidationError as exc:
            problems.extend(Problem(line, key, message) for message in exc.messages)
    return values


def parse_rules(source: str) -> list[RuleSpec]:
    """Parse and validate the text of a rules file (no database access).

    :raises RulesFileError: with every problem found, each naming its line and field.
    """
    specs, problems = read_rules(source)
    if problems:
        raise RulesFileError(problems)
    return specs


def decode_rules(data: bytes) -> str:
    """Return the text of a rules file, which must be UTF-8.

    :raises RulesFileError: naming the line of the first byte that is not UTF-8.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RulesFileError([Problem(line, "", _("The file is not UTF-8 text."))]) from None


def by_line(problems: list[Problem]) -> list[Problem]:
    """Return problems in file order (problems without a line last), keeping the order within a line."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _header_lines(source: str, key: str) -> list[int]:
    pattern = re.compile(r"^[ \t]*\[\[[ \t]*" + re.escape(key) + r"[ \t]*\]\]", re.MULTILINE)
    return [source.count("\n", 0, match.start()) + 1 for match in pattern.finditer(source)]


def read_sections(source: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, set[str]], list[Problem]]:
    """Read the other apps' sections of a rules file (`[[channels]]`): their tables, the names each declares, and
    their problems with lines. A file that is not valid TOML has no sections (read_rules reports the syntax)."""
    try:
        document = tomllib.loads(source)
    except tomllib.TOMLDecodeError:
        return {}, {}, []
    tables: dict[str, list[dict[str, Any]]] = {}
    declared: dict[str, set[str]] = {}
    problems: list[Problem] = []
    for key, section in sections().items():
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            problems.append(Problem(None, key, _("Must be [[%(key)s]] tables.") % {"key": key}))
            continue
        headers = _header_lines(source, key)
        names, section_problems = section.read(value)
        for problem in section_problems:
            line = headers[problem.index] if problem.index < len(headers) else None
            problems.append(Problem(line, problem.key, problem.message))
        tables[key], declared[key] = value, names
    return tables, declared, problems
