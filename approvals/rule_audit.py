"""Record changes to reviewer rules in the append-only RuleChange log (admin edits and `import_rules` alike)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from approvals.models import Rule, RuleChange


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    """Return the rule as it stands, in the shape of the rules file."""
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "projects": list(rule.projects),
        "events": list(rule.events),
        "paths": list(rule.paths),
        "file_types": list(rule.file_types),
        "reviewers": sorted(u.get_username() for u in rule.reviewers.all()),
        "groups": sorted(g.name for g in rule.groups.all()),
        "min_approvals": rule.min_approvals,
        "timeout_seconds": int(rule.timeout.total_seconds()) if rule.timeout else None,
        "on_timeout": rule.on_timeout,
        "auto": rule.auto_outcome,
    }


def record_rule_change(
    *, rule: Rule, action: str, source: str, actor: User | None = None, ip: str | None = None
) -> RuleChange:
    """Append one entry for a rule that was just created, updated or (about to be) deleted."""
    return RuleChange.objects.create(
        rule_name=rule.name,
        rule_id_at_change=rule.pk,
        action=action,
        actor=actor,
        source=source,
        ip_address=ip,
        snapshot=rule_snapshot(rule),
    )
