"""Turns rule matches into findings: the workspace's switched-off rules and severities, messages, excerpts."""

from __future__ import annotations

import time

from riskcheck.accesskeys import mask_secrets
from riskcheck.messages import DEFAULT_SEVERITY, MESSAGES, WHY, render
from riskcheck.model import AnalysisConfig, Finding, Severity

EXCERPT_CHARS = 200
NAME_CHARS = 120


class TimeLimitExceeded(Exception):
    """The analysis ran past its deadline; the change is NOT_ASSESSED."""


def shorten(text: str, limit: int = NAME_CHARS) -> str:
    """``text`` on one line, masked, at most ``limit`` characters (names come from untrusted code)."""
    flat = " ".join(mask_secrets(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Collector:
    """Collects the findings of one analysis; one finding per rule and line (the most severe one)."""

    def __init__(self, config: AnalysisConfig, code: str, deadline: float) -> None:
        self.config = config
        self._lines = code.split("\n")
        self._deadline = deadline
        self._found: dict[tuple[str, int], Finding] = {}

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise TimeLimitExceeded

    def severity(self, rule: str, *, reduced: bool = False) -> Severity:
        level = self.config.severity_overrides.get(rule, DEFAULT_SEVERITY[rule])
        # Scratch names (MC01, MC02) are LOW, or lower if the workspace lowered the whole rule.
        return min(level, Severity.LOW) if reduced else level

    def add(self, rule: str, line: int, variant: str | None = None, *, reduced: bool = False, **params: object) -> None:
        if rule in self.config.disabled_rules:
            return
        line = max(1, min(line, len(self._lines)))
        severity = self.severity(rule, reduced=reduced)
        existing = self._found.get((rule, line))
        if existing is not None and existing.severity >= severity:
            return
        values = {name: shorten(str(value)) for name, value in params.items()}
        self._found[(rule, line)] = Finding(
            rule=rule,
            severity=severity,
            line=line,
            message=render(variant or rule, MESSAGES, **values),
            why=dict(WHY[rule]),
            excerpt=shorten(self._lines[line - 1].strip(), EXCERPT_CHARS),
        )

    def findings(self) -> list[Finding]:
        return sorted(self._found.values(), key=lambda finding: (finding.line, finding.rule))
