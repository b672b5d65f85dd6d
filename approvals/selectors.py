"""Read queries for tickets: which a user may see, and which wait for them. Built on EXISTS, not DISTINCT joins."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, PermissionsMixin, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from approvals import policy
from approvals.models import AuditEntry, Rule, Ticket

TicketRule = Ticket.rules.through


def _reviews_for(user: User) -> Q:
    """Tickets the user reviews: named on a human rule (directly or by group), or review-any when no rule matched."""
    ticket_rules = TicketRule.objects.filter(ticket_id=OuterRef("pk"))
    condition = Q(pk__in=[])
    if user.is_active:
        human_rules = Rule.objects.filter(Q(reviewers=user) | Q(groups__user=user), auto_outcome="").values("pk")
        condition |= Q(Exists(ticket_rules.filter(rule_id__in=human_rules)))
    if isinstance(user, PermissionsMixin) and user.has_perm("approvals.review_any"):
        condition |= ~Q(Exists(ticket_rules))
    return condition


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Return the tickets a user may see: staff see all; others what they review or what they triggered.

    Mirrors `policy.is_reviewer` and `policy.is_own_change`, as one filter usable for paginated lists.
    """
    tickets = Ticket.objects.all()
    if not user.is_authenticated:
        return tickets.none()
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return tickets
    condition = _reviews_for(user)
    uid = policy.dataworks_uid_of(user)
    if uid:
        condition |= Q(operator_uid=uid)
    return tickets.filter(condition)


def waiting_for(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Return pending tickets this user can decide now (a reviewer, not their own change, not yet approved)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    approved = AuditEntry.objects.filter(ticket_id=OuterRef("pk"), actor=user, action__in=policy.APPROVAL_ACTIONS)
    tickets = Ticket.objects.filter(_reviews_for(user), status=Ticket.Status.PENDING).exclude(Exists(approved))
    uid = policy.dataworks_uid_of(user)
    if uid:
        tickets = tickets.exclude(operator_uid=uid)
    return tickets
