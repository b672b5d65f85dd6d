"""Deliver one outbox row: claim it, pace it per target, fold what waits into a digest, send, record the outcome.

Safe to run twice, even at once: a conditional UPDATE claims the row before anything is sent, and only the
claimant sends. Throttling and transient errors come back at their due time (the due-time loop queues them within
about a second); permanent errors are recorded for the admin. docs/notifications.md has the whole story.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from accounts.directory import direct_message_hold
from approvals.models import Ticket
from approvals.retry import backoff_seconds
from config.metrics import notification_sent
from notifications.channels.message import Intent, Kind, Outgoing
from notifications.channels.transport import SendResult, send
from notifications.facts import developer_user_id, language_for, mentions, ticket_facts, waiting_reviewer_ids
from notifications.models import Notification
from notifications.pacing import acquire, block, limits_for, restamp, target_key

logger = logging.getLogger(__name__)
User = get_user_model()
CLAIM_SECONDS = 60  # longer than a send can take (connect + read timeouts, a slow SMTP server)
STILL_OPEN_INTENTS = {Intent.READY, Intent.REMINDER, Intent.ESCALATED}
State = Notification.State


def _claim(ids: list[int], token: str, now: datetime, *, single: bool) -> int:
    due = Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, claimed_until__lt=now)
    if not single:  # digest companions wait for budget; they are taken whatever their own due time
        due = Q(state=State.PENDING)
    return Notification.objects.filter(due, pk__in=ids).update(
        state=State.SENDING,
        claim_token=token,
        claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
        attempts=F("attempts") + 1,
    )


def _release(rows: list[Notification], token: str, **fields: object) -> None:
    Notification.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(**fields)


def notification_deliver(*, notification_id: int) -> str:
    """Send one row if it is due and nobody else holds it; return what became of it."""
    now = timezone.now()
    token = uuid.uuid4().hex
    if not _claim([notification_id], token, now, single=True):
        return Notification.objects.filter(pk=notification_id).values_list("state", flat=True).first() or "MISSING"
    row = Notification.objects.select_related("channel", "ticket", "recipient").get(pk=notification_id)
    if _stale(row):
        _release([row], token, state=State.SKIPPED, last_error="", waiting_for_budget=False)
        notification_sent(_kind(row), "skipped")
        return State.SKIPPED
    hold = _direct_hold(row, now)
    if hold is not None:
        return _skip_or_hold(row, token, hold)
    kind = row.channel.kind if row.channel else Kind.EMAIL
    url = row.channel.url if row.channel else ""
    if kind == Kind.EMAIL and not _mail_configured():
        return _fail(row, token, [], "NO_MAIL", "DJANGO_EMAIL_HOST is not set: Review Gate cannot send e-mail", None)
    if kind != Kind.EMAIL and not url:
        variable = row.channel.url_env if row.channel else ""
        return _fail(row, token, [], "NO_URL", f"the URL variable {variable or '(none)'} is not set", None)
    key = target_key(kind, url if kind != Kind.EMAIL else row.target)
    windows = limits_for(kind)
    slot = acquire(key, windows, timezone.now())  # now, not when the task started: the claim took time
    if not slot.granted:
        # Over the robot's budget: wait for the next slot; whoever gets it carries this one in a digest.
        _release(
            [row],
            token,
            state=State.PENDING,
            waiting_for_budget=True,
            attempts=F("attempts") - 1,
            next_attempt_at=timezone.now() + timedelta(seconds=slot.wait_seconds),
        )
        return "PACED"
    companions = _companions(row, token, now)
    outgoing = _outgoing(row, companions, now)
    recipients = _recipients(row)
    # The platform counts requests when they arrive: move this send's stamp from when the slot was taken to now,
    # after the message was built, so the window holds at the receiving end too (a later stamp is only stricter).
    restamp(key, windows, slot, timezone.now())
    result = send(
        Kind(kind), outgoing, url=url, secret=row.channel.secret if row.channel else "", recipients=recipients
    )
    return _record(row, companions, token, result, key)


def _kind(row: Notification) -> str:
    return row.channel.kind if row.channel else Kind.EMAIL


def _mail_configured() -> bool:
    # Tests and the demo use Django's in-memory or console backends, which need no server.
    return bool(settings.MAIL_CONFIGURED) or not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")


def _stale(row: Notification) -> bool:
    """A message asking for a review of a ticket that is no longer waiting is not sent (the outcome follows)."""
    return bool(row.ticket and row.intent in STILL_OPEN_INTENTS and row.ticket.status != Ticket.Status.PENDING)


def _direct_hold(row: Notification, now: datetime) -> datetime | str | None:
    if row.recipient is None:
        return None
    muted, until = direct_message_hold(row.recipient, now)
    return "muted" if muted else until


def _skip_or_hold(row: Notification, token: str, hold: datetime | str) -> str:
    if hold == "muted":
        _release([row], token, state=State.SKIPPED, last_error="the recipient muted direct messages")
        notification_sent(_kind(row), "skipped")
        return State.SKIPPED
    assert isinstance(hold, datetime)
    _release([row], token, state=State.PENDING, attempts=F("attempts") - 1, next_attempt_at=hold)
    return "QUIET_HOURS"


def _companions(row: Notification, token: str, now: datetime) -> list[Notification]:
    """Claim the other rows for the same target that wait for budget: they go out now, in one digest."""
    if row.channel is None:
        return []
    waiting = Notification.objects.filter(
        channel=row.channel, target=row.target, state=State.PENDING, waiting_for_budget=True
    ).exclude(pk=row.pk)
    ids = list(
        waiting.order_by("created_at", "pk").values_list("pk", flat=True)[: settings.REVIEW_GATE_NOTIFY_DIGEST_MAX - 1]
    )
    if not ids:
        return []
    _claim(ids, token, now, single=False)
    claimed = list(
        Notification.objects.select_related("ticket").filter(pk__in=ids, claim_token=token, state=State.SENDING)
    )
    stale = [other for other in claimed if _stale(other)]
    _release(stale, token, state=State.SKIPPED, waiting_for_budget=False)
    return [other for other in claimed if other not in stale]


def _audience(row: Notification) -> list[int]:
    if row.recipient_id:
        return [row.recipient_id]
    if row.ticket is None:
        return []
    if row.intent == Intent.DECIDED:
        developer = developer_user_id(row.ticket)
        return [developer] if developer else []
    waiting = waiting_reviewer_ids(row.ticket)
    if row.mention_group:
        group = User.objects.filter(groups__name=row.mention_group, is_active=True).values_list("pk", flat=True)
        waiting = sorted({*waiting, *group})
    return waiting


def _outgoing(row: Notification, companions: list[Notification], now: datetime) -> Outgoing:
    audience = _audience(row)
    language = language_for(audience, row.channel.language if row.channel else "")
    rows = [row, *companions]
    tickets = tuple(ticket_facts(r.ticket, language) for r in rows if r.ticket is not None)
    kind = row.channel.kind if row.channel else Kind.EMAIL
    return Outgoing(
        delivery_id=row.delivery_id,
        intent=Intent.DIGEST if companions else Intent(row.intent),
        tickets=tickets,
        language=language,
        sent_at=now,
        mentions=mentions(audience, kind),
        why=_why(row, language),
        digest_intents=tuple(Intent(r.intent) for r in rows) if companions else (),
    )


def _why(row: Notification, language: str) -> str:
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override(language):
        if row.recipient_id and row.intent == Intent.DECIDED and row.channel is None:
            return _("You receive this because you made this change in DataWorks.")
        if row.recipient_id:
            return _("You receive this because you may review this change (channel %(channel)s).") % {
                "channel": row.channel.name if row.channel else "-"
            }
        return _("This channel receives it because a Review Gate rule names it (channel %(channel)s).") % {
            "channel": row.channel.name if row.channel else "-"
        }


def _recipients(row: Notification) -> list[str] | None:
    if row.target.startswith("email:"):
        return [row.target.removeprefix("email:")]
    if row.channel is not None and row.channel.kind == Kind.EMAIL:
        return [str(address) for address in row.channel.to]
    return None


_METRIC_OUTCOME = {"SENT": "sent", "THROTTLED": "throttled", "TRANSIENT": "transient", "PERMANENT": "permanent"}


def _record(row: Notification, companions: list[Notification], token: str, result: SendResult, key: str) -> str:
    now = timezone.now()
    if result.outcome != "PERMANENT":  # _fail counts permanent failures, whatever caused them
        notification_sent(_kind(row), _METRIC_OUTCOME.get(str(result.outcome), "other"))
    rows = [row, *companions]
    error = {
        "last_error_code": result.error_code[:128],
        "last_error": result.detail[:2000],
        "last_http_status": result.http_status,
    }
    if result.outcome == "SENT":
        _release([row], token, state=State.SENT, sent_at=now, waiting_for_budget=False, **error)
        _release(companions, token, state=State.FOLDED, sent_at=now, folded_into=row.pk, waiting_for_budget=False)
        logger.info("Notification %s sent (%s, %d folded)", row.pk, row.intent, len(companions))
        return State.SENT
    if result.outcome == "THROTTLED":
        wait = result.retry_after or 600.0
        block(key, wait, now)
        _release(
            rows,
            token,
            state=State.PENDING,
            waiting_for_budget=True,
            next_attempt_at=now + timedelta(seconds=wait),
            **error,
        )
        logger.warning(
            "Notification %s throttled by the platform (%s); next try in %.0f s", row.pk, result.error_code, wait
        )
        return "THROTTLED"
    age = (now - row.created_at).total_seconds()
    if result.outcome == "TRANSIENT" and age < settings.REVIEW_GATE_NOTIFY_HORIZON_SECONDS:
        for each in rows:
            delay = backoff_seconds(
                max(each.attempts, 1),
                base=settings.REVIEW_GATE_NOTIFY_BACKOFF_BASE_SECONDS,
                cap=settings.REVIEW_GATE_NOTIFY_BACKOFF_CAP_SECONDS,
                retry_after=result.retry_after,
            )
            _release([each], token, state=State.PENDING, next_attempt_at=now + timedelta(seconds=delay), **error)
        logger.warning(
            "Notification %s failed for now (%s %s); retrying", row.pk, result.error_code, result.http_status
        )
        return "RETRY"
    return _fail(row, token, companions, result.error_code, result.detail, result.http_status)


def _fail(
    row: Notification, token: str, companions: list[Notification], code: str, detail: str, status: int | None
) -> str:
    _release(
        [row, *companions],
        token,
        state=State.FAILED,
        waiting_for_budget=False,
        last_error_code=code[:128],
        last_error=detail[:2000],
        last_http_status=status,
    )
    notification_sent(_kind(row), "permanent")
    logger.error("Notification %s failed permanently: %s %s", row.pk, code, status)
    return State.FAILED
