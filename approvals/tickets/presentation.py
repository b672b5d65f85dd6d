"""What the HTML pages show of tickets: inbox rows, and the ticket page's context built on the review state that
`selectors.ticket_review_state` gives the page and the API alike."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from approvals.models import AuditEntry, Ticket
from approvals.tickets import policy
from approvals.tickets.diff_store import ticket_diffs
from approvals.tickets.selectors import ticket_review_state
from events.catalogue import Subject, subject_of


@dataclass(frozen=True, slots=True)
class InboxRow:
    """What one inbox line shows of a ticket, read as plain values: building model instances cost more than the
    query at 75 rows a page (bench/RESULTS.md, inbox at 100,000 tickets)."""

    pk: int
    message_id: str
    event_code: str
    project_id: int
    title: str
    status: str
    check_result: str
    created_at: datetime


_INBOX_COLUMNS = tuple(field.name for field in fields(InboxRow))


def inbox_rows(tickets: QuerySet[Ticket]) -> list[InboxRow]:
    """Evaluate a (sliced) ticket query as inbox rows, reading only the columns a row shows."""
    return [InboxRow(*values) for values in tickets.values_list(*_INBOX_COLUMNS)]


def dataworks_wait(ticket: Ticket) -> Any:
    """Return how long the DataWorks user has been (or was) held in "Checking"."""
    started = ticket.event.occurred_at or ticket.event.received_at
    callback = getattr(ticket, "callback", None)
    delivered = callback.delivered_at if callback is not None else None
    ended = delivered or (None if ticket.is_open else ticket.decided_at) or timezone.now()
    return max(ended - started, timedelta(0))


def ticket_context(ticket: Ticket, user: AbstractBaseUser | AnonymousUser, *, view: str) -> dict[str, Any]:
    """Build the template context of the ticket page."""
    state = ticket_review_state(ticket=ticket, user=user)
    subject = subject_of(ticket.event_code)
    is_file = subject == Subject.FILE
    context: dict[str, Any] = {
        "ticket": ticket,
        "view": view,
        "operator": policy.operator_display(ticket),
        "requirements": state.requirements,
        "history": state.history,
        "cannot_decide": state.cannot_decide_reason,
        "may_override": state.may_override,
        "waited": dataworks_wait(ticket),
        "is_file_event": is_file,
        "is_table_event": subject == Subject.TABLE,
        "snapshot": ticket.snapshot,
        "override_action": AuditEntry.Action.OVERRIDDEN,
    }
    if is_file and ticket.status != Ticket.Status.PREPARING:
        context["diff"], context["config_diff"] = ticket_diffs(ticket, view=view)
    return context
