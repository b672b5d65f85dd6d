"""Turn a stored gated event into a ticket: fetch its details once, match rules, auto-decide where rules say so.

Runs in a django-q2 task and may run more than once for the same event (at-least-once delivery): the ticket is
keyed by MessageId and only a PREPARING ticket is prepared, so a repeat changes nothing.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.delivery import outbox

from approvals.tickets import services
from approvals.tickets.workspace import project_options, workspace_exempt
from approvals.tickets.matching import Subject, matching_rules
from approvals.models import AuditEntry, CheckResult, Rule, Ticket
from approvals.intake.preparation import (
    FILE_EVENTS,
    TABLE_EVENTS,
    Prepared,
    prepare_file_event,
    prepare_operation_event,
    prepare_table_event,
)
from approvals.queue import enqueue_diff_prerender_with_commit, schedule_event_retry
from dataworks_client.client import get_client
from dataworks_client.errors import DataWorksError, DataWorksPermanent
from events.models import InboundEvent
from events.payload import InvalidEvent, decode_json
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
    ticket = _get_or_create_ticket(event)
    if ticket.event_id != event.pk:  # the same MessageId arrived by another path (reconciliation, then EventBridge)
        event_mark_processed(event=event, detail=f"same MessageId as ticket {ticket.pk}")
        return ticket
    if ticket.status != Ticket.Status.PREPARING:
        return ticket
    try:
        data = decode_json(event.raw_body.encode("utf-8")).get("data", {})
    except InvalidEvent as exc:  # stored before a stricter intake rule existed; never retried, never lost silently
        reason = _("The stored payload is no longer valid (%(error)s); answer it in DataWorks by hand.") % {
            "error": exc
        }
        _needs_attention(ticket, event, DataWorksPermanent(str(exc), code="Local.BadPayload"), reason=reason)
        return ticket
    try:
        prepared = _prepare(ticket, data)
    except DataWorksPermanent as exc:
        _needs_attention(ticket, event, exc)
        return ticket
    except DataWorksError as exc:
        _retry_later(ticket, event, exc)
        return ticket
    ticket = ticket_ready(ticket_id=ticket.pk, prepared=prepared)
    event_mark_processed(event=event)
    return ticket


def _answer_exempt(event: InboundEvent) -> None:
    """Pass an event from a workspace the extension parameters exempt, without a ticket."""
    from approvals.models import Callback

    tip = _("[Review Gate] Workspace %(project)s is exempt from review (extension parameters); passed.") % {
        "project": event.project_id
    }
    with transaction.atomic():
        if not Callback.objects.filter(message_id=event.message_id).exists():
            outbox.callback_create(message_id=event.message_id, api=event.callback_api, result=CheckResult.OK, tip=tip)
    event_mark_processed(event=event, detail="workspace exempt by extension parameters")
    logger.info("Event %s passed: workspace %s is exempt", event.pk, event.project_id)


def _get_or_create_ticket(event: InboundEvent) -> Ticket:
    defaults = {
        "event": event,
        "event_code": event.event_code,
        "module": event.module,
        "callback_api": event.callback_api,
        "project_id": event.project_id,
        "operator_uid": event.operator,
    }
    try:
        with transaction.atomic():
            ticket, _created = Ticket.objects.get_or_create(message_id=event.message_id, defaults=defaults)
    except IntegrityError:  # a concurrent run created it between our read and insert
        ticket = Ticket.objects.get(message_id=event.message_id)
    return ticket


def _prepare(ticket: Ticket, data: dict[str, object]) -> Prepared:
    if ticket.event_code in FILE_EVENTS:
        prepared = prepare_file_event(
            get_client(),
            message_id=ticket.message_id,
            project_id=ticket.project_id,
            event_code=ticket.event_code,
            data=data,
        )
    elif ticket.event_code in TABLE_EVENTS:
        prepared = prepare_table_event(
            get_client(), message_id=ticket.message_id, project_id=ticket.project_id, data=data
        )
    else:
        prepared = prepare_operation_event(event_code=ticket.event_code, data=data)
    # The workspace's options are read now, outside any transaction, and kept with the ticket's snapshot.
    prepared.snapshot["options"] = project_options(ticket.project_id)
    return prepared


def ticket_ready(*, ticket_id: int, prepared: Prepared) -> Ticket:
    """Store the prepared snapshot, match rules, set the expiry, and decide automatically where rules say so."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.status != Ticket.Status.PREPARING:
            return ticket
        for name, value in vars(prepared).items():
            setattr(ticket, name, value)
        subject = Subject(ticket.project_id, ticket.event_code, ticket.path, ticket.file_type)
        rules = matching_rules(subject)
        timeouts = [(rule.timeout, rule.on_timeout) for rule in rules if rule.timeout and not rule.auto_outcome]
        if timeouts:
            shortest, outcome = min(timeouts, key=lambda t: t[0])
            ticket.expires_at = timezone.now() + shortest
            ticket.timeout_outcome = outcome
        ticket.status = Ticket.Status.PENDING
        ticket.attention_reason = ""
        ticket.supersedes = _earlier_open_ticket(ticket)
        ticket.has_rules = bool(rules)
        ticket.save()
        ticket.rules.set(rules)
        names = ", ".join(rule.name for rule in rules) or _("none")
        services.audit(ticket, AuditEntry.Action.CREATED, comment=_("Matched rules: %(names)s") % {"names": names})
        if ticket.event_code in FILE_EVENTS:
            # Its own task: rendering a large diff (seconds at 50,000 lines) must not delay an automatic decision
            # or the next event; queued with the commit, so only for a ticket that is really ready.
            enqueue_diff_prerender_with_commit(ticket.pk)
    auto = _automatic_outcome(rules)
    if auto is not None:
        result, comment = auto
        ticket = services.ticket_auto_decide(ticket_id=ticket.pk, result=result, comment=comment)
    return ticket


