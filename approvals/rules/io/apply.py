"""Apply validated rules to the database in one transaction: create or update by name, optionally prune."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import Rule, RuleChange, Ticket
from approvals.rules.audit import record_rule_change
from approvals.rules.io.parse import Problem, RulesFileError, RuleSpec, by_line, decode_rules, read_rules


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), by rule name."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    open_tickets_losing_rules: int = 0
    dry_run: bool = False


def _resolve(specs: list[RuleSpec]) -> tuple[dict[str, int], dict[str, int], list[Problem]]:
    """Map every named reviewer and group to its primary key; return a problem for each unknown one."""
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    usernames = {u for spec in specs for u in spec.reviewers}
    group_names = {g for spec in specs for g in spec.groups}
    users = dict(
        user_model._default_manager.filter(**{f"{username_field}__in": usernames}).values_list(username_field, "pk")
    )
    groups = dict(Group.objects.filter(name__in=group_names).values_list("name", "pk"))
    problems = []
    for spec in specs:
        for kind, names, known in (("reviewers", spec.reviewers, users), ("groups", spec.groups, groups)):
            line = spec.key_lines.get(kind, spec.line)
            for name in names:
                if name not in known:
                    message = _("Unknown user %(name)r.") if kind == "reviewers" else _("Unknown group %(name)r.")
                    problems.append(Problem(line, kind, message % {"name": name}))
    return users, groups, problems


SOURCE = "import_rules"
_PLAIN_FIELDS = (
    "enabled",
    "projects",
    "events",
    "paths",
    "file_types",
    "min_approvals",
    "timeout",
    "on_timeout",
    "auto_outcome",
)
_OPEN_STATUSES = (Ticket.Status.PREPARING, Ticket.Status.PENDING, Ticket.Status.NEEDS_ATTENTION)


def apply_rules(specs: list[RuleSpec], *, prune: bool = False, dry_run: bool = False) -> ImportResult:
    """Create or update the rules by name so they equal the specs; with `prune`, delete the rules they lack.

    Reviewers and groups are set exactly as listed. Everything happens in one transaction; with `dry_run` nothing
    is written and the result says what would have changed.

    :raises RulesFileError: a named reviewer or group does not exist (then nothing is changed).
    """
    with transaction.atomic():
        users, groups, problems = _resolve(specs)
        if problems:
            raise RulesFileError(problems)
        return _apply(specs, users, groups, prune=prune, dry_run=dry_run)


def import_rules(data: bytes, *, prune: bool = False, dry_run: bool = False) -> ImportResult:
    """Validate a whole rules file, then apply it (see `apply_rules`).

    :raises RulesFileError: with every problem in the file, in line order; nothing is changed.
    """
    specs, problems = read_rules(decode_rules(data))
    with transaction.atomic():
        users, groups, unknown = _resolve(specs)
        if problems or unknown:
            raise RulesFileError(by_line([*problems, *unknown]))
        return _apply(specs, users, groups, prune=prune, dry_run=dry_run)


def _apply(
    specs: list[RuleSpec], users: dict[str, int], groups: dict[str, int], *, prune: bool, dry_run: bool
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    existing = {rule.name: rule for rule in Rule.objects.select_for_update().prefetch_related("reviewers", "groups")}
    for spec in specs:
        reviewer_ids = {users[name] for name in spec.reviewers}
        group_ids = {groups[name] for name in spec.groups}
        values = {name: getattr(spec, name) for name in _PLAIN_FIELDS}
        rule = existing.get(spec.name)
        if rule is None:
            result.created.append(spec.name)
            if not dry_run:
                rule = Rule.objects.create(name=spec.name, **values)
                rule.reviewers.set(reviewer_ids)
                rule.groups.set(group_ids)
                record_rule_change(rule=rule, action=RuleChange.Action.CREATED, source=SOURCE)
            continue
        changed = [name for name, value in values.items() if getattr(rule, name) != value]
        reviewers_changed = {u.pk for u in rule.reviewers.all()} != reviewer_ids
        groups_changed = {g.pk for g in rule.groups.all()} != group_ids
        if not (changed or reviewers_changed or groups_changed):
            result.unchanged.append(spec.name)
            continue
        result.updated.append(spec.name)
        if dry_run:
            continue
        if changed:
            for name in changed:
                setattr(rule, name, values[name])
            rule.save(update_fields=[*changed, "updated_at"])
        if reviewers_changed:
            rule.reviewers.set(reviewer_ids)
        if groups_changed:
            rule.groups.set(group_ids)
        record_rule_change(rule=rule, action=RuleChange.Action.UPDATED, source=SOURCE)
    if prune:
        wanted = {spec.name for spec in specs}
        doomed = sorted((rule for name, rule in existing.items() if name not in wanted), key=lambda r: r.name)
        result.deleted = [rule.name for rule in doomed]
        if doomed:
            affected = Ticket.objects.filter(rules__in=doomed, status__in=_OPEN_STATUSES).distinct()
            result.open_tickets_losing_rules = affected.count()
            if not dry_run:
                for rule in doomed:
                    record_rule_change(rule=rule, action=RuleChange.Action.DELETED, source=SOURCE)
                Rule.objects.filter(pk__in=[rule.pk for rule in doomed]).delete()
    return result
