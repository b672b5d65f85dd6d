"""Reminders and escalation: while a ticket waits, remind its rules' channels every `remind_every` and escalate
once after `escalate_after`, counting working time when the rule says so. They stop when the ticket is decided
(no new rows; rows already written are skipped at send time, see delivery._stale).

Each reminder is numbered by how many intervals have passed, and its dedupe key carries that number: the loops of
several workers, or a catch-up after downtime, write each reminder at most once (and skip the ones missed).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from approvals.models import Rule, Ticket
from notifications.calendar import WorkingCalendar
from notifications.channels.message import Intent
from notifications.facts import waiting_reviewer_ids
from notifications.holidays import working_calendar
from notifications.models import Channel
from notifications.outbox import rule_channels, write_for_channel

User = get_user_model()
EVERY_SECONDS = 10.0  # a reminder is due to the minute at best; no need to look twice a second
_last_run = 0.0


def reminders_due_step(*, now: datetime, lost_after: timedelta) -> int:
    """The due-time loop's step: run at most every EVERY_SECONDS in a process."""
    global _last_run
    if time.monotonic() - _last_run < EVERY_SECONDS:
        return 0
    _last_run = time.monotonic()
    return reminders_due(now)


def elapsed_seconds(ticket: Ticket, rule: Rule, now: datetime, calendar: WorkingCalendar) -> float:
    """How long the ticket has waited as the rule counts it: working time, or wall time."""
    if rule.working_hours:
        return calendar.working_seconds(ticket.created_at, now)
    return max(0.0, (now - ticket.created_at).total_seconds())


def reminders_due(now: datetime, limit: int = 500) -> int:
    """Write every reminder and escalation that is due now; return how many rows were written."""
    timed = Q(remind_every__isnull=False) | Q(escalate_after__isnull=False)
    rules = {rule.pk: rule for rule in Rule.objects.filter(timed, enabled=True)}
    if not rules:
        return 0
    tickets = (
        Ticket.objects.filter(status=Ticket.Status.PENDING, rules__in=list(rules)).distinct().order_by("created_at")
    )
    calendar = working_calendar(now)
    written = 0
    for ticket in tickets[:limit]:
        for rule_id in ticket.rules.filter(pk__in=list(rules)).values_list("pk", flat=True):
            rule = rules[rule_id]
            elapsed = elapsed_seconds(ticket, rule, now, calendar)
            written += _remind(ticket, rule, elapsed) + _escalate(ticket, rule, elapsed)
    return written


def _remind(ticket: Ticket, rule: Rule, elapsed: float) -> int:
    if rule.remind_every is None:
        return 0
    round_ = int(elapsed // rule.remind_every.total_seconds())
    if round_ < 1:
        return 0
    waiting = waiting_reviewer_ids(ticket)
    channels = [channel for channel in rule_channels(ticket) if channel.name in (rule.notify or [])]
    return sum(
        len(write_for_channel(ticket, channel, Intent.REMINDER, reviewer_ids=waiting, round_=round_))
        for channel in channels
    )


def _escalate(ticket: Ticket, rule: Rule, elapsed: float) -> int:
    if rule.escalate_after is None or elapsed < rule.escalate_after.total_seconds():
        return 0
    if rule.escalate_to_channel:
        channels = list(Channel.objects.filter(name=rule.escalate_to_channel, enabled=True))
    else:
        channels = [channel for channel in rule_channels(ticket) if channel.name in (rule.notify or [])]
    waiting = waiting_reviewer_ids(ticket)
    if rule.escalate_to_group:  # e-mail channels write to the group's members too
        group = User.objects.filter(groups__name=rule.escalate_to_group, is_active=True).values_list("pk", flat=True)
        waiting = sorted({*waiting, *group})
    return sum(
        len(
            write_for_channel(
                ticket, channel, Intent.ESCALATED, reviewer_ids=waiting, mention_group=rule.escalate_to_group
            )
        )
        for channel in channels
    )
