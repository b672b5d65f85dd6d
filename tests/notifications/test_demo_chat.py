"""The demo's chat (notifications/demo.py): in demo mode the seeded channels deliver, over HTTP and signed as the
real platforms require, to the app's own receiver, and /demo/chat/ shows what they "sent", escaped; outside demo
mode neither route exists."""

from __future__ import annotations

import json
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import clear_url_caches

from approvals.models import Rule
from approvals.tickets import services
from config.launcher import demo_chat_environment
from config.urls import build_urlpatterns
from notifications import demo
from notifications.channels.transport import dingtalk_sign, refuse_url, webhook_signature
from notifications.models import Channel, Notification
from tests.factories import UserFactory
from tests.notifications.conftest import drain, ready_ticket

SECRET = "demo-chat-test-secret"


@pytest.fixture
def demo_site(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The site as `make run` builds it in demo mode, the chat kept in a temporary file."""
    settings.DEMO_MODE = True
    settings.REVIEW_GATE_DEMO_CHAT_FILE = str(tmp_path / "demo-chat.jsonl")
    urlconf = types.ModuleType("urls_in_demo_mode")
    urlconf.urlpatterns = build_urlpatterns(password_reset=False, demo=True)  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf
    monkeypatch.setenv(demo.SECRET_ENV, SECRET)
    yield settings
    clear_url_caches()


def _page(client: Client) -> str:
    response = client.get("/demo/chat/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_outside_demo_mode_neither_the_page_nor_the_receiver_exists(client: Client) -> None:
    assert client.get("/demo/chat/").status_code == 404
    assert client.post("/demo/chat/webhook/", b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_views_refuse_even_when_routed_without_demo_mode(demo_site: Any, client: Client) -> None:
    demo_site.DEMO_MODE = False  # routed by mistake: the views themselves still say 404

    assert client.get("/demo/chat/").status_code == 404
    assert client.post("/demo/chat/webhook/", b"{}", content_type="application/json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_ticket_and_its_decision_reach_the_demo_chat_signed_and_escaped(
    demo_site: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = live_server.url.rsplit(":", 1)[1]
    for name, url in demo_chat_environment(port).items():
        monkeypatch.setenv(name, url)
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert demo.seed_demo_channels() == ["demo-dingtalk", "demo-feishu", "demo-webhook", demo.RULE_NAME]

    ticket = ready_ticket(title='<script>alert("x")</script> [click](http://evil.example)')
    drain()  # the queue task sends each message over HTTP to the live server's receiver
    with_decision_at = time.time()
    services.ticket_reject(ticket_id=ticket.pk, user=admin, comment="<img src=x onerror=alert(1)> no")
    drain()

    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}
    received = demo.received_messages()
    assert sorted(m["kind"] for m in received) == ["dingtalk", "dingtalk", "feishu", "feishu", "webhook", "webhook"]
    assert not [m for m in received if m.get("refused")]
    decided = json.loads(next(m["raw"] for m in received if m["kind"] == "webhook" and "decided" in m["title"]))
    assert decided["ticket"]["comment"] == "<img src=x onerror=alert(1)> no"
    assert time.time() - with_decision_at < 30
    page = _page(Client())  # no account needed
    assert f"/tickets/{ticket.pk}/" in page
    assert "<script>alert" not in page and "<img src=x" not in page  # shown as text, never as markup
    assert "&lt;script&gt;" in page or "&amp;lt;script&amp;gt;" in page
    assert page.count('data-kind="dingtalk"') == 2


@pytest.mark.django_db
def test_a_forged_signature_is_refused_and_its_text_never_shown(demo_site: Any, client: Client) -> None:
    stamp = str(int(time.time() * 1000))
    body = {"msgtype": "markdown", "markdown": {"title": "FORGED", "text": "FORGED text"}}
    url = f"/demo/chat/dingtalk/?access_token={demo.ROBOT_TOKEN}&timestamp={stamp}&sign=bm90LXRoZS1zaWdu"
    forged = client.post(url, json.dumps(body), content_type="application/json")
    hook = client.post(
        "/demo/chat/webhook/",
        b'{"type": "ticket.ready"}',
        content_type="application/json",
        headers={"X-Review-Gate-Timestamp": str(int(time.time())), "X-Review-Gate-Signature": "sha256=00"},
    )

    assert forged.status_code == 200 and forged.json()["errcode"] == 310000  # DingTalk's own answer
    assert hook.status_code == 401
    page = _page(client)
    assert "FORGED" not in page
    assert page.count("Refused: the signature check failed") == 2


@pytest.mark.django_db
def test_a_correct_signature_is_accepted_and_stale_or_oversized_requests_are_not(
    demo_site: Any, client: Client
) -> None:
    now_ms = int(time.time() * 1000)
    body = json.dumps({"msgtype": "markdown", "markdown": {"title": "hello", "text": "**hi** there"}})
    base = f"/demo/chat/dingtalk/?access_token={demo.ROBOT_TOKEN}"
    signed = f"{base}&timestamp={now_ms}&sign={dingtalk_sign(SECRET, now_ms)}"
    stale_ms = now_ms - 2 * 3600 * 1000
    stale = f"{base}&timestamp={stale_ms}&sign={dingtalk_sign(SECRET, stale_ms)}"
    raw = json.dumps({"type": "ticket.ready", "ticket": {"title": "t"}, "pad": "x" * (demo.MAX_BODY + 1)}).encode()
    stamp = int(time.time())
    big_headers = {
        "X-Review-Gate-Timestamp": str(stamp),
        "X-Review-Gate-Signature": webhook_signature(SECRET, stamp, raw),
        "X-Review-Gate-Delivery": "d-1",
    }

    assert client.post(signed, body, content_type="application/json").json() == {"errcode": 0, "errmsg": "ok"}
    assert client.post(stale, body, content_type="application/json").json()["errcode"] == 310000
    too_big = client.post("/demo/chat/webhook/", raw, content_type="application/json", headers=big_headers)
    assert too_big.status_code == 413
    assert client.post("/demo/chat/slack/", body, content_type="application/json").status_code == 404
    messages = demo.received_messages()
    assert [(m["kind"], m.get("title"), m.get("refused")) for m in messages] == [
        ("dingtalk", None, "timestamp"),
        ("dingtalk", "hello", None),
    ]
    assert "**hi** there" in _page(client)  # markdown shown as its text, not rendered


@pytest.mark.django_db
def test_without_its_secret_the_receiver_refuses_everything(
    demo_site: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(demo.SECRET_ENV)
    stamp = int(time.time())
    raw = b'{"type": "ticket.ready"}'
    headers = {
        "X-Review-Gate-Timestamp": str(stamp),
        "X-Review-Gate-Signature": webhook_signature("", stamp, raw),
        "X-Review-Gate-Delivery": "d-1",
    }

    assert client.post("/demo/chat/webhook/", raw, content_type="application/json", headers=headers).status_code == 401


@pytest.mark.django_db
def test_seeding_is_idempotent_and_leaves_an_admins_changes_alone() -> None:
    UserFactory(username="admin", is_superuser=True)

    first = demo.seed_demo_channels()
    Channel.objects.filter(name="demo-feishu").update(enabled=False)
    Rule.objects.filter(name=demo.RULE_NAME).delete()
    second = demo.seed_demo_channels()

    assert first == ["demo-dingtalk", "demo-feishu", "demo-webhook", demo.RULE_NAME]
    assert second == []  # the deleted rule stays deleted, the disabled channel disabled
    assert not Channel.objects.get(name="demo-feishu").enabled
    assert not Rule.objects.filter(name=demo.RULE_NAME).exists()


def test_the_launcher_points_every_demo_channel_at_a_loopback_url_the_transport_accepts() -> None:
    urls = demo_chat_environment("8000")

    assert set(urls) == {channel.url_env for channel in demo.CHANNELS}
    for channel in demo.CHANNELS:
        url = urls[channel.url_env]
        assert url.startswith(f"http://127.0.0.1:8000/demo/chat/{channel.kind}/") and refuse_url(url) == ""
    assert f"access_token={demo.ROBOT_TOKEN}" in urls["REVIEW_GATE_DEMO_DINGTALK_URL"]
