"""Reminders and escalation on a fake clock: working hours across a weekend and a Chinese holiday, and they stop
as soon as the ticket is decided."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from approvals.models import Ticket
from approvals.tickets import services
from notifications.holidays import seed_holidays
from notifications.models import Notification
from notifications.outbox import notification_dispatch_due
from notifications.reminders import reminders_due as _reminders_due
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory
from tests.fakes.chat_servers import FakeDingTalkRobot
from tests.notifications.conftest import channel_on, drain

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def reminders_due(now: datetime) -> int:
    """One pass of the reminders step at `now`, its writes committed (as the due-time loop's autocommit does)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _reminders_due(now)


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=SHANGHAI)


@pytest.fixture
def robot(chat_fakes, monkeypatch):
    fake = chat_fakes(FakeDingTalkRobot)
    channel_on(fake, "team", monkeypatch)
    return fake


@pytest.fixture
def reviewer():
    return UserFactory(username="alice")


def waiting_ticket(rule, created: datetime) -> Ticket:
    return TicketFactory(matched=[rule], created_at=created)


def reminders(ticket: Ticket) -> list[str]:
    rows = Notification.objects.filter(ticket=ticket).order_by("dedupe_key")
    return [f"{row.intent}:{row.dedupe_key.rsplit(':', 1)[1]}" for row in rows]


def test_reminders_count_working_hours_across_a_weekend(robot, reviewer):
    rule = RuleFactory(reviewer_users=[reviewer], notify=["team"], remind_every=timedelta(hours=1))
    ticket = waiting_ticket(rule, at("2026-11-27", "17:30"))  # a Friday

    assert reminders_due(at("2026-11-27", "23:00")) == 0  # 30 working minutes on Friday
    assert reminders_due(at("2026-11-29", "12:00")) == 0  # Sunday: still 30
    assert reminders_due(at("2026-11-30", "09:31")) == 1  # Monday 09:30: one working hour
    assert reminders_due(at("2026-11-30", "09:45")) == 0  # the same reminder is never written twice
    assert reminders_due(at("2026-11-30", "11:40")) == 1  # Monday 11:30: the third hour; the second was missed
    assert reminders(ticket) == ["reminder:1", "reminder:3"]


def test_reminders_skip_the_national_day_holiday_and_count_the_make_up_saturday(robot, reviewer):
    seed_holidays(2026)
    rule = RuleFactory(reviewer_users=[reviewer], notify=["team"], remind_every=timedelta(hours=2))
    ticket = waiting_ticket(rule, at("2026-09-30", "17:00"))  # one working hour before the holiday

    assert reminders_due(at("2026-10-05", "10:00")) == 0  # Oct 1-7 are public holidays
    assert reminders_due(at("2026-10-08", "09:59")) == 0
    assert reminders_due(at("2026-10-08", "10:01")) == 1  # the second working hour, on Thursday Oct 8
    assert reminders(ticket) == ["reminder:1"]


def test_wall_clock_rules_remind_at_night_too(robot, reviewer):
    rule = RuleFactory(reviewer_users=[reviewer], notify=["team"], remind_every=timedelta(hours=1), working_hours=False)
    waiting_ticket(rule, at("2026-11-28", "01:00"))  # a Saturday night

    assert reminders_due(at("2026-11-28", "02:01")) == 1


def test_escalation_goes_once_to_its_channel_and_mentions_the_group(robot, reviewer, chat_fakes, monkeypatch):
    boss_robot = chat_fakes(FakeDingTalkRobot)
    channel_on(boss_robot, "leads", monkeypatch)
    lead = UserFactory(username="lead")
    group = GroupFactory(name="leads")
    lead.groups.add(group)
    from accounts.models import ExternalIdentity

    ExternalIdentity.objects.create(user=lead, provider="dingtalk", external_id="ding-lead-01")
    rule = RuleFactory(
        reviewer_users=[reviewer],
        notify=["team"],
        escalate_after=timedelta(hours=4),
        escalate_to_group="leads",
        escalate_to_channel="leads",
        working_hours=False,
    )
    ticket = waiting_ticket(rule, at("2026-11-30", "09:00"))

    assert reminders_due(at("2026-11-30", "12:59")) == 0
    assert reminders_due(at("2026-11-30", "13:01")) == 1
    assert reminders_due(at("2026-11-30", "18:00")) == 0  # once
    drain()

    assert len(boss_robot.messages) == 1 and robot.messages == []
    body = boss_robot.messages[0].body
    assert body["at"]["atUserIds"] == ["ding-lead-01"]
    assert f"/tickets/{ticket.pk}/" in boss_robot.messages[0].raw.decode()


def test_reminders_stop_when_the_ticket_is_decided(robot, reviewer):
    rule = RuleFactory(
        reviewer_users=[reviewer], notify=["team"], remind_every=timedelta(minutes=30), working_hours=False
    )
    ticket = waiting_ticket(rule, at("2026-11-30", "09:00"))
    assert reminders_due(at("2026-11-30", "09:31")) == 1  # written, not yet sent

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer)
    notification_dispatch_due(now=at("2026-11-30", "11:00"), lost_after=timedelta(seconds=30))
    drain()

    assert reminders_due(at("2026-11-30", "11:00")) == 0
    reminder = Notification.objects.get(intent="reminder")
    assert reminder.state == Notification.State.SKIPPED  # the one already written is not sent
    assert robot.messages == []
