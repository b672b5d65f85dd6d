"""Requirements that can never be met: a matched rule with fewer eligible reviewers than the approvals it needs.

A rule needing two approvals whose group has two people, one of whom made the change, can never be satisfied, nor
can a rule whose reviewers are all inactive. `unreachable_reasons` reads requirements (`policy.requirements`) and
says in words which cannot be met and why; `ticket_refresh_unreachable` stores that on pending tickets
(`Ticket.unreachable_reason`, shown on the ticket page and to staff in the inbox) and publishes `Change.UNREACHABLE`
when a ticket becomes unreachable, so notifications can escalate it. `connect_quorum_signals` (called from
`ApprovalsConfig.ready()`) refreshes the pending tickets of every rule whose reviewers may have changed: a rule saved
or deleted, its reviewers or groups changed, a group's members changed, a user activated, deactivated or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import Rule, Ticket
from approvals.tickets import policy
from approvals.tickets.changes import Change, TicketChanged, publish

# Tickets are refreshed this many at a time, each batch in its own (nested) transaction.
BATCH_SIZE = 100


# --- Reading ------------------------------------------------------------------------------------------------------


def _reason(req: policy.Requirement) -> str:
    eligible = len(req.reviewer_ids)
    if req.rule_id is None:
        return _(
            "No rule matched this change, and no active user other than the person who made it may decide changes "
            "no rule covers (a superuser or the review-any permission)."
        )
    if eligible == 0:
        return ngettext(
            "Rule “%(rule)s” needs %(required)d approval, but nobody can give it: the rule names no active reviewer, "
            "directly or through its groups, other than the person who made the change.",
            "Rule “%(rule)s” needs %(required)d approvals, but nobody can give them: the rule names no active "
            "reviewer, directly or through its groups, other than the person who made the change.",
            req.required,
        ) % {"rule": req.label, "required": req.required}
    return ngettext(
        "Rule “%(rule)s” needs %(required)d approvals, but only %(eligible)d person can give one: the rule names "
        "%(eligible)d active reviewer, directly or through its groups, other than the person who made the change.",
        "Rule “%(rule)s” needs %(required)d approvals, but only %(eligible)d people can give one: the rule names "
        "%(eligible)d active reviewers, directly or through its groups, other than the person who made the change.",
        eligible,
    ) % {"rule": req.label, "required": req.required, "eligible": eligible}


def unreachable_reasons(requirements: Iterable[policy.Requirement]) -> list[str]:
    """Say, one sentence per requirement, which human requirements can never be met and why (none: []).

    A requirement's `reviewer_ids` are its eligible active reviewers minus the change's operator; one with fewer of
    them than the approvals it needs cannot be met however long the ticket waits. Automatic rules need nobody.
    """
    return [_reason(req) for req in requirements if not req.auto_outcome and len(req.reviewer_ids) < req.required]


def rule_shortfall(rule: Rule) -> tuple[int, int] | None:
    """Return (eligible, required) for a human rule with no more active reviewers than the approvals it needs.

    Eligible reviewers are the active users the rule names directly or through its groups. None: the rule is
    automatic, or has more reviewers than it needs approvals (so anyone's own change can still be approved).
    """
    if rule.auto_outcome or rule.pk is None:
        return None
    eligible = len(policy.rule_reviewer_ids(rule))
    return (eligible, rule.min_approvals) if eligible <= rule.min_approvals else None


def rule_quorum_warning(rule: Rule) -> str:
    """Say in words when a rule's reviewers cannot meet its minimum approvals ("" when they can)."""
    shortfall = rule_shortfall(rule)
    if shortfall is None:
        return ""
    eligible, required = shortfall
    if eligible < required:
        return ngettext(
            "Rule “%(rule)s” needs %(required)d approvals but has only %(eligible)d active reviewer (directly or "
            "through its groups): the tickets it matches can never be approved; they wait until they time out or "
            "someone overrides them.",
            "Rule “%(rule)s” needs %(required)d approvals but has only %(eligible)d active reviewers (directly or "
            "through its groups): the tickets it matches can never be approved; they wait until they time out or "
            "someone overrides them.",
            eligible,
        ) % {"rule": rule.name, "required": required, "eligible": eligible}
    return ngettext(
        "Rule “%(rule)s” needs %(required)d approval and has exactly %(eligible)d active reviewer: a change that "
        "reviewer makes can never be approved, since nobody approves their own change.",
        "Rule “%(rule)s” needs %(required)d approvals and has exactly %(eligible)d active reviewers: a change one "
        "of them makes can never be approved, since nobody approves their own change.",
        eligible,
    ) % {"rule": rule.name, "required": required, "eligible": eligible}


# --- Storing ------------------------------------------------------------------------------------------------------


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, size)):
        yield batch


