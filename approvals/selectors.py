"""Read queries for tickets: which a user may see, and which wait for them. Built on EXISTS, not DISTINCT joins."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from approvals.models import AuditEntry, Rule, Ticket
from approvals.policy import APPROVAL_ACTIONS, dataworks_uid_of

TicketRule = Ticket.rules.through


def _reviewer_rule_ids(user: AbstractBaseUser) -> QuerySet[Rule]:
    return Rule.objects.filter(Q(reviewers=user) | Q(groups__user=user)).values("pk")


def _has_rules() -> Exists:
    return Exists(TicketRule.objects.filter(ticket_id=OuterRef("pk")))


def _reviews_for(user: AbstractBaseUser) -> Q:
    """Tickets the user is a reviewer of: by rule, or by the review-any permission when no rule matched."""
    condition = Q(Exists(TicketRule.objects.filter(ticket_id=OuterRef("pk"), rule_id__in=_reviewer_rule_ids(user))))
    if user.has_perm("approvals.review_any"):
        condition |= ~Q(_has_rules())
    return condition


def visible_tickets(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """Return the tickets a user may see: staff see all; others what they review or what they triggered."""
    tickets = Ticket.objects.all()
    if not user.is_authenticated:
        return tickets.none()
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return tickets
    condition = _reviews_for(user)
    uid = dataworks_uid_of(user)
    if uid:
        condition |= Q(operator_uid=uid)
    return tickets.filter(condition)


def waiting_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """Return pending tickets this user can decide now (a reviewer, not their own change, not yet approved)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    approved = AuditEntry.objects.filter(ticket_id=OuterRef("pk"), actor=user, action__in=APPROVAL_ACTIONS)
    tickets = Ticket.objects.filter(_reviews_for(user), status=Ticket.Status.PENDING).exclude(Exists(approved))
    uid = dataworks_uid_of(user)
    if uid:
        tickets = tickets.exclude(operator_uid=uid)
    return tickets
