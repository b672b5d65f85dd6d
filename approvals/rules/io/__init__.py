"""Reviewer rules as TOML: parse and validate a rules file, apply it in one transaction, and export the rules.

The file format is a contract (docs/rules.md). Validation is all-or-nothing: every problem in the file is collected
with its line and field, and nothing is written unless the whole file is valid. The per-field validators are also
what the admin's rule form uses (`approvals.rules.forms`), so the two entry points can never disagree.

Modules: `validators` (one field each), `locate` (lines in the TOML text), `parse` (file → `RuleSpec`s), `apply`
(`RuleSpec`s → database), `export` (database → file).
"""

from __future__ import annotations

from approvals.rules.io.apply import ImportResult, apply_rules, import_rules
from approvals.rules.io.export import EXPORT_HEADER, export_rules, rule_to_toml, toml_string
from approvals.rules.io.parse import RULE_KEYS, Problem, RulesFileError, RuleSpec, decode_rules, parse_rules, read_rules
from approvals.rules.io.validators import (
    MAX_INT,
    NAME_MAX_LENGTH,
    format_duration,
    list_from_text,
    list_to_text,
    parse_duration,
    validate_auto,
    validate_enabled,
    validate_events,
    validate_file_types,
    validate_min_approvals,
    validate_names,
    validate_on_timeout,
    validate_paths,
    validate_projects,
    validate_rule_name,
)

__all__ = [
    "EXPORT_HEADER",
    "MAX_INT",
    "NAME_MAX_LENGTH",
    "RULE_KEYS",
    "ImportResult",
    "Problem",
    "RuleSpec",
    "RulesFileError",
    "apply_rules",
    "decode_rules",
    "export_rules",
    "format_duration",
    "import_rules",
    "list_from_text",
    "list_to_text",
    "parse_duration",
    "parse_rules",
    "read_rules",
    "rule_to_toml",
    "toml_string",
    "validate_auto",
    "validate_enabled",
    "validate_events",
    "validate_file_types",
    "validate_min_approvals",
    "validate_names",
    "validate_on_timeout",
    "validate_paths",
    "validate_projects",
    "validate_rule_name",
]
