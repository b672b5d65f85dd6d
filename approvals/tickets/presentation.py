"""What the HTML pages show of tickets: inbox rows, and the ticket page's context built on the review state that
`selectors.ticket_review_state` gives the page and the API alike."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from approvals.models import AuditEntry, Risk, Ticket
from approvals.tickets import policy, quorum
from approvals.tickets.context import ticket_dataworks_context
from approvals.tickets.diff_store import ticket_diffs
from approvals.tickets.selectors import ticket_review_state, ticket_risk_view
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
    unreachable_reason: str  # why a matched rule cannot be met (`tickets.quorum`); the inbox marks it for staff
    risk: str  # the risk found at preparation ("" before it)


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


# How `DataWorksError.__str__` names a failed call: "<Action> <Code>[ HTTP <status>][ request <id>]: <message>" (the
# code "-" when DataWorks gave none). The event's status detail holds it as is, and the attention reason quotes it;
# a local failure stores its code alone ("Local.BadPayload") as the status detail.
_DATAWORKS_ERROR = re.compile(
    r"(?P<action>[A-Z][A-Za-z0-9]*) (?P<code>-|[A-Z][\w.]*)(?: HTTP (?P<http_status>\d{3}))?"
    r"(?: request (?P<request_id>[\w.-]+))?: "
)
_BARE_CODE = re.compile(r"[A-Z]\w*(?:\.\w+)+")


@dataclass(frozen=True, slots=True)
class PreparationFailure:
    """Why a ticket's details could not be fetched: the reason in words, and the failed call's identifiers."""

    reason: str
    action: str = ""
    code: str = ""
    http_status: str = ""
    request_id: str = ""


def _failure_of(reason: str, detail: str) -> PreparationFailure:
    """Read the failed call's identifiers from the event's status detail, else from the reason that quotes them."""
    detail = detail.strip()
    match = _DATAWORKS_ERROR.match(detail) or _DATAWORKS_ERROR.search(reason)
    if match is None:
        return PreparationFailure(reason=reason or detail, code=detail if _BARE_CODE.fullmatch(detail) else "")
    return PreparationFailure(
        reason=reason or detail,
        action="" if match["action"] == "DataWorks" else match["action"],
        code="" if match["code"] == "-" else match["code"],
        http_status=match["http_status"] or "",
        request_id=match["request_id"] or "",
    )


def preparation_failure(ticket: Ticket) -> PreparationFailure | None:
    """Return what failed for a ticket that needs attention, or whose last preparation attempt failed, else None.

    The reason is `attention_reason` (DataWorks' error in words); the error code and request id are read from the
    event's status detail or from the reason, as preparation wrote them (`DataWorksError` printed).
    """
    reason = ticket.attention_reason.strip()
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        detail = ticket.event.status_detail
    elif ticket.status == Ticket.Status.PREPARING and reason:
        detail = ""  # the event's detail is written once processing ends; the reason holds the last attempt's error
    else:
        return None
    return _failure_of(reason, detail)


class CodeState(StrEnum):
    """Whether the ticket page has code to compare and, if not, why: code not fetched is never "no changes"."""

    FETCHED = "fetched"
    PREPARING = "preparing"  # still being fetched
    FAILED = "failed"  # fetching failed for good: the ticket needs attention
    MISSING = "missing"  # decided before anything was fetched (an override, or closed in DataWorks)


def code_state(ticket: Ticket) -> CodeState:
    """Say whether a ticket's code was fetched from DataWorks (see `CodeState`).

    A prepared ticket always has a snapshot (preparation stores at least the workspace's options) or code; a ticket
    with neither was never prepared, and its two empty sides are not identical versions of anything.
    """
    if ticket.status == Ticket.Status.PREPARING:
        return CodeState.PREPARING
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        return CodeState.FAILED
    if not (ticket.snapshot or ticket.old_content or ticket.new_content):
        return CodeState.MISSING
    return CodeState.FETCHED


@dataclass(frozen=True, slots=True)
class LinkedTicket:
    """Another ticket for the same file, as the banner names it: its number and its current status."""

    pk: int
    status: str
    status_label: str
    is_open: bool


def _linked(tickets: QuerySet[Ticket]) -> list[LinkedTicket]:
    labels = dict(Ticket.Status.choices)
    return [
        LinkedTicket(pk, status, str(labels.get(status, status)), status in Ticket.OPEN_STATUSES)
        for pk, status in tickets.order_by("created_at", "pk").values_list("pk", "status")
    ]


def ticket_context(ticket: Ticket, user: AbstractBaseUser | AnonymousUser, *, view: str) -> dict[str, Any]:
    """Build the template context of the ticket page."""
    state = ticket_review_state(ticket=ticket, user=user)
    subject = subject_of(ticket.event_code)
    is_file = subject == Subject.FILE
    code = code_state(ticket)
    earlier = _linked(Ticket.objects.filter(pk=ticket.supersedes_id)) if ticket.supersedes_id else []
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
        "code_state": code,
        "code_fetched": code == CodeState.FETCHED,
        "failure": preparation_failure(ticket),
        "may_retry_preparation": (
            ticket.status == Ticket.Status.NEEDS_ATTENTION and policy.may_retry_preparation(user)
        ),
        # Computed now, in the reader's language; what the ticket stores (`unreachable_reason`) is for lists.
        "unreachable": (
            quorum.unreachable_reasons(state.requirements) if ticket.status == Ticket.Status.PENDING else []
        ),
        "linked_earlier": earlier[0] if earlier else None,
        "linked_newer": _linked(ticket.superseded_by.all()),
        # What preparation read around the change (nodes, impact, people, the table as it exists): read, not fetched.
        "dw": ticket_dataworks_context(ticket),
    }
    if is_file and code == CodeState.FETCHED:
        context["diff"], context["config_diff"] = ticket_diffs(ticket, view=view)
    context.update(risk_context(ticket, user, state.requirements))
    return context


def risk_context(
    ticket: Ticket, user: AbstractBaseUser | AnonymousUser, reqs: list[policy.Requirement]
) -> dict[str, Any]:
    """The ticket page's risk card: the stored risk and findings (never analysed here), who may waive them, and the
    open findings by new-side line for the diff's inline marks (static/approvals/risk.js)."""
    view = ticket_risk_view(ticket)
    labels = {value: str(label) for value, label in Risk.choices}
    findings = [
        {**finding.as_dict(), "severity_label": labels.get(finding.severity, finding.severity)}
        for finding in view.findings
    ]
    marks = [
        {
            "line": finding.line,
            "rule": finding.rule,
            "severity": finding.severity,
            "label": labels.get(finding.severity, finding.severity),
            "title": finding.title,
            "message": finding.message,
        }
        for finding in view.open_findings
    ]
    return {
        "risk": view,
        "risk_label": labels.get(view.found or "", ""),
        "risk_effective_label": labels.get(view.effective or "", ""),
        "risk_findings": findings,
        "risk_marks": marks,
        "may_waive": bool(view.open_findings) and policy.why_cannot_waive(user, ticket, reqs) is None,
    }
