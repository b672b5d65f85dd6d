"""Apply validated rules to the database in one transaction: create or update by name, optionally prune."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import Rule, Ticket
from approvals.rules.extensions import sections, unknown_references
from approvals.rules.fields import VALUE_FIELDS
from approvals.rules.io.parse import (
    Problem,
    RulesFileError,
    RuleSpec,
    by_line,
    decode_rules,
    read_rules,
    read_sections,
)
from approvals.rules.services import rule_changes, rule_delete, rule_save


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), by rule name."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    open_tickets_losing_rules: int = 0
    dry_run: bool = False
    sections: list[str] = field(default_factory=list)  # what other apps' sections ([[channels]]) did


def _resolve(specs: list[RuleSpec]) -> tuple[dict[str, int], dict[str, int], list[Problem]]:
    """Map every named reviewer and group to its primary key; return a problem for each unknown one."""
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    usernames = {u for spec in specs for u in spec.values["reviewers"]}
    group_names = {g for spec in specs for g in spec.values["groups"]}
    users = dict(
        user_model._default_manager.filter(**{f"{username_field}__in": usernames}).values_list(username_field, "pk")
    )
    groups = dict(Group.objects.filter(name__in=group_names).values_list("name", "pk"))
    problems = []
    for spec in specs:
        for kind, known in (("reviewers", users), ("groups", groups)):
            line = spec.key_lines.get(kind, spec.line)
            for name in spec.values[kind]:
                if name not in known:
                    message = _("Unknown user %(name)r.") if kind == "reviewers" else _("Unknown group %(name)r.")
                    problems.append(Problem(line, kind, message % {"name": name}))
    return users, groups, problems


SOURCE = "import_rules"


def import_rules(data: bytes, *, prune: bool = False, dry_run: bool = False) -> ImportResult:
    """Validate a whole rules file, then create or update the rules by name so they equal it; with `prune`, delete
    the rules it lacks.

    Reviewers and groups are set exactly as listed. Everything happens in one transaction; with `dry_run` nothing
    is written and the result says what would have changed.

    :raises RulesFileError: with every problem in the file (a named reviewer or group that does not exist too), in
        line order; nothing is changed.
    """
    source = decode_rules(data)
    specs, problems = read_rules(source)
    section_tables, declared, section_problems = read_sections(source)
    with transaction.atomic():
        users, groups, unknown = _resolve(specs)
        references = [
            Problem(spec.key_lines.get(field, spec.line), field, message)
            for spec in specs
            for field, message in unknown_references(spec.values, declared)
        ]
        everything = [*problems, *section_problems, *unknown, *references]
        if everything:
            raise RulesFileError(by_line(everything))
        # Sections first: the rules may name what they declare (a rule's `notify` names a channel of the file).
        notes = [
            line
            for key, section in sections().items()
            if key in section_tables
            for line in section.apply(section_tables[key], dry_run)
        ]
        result = _apply(specs, users, groups, prune=prune, dry_run=dry_run)
        result.sections = notes
        if dry_run:
            transaction.set_rollback(True)  # a section's dry run may have written to compare; nothing stays
        return result


def _apply(
    specs: list[RuleSpec], users: dict[str, int], groups: dict[str, int], *, prune: bool, dry_run: bool
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    existing = {rule.name: rule for rule in Rule.objects.select_for_update().prefetch_related("reviewers", "groups")}
    for spec in specs:
        values = {rule_field.name: spec.values[rule_field.name] for rule_field in VALUE_FIELDS}
        reviewer_ids = {users[name] for name in spec.values["reviewers"]}
        group_ids = {groups[name] for name in spec.values["groups"]}
        rule = existing.get(spec.name)
        if rule is None:
            result.created.append(spec.name)
        elif rule_changes(rule, values=values, reviewers=reviewer_ids, groups=group_ids):
            result.updated.append(spec.name)
        else:
            result.unchanged.append(spec.name)
            continue
        if not dry_run:
            rule_save(
                rule=rule, values=values, reviewers=reviewer_ids, groups=group_ids, actor=None, source=SOURCE, ip=None
            )
    if prune:
        wanted = {spec.name for spec in specs}
        doomed = sorted((rule for name, rule in existing.items() if name not in wanted), key=lambda r: r.name)
        result.deleted = [rule.name for rule in doomed]
        if doomed:
            affected = Ticket.objects.open().filter(rules__in=doomed).distinct()
            result.open_tickets_losing_rules = affected.count()
            if not dry_run:
                for rule in doomed:
                    rule_delete(rule=rule, actor=None, source=SOURCE, ip=None)
    return result
