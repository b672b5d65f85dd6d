"""Notifications through a real `qcluster`: a new ticket's message reaches DingTalk, Feishu and a signed webhook
within seconds, a 500 is retried at its due time (the due-time loop, not the one-minute sweeper), and the decision
follows.

The ticket is made ready and decided in this process, as the web and preparation processes do: the outbox rows
commit with the change and their delivery is queued on the test database's broker; the cluster's workers send them
to local fakes that verify every signature with their own code. The measured figures are written to
test-results/worker-notifications.json (bench/bench_notify.py measures the same path under load).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from approvals.tickets import services
from notifications.models import Channel, Notification
from tests.factories import RuleFactory, UserFactory
from tests.fakes.chat_servers import FakeDingTalkRobot, FakeFeishuBot, FakeSignedWebhook
from tests.notifications.conftest import ready_ticket, tickets_named
from tests.processes import ROOT, app_env, start_cluster, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WITHIN = 20.0  # seconds from the commit to each message; measured well under one (bench/RESULTS.md)
RETRY_LATE_AT_MOST = 5.0  # seconds after the retry's due time (the due-time loop looks every 0.5 s)


def _channel(fake: Any, name: str, env: dict[str, str]) -> Channel:
    """A channel whose variables the cluster gets (this process never needs the values)."""
    prefix = f"RG_W_{name.upper().replace('-', '_')}"
    env[f"{prefix}_URL"], env[f"{prefix}_SECRET"] = fake.url, fake.secret
    return Channel.objects.create(name=name, kind=fake.kind, url_env=f"{prefix}_URL", secret_env=f"{prefix}_SECRET")


def _first_message_of(fake: Any, kind: str) -> Any:
    """The first accepted message of the webhook fake with this `type`, or None."""
    return next((m for m in fake.messages if isinstance(m.body, dict) and m.body.get("type") == kind), None)


def test_three_channels_hear_of_a_ready_ticket_and_its_decision_within_seconds(
    emulator: Any, chat_fakes: Callable[..., Any], tmp_path: Path
) -> None:
    ding, feishu, hook = chat_fakes(FakeDingTalkRobot), chat_fakes(FakeFeishuBot), chat_fakes(FakeSignedWebhook)
    channel_env: dict[str, str] = {}
    for fake, name in ((ding, "w-dingtalk"), (feishu, "w-feishu"), (hook, "w-hook")):
        _channel(fake, name, channel_env)
    reviewer = UserFactory(username="alice")
    RuleFactory(name="w-rule", reviewer_users=[reviewer], notify=["w-dingtalk", "w-feishu", "w-hook"])
    hook.fail_next(1, status=500)  # the webhook's first answer: a server error, retried at its due time
    log = tmp_path / "qcluster.log"

    cluster = start_cluster(app_env(emulator, REVIEW_GATE_QUEUE_WORKERS="2", **channel_env), log)
    try:
        wait_for(lambda: "running" in (log.read_text(errors="replace") if log.exists() else ""), 60, "the cluster")
        ready_at = time.time()
        ticket = ready_ticket(title="ods_orders_daily")  # commits: three outbox rows, their tasks queued
        for fake in (ding, feishu, hook):
            wait_for(lambda f=fake: ticket.pk in tickets_named(f), WITHIN, f"the {fake.kind} message")
        ready_ms = {fake.kind: (fake.messages[0].at - ready_at) * 1000 for fake in (ding, feishu, hook)}

        decided_at = time.time()
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer, comment="ship it")
        wait_for(lambda: _first_message_of(hook, "ticket.decided") is not None, WITHIN, "the decided webhook")
        for fake in (ding, feishu):
            wait_for(lambda f=fake: len(f.messages) >= 2, WITHIN, f"the decided {fake.kind} message")
        decided_ms = {fake.kind: (fake.messages[-1].at - decided_at) * 1000 for fake in (ding, feishu, hook)}
    finally:
        stop(cluster)

    for fake in (ding, feishu, hook):
        assert fake.rejected == [], (fake.kind, fake.rejected)  # every signature verified by the fake's own code
        assert len(fake.messages) == 2, (fake.kind, [m.body for m in fake.messages])
        assert tickets_named(fake) == {ticket.pk}
    assert all(ms <= WITHIN * 1000 for ms in [*ready_ms.values(), *decided_ms.values()]), (ready_ms, decided_ms)

    ready_hook = _first_message_of(hook, "ticket.ready")
    assert ready_hook is not None and ready_hook.body["ticket"]["waiting_for"] == ["alice"]
    decided_hook = _first_message_of(hook, "ticket.decided")
    assert decided_hook.body["ticket"]["check_result"] == "OK"
    assert decided_hook.body["ticket"]["decided_by"] == "alice"
    assert decided_hook.body["ticket"]["comment"] == "ship it"

    # The webhook's 500: one retry, started at its due time (not when the sweeper comes round a minute later).
    assert hook.requests == 3  # the refused ready message, its retry, the decided message
    retried = Notification.objects.get(ticket=ticket, channel__name="w-hook", intent="ready")
    assert retried.state == Notification.State.SENT and retried.attempts == 2
    lateness = ready_hook.at - retried.next_attempt_at.timestamp()
    assert -0.05 <= lateness <= RETRY_LATE_AT_MOST, lateness
    assert ready_hook.headers["X-Review-Gate-Delivery"] == retried.delivery_id  # the same id on the retry
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}

    _record({"ready_to_message_ms": ready_ms, "decided_to_message_ms": decided_ms, "retry_lateness_s": lateness})


def _record(figures: dict[str, object]) -> None:
    out = Path(os.environ.get("REVIEW_GATE_NOTIFY_TEST_OUT") or ROOT / "test-results" / "worker-notifications.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*runs, figures], indent=2))
