"""The analyser's value types: severities and risk, findings, the configuration and the analysis result.

Plain data only (no Django), so the worker can store an analysis as JSON on the ticket snapshot and any layer can
compare risks without importing the rules.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

JSON_VERSION = 1


class Severity(enum.IntEnum):
    """How bad a finding is; a risk is the highest severity found (NONE when nothing was found)."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str) -> Severity:
        """The severity named ``value`` (case-insensitive); ValueError for anything else."""
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r}") from None


class NotAssessed(enum.Enum):
    """The risk of a change nobody analysed: deliberately not a Severity, so it never compares as low."""

    NOT_ASSESSED = "NOT_ASSESSED"


NOT_ASSESSED = NotAssessed.NOT_ASSESSED
Risk = Severity | NotAssessed


def parse_risk(value: str) -> Risk:
    """``"NOT_ASSESSED"`` or a severity name; ValueError for anything else."""
    if str(value).strip().upper() == NOT_ASSESSED.value:
        return NOT_ASSESSED
    return Severity.parse(value)


def risk_name(risk: Risk) -> str:
    return risk.value if isinstance(risk, NotAssessed) else risk.name


def risk_at_least(risk: Risk, level: Severity) -> bool:
    """True when ``risk`` is ``level`` or worse.

    NOT_ASSESSED counts as at least every level (fail closed): a change nobody could analyse may be anything, so a
    rule adding requirements for risky changes applies to it too.
    """
    if isinstance(risk, NotAssessed):
        return True
    return risk >= level


def risk_at_most(risk: Risk, level: Severity) -> bool:
    """True when ``risk`` is ``level`` or milder; never for NOT_ASSESSED, so nothing passes by not being analysed."""
    if isinstance(risk, NotAssessed):
        return False
    return risk <= level


@dataclass(frozen=True)
class Finding:
    """One rule matched at one line; ``message`` and ``why`` carry both languages ("en", "zh-hans")."""

    rule: str
    severity: Severity
    line: int
    message: dict[str, str]
    why: dict[str, str]
    excerpt: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.name,
            "line": self.line,
            "message": dict(self.message),
            "why": dict(self.why),
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            rule=_text(data["rule"]),
            severity=Severity.parse(data["severity"]),
            line=int(data["line"]),
            message=_languages(data.get("message")),
            why=_languages(data.get("why")),
            excerpt=_text(data.get("excerpt", "")),
        )


@dataclass
class Analysis:
    """The result of one analysis: the risk, the findings in line order, and what was seen."""

    risk: Risk
    findings: list[Finding]
    statements: int = 0
    parse_failures: int = 0
    duration_ms: float = 0.0
    language: str | None = None
    # Why the change is NOT_ASSESSED ({"en": ..., "zh-hans": ...}); None when it was analysed.
    reason: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only (dict, list, str, int, float, None), for the ticket snapshot."""
        return {
            "version": JSON_VERSION,
            "risk": risk_name(self.risk),
            "findings": [finding.to_json() for finding in self.findings],
            "statements": self.statements,
            "parse_failures": self.parse_failures,
            "duration_ms": round(self.duration_ms, 3),
            "language": self.language,
            "reason": dict(self.reason) if self.reason is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Analysis:
        """The analysis ``to_json`` wrote; ValueError when ``data`` is not one."""
        try:
            if not isinstance(data, Mapping) or int(data.get("version", 0)) != JSON_VERSION:
                raise ValueError("not a stored analysis (missing or unknown version)")
            reason = data.get("reason")
            language = data.get("language")
            return cls(
                risk=parse_risk(data["risk"]),
                findings=[Finding.from_json(item) for item in data.get("findings", [])],
                statements=int(data.get("statements", 0)),
                parse_failures=int(data.get("parse_failures", 0)),
                duration_ms=float(data.get("duration_ms", 0.0)),
                language=_text(language) if language is not None else None,
                reason=_languages(reason) if reason is not None else None,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a stored analysis: {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _languages(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected an object of languages")
    return {_text(key): _text(text) for key, text in value.items()}


DEFAULT_SCRATCH_PATTERNS = ("tmp_*", "temp_*", "*_tmp", "*_temp")
CONVENTIONAL_PARTITION_COLUMNS = ("ds", "dt", "pt")


@dataclass(frozen=True)
class AnalysisConfig:
    """What a workspace tells the analyser. Names are compared case-insensitively (MaxCompute's are)."""

    # The workspace's own projects (MC11); a standard-mode workspace passes both ``name`` and ``name_dev``.
    # Empty: the own project is unknown, so MC11 stays silent rather than flagging every qualified name.
    projects: frozenset[str] = frozenset()
    scratch_patterns: tuple[str, ...] = DEFAULT_SCRATCH_PATTERNS
    # MC18: patterns of bare names ("ods_*") or, with a dot, of project-qualified names ("prod_prj.dim_*").
    protected_patterns: tuple[str, ...] = ()
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    # Known partition columns by table ("t" or "project.t"), from a table event's model or DataWorks metadata.
    partition_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    conventional_partition_columns: tuple[str, ...] = CONVENTIONAL_PARTITION_COLUMNS
    # Bounds: a larger input is NOT_ASSESSED (with a reason) instead of keeping the worker busy.
    max_chars: int = 2_000_000
    max_lines: int = 60_000
    time_limit_s: float = 30.0

    def __post_init__(self) -> None:
        # Normalise whatever iterables the caller passed, so the rules compare lower-case names only.
        set_ = object.__setattr__
        set_(self, "projects", frozenset(_lower(self.projects)))
        set_(self, "scratch_patterns", tuple(_lower(self.scratch_patterns)))
        set_(self, "protected_patterns", tuple(_lower(self.protected_patterns)))
        set_(self, "disabled_rules", frozenset(str(rule).strip().upper() for rule in self.disabled_rules))
        set_(
            self,
            "severity_overrides",
            {str(rule).strip().upper(): Severity(level) for rule, level in dict(self.severity_overrides).items()},
        )
        set_(
            self,
            "partition_columns",
            {
                str(table).strip().strip("`").lower(): tuple(_lower(columns))
                for table, columns in dict(self.partition_columns).items()
            },
        )
        set_(self, "conventional_partition_columns", tuple(_lower(self.conventional_partition_columns)))

    def is_scratch(self, name: str) -> bool:
        return _matches(name.lower(), self.scratch_patterns)

    def is_protected(self, name: str, project: str | None) -> bool:
        bare = name.lower()
        qualified = f"{project.lower()}.{bare}" if project else bare
        return any(
            fnmatch.fnmatchcase(qualified if "." in pattern else bare, pattern) for pattern in self.protected_patterns
        )

    def known_partition_columns(self, name: str, project: str | None) -> tuple[str, ...] | None:
        bare = name.lower()
        if project and (found := self.partition_columns.get(f"{project.lower()}.{bare}")) is not None:
            return found
        return self.partition_columns.get(bare)


def _lower(values: Iterable[str]) -> list[str]:
    if isinstance(values, str):  # a lone string is one name, not its characters
        values = [values]
    return [str(value).strip().lower() for value in values if str(value).strip()]


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


DEFAULT_CONFIG = AnalysisConfig()
