"""Reviewer rules as TOML: parse and validate a rules file, apply it in one transaction, and export the rules.

The file format is a contract (docs/rules.md). Validation is all-or-nothing: every problem in the file is collected
with its line and field, and nothing is written unless the whole file is valid. Each key's validator comes from the
rule's field table (`approvals.rules.fields`), which the admin's rule form reads too, so the two entry points can
never disagree.

Modules: `locate` (lines in the TOML text), `parse` (file → `RuleSpec`s), `apply` (`RuleSpec`s → database, through
`approvals.rules.services`), `export` (database → file).
"""

from __future__ import annotations

from approvals.rules.io.apply import ImportResult, import_rules
from approvals.rules.io.export import EXPORT_HEADER, export_rules, rule_to_toml, toml_string
from approvals.rules.io.parse import RULE_KEYS, Problem, RulesFileError, RuleSpec, decode_rules, parse_rules, read_rules
from approvals.rules.validators import format_duration, parse_duration  # durations are written as in a file

__all__ = [
    "EXPORT_HEADER",
    "RULE_KEYS",
    "ImportResult",
    "Problem",
    "RuleSpec",
    "RulesFileError",
    "decode_rules",
    "export_rules",
    "format_duration",
    "import_rules",
    "parse_duration",
    "parse_rules",
    "read_rules",
    "rule_to_toml",
    "toml_string",
]