def ticket_refresh_unreachable(*, ticket_ids: Iterable[int]) -> int:
    """Recompute and store why the pending tickets among `ticket_ids` cannot be met; return how many changed.

    Other tickets are left alone (a decided ticket keeps what it last said). The reason is stored in the site's
    language (`LANGUAGE_CODE`); pages compute it again in the reader's. A ticket whose reason turns from empty to
    non-empty publishes `Change.UNREACHABLE` in the same transaction. The update is conditional on the reason read,
    so two refreshes at once publish once.
    """
    changed = 0
    for batch in _batches(ticket_ids, BATCH_SIZE):
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            pending = Ticket.objects.filter(pk__in=batch, status=Ticket.Status.PENDING)
            for ticket in pending.only("pk", "status", "operator_uid", "unreachable_reason"):
                reason = "\n".join(unreachable_reasons(policy.requirements(ticket)))
                if reason == ticket.unreachable_reason:
                    continue
                updated = Ticket.objects.filter(
                    pk=ticket.pk, status=Ticket.Status.PENDING, unreachable_reason=ticket.unreachable_reason
                ).update(unreachable_reason=reason, updated_at=timezone.now())
                if not updated:
                    continue
                changed += 1
                if reason and not ticket.unreachable_reason:
                    publish(TicketChanged(ticket.pk, Change.UNREACHABLE, None, Ticket.Status.PENDING))
    return changed


def refresh_rules(rule_ids: Iterable[int], *, unmatched: bool = False) -> int:
    """Refresh the pending tickets of these rules (and, `unmatched`, those no rule matched); return how many changed."""
    rule_ids = sorted(set(rule_ids))
    if not rule_ids and not unmatched:
        return 0
    condition = Q(rules__in=rule_ids) if rule_ids else Q(pk__in=[])
    if unmatched:
        condition |= Q(has_rules=False)
    tickets = Ticket.objects.filter(condition, status=Ticket.Status.PENDING)
    ids = list(tickets.order_by("pk").values_list("pk", flat=True).distinct())
    return ticket_refresh_unreachable(ticket_ids=ids) if ids else 0


# --- Keeping it current -------------------------------------------------------------------------------------------


def _rules_of_user(user_id: Any) -> set[int]:
    rules = Rule.objects.filter(Q(reviewers__pk=user_id) | Q(groups__user__pk=user_id))
    return set(rules.values_list("pk", flat=True))


def _rules_of_groups(group_ids: Iterable[Any]) -> set[int]:
    return set(Rule.objects.filter(groups__pk__in=list(group_ids)).values_list("pk", flat=True))


def _rule_saved(sender: type[Rule], instance: Rule, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh_rules([instance.pk])


def _rule_deleting(sender: type[Rule], instance: Rule, **kwargs: Any) -> None:
    # The ticket links go with the rule: remember its pending tickets while they are still linked.
    pending = instance.tickets.filter(status=Ticket.Status.PENDING)
    instance._quorum_ticket_ids = list(pending.values_list("pk", flat=True))  # type: ignore[attr-defined]


def _rule_deleted(sender: type[Rule], instance: Rule, **kwargs: Any) -> None:
    ticket_ids = getattr(instance, "_quorum_ticket_ids", [])
    if ticket_ids:
        ticket_refresh_unreachable(ticket_ids=ticket_ids)


def _rule_people_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[Any] | None, **kwargs: Any
) -> None:
    """Rule.reviewers or Rule.groups changed, from the rule's side or from the user's or group's."""
    if not reverse:  # instance is the rule
        if action.startswith("post_"):
            refresh_rules([instance.pk])
        return
    related = "reviewers" if sender is Rule.reviewers.through else "groups"
    if action == "pre_clear":
        rules = Rule.objects.filter(**{related: instance}).values_list("pk", flat=True)
        instance._quorum_rule_ids = set(rules)
    elif action == "post_clear":
        refresh_rules(getattr(instance, "_quorum_rule_ids", set()))
    elif action in ("post_add", "post_remove"):
        refresh_rules(pk_set or set())


