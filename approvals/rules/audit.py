"""Record changes to reviewer rules in the append-only RuleChange log (admin edits and `import_rules` alike)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from approvals.models import Rule, RuleChange
from approvals.rules.fields import file_values


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    """Return the rule as it stands, in the shape of the rules file."""
    return dict(file_values(rule))


def record_rule_change(
    *, rule: Rule, action: str, source: str, actor: AbstractBaseUser | None = None, ip: str | None = None
) -> RuleChange:
    """Append one entry for a rule that was just created, updated or (about to be) deleted."""
    return RuleChange.objects.create(
        rule_name=rule.name,
        rule_id_at_change=rule.pk,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        source=source,
        ip_address=ip,
        snapshot=rule_snapshot(rule),
    )