def _earlier_open_ticket(ticket: Ticket) -> Ticket | None:
    """Find an older ticket for the same file that still waits, to link both; neither is answered for the other."""
    if ticket.file_id is None:
        return None
    return (
        Ticket.objects.filter(project_id=ticket.project_id, file_id=ticket.file_id, created_at__lt=ticket.created_at)
        .filter(status__in=[Ticket.Status.PENDING, Ticket.Status.PREPARING, Ticket.Status.NEEDS_ATTENTION])
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .first()
    )


def _automatic_outcome(rules: list[Rule]) -> tuple[str, str] | None:
    """Return (result, why) when no human is needed, else None."""
    if not rules:
        unmatched = settings.REVIEW_GATE_UNMATCHED
        if unmatched == "review":
            return None
        return unmatched, _("No rule matched; the configured outcome for unmatched changes applies.")
    autos = [rule.auto_outcome for rule in rules if rule.auto_outcome]
    if CheckResult.FAIL in autos:
        return CheckResult.FAIL, _("An automatic rule blocks this change.")
    if len(autos) == len(rules):
        return services.most_severe(autos), _("Decided automatically by rule: %(names)s") % {
            "names": ", ".join(rule.name for rule in rules)
        }
    return None


def _needs_attention(ticket: Ticket, event: InboundEvent, exc: DataWorksError, reason: str = "") -> None:
    reason = reason or _("DataWorks refused a call (%(error)s). Fix the cause, then retry from the admin.") % {
        "error": exc
    }
    logger.error("Ticket %s needs attention: %s code=%s request=%s", ticket.pk, exc.action, exc.code, exc.request_id)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.PREPARING).update(
            status=Ticket.Status.NEEDS_ATTENTION, attention_reason=reason[:2000], updated_at=timezone.now()
        )
        services.audit(ticket, AuditEntry.Action.NEEDS_ATTENTION, comment=reason)
    event_mark_processed(event=event, failed=True, detail=str(exc))


def _retry_later(ticket: Ticket, event: InboundEvent, exc: DataWorksError) -> None:
    attempts = ticket.prepare_attempts + 1
    Ticket.objects.filter(pk=ticket.pk).update(prepare_attempts=attempts, attention_reason=str(exc)[:2000])
    age = timezone.now() - ticket.created_at
    if age.total_seconds() > settings.REVIEW_GATE_PREPARE_HORIZON_SECONDS:
        _needs_attention(ticket, event, exc)
        return
    # Exponential backoff with full jitter, at least what DataWorks asked for when it throttled us.
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** min(attempts, 10))
    delay = max(random.uniform(0, ceiling), getattr(exc, "retry_after", None) or 0)  # noqa: S311 - jitter, not crypto
    logger.warning(
        "Ticket %s: DataWorks %s failed (%s); retry %d in %.0fs", ticket.pk, exc.action, exc.code, attempts, delay
    )
    schedule_event_retry(event.pk, at=timezone.now() + timedelta(seconds=delay))
