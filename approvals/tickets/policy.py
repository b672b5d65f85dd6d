"""Who may decide a ticket, and how far its approval has come. Reads only; services enforce it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.models import AuditEntry, CheckResult, ReviewerProfile, Rule, Ticket, current_approvers

User = get_user_model()
APPROVAL_ACTIONS = (AuditEntry.Action.APPROVED, AuditEntry.Action.APPROVED_WITH_WARNING)
AnyUser = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Requirement:
    """One rule's demand on a ticket and how much of it is met."""

    label: str
    required: int
    reviewer_ids: frozenset[int]
    approver_ids: tuple[int, ...] = ()
    auto_outcome: str = ""
    rule_id: int | None = None
    group_names: tuple[str, ...] = field(default=())
    reviewer_names: tuple[str, ...] = field(default=())

    @property
    def satisfied(self) -> bool:
        return bool(self.auto_outcome) or len(self.approver_ids) >= self.required

    def with_approval(self, user_id: int) -> Requirement:
        """Return this requirement as it stands after one more approval by `user_id` (counted where eligible)."""
        if user_id not in self.reviewer_ids or user_id in self.approver_ids:
            return self
        return replace(self, approver_ids=(*self.approver_ids, user_id))


def dataworks_uid_of(user: AnyUser) -> str:
    """Return the DataWorks UID mapped to a user, or "" when none is."""
    if not user.is_authenticated:
        return ""
    profile = ReviewerProfile.objects.filter(user_id=user.pk).only("dataworks_uid").first()
    return (profile.dataworks_uid or "") if profile else ""


def operator_display(ticket: Ticket) -> str:
    """Name the user who triggered the change, or the raw UID when nobody is mapped to it."""
    if not ticket.operator_uid:
        return "-"
    profile = ReviewerProfile.objects.filter(dataworks_uid=ticket.operator_uid).select_related("user").first()
    return profile.user.get_username() if profile else ticket.operator_uid


def is_own_change(user: AnyUser, ticket: Ticket) -> bool:
    """Tell whether the user is the DataWorks operator who triggered the ticket's change."""
    uid = dataworks_uid_of(user)
    return bool(uid) and uid == ticket.operator_uid


def rule_reviewer_ids(rule: Rule) -> frozenset[int]:
    """Return the active users a rule names directly or through its groups."""
    ids = User.objects.filter(Q(review_rules=rule) | Q(groups__review_rules=rule), is_active=True).values_list(
        "pk", flat=True
    )
    return frozenset(ids)


def _approvals(ticket: Ticket) -> list[int]:
    """Who approves the ticket now: an approval counts until its author withdraws it."""
    entries = (
        ticket.audit.filter(action__in=(*APPROVAL_ACTIONS, AuditEntry.Action.APPROVAL_WITHDRAWN), actor__isnull=False)
        .order_by("created_at", "pk")
        .values_list("action", "actor_id")
    )
    return current_approvers(entries)


def unmatched_reviewer_ids() -> frozenset[int]:
    """Return the active users allowed to decide tickets no rule covers (`approvals.review_any`)."""
    perm = Q(user_permissions__codename="review_any") | Q(groups__permissions__codename="review_any")
    users = User.objects.filter(Q(is_superuser=True) | perm, is_active=True)
    return frozenset(users.values_list("pk", flat=True))


def requirements(ticket: Ticket) -> list[Requirement]:
    """Return what each matched rule (or the no-rule default) requires of the ticket."""
    approvers = _approvals(ticket)
    operator_ids = _operator_user_ids(ticket)
    rules = list(ticket.rules.prefetch_related("groups", "reviewers").order_by("name"))
    if not rules:
        eligible = unmatched_reviewer_ids() - operator_ids
        return [
            Requirement(
                label=_("No rule matched: any reviewer with the review-any permission"),
                required=1,
                reviewer_ids=eligible,
                approver_ids=tuple(a for a in dict.fromkeys(approvers) if a in eligible),
            )
        ]
    result = []
    for rule in rules:
        eligible = rule_reviewer_ids(rule) - operator_ids
        result.append(
            Requirement(
                label=rule.name,
                required=rule.min_approvals,
                reviewer_ids=eligible,
                approver_ids=tuple(a for a in dict.fromkeys(approvers) if a in eligible),
                auto_outcome=rule.auto_outcome,
                rule_id=rule.pk,
                group_names=tuple(g.name for g in rule.groups.all()),
                reviewer_names=tuple(u.get_username() for u in rule.reviewers.all()),
            )
        )
    return result


