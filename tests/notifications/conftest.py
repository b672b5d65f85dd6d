"""Notification fixtures: channels on local fakes (signatures checked by the fakes' own code), a ready ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from approvals.models import Ticket
from approvals.tickets import services
from notifications.models import Channel
from tests.factories import InboundEventFactory, RuleFactory, TicketFactory, UserFactory
from tests.fakes.chat_servers import (  # noqa: F401 - fixture
    FakeDingTalkRobot,
    FakeFeishuBot,
    FakeSignedWebhook,
    chat_fakes,
)
from tests.queue import run_queued_tasks

TICKET_URL = re.compile(r"/tickets/(\d+)/")


def channel_on(fake: Any, name: str, monkeypatch: pytest.MonkeyPatch, **extra: Any) -> Channel:
    """A channel whose URL and secret variables point at a running fake."""
    url_env, secret_env = (
        f"RG_TEST_{name.upper().replace('-', '_')}_URL",
        f"RG_TEST_{name.upper().replace('-', '_')}_SECRET",
    )
    monkeypatch.setenv(url_env, fake.url)
    monkeypatch.setenv(secret_env, fake.secret)
    return Channel.objects.create(name=name, kind=fake.kind, url_env=url_env, secret_env=secret_env, **extra)


def tickets_named(fake: Any) -> set[int]:
    """The ticket ids a fake's accepted messages link to."""
    return {int(m) for received in fake.messages for m in TICKET_URL.findall(received.raw.decode())}


def ready_ticket(**fields: Any) -> Ticket:
    """Make a ticket ready through the transition layer (as preparation does), committing its on-commit work."""
    from django.test import TestCase

    event = InboundEventFactory()
    ticket = TicketFactory(event=event, status=Ticket.Status.PREPARING, **fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_ready(ticket_id=ticket.pk, prepared={})
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def reviewer():
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def three_channels(chat_fakes: Callable[..., Any], monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    ding = chat_fakes(FakeDingTalkRobot)
    feishu = chat_fakes(FakeFeishuBot)
    hook = chat_fakes(FakeSignedWebhook)
    channel_on(ding, "sales-dingtalk", monkeypatch)
    channel_on(feishu, "sales-feishu", monkeypatch)
    channel_on(hook, "sales-hook", monkeypatch)
    return ding, feishu, hook


@pytest.fixture
def notifying_rule(reviewer, three_channels):
    return RuleFactory(
        name="sales-prod", reviewer_users=[reviewer], notify=["sales-dingtalk", "sales-feishu", "sales-hook"]
    )


def drain(limit: int = 200) -> int:
    return run_queued_tasks(limit)
