"""Resolve a workspace's effective choice: the admin's workspace settings, else the extension's workspace option
from DataWorks (kept in the ticket's snapshot), else the global setting."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from riskcheck import AnalysisConfig, Severity
from workspaces.models import WorkspaceSettings
from workspaces.risk import option_list, validate_patterns, validate_rule_ids, validate_severity_overrides

logger = logging.getLogger(__name__)

_LANGUAGES = {code for code, _name in settings.LANGUAGES}
# The extension option's values, as the options form in DataWorks offers them (docs/extension-options.schema.json).
_OPTION_LANGUAGES = {"zh-hans": "zh-hans", "zh": "zh-hans", "zh-cn": "zh-hans", "en": "en"}


def tip_language(project_id: int, options: Mapping[str, Any] | None = None) -> str:
    """Return the language of the tips sent to DataWorks for this workspace."""
    chosen = WorkspaceSettings.objects.filter(project_id=project_id).values_list("tip_language", flat=True).first()
    if chosen in _LANGUAGES:
        return str(chosen)
    option = str((options or {}).get("tipLanguage") or "").strip().lower()
    if option in _OPTION_LANGUAGES:
        return _OPTION_LANGUAGES[option]
    return str(settings.REVIEW_GATE_TIP_LANGUAGE)


# --- DataWorks API version ---------------------------------------------------------------------------------------

API_VERSIONS = ("2020-05-18", "2024-05-18")
DEFAULT_API_VERSION = "2020-05-18"
API_VERSION_OPTION = "apiVersion"


def api_version(project_id: int, options: Mapping[str, Any] | None = None) -> str:
    """Return the DataWorks OpenAPI version of a workspace's Data Studio calls: "2020-05-18" or "2024-05-18".

    The admin's choice, else the extension's workspace option `apiVersion` (an unknown value is ignored and logged),
    else 2020-05-18, which every workspace had before the new Data Studio.
    """
    chosen = WorkspaceSettings.objects.filter(project_id=project_id).values_list("api_version", flat=True).first()
    if chosen in API_VERSIONS:
        return str(chosen)
    option = str((options or {}).get(API_VERSION_OPTION) or "").strip()
    if option in API_VERSIONS:
        return option
    if option:
        logger.warning(
            "Ignoring the workspace option %s of workspace %s: not a known version", API_VERSION_OPTION, project_id
        )
    return DEFAULT_API_VERSION


# --- Risk analysis -------------------------------------------------------------------------------------------------

# The extension's workspace options that configure the risk analyser (each optional; an invalid value is ignored and
# logged, like an unknown tipLanguage, so a typo in DataWorks never stops preparation).
RISK_OPTION_SEVERITIES = "riskSeverities"
RISK_OPTION_DISABLED = "riskDisabledRules"
RISK_OPTION_SCRATCH = "riskScratchPatterns"
RISK_OPTION_PROTECTED = "riskProtectedTables"


def _option(options: Mapping[str, Any], key: str, read: Any) -> Any:
    raw = options.get(key)
    if raw in (None, "", [], {}):
        return None
    try:
        return read(raw)
    except ValidationError:
        logger.warning("Ignoring the workspace option %s: not a valid value", key)
        return None


def _list_option(validate: Any) -> Any:
    def read(raw: Any) -> Any:
        values = option_list(raw)
        if values is None:
            raise ValidationError("not a list")
        return validate(values)

    return read


def _severity_option(raw: Any) -> dict[str, str]:
    """Read severity overrides from an extension option: an object, or text such as "MC04=HIGH, MC14=MEDIUM"
    (what a DataWorks option text box holds)."""
    if isinstance(raw, str):
        pairs = [entry.partition("=") for entry in option_list(raw) or []]
        if any(not sep for _rule, sep, _level in pairs):
            raise ValidationError("not rule=severity pairs")
        raw = {rule.strip(): level.strip().upper() for rule, _sep, level in pairs}
    return validate_severity_overrides(raw)


def risk_config(
    project_id: int,
    options: Mapping[str, Any] | None = None,
    *,
    projects: Iterable[str] = (),
    partition_columns: Mapping[str, Iterable[str]] | None = None,
) -> AnalysisConfig:
    """Return the analyser's configuration for a workspace.

    Each setting is the admin's (WorkspaceSettings), else the extension's workspace option, else the analyser's
    default; `projects` are the workspace's own MaxCompute projects (MC11), which the caller reads from DataWorks.
    """
    chosen = WorkspaceSettings.objects.filter(project_id=project_id).first()
    options = options or {}

    def pick(admin_value: Any, key: str, read: Any) -> Any:
        if admin_value:
            return admin_value
        return _option(options, key, read)

    severities = pick(chosen.risk_severity_overrides if chosen else None, RISK_OPTION_SEVERITIES, _severity_option)
    disabled = pick(
        chosen.risk_disabled_rules if chosen else None, RISK_OPTION_DISABLED, _list_option(validate_rule_ids)
    )
    scratch = pick(
        chosen.risk_scratch_patterns if chosen else None, RISK_OPTION_SCRATCH, _list_option(validate_patterns)
    )
    protected = pick(
        chosen.risk_protected_patterns if chosen else None, RISK_OPTION_PROTECTED, _list_option(validate_patterns)
    )
    config: dict[str, Any] = {
        "projects": frozenset(projects),
        "severity_overrides": {rule: Severity.parse(level) for rule, level in dict(severities or {}).items()},
        "disabled_rules": frozenset(disabled or ()),
        "protected_patterns": tuple(protected or ()),
        "partition_columns": {table: tuple(columns) for table, columns in dict(partition_columns or {}).items()},
    }
    if scratch:
        config["scratch_patterns"] = tuple(scratch)
    return AnalysisConfig(**config)