def _membership_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[Any] | None, **kwargs: Any
) -> None:
    """User.groups changed: from the user's side (pk_set: groups) or the group's (pk_set: users)."""
    if reverse:  # instance is the group: whoever joined or left, its rules are affected
        if action.startswith("post_"):
            refresh_rules(_rules_of_groups([instance.pk]), unmatched=_grants_review_any([instance.pk]))
        return
    if action == "pre_clear":
        instance._quorum_group_ids = set(instance.groups.values_list("pk", flat=True))
        return
    group_ids: set[Any]
    if action == "post_clear":
        group_ids = getattr(instance, "_quorum_group_ids", set())
    elif action in ("post_add", "post_remove"):
        group_ids = pk_set or set()
    else:
        return
    refresh_rules(_rules_of_groups(group_ids), unmatched=_grants_review_any(group_ids))


def _grants_review_any(group_ids: Iterable[Any]) -> bool:
    """Tell whether any of these groups grants the review-any permission (who decides tickets no rule matched)."""
    group_ids = list(group_ids)
    return bool(group_ids) and Group.objects.filter(pk__in=group_ids, permissions__codename="review_any").exists()


_USER_FLAGS = ("is_active", "is_superuser")


def _user_saving(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(_USER_FLAGS)):
        return  # a new user is in no rule yet; a login only writes last_login
    instance._quorum_flags = sender.objects.filter(pk=instance.pk).values_list(*_USER_FLAGS).first()


def _user_saved(sender: Any, instance: Any, raw: bool = False, created: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_quorum_flags", None)
    if raw or created or before is None:
        return
    instance._quorum_flags = None
    if tuple(before) != tuple(getattr(instance, flag) for flag in _USER_FLAGS):
        refresh_rules(_rules_of_user(instance.pk), unmatched=True)


def _person_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender is Group:
        instance._quorum_rule_ids = _rules_of_groups([instance.pk])
    else:
        instance._quorum_rule_ids = _rules_of_user(instance.pk)


def _person_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    refresh_rules(getattr(instance, "_quorum_rule_ids", set()), unmatched=sender is not Group)


def connect_quorum_signals() -> None:
    """Keep `Ticket.unreachable_reason` current when rules, groups or users change (idempotent)."""
    user_model = get_user_model()
    post_save.connect(_rule_saved, sender=Rule, dispatch_uid="quorum_rule_saved")
    pre_delete.connect(_rule_deleting, sender=Rule, dispatch_uid="quorum_rule_deleting")
    post_delete.connect(_rule_deleted, sender=Rule, dispatch_uid="quorum_rule_deleted")
    m2m_changed.connect(_rule_people_changed, sender=Rule.reviewers.through, dispatch_uid="quorum_rule_reviewers")
    m2m_changed.connect(_rule_people_changed, sender=Rule.groups.through, dispatch_uid="quorum_rule_groups")
    m2m_changed.connect(_membership_changed, sender=user_model.groups.through, dispatch_uid="quorum_membership")
    pre_save.connect(_user_saving, sender=user_model, dispatch_uid="quorum_user_saving")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="quorum_user_saved")
    for model in (user_model, Group):
        pre_delete.connect(_person_deleting, sender=model, dispatch_uid=f"quorum_deleting_{model._meta.label}")
        post_delete.connect(_person_deleted, sender=model, dispatch_uid=f"quorum_deleted_{model._meta.label}")
