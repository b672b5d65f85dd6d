"""Decisions and ticket timings as metrics, from the transition layer's changes (an after-commit subscriber).

- READY: `review_gate_event_to_ready_seconds` (from the event's arrival) and the ready time kept in the database,
  since the decision usually happens in another process (a web process; the worker made it ready).
- DECIDED: `review_gate_decisions_total{result,via}`, `via` read from the ticket's last audit entry, and
  `review_gate_ready_to_decision_seconds`.
Never raises: a metric must not turn a committed change into an error.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import timezone

from approvals.models import AuditEntry, Ticket
from approvals.tickets.changes import Change, TicketChanged
from config import metrics
from operations.models import TicketReadyAt

logger = logging.getLogger(__name__)
Action = AuditEntry.Action
VIA_BY_ACTION = {
    Action.APPROVED: "human",
    Action.APPROVED_WITH_WARNING: "human",
    Action.REJECTED: "human",
    Action.AUTO_DECIDED: "auto",
    Action.EXPIRED: "timeout",
    Action.OVERRIDDEN: "override",
}
DECISION_ACTIONS = tuple(VIA_BY_ACTION)


def record_ticket_change(change: TicketChanged) -> None:
    """Record the metrics of one committed ticket change."""
    try:
        if change.change == Change.READY:
            _ready(change)
        elif change.change == Change.DECIDED:
            _decided(change)
    except (DatabaseError, Ticket.DoesNotExist) as exc:
        logger.warning("Metrics of ticket %s not recorded (%s)", change.ticket_id, type(exc).__name__)


def _ready(change: TicketChanged) -> None:
    now = timezone.now()
    received_at = Ticket.objects.filter(pk=change.ticket_id).values_list("event__received_at", flat=True).first()
    if received_at is not None:
        metrics.observe_event_to_ready((now - received_at).total_seconds())
    TicketReadyAt.objects.update_or_create(ticket_id=change.ticket_id, defaults={"ready_at": now})


def via_of(ticket_id: int) -> str:
    """Say how a ticket was decided, from its last decision audit entry (human when none says otherwise)."""
    action = (
        AuditEntry.objects.filter(ticket_id=ticket_id, action__in=DECISION_ACTIONS)
        .order_by("-created_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return VIA_BY_ACTION.get(Action(action), "human") if action else "human"


def _decided(change: TicketChanged) -> None:
    ticket = Ticket.objects.only("check_result", "decided_at", "created_at").get(pk=change.ticket_id)
    metrics.decision_made(change.result or ticket.check_result, via_of(change.ticket_id))
    ready = TicketReadyAt.objects.filter(ticket_id=change.ticket_id).values_list("ready_at", flat=True).first()
    decided_at = ticket.decided_at or timezone.now()
    if ready is not None:
        metrics.observe_ready_to_decision((decided_at - ready).total_seconds())
        TicketReadyAt.objects.filter(ticket_id=change.ticket_id).delete()
