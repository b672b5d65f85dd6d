"""Save and delete reviewer rules: the one way the admin and `import_rules` write a rule and its RuleChange entry."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from approvals.models import Rule, RuleChange
from approvals.rules.audit import record_rule_change


def rule_changes(
    rule: Rule, *, values: Mapping[str, Any], reviewers: Collection[int], groups: Collection[int]
) -> list[str]:
    """Return the names of the rule's fields whose stored value differs from the one given.

    `values` holds the fields stored on the rule's row (`rules.fields.VALUE_FIELDS`); reviewers and groups are
    primary keys, compared as sets.
    """
    changed = [name for name, value in values.items() if getattr(rule, name) != value]
    if {user.pk for user in rule.reviewers.all()} != set(reviewers):
        changed.append("reviewers")
    if {group.pk for group in rule.groups.all()} != set(groups):
        changed.append("groups")
    return changed


def rule_save(
    *,
    rule: Rule | None,
    values: Mapping[str, Any],
    reviewers: Collection[int],
    groups: Collection[int],
    actor: AbstractBaseUser | None,
    source: str,
    ip: str | None,
) -> Rule:
    """Create a rule (`rule` None or not yet saved) or update a stored one, and log it in RuleChange.

    The rule ends up holding `values` and exactly the `reviewers` and `groups` given (primary keys). An update writes
    the fields that changed plus `updated_at`, and is always logged: the import calls it only for a rule that differs
    (`rule_changes`), the admin on every save, as before.
    """
    rule = rule if rule is not None else Rule()
    creating = rule._state.adding
    with transaction.atomic():
        if creating:
            for name, value in values.items():
                setattr(rule, name, value)
            rule.save()
            rule.reviewers.set(reviewers)
            rule.groups.set(groups)
        else:
            changed = rule_changes(rule, values=values, reviewers=reviewers, groups=groups)
            row_fields = [name for name in changed if name in values]
            for name in row_fields:
                setattr(rule, name, values[name])
            rule.save(update_fields=[*row_fields, "updated_at"])  # updated_at: when the last change was logged
            if "reviewers" in changed:
                rule.reviewers.set(reviewers)
            if "groups" in changed:
                rule.groups.set(groups)
        action = RuleChange.Action.CREATED if creating else RuleChange.Action.UPDATED
        record_rule_change(rule=rule, action=action, source=source, actor=actor, ip=ip)
    return rule


def rule_delete(*, rule: Rule, actor: AbstractBaseUser | None, source: str, ip: str | None) -> None:
    """Log a rule's deletion in RuleChange (with the rule as it was), then delete it."""
    with transaction.atomic():
        record_rule_change(rule=rule, action=RuleChange.Action.DELETED, source=source, actor=actor, ip=ip)
        rule.delete()
