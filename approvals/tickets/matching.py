"""Which reviewer rules apply to a ticket (workspace, event code, path glob, file type, risk), and which timeout they
set."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from approvals.models import Risk, Rule
from riskcheck import NOT_ASSESSED, Severity, parse_risk, risk_at_least, risk_at_most
from riskcheck import Risk as AnalysedRisk


@dataclass(frozen=True, slots=True)
class Subject:
    """What a rule is matched against."""

    project_id: int
    event_code: str
    path: str = ""
    file_type: int | None = None
    # The risk found at preparation (Ticket.risk); blank or unknown counts as NOT_ASSESSED (fail closed).
    risk: str = Risk.NOT_ASSESSED

    @property
    def analysed_risk(self) -> AnalysedRisk:
        """Return the risk as the analyser compares it; anything unreadable is NOT_ASSESSED."""
        try:
            return parse_risk(self.risk) if self.risk else NOT_ASSESSED
        except ValueError:
            return NOT_ASSESSED


@lru_cache(maxsize=1024)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a path glob: `**` spans folders, `*` and `?` stay inside one path segment."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")  # zero or more whole folders
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    """Tell whether a folder/path/file_name matches a glob."""
    return glob_to_regex(pattern.strip().lstrip("/")).match(path.lstrip("/")) is not None


def rule_matches(rule: Rule, subject: Subject) -> bool:
    """Tell whether an (enabled) rule applies; empty criteria match everything."""
    if not rule.enabled:
        return False
    if rule.projects and subject.project_id not in {int(p) for p in rule.projects}:
        return False
    if rule.events and subject.event_code not in rule.events:
        return False
    if rule.file_types and subject.file_type not in {int(t) for t in rule.file_types}:
        return False
    # NOT_ASSESSED is at least every level and at most none (riskcheck.risk_at_least / risk_at_most): a rule adding
    # reviewers for risky changes applies to an unread change, and one passing harmless changes never does.
    if rule.risk_at_least and not risk_at_least(subject.analysed_risk, Severity.parse(rule.risk_at_least)):
        return False
    if rule.risk_at_most and not risk_at_most(subject.analysed_risk, Severity.parse(rule.risk_at_most)):
        return False
    # Path globs only constrain events that have a path (file events); other events never match a path rule.
    if rule.paths and not subject.path:
        return False
    return not rule.paths or any(path_matches(p, subject.path) for p in rule.paths)


def matching_rules(subject: Subject, rules: Iterable[Rule] | None = None) -> list[Rule]:
    """Return every enabled rule that applies to the subject, ordered by name."""
    candidates = rules if rules is not None else Rule.objects.filter(enabled=True).order_by("name")
    return [rule for rule in candidates if rule_matches(rule, subject)]


def timeout_choice(rules: Iterable[Rule]) -> tuple[timedelta, str] | None:
    """Return the shortest timeout among the rules that humans decide (no automatic outcome), with its outcome.

    Rules without a timeout never expire a ticket; of equal timeouts the first rule's wins. None: no timeout.
    """
    timeouts = [(rule.timeout, rule.on_timeout) for rule in rules if rule.timeout and not rule.auto_outcome]
    return min(timeouts, key=lambda timeout: timeout[0]) if timeouts else None
