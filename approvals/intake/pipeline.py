"""Turn a stored gated event into a ticket: fetch its details once, then hand it to the transition layer.

Runs in a django-q2 task and may run more than once for the same event (at-least-once delivery): the ticket is
keyed by MessageId, only a PREPARING ticket whose preparation is due is prepared, and one worker at a time holds its
preparation lease (renewed by a heartbeat while it works). Preparation is total: whatever the payload or DataWorks
answers, the ticket ends PENDING or NEEDS_ATTENTION (with the reason), or waits for a retry at a known time. Every
status change goes through `approvals.tickets.services`; this module only decides which one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals.delivery.outbox import callback_answer_without_ticket
from approvals.intake.context import context_title, gather_context
from approvals.intake.preparation import Prepared, prepare_file_event, prepare_operation_event, prepare_table_event
from approvals.intake.risk import assess_change
from approvals.intake.storable import make_storable
from approvals.models import CheckResult, Ticket
from approvals.retry import backoff_seconds
from approvals.tickets import services
from approvals.tickets.workspace import project_options, workspace_exempt
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError, DataWorksPermanent
from events.catalogue import Subject, subject_of
from events.models import InboundEvent
from events.services import event_mark_processed
from workspaces.resolve import api_version, tip_language

logger = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 1800
# A database error (PostgreSQL restarting) is retried sooner than DataWorks' errors: the database is back in seconds.
DATABASE_RETRY_SECONDS = 5


def lease() -> timedelta:
    """Return how long a preparation lease lasts before the ticket is taken for abandoned."""
    return timedelta(seconds=settings.REVIEW_GATE_PREPARE_LEASE_SECONDS)


def ticket_open_for_event(*, event: InboundEvent) -> Ticket | None:
    """Create (once) and prepare the ticket of a gated event."""
    if not event.gated:
        event_mark_processed(event=event, detail="not gated")
        return None
    project_id = event.project_id or 0
    new = project_id > 0 and not Ticket.objects.filter(message_id=event.message_id).exists()
    if new and workspace_exempt(project_id, event.event_code):
        _answer_exempt(event)
        return None
    ticket = services.ticket_open(event=event)
    if ticket.event_id != event.pk:  # the same MessageId arrived by another path (reconciliation, then EventBridge)
        event_mark_processed(event=event, detail=f"same MessageId as ticket {ticket.pk}")
        return ticket
    if ticket.status != Ticket.Status.PREPARING:
        return ticket
    if not services.ticket_claim_preparation(ticket_id=ticket.pk, lease=lease()):
        return ticket  # another worker prepares it, or its retry is not due yet
    with _heartbeat(ticket.pk):
        return _prepare_claimed(ticket, event)


def _prepare_claimed(ticket: Ticket, event: InboundEvent) -> Ticket:
    """Prepare a ticket whose lease this worker holds; never raises (a database error excepted, see below)."""
    if not event.project_id:
        reason = _("The event names no usable workspace (projectId %(id)s); answer it by override.") % {
            "id": event.project_id
        }
        return _give_up(ticket, event, reason, detail="Local.NoWorkspace")
    if not event.data_readable:  # stored before its data was kept, and the body could not be read then
        reason = _(
            "The stored payload is no longer valid (the stored payload could not be read); answer it in "
            "DataWorks by hand."
        )
        return _give_up(ticket, event, reason, detail="Local.BadPayload")
    try:
        prepared = make_storable(_prepare(ticket, event.data))
    except DataWorksPermanent as exc:
        return _needs_attention(ticket, event, exc)
    except DataWorksError as exc:
        return _retry_later(ticket, event, exc)
    except (OperationalError, InterfaceError):  # the database went away (a restart): transient
        return _retry_after_database_error(ticket)
    except Exception as exc:  # totality: a bug or an answer nobody foresaw must not leave DataWorks waiting
        logger.exception("Ticket %s: preparation failed unexpectedly (%s)", ticket.pk, type(exc).__name__)
        reason = _("Preparing the ticket failed unexpectedly (%(error)s); see the server log.") % {
            "error": type(exc).__name__
        }
        return _give_up(ticket, event, reason, detail="Local.Unexpected")
    try:
        ticket = services.ticket_ready(ticket_id=ticket.pk, prepared=vars(prepared))
    except (OperationalError, InterfaceError):  # the database went away (a restart): transient
        return _retry_after_database_error(ticket)
    except Exception as exc:  # totality, as above: storing what was fetched failed in a way nobody foresaw
        logger.exception("Ticket %s: storing the prepared ticket failed (%s)", ticket.pk, type(exc).__name__)
        reason = _("Storing the ticket's details failed unexpectedly (%(error)s); see the server log.") % {
            "error": type(exc).__name__
        }
        return _give_up(ticket, event, reason, detail="Local.Unexpected")
    event_mark_processed(event=event)
    return ticket


@contextmanager
def _heartbeat(ticket_id: int) -> Iterator[None]:
    """Renew the preparation lease every third of its length while the block runs (on its own connection)."""
    stop = threading.Event()
    interval = lease().total_seconds() / 3

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not services.ticket_renew_preparation(ticket_id=ticket_id, lease=lease()):
                        return
                except DatabaseError:
                    logger.warning("Ticket %s: could not renew the preparation lease", ticket_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"prepare-heartbeat-{ticket_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _answer_exempt(event: InboundEvent) -> None:
    """Pass an event from a workspace the extension parameters exempt, without a ticket."""
    with translation.override(tip_language(project_id=event.project_id or 0)):
        tip = _("[Review Gate] Workspace %(project)s is exempt from review (extension parameters); passed.") % {
            "project": event.project_id
        }
    callback_answer_without_ticket(message_id=event.message_id, api=event.callback_api, result=CheckResult.OK, tip=tip)
    event_mark_processed(event=event, detail="workspace exempt by extension parameters")
    logger.info("Event %s passed: workspace %s is exempt", event.pk, event.project_id)


def _prepare(ticket: Ticket, data: dict[str, object]) -> Prepared:
    client = get_client()
    # The workspace's options are read first, outside any transaction: they choose the API version (new Data
    # Studio workspaces use 2024-05-18) and are kept with the ticket's snapshot.
    options = project_options(ticket.project_id)
    version = api_version(ticket.project_id, options)
    subject = subject_of(ticket.event_code)
    common = {"message_id": ticket.message_id, "project_id": ticket.project_id, "data": data, "api_version": version}
    if subject == Subject.FILE:
        prepared = prepare_file_event(client, event_code=ticket.event_code, **common)  # type: ignore[arg-type]
    elif subject == Subject.TABLE:
        prepared = prepare_table_event(client, **common)  # type: ignore[arg-type]
    else:
        prepared = prepare_operation_event(event_code=ticket.event_code, data=data)
    prepared.snapshot["options"] = options
    prepared.snapshot["api_version"] = version
    # The risk analysis runs here, in the worker, once; pages and rules read what it stored.
    prepared.risk, prepared.snapshot["risk"] = assess_change(
        client,
        project_id=ticket.project_id,
        event_code=ticket.event_code,
        file_type=prepared.file_type,
        new_content=prepared.new_content,
        old_content=prepared.old_content,
        snapshot=prepared.snapshot,
        api_version=version,
    )
    # What the reviewer needs beyond the change (nodes, downstream impact, people, the table as it exists): read
    # now, stored, and only read by the page. A failed read here is shown on the page, never fails the ticket.
    prepared.snapshot["context"] = gather_context(
        client,
        project_id=ticket.project_id,
        event_code=ticket.event_code,
        data=dict(data),
        snapshot=prepared.snapshot,
        api_version=version,
    )
    if not data.get("extensionBizName"):  # the payload named nothing: name the ticket after what it acts on
        prepared.title = context_title(ticket.event_code, prepared.snapshot["context"]) or prepared.title
    return prepared


def _give_up(ticket: Ticket, event: InboundEvent, reason: str, *, detail: str, logged: str = "") -> Ticket:
    """End the preparation in NEEDS_ATTENTION with the reason; `detail` goes on the event, `logged` (identifiers
    only, never a message from outside; `detail` when empty) to the log."""
    logger.error("Ticket %s needs attention: %s", ticket.pk, logged or detail)
    services.ticket_needs_attention(ticket_id=ticket.pk, reason=reason)
    event_mark_processed(event=event, failed=True, detail=detail)
    ticket.refresh_from_db()
    return ticket


def _needs_attention(ticket: Ticket, event: InboundEvent, exc: DataWorksError) -> Ticket:
    reason = _("DataWorks refused a call (%(error)s). Fix the cause, then retry from the admin.") % {"error": exc}
    logged = f"{exc.action} code={exc.code} request={exc.request_id}"
    return _give_up(ticket, event, reason, detail=str(exc), logged=logged)


def _retry_later(ticket: Ticket, event: InboundEvent, exc: DataWorksError) -> Ticket:
    attempts = ticket.prepare_attempts + 1
    age = timezone.now() - ticket.created_at
    if age.total_seconds() > settings.REVIEW_GATE_PREPARE_HORIZON_SECONDS:
        return _needs_attention(ticket, event, exc)
    delay = backoff_seconds(
        attempts + 1, base=RETRY_BASE_SECONDS, cap=RETRY_CAP_SECONDS, retry_after=getattr(exc, "retry_after", None)
    )
    logger.warning(
        "Ticket %s: DataWorks %s failed (%s); retry %d in %.1fs", ticket.pk, exc.action, exc.code, attempts, delay
    )
    services.ticket_defer_preparation(
        ticket_id=ticket.pk, attempts=attempts, reason=str(exc), retry_at=timezone.now() + timedelta(seconds=delay)
    )
    ticket.refresh_from_db()
    return ticket


def _retry_after_database_error(ticket: Ticket) -> Ticket:
    """Retry like a transient DataWorks error; if even recording that fails, the lease runs out and the due-time
    loop prepares the ticket again once the database is back."""
    logger.warning("Ticket %s: database error while preparing; retrying in %ds", ticket.pk, DATABASE_RETRY_SECONDS)
    connection.close()  # the connection may be dead (a restarted server); the next query opens a new one
    try:
        services.ticket_defer_preparation(
            ticket_id=ticket.pk,
            attempts=ticket.prepare_attempts,
            reason=_("The database was unavailable; retrying."),
            retry_at=timezone.now() + timedelta(seconds=DATABASE_RETRY_SECONDS),
        )
    except DatabaseError:
        logger.warning("Ticket %s: the database is still unavailable; the lease will expire", ticket.pk)
    return ticket
