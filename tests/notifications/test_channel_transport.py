"""Sending through each channel kind to local fakes over real HTTP on 127.0.0.1: signing the fakes verify with
their own code, and every answer (accepted, refused, throttled, 5xx, unreachable) read as the outbox needs it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from notifications.channels.limits import KIND_LIMITS
from notifications.channels.message import Intent, Kind
from notifications.channels.transport import Outcome, send
from tests.fakes.chat_servers import (
    FakeDingTalkRobot,
    FakeEndpoint,
    FakeFeishuBot,
    FakeSignedWebhook,
    FakeSlackWebhook,
    FakeWeComRobot,
    running_fakes,
)
from tests.fakes.outgoing import decided, make_outgoing, make_ticket

Fakes = Callable[..., Any]
FAKES: dict[Kind, type[FakeEndpoint]] = {
    Kind.DINGTALK: FakeDingTalkRobot,
    Kind.FEISHU: FakeFeishuBot,
    Kind.WECOM: FakeWeComRobot,
    Kind.SLACK: FakeSlackWebhook,
    Kind.WEBHOOK: FakeSignedWebhook,
}
HTTP_KINDS = list(FAKES)
SIGNED = [Kind.DINGTALK, Kind.FEISHU, Kind.WEBHOOK]


@pytest.fixture
def chat_fakes() -> Iterator[Fakes]:
    with running_fakes() as make:
        yield make


@pytest.mark.parametrize("kind", HTTP_KINDS)
def test_message_is_accepted_by_the_fake(chat_fakes: Fakes, kind: Kind) -> None:
    fake = chat_fakes(FAKES[kind])
    result = send(kind, make_outgoing(), url=fake.url, secret=fake.secret)
    assert result.outcome is Outcome.SENT, result
    assert result.http_status == 200
    assert len(fake.messages) == 1
    assert fake.rejected == []


@pytest.mark.parametrize("kind", SIGNED)
def test_wrong_secret_is_refused_by_the_fake_and_permanent(chat_fakes: Fakes, kind: Kind) -> None:
    fake = chat_fakes(FAKES[kind])
    result = send(kind, make_outgoing(), url=fake.url, secret="not-the-secret")
    assert result.outcome is Outcome.PERMANENT
    assert fake.messages == []
    assert [r.reason for r in fake.rejected] in (["sign"], ["signature"])
    expected = {Kind.DINGTALK: "dingtalk:310000", Kind.FEISHU: "feishu:19021", Kind.WEBHOOK: "http:401"}[kind]
    assert result.error_code == expected
    assert "not-the-secret" not in result.detail and fake.token not in result.detail


@pytest.mark.parametrize("kind", SIGNED)
def test_a_stale_timestamp_is_refused(chat_fakes: Fakes, kind: Kind) -> None:
    fake = chat_fakes(FAKES[kind])
    stale = timezone.now() - (timedelta(minutes=6) if kind is Kind.WEBHOOK else timedelta(hours=2))
    result = send(kind, make_outgoing(), url=fake.url, secret=fake.secret, now=stale)
    assert result.outcome is Outcome.PERMANENT
    assert fake.messages == [] and len(fake.rejected) == 1


@pytest.mark.parametrize(
    ("kind", "code"),
    [(Kind.WECOM, "wecom:93000"), (Kind.SLACK, "slack:no_service"), (Kind.DINGTALK, "dingtalk:300001")],
)
def test_wrong_key_in_the_url_is_permanent(chat_fakes: Fakes, kind: Kind, code: str) -> None:
    fake = chat_fakes(FAKES[kind])
    result = send(kind, make_outgoing(), url=fake.url.replace(fake.token, "wrong"), secret=fake.secret)
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, code)


@pytest.mark.parametrize(
    ("kind", "code", "retry_after"),
    [
        (Kind.DINGTALK, "dingtalk:130101", 600.0),
        (Kind.FEISHU, "feishu:11232", 60.0),
        (Kind.WECOM, "wecom:45009", 60.0),
        (Kind.SLACK, "http:429", 1.0),
        (Kind.WEBHOOK, "http:429", 1.0),
    ],
)
def test_throttle_answer_is_throttled_with_retry_after(
    chat_fakes: Fakes, kind: Kind, code: str, retry_after: float
) -> None:
    fake = chat_fakes(FAKES[kind])
    fake.throttle_next(1)
    result = send(kind, make_outgoing(), url=fake.url, secret=fake.secret)
    assert (result.outcome, result.error_code, result.retry_after) == (Outcome.THROTTLED, code, retry_after)
    again = send(kind, make_outgoing(), url=fake.url, secret=fake.secret)
    assert again.outcome is Outcome.SENT
    assert len(fake.messages) == 1


def test_slack_retry_after_header_is_honoured(chat_fakes: Fakes) -> None:
    fake = chat_fakes(FakeSlackWebhook, retry_after=7)
    fake.throttle_next(1)
    result = send(Kind.SLACK, make_outgoing(), url=fake.url, secret="")
    assert (result.outcome, result.retry_after, result.http_status) == (Outcome.THROTTLED, 7.0, 429)


def test_slack_real_limit_one_per_second(chat_fakes: Fakes) -> None:
    fake = chat_fakes(FakeSlackWebhook)
    results = [send(Kind.SLACK, make_outgoing(), url=fake.url, secret="").outcome for _ in range(2)]
    assert results == [Outcome.SENT, Outcome.THROTTLED]


@pytest.mark.parametrize("kind", HTTP_KINDS)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_transient(chat_fakes: Fakes, kind: Kind, status: int) -> None:
    fake = chat_fakes(FAKES[kind])
    fake.fail_next(1, status=status)
    result = send(kind, make_outgoing(), url=fake.url, secret=fake.secret)
    assert (result.outcome, result.http_status, result.error_code) == (Outcome.TRANSIENT, status, f"http:{status}")
    assert send(kind, make_outgoing(), url=fake.url, secret=fake.secret).outcome is Outcome.SENT


def test_dingtalk_robot_muted_after_its_limit(chat_fakes: Fakes) -> None:
    """Over the limit the fake mutes the robot, like DingTalk (10 min there, 0.4 s here): every send in the mute is
    THROTTLED for 600 s, and after it the robot takes messages again."""
    robot = chat_fakes(FakeDingTalkRobot, limits=((3, 60.0),), mute_seconds=0.4)
    outcomes = [send(Kind.DINGTALK, make_outgoing(), url=robot.url, secret=robot.secret) for _ in range(5)]
    assert [r.outcome for r in outcomes] == [Outcome.SENT] * 3 + [Outcome.THROTTLED] * 2
    assert {r.retry_after for r in outcomes[3:]} == {600.0}
    assert robot.max_in_any_window(60) == 3
    time.sleep(0.5)
    robot.limits = ()  # the window would still hold the three; the mute alone is under test
    assert send(Kind.DINGTALK, make_outgoing(), url=robot.url, secret=robot.secret).outcome is Outcome.SENT


def test_feishu_five_per_second(chat_fakes: Fakes) -> None:
    bot = chat_fakes(FakeFeishuBot)
    outcomes = [send(Kind.FEISHU, make_outgoing(), url=bot.url, secret=bot.secret).outcome for _ in range(6)]
    assert outcomes == [Outcome.SENT] * 5 + [Outcome.THROTTLED]


def test_dingtalk_keyword_security_refusal_is_permanent(chat_fakes: Fakes) -> None:
    robot = chat_fakes(FakeDingTalkRobot, keywords=("审批",), secret="")
    result = send(Kind.DINGTALK, make_outgoing(language="en"), url=robot.url, secret="")
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "dingtalk:310000")
    assert "keywords" in result.detail


def test_dingtalk_payload_as_received(chat_fakes: Fakes) -> None:
    robot = chat_fakes(FakeDingTalkRobot)
    send(Kind.DINGTALK, make_outgoing(language="zh-hans"), url=robot.url, secret=robot.secret)
    body = robot.messages[0].body
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atUserIds": ["alice01"], "atMobiles": [], "isAtAll": False}
    assert "@alice01" in body["markdown"]["text"]
    assert "文件提交 (commit-file)" in body["markdown"]["text"]
    assert set(robot.messages[0].query) == {"access_token", "timestamp", "sign"}


def test_feishu_signature_is_in_the_body(chat_fakes: Fakes) -> None:
    bot = chat_fakes(FakeFeishuBot)
    send(Kind.FEISHU, make_outgoing(), url=bot.url, secret=bot.secret)
    body = bot.messages[0].body
    assert body["msg_type"] == "interactive"
    assert body["timestamp"].isdigit() and body["sign"]


# --- Generic webhook ------------------------------------------------------------------------------------------------

TICKET_KEYS = {
    "id", "url", "message_id", "event_code", "event_name", "project_id", "title", "path", "operator", "status",
    "check_result", "decided_by", "comment", "risk", "waiting_for", "expires_at",
}  # fmt: skip


def test_webhook_body_has_exactly_the_issues_keys_and_a_stable_id(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    outgoing = make_outgoing(Intent.DECIDED, decided(), delivery_id="ntf-42")
    for _ in range(2):  # a retry of the same message
        assert send(Kind.WEBHOOK, outgoing, url=hook.url, secret=hook.secret).outcome is Outcome.SENT
    first, second = hook.messages
    for message in (first, second):
        assert set(message.body) == {"type", "id", "sent_at", "ticket"}
        assert set(message.body["ticket"]) == TICKET_KEYS
        assert message.body["id"] == "ntf-42"
        assert message.headers["X-Review-Gate-Delivery"] == "ntf-42"
        assert message.headers["Content-Type"] == "application/json"
    body = first.body
    assert body["type"] == "ticket.decided"
    assert body["sent_at"] == "2026-05-18T06:30:00+00:00"
    assert body["ticket"]["check_result"] == "FAIL"
    assert body["ticket"]["waiting_for"] == []
    assert body["ticket"]["risk"] is None


def test_webhook_digest_sends_every_ticket(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    tickets = [make_ticket(id=n) for n in (1, 2, 3)]
    outgoing = make_outgoing(Intent.DIGEST, *tickets, digest_intents=(Intent.READY, Intent.REMINDER, Intent.READY))
    send(Kind.WEBHOOK, outgoing, url=hook.url, secret=hook.secret)
    body = hook.messages[0].body
    assert body["type"] == "ticket.digest"
    assert [t["id"] for t in body["tickets"]] == [1, 2, 3]
    assert body["types"] == ["ticket.ready", "ticket.reminder", "ticket.ready"]
    assert body["ticket"]["id"] == 1


def test_delivery_failed_type(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    send(Kind.WEBHOOK, make_outgoing(Intent.DELIVERY_FAILED), url=hook.url, secret=hook.secret)
    assert hook.messages[0].body["type"] == "delivery.failed"


def test_webhook_without_a_secret_is_never_sent(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    result = send(Kind.WEBHOOK, make_outgoing(), url=hook.url, secret="")
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "secret_missing")
    assert hook.requests == 0


# --- URLs and the network -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://oapi.dingtalk.com/robot/send?access_token=abc",
        "http://10.0.0.8/hook",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "",
        "https://",
        "http://127.0.0.1.evil.example/hook",
    ],
)
@pytest.mark.parametrize("kind", HTTP_KINDS)
def test_non_https_non_loopback_is_refused_without_a_request(
    kind: Kind, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(requests, "post", lambda *a, **k: calls.append("post"))
    result = send(kind, make_outgoing(), url=url, secret="s3cret")
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "url_refused")
    assert calls == []
    assert "access_token" not in result.detail and "abc" not in result.detail


def test_loopback_names_are_allowed(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    url = hook.url.replace("127.0.0.1", "localhost")
    assert send(Kind.WEBHOOK, make_outgoing(), url=url, secret=hook.secret).outcome is Outcome.SENT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", HTTP_KINDS)
def test_connection_refused_is_transient(kind: Kind) -> None:
    result = send(kind, make_outgoing(), url=f"http://127.0.0.1:{_closed_port()}/x", secret="s")
    assert (result.outcome, result.error_code) == (Outcome.TRANSIENT, "connection")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@override_settings(REVIEW_GATE_NOTIFY_READ_TIMEOUT=0.3)
def test_timeout_is_transient(silent_server: str) -> None:
    started = time.monotonic()
    result = send(Kind.WEBHOOK, make_outgoing(), url=silent_server, secret="s")
    assert (result.outcome, result.error_code) == (Outcome.TRANSIENT, "timeout")
    assert time.monotonic() - started < 3


def test_nothing_secret_is_logged(chat_fakes: Fakes, caplog: pytest.LogCaptureFixture) -> None:
    robot = chat_fakes(FakeDingTalkRobot)
    # INFO, as in production: urllib3 logs request lines (with the robot's token) at DEBUG, see the report.
    caplog.set_level("INFO")
    outgoing = make_outgoing(Intent.DECIDED, decided(comment="very private comment"))
    send(Kind.DINGTALK, outgoing, url=robot.url, secret=robot.secret)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "ntf-0001" in logged and "SENT" in logged
    for secret in (robot.token, robot.secret, "very private comment", "sign="):
        assert secret not in logged


def test_kind_limits_are_the_documented_budgets() -> None:
    assert KIND_LIMITS[Kind.DINGTALK] == ((20, 60.0),)
    assert KIND_LIMITS[Kind.WECOM] == ((20, 60.0),)
    assert set(KIND_LIMITS[Kind.FEISHU] or ()) == {(100, 60.0), (5, 1.0)}
    assert KIND_LIMITS[Kind.SLACK] == ((1, 1.0),)
    assert KIND_LIMITS[Kind.WEBHOOK] is None and KIND_LIMITS[Kind.EMAIL] is None


def test_fake_counts_the_busiest_window(chat_fakes: Fakes) -> None:
    hook = chat_fakes(FakeSignedWebhook)
    for _ in range(3):
        send(Kind.WEBHOOK, make_outgoing(), url=hook.url, secret=hook.secret)
    assert hook.max_in_any_window(60) == 3
    assert json.loads(hook.messages[0].raw) == hook.messages[0].body


# --- Email ----------------------------------------------------------------------------------------------------------


def test_email_goes_to_the_recipients_with_both_parts() -> None:
    mail.outbox.clear()
    outgoing = make_outgoing(Intent.READY, language="zh-hans")
    result = send(Kind.EMAIL, outgoing, url="", secret="", recipients=["alice@example.com", "bad\naddress", ""])
    assert result.outcome is Outcome.SENT
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "文件提交 (commit-file)" in message.body
    html, mime = message.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html" and "http://testserver/tickets/7/" in html
    assert "You receive this because" in message.body
    assert message.extra_headers["X-Review-Gate-Delivery"] == "ntf-0001"


def test_email_without_recipients_is_permanent() -> None:
    mail.outbox.clear()
    result = send(Kind.EMAIL, make_outgoing(), url="", secret="", recipients=[])
    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "no_recipients")
    assert mail.outbox == []