def _operator_user_ids(ticket: Ticket) -> frozenset[int]:
    if not ticket.operator_uid:
        return frozenset()
    ids = ReviewerProfile.objects.filter(dataworks_uid=ticket.operator_uid).values_list("user_id", flat=True)
    return frozenset(ids)


def is_reviewer(user: AnyUser, ticket: Ticket, reqs: list[Requirement] | None = None) -> bool:
    """Tell whether the user is an eligible reviewer for any human requirement of the ticket."""
    if not user.is_authenticated:
        return False
    reqs = requirements(ticket) if reqs is None else reqs
    return any(user.pk in req.reviewer_ids for req in reqs if not req.auto_outcome)


def why_cannot_decide(user: AnyUser, ticket: Ticket, reqs: list[Requirement] | None = None) -> str | None:
    """Say why the user cannot approve or reject the ticket now, or None when they can."""
    if not user.is_authenticated:
        return _("Log in to review.")
    if ticket.status == Ticket.Status.PREPARING:
        return _("The ticket is still being prepared.")
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        return _("The ticket needs attention from an administrator first.")
    if ticket.status != Ticket.Status.PENDING:
        return _("The ticket is already decided.")
    if is_own_change(user, ticket):
        return _("You triggered this change; someone else must review it.")
    reqs = requirements(ticket) if reqs is None else reqs
    if not is_reviewer(user, ticket, reqs):
        return _("You are not a reviewer for this ticket.")
    if user.pk in {a for req in reqs for a in req.approver_ids}:
        return _("You already approved; waiting for other reviewers.")
    return None


def why_cannot_waive(user: AnyUser, ticket: Ticket, reqs: list[Requirement] | None = None) -> str | None:
    """Say why the user cannot waive a risk finding of the ticket, or None when they can.

    Waiving is a reviewer's call on a ticket still waiting for a decision: an eligible reviewer of a human rule, never
    the operator who triggered the change (an approval already given does not take the right away).
    """
    if not user.is_authenticated:
        return _("Log in to review.")
    if ticket.status != Ticket.Status.PENDING:
        return _("Findings can be waived only while the ticket waits for a decision.")
    if is_own_change(user, ticket):
        return _("You triggered this change; someone else must review its findings.")
    if not is_reviewer(user, ticket, reqs):
        return _("You are not a reviewer for this ticket.")
    return None


def may_retry_preparation(user: AnyUser) -> bool:
    """Tell whether the user may send a ticket that needs attention back to preparation (staff)."""
    return user.is_authenticated and bool(getattr(user, "is_staff", False))


def may_override(user: AnyUser, ticket: Ticket) -> bool:
    """Tell whether the user may use the audited emergency override on this ticket."""
    return (
        settings.REVIEW_GATE_ALLOW_OVERRIDE
        and user.is_authenticated
        and bool(getattr(user, "is_staff", False))
        and isinstance(user, PermissionsMixin)
        and user.has_perm("approvals.override_decision")
        # Any open ticket, a stuck PREPARING one included: the override answers DataWorks with the MessageId alone.
        and ticket.status in Ticket.OPEN_STATUSES
    )


def reject_result(ticket: Ticket) -> str:
    """Return what a reviewer's rejection sends: FAIL, or WARN where the workspace's extension options say so."""
    options = ticket.snapshot.get("options") if isinstance(ticket.snapshot, dict) else None
    if isinstance(options, dict) and options.get("rejectResult") == CheckResult.WARN:
        return CheckResult.WARN
    return CheckResult.FAIL
