"""The notification outbox end to end: written with the ticket change, delivered to local fakes that check the
signatures themselves, retried, paced, folded into digests, never sent twice, never sent for a rollback."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from approvals.models import Ticket
from approvals.tickets import services
from notifications.delivery import notification_deliver
from notifications.models import Notification, PacingWindow
from notifications.outbox import notification_dispatch_due
from tests.factories import RuleFactory, UserFactory
from tests.fakes.chat_servers import FakeDingTalkRobot
from tests.notifications.conftest import channel_on, drain, ready_ticket, tickets_named
from tests.queue import queued_tasks

pytestmark = pytest.mark.django_db
State = Notification.State


def test_a_ready_ticket_reaches_dingtalk_feishu_and_the_webhook_once_each(notifying_rule, three_channels):
    _ding, _feishu, hook = three_channels

    ticket = ready_ticket(title="ods_orders_daily")
    drain()

    for fake in three_channels:
        assert fake.rejected == [], fake.rejected  # each signature checked by the fake's own code
        assert len(fake.messages) == 1
        assert tickets_named(fake) == {ticket.pk}
    body = hook.messages[0].body
    assert body["type"] == "ticket.ready"
    assert body["id"] == hook.messages[0].headers["X-Review-Gate-Delivery"]
    assert body["ticket"]["waiting_for"] == ["alice"]
    assert body["ticket"]["check_result"] == ""
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


def test_the_decision_follows_to_the_same_channels(notifying_rule, three_channels, reviewer):
    ding, feishu, hook = three_channels
    ticket = ready_ticket()
    drain()

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="drop the <b>partition</b> first")
    drain()

    decided = hook.messages[-1].body
    assert decided["type"] == "ticket.decided"
    assert decided["ticket"]["status"] == Ticket.Status.REJECTED
    assert decided["ticket"]["decided_by"] == "alice"
    assert decided["ticket"]["comment"] == "drop the <b>partition</b> first"
    assert len(ding.messages) == len(feishu.messages) == 2


def test_a_change_that_rolls_back_writes_and_sends_nothing(notifying_rule, three_channels):
    from tests.factories import TicketFactory

    ticket = TicketFactory(status=Ticket.Status.PREPARING)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_ready(ticket_id=ticket.pk, prepared={})
        assert Notification.objects.count() == 3  # written inside the change's transaction...
        raise RuntimeError("the change fails after the notification rows were written")

    assert Notification.objects.count() == 0  # ...and gone with it
    assert not [t for t in queued_tasks() if t["func"].startswith("notifications.")]


def test_a_change_a_rule_decides_automatically_stays_quiet(three_channels):
    RuleFactory(name="auto-ok", auto_outcome="OK", notify=["sales-dingtalk"])

    ticket = ready_ticket()
    drain()

    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.APPROVED
    assert Notification.objects.count() == 0
    assert three_channels[0].messages == []


def test_a_repeated_task_sends_nothing_twice(notifying_rule, three_channels):
    ready_ticket()
    row = Notification.objects.get(channel__name="sales-dingtalk")

    assert notification_deliver(notification_id=row.pk) == State.SENT
    assert notification_deliver(notification_id=row.pk) == State.SENT  # claimed by nobody: already sent
    assert len(three_channels[0].messages) == 1


def test_a_server_error_is_retried_at_its_due_time(notifying_rule, three_channels):
    ding = three_channels[0]
    ding.fail_next(1, status=500)
    ready_ticket()
    row = Notification.objects.get(channel__name="sales-dingtalk")

    assert notification_deliver(notification_id=row.pk) == "RETRY"
    row.refresh_from_db()
    assert (row.state, row.last_error_code, row.last_http_status) == (State.PENDING, row.last_error_code, 500)
    assert row.next_attempt_at > timezone.now() - timedelta(seconds=1)

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # its due time comes
    assert notification_dispatch_due(now=timezone.now(), lost_after=timedelta(seconds=30)) >= 1
    drain()

    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 2
    assert len(ding.messages) == 1


def test_a_dingtalk_mute_130101_holds_the_robot_then_sends_what_waited(notifying_rule, three_channels):
    ding = three_channels[0]
    ding.throttle_next(1)
    first = ready_ticket(title="first")
    row = Notification.objects.get(ticket=first, channel__name="sales-dingtalk")

    assert notification_deliver(notification_id=row.pk) == "THROTTLED"
    row.refresh_from_db()
    assert row.state == State.PENDING and row.waiting_for_budget
    assert (row.next_attempt_at - timezone.now()).total_seconds() > 590  # the robot is muted for 10 minutes
    assert PacingWindow.objects.get().blocked_until > timezone.now() + timedelta(seconds=590)

    second = ready_ticket(title="second")  # arrives during the mute: waits too, sends nothing
    drain()
    assert len(ding.messages) == 0

    PacingWindow.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))  # the mute ends
    Notification.objects.filter(channel__name="sales-dingtalk").update(next_attempt_at=timezone.now())
    notification_dispatch_due(now=timezone.now(), lost_after=timedelta(seconds=30))
    drain()

    assert len(ding.messages) == 1  # one digest naming both
    assert tickets_named(ding) == {first.pk, second.pk}
    states = dict(Notification.objects.filter(channel__name="sales-dingtalk").values_list("ticket_id", "state"))
    assert sorted(states.values()) == [State.FOLDED, State.SENT]


def test_a_burst_of_30_never_exceeds_the_robot_limit_and_names_every_ticket(
    chat_fakes, monkeypatch, settings, reviewer
):
    # The real limit is 20 a minute; the same shape with a 2-second window keeps the test fast (the real-time run
    # is test_notify_burst_realtime.py, marked slow).
    settings.REVIEW_GATE_NOTIFY_LIMITS = {"dingtalk": [(20, 2.0)]}
    robot = chat_fakes(FakeDingTalkRobot, limits=((20, 2.0),))
    channel_on(robot, "burst", monkeypatch)
    RuleFactory(name="burst", reviewer_users=[reviewer], notify=["burst"])

    tickets = [ready_ticket(title=f"burst_{i:02d}") for i in range(30)]
    deadline = timezone.now() + timedelta(seconds=20)
    while Notification.objects.filter(state__in=[State.PENDING, State.SENDING]).exists():
        assert timezone.now() < deadline, "every message should be out within a few windows"
        drain()
        notification_dispatch_due(now=timezone.now(), lost_after=timedelta(seconds=30))

    assert robot.rejected == []  # never throttled: nothing over the limit reached the robot
    assert robot.max_in_any_window(2.0) <= 20
    assert tickets_named(robot) == {ticket.pk for ticket in tickets}
    assert len(robot.messages) < 30  # what waited went out folded into a digest


def test_staff_hear_about_a_ticket_that_needs_attention(chat_fakes, monkeypatch, settings):
    staff = chat_fakes(FakeDingTalkRobot)
    channel_on(staff, "staff", monkeypatch)
    settings.REVIEW_GATE_STAFF_CHANNEL = "staff"
    from tests.factories import TicketFactory

    ticket = TicketFactory(status=Ticket.Status.PREPARING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_needs_attention(ticket_id=ticket.pk, reason="GetIDEEventDetail: Forbidden.NoPermission")
    drain()

    assert tickets_named(staff) == {ticket.pk}
    assert Notification.objects.get().intent == "needs_attention"


def test_a_channel_whose_url_variable_is_unset_fails_visibly(reviewer, monkeypatch):
    from notifications.models import Channel

    Channel.objects.create(name="unset", kind="dingtalk", url_env="RG_TEST_NOT_SET_URL", secret_env="RG_TEST_NOT_SET")
    monkeypatch.delenv("RG_TEST_NOT_SET_URL", raising=False)
    RuleFactory(name="r", reviewer_users=[reviewer], notify=["unset"])

    ready_ticket()
    drain()

    row = Notification.objects.get()
    assert (row.state, row.last_error_code) == (State.FAILED, "NO_URL")
    assert "RG_TEST_NOT_SET_URL" in row.last_error


def test_a_review_request_for_a_ticket_decided_before_it_went_out_is_skipped(notifying_rule, three_channels, reviewer):
    ticket = ready_ticket()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer)
    drain()  # the ready messages run after the decision

    ready = Notification.objects.filter(intent="ready")
    assert set(ready.values_list("state", flat=True)) == {State.SKIPPED}
    hook = three_channels[2]
    assert [m.body["type"] for m in hook.messages] == ["ticket.decided"]


def test_node_names_cannot_forge_links_or_mentions_end_to_end(notifying_rule, three_channels):
    ding = three_channels[0]

    ready_ticket(title='[点我](http://evil.example/x) @all @13800000000 <at user_id="all">')
    drain()

    body = ding.messages[0].body
    text = json.dumps(body, ensure_ascii=False)
    assert "](http://evil" not in text
    assert body.get("at", {}).get("isAtAll") is not True
    assert body.get("at", {}).get("atMobiles", []) == []


def test_direct_email_respects_mute_and_quiet_hours(reviewer, settings, mailoutbox):
    from accounts.models import ContactPreferences
    from notifications.models import Channel

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Channel.objects.create(name="mail", kind="email")
    bob = UserFactory(username="bob", email="bob@example.com")
    ContactPreferences.objects.create(user=bob, muted=True)
    RuleFactory(name="mail-rule", reviewer_users=[reviewer, bob], notify=["mail"])

    ready_ticket(title="ods_mail")
    drain()

    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert "ods_mail" in mailoutbox[0].body
    assert Notification.objects.get(recipient=bob).state == State.SKIPPED
