"""Reconcile with DataWorks' own view of checks (ListCheckProcesses), every few minutes.

Two gaps close here: a check DataWorks still shows CHECKING that never reached us (EventBridge gave up, the webhook
was down) becomes a ticket; and an open ticket whose check DataWorks already shows PASSED or BLOCKED (someone used
"Mark as Passed", or the extension was disabled) is closed as "resolved in DataWorks" without sending anything.
Calls go through the client's shared rate limiter; each run is bounded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.tickets import services
from approvals.models import AuditEntry, Callback, CheckResult, Ticket
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError
from dataworks_client.types import CheckProcess
from events.catalogue import BY_CODE, GATED_CODES
from events.models import InboundEvent
from events.queue import enqueue_event_processing_with_commit

logger = logging.getLogger(__name__)
RECONCILED_SOURCE = "review-gate.reconciliation"
OPEN = (Ticket.Status.PENDING, Ticket.Status.PREPARING, Ticket.Status.NEEDS_ATTENTION)
TICKETS_PER_RUN = 100
WORKSPACE_WINDOW = timedelta(days=30)
SETTLE_TIME = timedelta(minutes=2)  # give EventBridge time to deliver before calling an event missing


@dataclass
class ReconcileReport:
    created: list[str] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    errors: int = 0


def known_workspaces(now: datetime) -> list[int]:
    """Return the configured workspaces plus every workspace seen in the last 30 days."""
    seen = (
        InboundEvent.objects.filter(received_at__gte=now - WORKSPACE_WINDOW, gated=True)
        .exclude(project_id=None)
        .values_list("project_id", flat=True)
        .distinct()
    )
    return sorted({*settings.REVIEW_GATE_WORKSPACES, *(int(p) for p in seen if p is not None)})


def reconcile(now: datetime | None = None) -> ReconcileReport:
    """Run both reconciliation passes once."""
    now = now or timezone.now()
    report = ReconcileReport()
    _find_missing(now, report)
    _close_resolved(now, report)
    if report.created or report.resolved or report.errors:
        logger.info(
            "Reconcile: %d missing checks ticketed, %d tickets resolved in DataWorks, %d errors",
            len(report.created),
            len(report.resolved),
            report.errors,
        )
    return report


def _find_missing(now: datetime, report: ReconcileReport) -> None:
    client = get_client()
    for project_id in known_workspaces(now):
        for code in GATED_CODES:
            try:
                processes = client.list_check_processes(code, project_id, status="CHECKING")
            except DataWorksError as exc:
                report.errors += 1
                logger.warning("ListCheckProcesses %s/%s failed: %s", project_id, code, exc.code)
                continue
            for process in processes:
                if process.message_id and _create_missing(process, project_id, code):
                    report.created.append(process.message_id)


def _create_missing(process: CheckProcess, project_id: int, code: str) -> bool:
    message_id = str(process.message_id)
    if InboundEvent.objects.filter(message_id=message_id).exists():
        return False
    spec = BY_CODE[code]
    body = json.dumps(
        {
            "id": message_id,
            "source": RECONCILED_SOURCE,
            "type": spec.type,
            "data": {"eventCode": code, "projectId": project_id, "operator": process.operator or ""},
            "reconciled_from": {"process_id": process.process_id, "process_name": process.process_name},
        },
        ensure_ascii=False,
    )
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                source=RECONCILED_SOURCE,
                message_id=message_id,
                type=spec.type,
                event_code=code,
                module=spec.module.value,
                gated=True,
                callback_api=spec.callback.value,
                project_id=project_id,
                operator=(process.operator or "")[:512],
                raw_body=body,
                body_sha256=hashlib.sha256(body.encode()).hexdigest(),
            )
            enqueue_event_processing_with_commit(event.pk)
    except IntegrityError:  # the real event arrived meanwhile
        return False
    logger.warning(
        "Check %s in workspace %s never reached the webhook; ticketed by reconciliation", event.pk, project_id
    )
    return True


def _close_resolved(now: datetime, report: ReconcileReport) -> None:
    client = get_client()
    tickets = (
        Ticket.objects.filter(status__in=OPEN, created_at__lt=now - SETTLE_TIME)
        .order_by("checked_in_dataworks_at", "created_at")
        .only("pk", "message_id", "event_code", "project_id")[:TICKETS_PER_RUN]
    )
    for ticket in tickets:
        try:
            processes = client.list_check_processes(ticket.event_code, ticket.project_id, message_id=ticket.message_id)
        except DataWorksError as exc:
            report.errors += 1
            logger.warning("ListCheckProcesses for ticket %s failed: %s", ticket.pk, exc.code)
            continue
        Ticket.objects.filter(pk=ticket.pk).update(checked_in_dataworks_at=now)
        status = next((p.status for p in processes if p.message_id == ticket.message_id), None)
        if status in ("PASSED", "BLOCKED") and ticket_resolve_in_dataworks(
            ticket_id=ticket.pk, dataworks_status=status
        ):
            report.resolved.append(ticket.pk)


def ticket_resolve_in_dataworks(*, ticket_id: int, dataworks_status: str) -> bool:
    """Close an open ticket that DataWorks already finished; nothing is sent. Return whether it changed."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.status not in OPEN or Callback.objects.filter(message_id=ticket.message_id).exists():
            return False
        result = CheckResult.OK if dataworks_status == "PASSED" else CheckResult.FAIL
        comment = _("DataWorks already shows this check as %(status)s; closed without sending.") % {
            "status": dataworks_status
        }
        ticket.status = Ticket.Status.RESOLVED_IN_DATAWORKS
        ticket.check_result = result
        ticket.decided_at = timezone.now()
        ticket.decision_comment = comment
        ticket.callback_status = Ticket.CallbackStatus.RESOLVED
        ticket.save(
            update_fields=["status", "check_result", "decided_at", "decision_comment", "callback_status", "updated_at"]
        )
        services.audit(ticket, AuditEntry.Action.RESOLVED_IN_DATAWORKS, result=result, comment=comment)
    return True
