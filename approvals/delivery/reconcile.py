"""Reconcile with DataWorks' own view of checks (ListCheckProcesses), every few minutes.

Two gaps close here: a check DataWorks still shows CHECKING that never reached us (EventBridge gave up, the webhook
was down) becomes a ticket; and an open ticket whose check DataWorks already shows PASSED or BLOCKED (someone used
"Mark as Passed", or the extension was disabled) is closed as "resolved in DataWorks" without sending anything.
Calls go through the client's shared rate limiter; each run is bounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from approvals.models import Callback, Ticket
from approvals.tickets import services
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError
from dataworks_client.types import CheckProcess
from events.catalogue import BY_CODE, GATED_CODES
from events.models import InboundEvent
from events.payload import CloudEvent
from events.services import event_store

logger = logging.getLogger(__name__)
RECONCILED_SOURCE = "review-gate.reconciliation"
TICKETS_PER_RUN = 100
WORKSPACE_WINDOW = timedelta(days=30)
SETTLE_TIME = timedelta(minutes=2)  # give EventBridge time to deliver before calling an event missing


@dataclass
class ReconcileReport:
    created: list[str] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    errors: int = 0
    skipped_workspaces: list[int] = field(default_factory=list)


def known_workspaces(now: datetime) -> list[int]:
    """Return the configured workspaces plus every workspace seen in the last 30 days."""
    seen = (
        InboundEvent.objects.filter(received_at__gte=now - WORKSPACE_WINDOW, gated=True)
        .exclude(project_id=None)
        .values_list("project_id", flat=True)
        .distinct()
    )
    # A workspace id DataWorks could never have sent (0, from a poison event) is no workspace to query.
    return sorted(p for p in {*settings.REVIEW_GATE_WORKSPACES, *(int(p) for p in seen if p is not None)} if p > 0)


def reconcile(now: datetime | None = None) -> ReconcileReport:
    """Run both reconciliation passes once."""
    now = now or timezone.now()
    report = ReconcileReport()
    _find_missing(now, report)
    _close_resolved(now, report)
    if report.created or report.resolved or report.errors:
        logger.info(
            "Reconcile: %d missing checks ticketed, %d resolved in DataWorks, %d errors, workspaces skipped: %s",
            len(report.created),
            len(report.resolved),
            report.errors,
            report.skipped_workspaces or "none",
        )
    return report


def _find_missing(now: datetime, report: ReconcileReport) -> None:
    client = get_client()
    for project_id in known_workspaces(now):
        for code in GATED_CODES:
            try:
                processes = client.list_check_processes(code, project_id, status="CHECKING")
            except (DataWorksError, ValueError) as exc:  # one workspace's failure never stops the others
                report.errors += 1
                if project_id not in report.skipped_workspaces:
                    report.skipped_workspaces.append(project_id)
                logger.warning("ListCheckProcesses %s/%s failed: %s", project_id, code, getattr(exc, "code", exc))
                continue
            for process in processes:
                if process.message_id and _create_missing(process, project_id, code):
                    report.created.append(process.message_id)


def _create_missing(process: CheckProcess, project_id: int, code: str) -> bool:
    message_id = str(process.message_id)
    if InboundEvent.objects.filter(message_id=message_id).exists():
        return False
    spec = BY_CODE[code]
    operator = (process.operator or "")[:512]
    # What was fetched, stored as the event's data; there is no body: EventBridge never delivered one.
    found = CloudEvent(
        message_id=message_id,
        source=RECONCILED_SOURCE,
        type=spec.type,
        event_code=code,
        spec=spec,
        project_id=project_id,
        tenant_id=None,
        operator=operator,
        occurred_at=None,
        data={
            "eventCode": code,
            "projectId": project_id,
            "operator": operator,
            "reconciledFrom": {"processId": process.process_id, "processName": process.process_name},
        },
    )
    try:
        with transaction.atomic():
            event = event_store(parsed=found)
    except IntegrityError:  # the real event arrived meanwhile
        return False
    logger.warning(
        "Check %s in workspace %s never reached the webhook; ticketed by reconciliation", event.pk, project_id
    )
    return True


def _close_resolved(now: datetime, report: ReconcileReport) -> None:
    client = get_client()
    tickets = (
        Ticket.objects.open()
        .filter(created_at__lt=now - SETTLE_TIME, project_id__gt=0)
        .order_by("checked_in_dataworks_at", "created_at")
        .only("pk", "message_id", "event_code", "project_id")[:TICKETS_PER_RUN]
    )
    for ticket in tickets:
        try:
            processes = client.list_check_processes(ticket.event_code, ticket.project_id, message_id=ticket.message_id)
        except (DataWorksError, ValueError) as exc:
            report.errors += 1
            logger.warning("ListCheckProcesses for ticket %s failed: %s", ticket.pk, getattr(exc, "code", exc))
            continue
        services.ticket_mark_compared(ticket_ids=[ticket.pk], now=now)
        status = next((p.status for p in processes if p.message_id == ticket.message_id), None)
        if status in ("PASSED", "BLOCKED") and services.ticket_resolve_in_dataworks(
            ticket_id=ticket.pk,
            dataworks_status=status,
            has_callback=Callback.objects.filter(message_id=ticket.message_id).exists(),
        ):
            report.resolved.append(ticket.pk)
