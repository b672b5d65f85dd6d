"""Send a decided ticket's result to DataWorks and record the outcome.

At-least-once: the task may run twice, so a ticket already SENT is never sent again. The decision-delivery issue
replaces this with a claimed outbox record, a sweeper and backoff; this is the simple first version.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from approvals import services
from approvals.models import AuditEntry, Ticket
from approvals.tips import build_tip
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError, DataWorksPermanent
from events.catalogue import CallbackApi

logger = logging.getLogger(__name__)


class DeliveryRetry(Exception):
    """Raised so the queue runs the task again later (throttled or transient DataWorks error)."""


def ticket_deliver_decision(*, ticket_id: int) -> Ticket:
    """Call UpdateIDEEventResult or UpdateWorkbenchEventResult once for a decided ticket.

    :raises DeliveryRetry: DataWorks was throttled or unavailable; the queue retries the task.
    """
    ticket = Ticket.objects.select_related("decided_by").get(pk=ticket_id)
    if ticket.callback_status != Ticket.CallbackStatus.PENDING:
        return ticket
    tip = build_tip(ticket)
    client = get_client()
    send = client.send_workbench_result if ticket.callback_api == CallbackApi.WORKBENCH else client.send_ide_result
    try:
        receipt = send(ticket.message_id, ticket.check_result, tip)
    except DataWorksPermanent as exc:
        logger.error("Delivery of ticket %s failed permanently: code=%s request=%s", ticket.pk, exc.code, exc.request_id)
        _record(ticket, Ticket.CallbackStatus.FAILED, error=str(exc), action=AuditEntry.Action.CALLBACK_FAILED)
        return ticket
    except DataWorksError as exc:
        Ticket.objects.filter(pk=ticket.pk).update(
            callback_attempts=ticket.callback_attempts + 1, callback_error=str(exc)[:2000]
        )
        logger.warning("Delivery of ticket %s will be retried: code=%s", ticket.pk, exc.code)
        raise DeliveryRetry(str(exc)) from exc
    _record(ticket, Ticket.CallbackStatus.SENT, request_id=receipt.request_id or "", action=AuditEntry.Action.CALLBACK_SENT)
    logger.info("Delivered %s for ticket %s (request %s)", ticket.check_result, ticket.pk, receipt.request_id)
    return ticket


def _record(ticket: Ticket, status: str, *, action: str, error: str = "", request_id: str = "") -> None:
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        locked.callback_status = status
        locked.callback_attempts += 1
        locked.callback_error = error[:2000]
        locked.callback_request_id = request_id
        locked.callback_sent_at = timezone.now() if status == Ticket.CallbackStatus.SENT else None
        locked.save(
            update_fields=[
                "callback_status",
                "callback_attempts",
                "callback_error",
                "callback_request_id",
                "callback_sent_at",
                "updated_at",
            ]
        )
        services.audit(locked, action, result=locked.check_result, comment=(error or request_id)[:500])
    ticket.refresh_from_db()
