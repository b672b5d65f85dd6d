"""Read queries of the API: which tickets a user may see, and what a ticket page needs about its review."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from approvals.tickets import policy
from approvals.models import AuditEntry, ReviewerProfile, Ticket
from approvals.tickets.selectors import visible_tickets

__all__ = ["operator_name", "visible_tickets", "with_api_columns"]


def with_api_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Add what the API prints for every ticket without a query per row: the decider and the operator's name."""
    username = f"user__{get_user_model().USERNAME_FIELD}"
    operator_name = ReviewerProfile.objects.filter(dataworks_uid=OuterRef("operator_uid")).values(username)[:1]
    return tickets.select_related("decided_by").annotate(operator_name=Subquery(operator_name))


def operator_name(ticket: Ticket) -> str:
    """Name who triggered the change like `policy.operator_display`, from the annotation when it is there."""
    if not hasattr(ticket, "operator_name"):
        return policy.operator_display(ticket)
    if not ticket.operator_uid:
        return "-"
    return str(getattr(ticket, "operator_name", None) or ticket.operator_uid)


@dataclass(frozen=True)
class ReviewState:
    """How far a ticket's review has come and whether one user may decide it now."""

    requirements: list[policy.Requirement]
    history: list[AuditEntry]
    cannot_decide_reason: str | None

    @property
    def can_decide(self) -> bool:
        return self.cannot_decide_reason is None


def review_state(ticket: Ticket, user: AbstractBaseUser | AnonymousUser) -> ReviewState:
    """Return the ticket's requirements, its audit history (oldest first) and why the user cannot decide it."""
    reqs = policy.requirements(ticket)
    history = list(ticket.audit.select_related("actor").order_by("created_at", "pk"))
    return ReviewState(
        requirements=reqs, history=history, cannot_decide_reason=policy.why_cannot_decide(user, ticket, reqs)
    )
