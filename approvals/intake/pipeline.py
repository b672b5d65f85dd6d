"""Turn a stored gated event into a ticket: fetch its details once, then hand it to the transition layer.

Runs in a django-q2 task and may run more than once for the same event (at-least-once delivery): the ticket is
keyed by MessageId and only a PREPARING ticket is prepared, so a repeat changes nothing. Every status change goes
through `approvals.tickets.services`; this module only decides which one.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.delivery.outbox import callback_answer_without_ticket
from approvals.intake.preparation import Prepared, prepare_file_event, prepare_operation_event, prepare_table_event
from approvals.models import CheckResult, Ticket
from approvals.queue import schedule_event_retry
from approvals.retry import backoff_seconds
from approvals.tickets import services
from approvals.tickets.workspace import project_options, workspace_exempt
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError, DataWorksPermanent
from events.catalogue import Subject, subject_of
from events.models import InboundEvent
from events.services import event_mark_processed

logger = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 1800


def ticket_open_for_event(*, event: InboundEvent) -> Ticket | None:
    """Create (once) and prepare the ticket of a gated event."""
    if not event.gated or event.project_id is None:
        event_mark_processed(event=event, detail="not gated")
        return None
    if not Ticket.objects.filter(message_id=event.message_id).exists() and workspace_exempt(
        event.project_id, event.event_code
    ):
        _answer_exempt(event)
        return None
    ticket = services.ticket_open(event=event)
    if ticket.event_id != event.pk:  # the same MessageId arrived by another path (reconciliation, then EventBridge)
        event_mark_processed(event=event, detail=f"same MessageId as ticket {ticket.pk}")
        return ticket
    if ticket.status != Ticket.Status.PREPARING:
        return ticket
    if not event.data_readable:  # stored before its data was kept, and the body could not be read then
        error = DataWorksPermanent("the stored payload could not be read", code="Local.BadPayload")
        reason = _("The stored payload is no longer valid (%(error)s); answer it in DataWorks by hand.") % {
            "error": error
        }
        _needs_attention(ticket, event, error, reason=reason)
        return ticket
    try:
        prepared = _prepare(ticket, event.data)
    except DataWorksPermanent as exc:
        _needs_attention(ticket, event, exc)
        return ticket
    except DataWorksError as exc:
        _retry_later(ticket, event, exc)
        return ticket
    ticket = services.ticket_ready(ticket_id=ticket.pk, prepared=vars(prepared))
    event_mark_processed(event=event)
    return ticket


def _answer_exempt(event: InboundEvent) -> None:
    """Pass an event from a workspace the extension parameters exempt, without a ticket."""
    tip = _("[Review Gate] Workspace %(project)s is exempt from review (extension parameters); passed.") % {
        "project": event.project_id
    }
    callback_answer_without_ticket(message_id=event.message_id, api=event.callback_api, result=CheckResult.OK, tip=tip)
    event_mark_processed(event=event, detail="workspace exempt by extension parameters")
    logger.info("Event %s passed: workspace %s is exempt", event.pk, event.project_id)


_PREPARERS = {
    Subject.FILE: lambda ticket, data: prepare_file_event(
        get_client(),
        message_id=ticket.message_id,
        project_id=ticket.project_id,
        event_code=ticket.event_code,
        data=data,
    ),
    Subject.TABLE: lambda ticket, data: prepare_table_event(
        get_client(), message_id=ticket.message_id, project_id=ticket.project_id, data=data
    ),
}


def _prepare(ticket: Ticket, data: dict[str, object]) -> Prepared:
    preparer = _PREPARERS.get(subject_of(ticket.event_code))
    if preparer is not None:
        prepared = preparer(ticket, data)
    else:
        prepared = prepare_operation_event(event_code=ticket.event_code, data=data)
    # The workspace's options are read now, outside any transaction, and kept with the ticket's snapshot.
    prepared.snapshot["options"] = project_options(ticket.project_id)
    return prepared


def _needs_attention(ticket: Ticket, event: InboundEvent, exc: DataWorksError, reason: str = "") -> None:
    reason = reason or _("DataWorks refused a call (%(error)s). Fix the cause, then retry from the admin.") % {
        "error": exc
    }
    logger.error("Ticket %s needs attention: %s code=%s request=%s", ticket.pk, exc.action, exc.code, exc.request_id)
    services.ticket_needs_attention(ticket_id=ticket.pk, reason=reason)
    event_mark_processed(event=event, failed=True, detail=str(exc))


def _retry_later(ticket: Ticket, event: InboundEvent, exc: DataWorksError) -> None:
    attempts = ticket.prepare_attempts + 1
    services.ticket_defer_preparation(ticket_id=ticket.pk, attempts=attempts, reason=str(exc))
    age = timezone.now() - ticket.created_at
    if age.total_seconds() > settings.REVIEW_GATE_PREPARE_HORIZON_SECONDS:
        _needs_attention(ticket, event, exc)
        return
    delay = backoff_seconds(
        attempts + 1, base=RETRY_BASE_SECONDS, cap=RETRY_CAP_SECONDS, retry_after=getattr(exc, "retry_after", None)
    )
    logger.warning(
        "Ticket %s: DataWorks %s failed (%s); retry %d in %.0fs", ticket.pk, exc.action, exc.code, attempts, delay
    )
    schedule_event_retry(event.pk, at=timezone.now() + timedelta(seconds=delay))
