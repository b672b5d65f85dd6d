"""Read queries for tickets: which a user may see, and which wait for them, as ID subqueries the database can index."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, PermissionsMixin, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from approvals import policy
from approvals.models import AuditEntry, Rule, Ticket

TicketRule = Ticket.rules.through


def _reviewed_ticket_ids(user: User) -> QuerySet[Any] | None:
    """Return the IDs of tickets the user reviews (by a human rule, directly or by group; or by review-any when no
    rule matched), as one subquery, or None when there are none to look for."""
    parts: list[QuerySet[Any]] = []
    if user.is_active:
        human_rules = Rule.objects.filter(Q(reviewers=user) | Q(groups__user=user), auto_outcome="").values("pk")
        parts.append(TicketRule.objects.filter(rule_id__in=human_rules).values("ticket_id"))
    if isinstance(user, PermissionsMixin) and user.has_perm("approvals.review_any"):
        parts.append(Ticket.objects.filter(rules__isnull=True).values("pk"))
    if not parts:
        return None
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Return the tickets a user may see: staff see all; others what they review or what they triggered.

    Mirrors `policy.is_reviewer` and `policy.is_own_change`. Built as `id IN (UNION of small ID lists)` rather than
    an OR of EXISTS tests, which made the database scan every ticket (bench/RESULTS.md, inbox at 100,000 tickets).
    """
    tickets = Ticket.objects.all()
    if not user.is_authenticated:
        return tickets.none()
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return tickets
    assert isinstance(user, User)
    ids = _reviewed_ticket_ids(user)
    uid = policy.dataworks_uid_of(user)
    own = Ticket.objects.filter(operator_uid=uid).values("pk") if uid else None
    if ids is not None and own is not None:
        ids = ids.union(own)
    elif ids is None:
        ids = own
    return tickets.filter(pk__in=ids) if ids is not None else tickets.none()


def waiting_for(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Return pending tickets this user can decide now (a reviewer, not their own change, not yet approved)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    assert isinstance(user, User)
    ids = _reviewed_ticket_ids(user)
    if ids is None:
        return Ticket.objects.none()
    approved = AuditEntry.objects.filter(ticket_id=OuterRef("pk"), actor=user, action__in=policy.APPROVAL_ACTIONS)
    tickets = Ticket.objects.filter(pk__in=ids, status=Ticket.Status.PENDING).exclude(Exists(approved))
    uid = policy.dataworks_uid_of(user)
    if uid:
        tickets = tickets.exclude(operator_uid=uid)
    return tickets
