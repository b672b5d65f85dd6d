"""The channel admin shows which variable holds a URL or secret and whether it is set, never the value; a test
message goes through the outbox to the channel."""

from __future__ import annotations

import pytest
from django.test import TestCase

from notifications.models import Channel, Notification
from tests.fakes.chat_servers import FakeFeishuBot
from tests.notifications.conftest import channel_on, drain

pytestmark = pytest.mark.django_db


def test_the_list_names_variables_and_never_shows_their_values(admin_client, chat_fakes, monkeypatch):
    bot = chat_fakes(FakeFeishuBot)
    channel_on(bot, "feishu-team", monkeypatch)
    Channel.objects.create(name="no-env", kind="webhook", url_env="RG_ABSENT_URL", secret_env="RG_ABSENT_SECRET")
    monkeypatch.delenv("RG_ABSENT_URL", raising=False)

    html = admin_client.get("/admin/notifications/channel/").content.decode()

    assert "RG_TEST_FEISHU_TEAM_URL (set)" in html
    assert "RG_ABSENT_URL (NOT SET)" in html
    assert bot.url not in html and bot.secret not in html


def test_send_a_test_message_reaches_the_channel(admin_client, chat_fakes, monkeypatch):
    bot = chat_fakes(FakeFeishuBot)
    channel = channel_on(bot, "feishu-team", monkeypatch)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            "/admin/notifications/channel/", {"action": "send_test_message", "_selected_action": [channel.pk]}
        )
    drain()

    assert response.status_code == 302
    assert Notification.objects.get().state == Notification.State.SENT
    assert len(bot.messages) == 1 and bot.rejected == []


def test_a_channel_form_refuses_an_unsigned_robot(admin_client):
    response = admin_client.post(
        "/admin/notifications/channel/add/",
        {"name": "x", "kind": "dingtalk", "enabled": "on", "url_env": "X_URL", "secret_env": "", "to": "[]"},
    )

    assert response.status_code == 200
    assert Channel.objects.count() == 0
    assert "must sign" in response.content.decode()


def test_failed_notifications_can_be_sent_again(admin_client, chat_fakes, monkeypatch):
    bot = chat_fakes(FakeFeishuBot)
    channel = channel_on(bot, "feishu-team", monkeypatch)
    row = Notification.objects.create(
        delivery_id="d-1", dedupe_key="test:1", channel=channel, intent="test", target="channel", state="FAILED"
    )

    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_client.post("/admin/notifications/notification/", {"action": "send_again", "_selected_action": [row.pk]})
    drain()

    row.refresh_from_db()
    assert row.state == Notification.State.SENT


def test_an_email_channel_without_smtp_fails_visibly(settings, reviewer):
    from tests.factories import RuleFactory
    from tests.notifications.conftest import ready_ticket

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAIL_CONFIGURED = False
    Channel.objects.create(name="mail", kind="email", to=["team@example.com"])
    RuleFactory(name="mail-rule", reviewer_users=[reviewer], notify=["mail"])

    ready_ticket()
    drain()

    assert Notification.objects.get().last_error_code == "NO_MAIL"
