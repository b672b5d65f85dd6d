"""The demo's chat: where `make run` in demo mode sends notifications, so a newcomer sees them without any account.

Demo mode only: config/urls.py routes these views only when DEMO_MODE is on, and each view answers 404 otherwise.
The launcher (config/launcher.py) points the demo channels' URL variables at `POST /demo/chat/<kind>/` of the app
itself and keeps a generated signing secret in var/demo.env. The receiver checks each request as the platform
would (DingTalk 加签 in the query, Feishu's signature in the body, the generic webhook's headers), with its own
code rather than the sender's, and answers in the platform's format; accepted messages are kept in a small JSON
Lines file in the data directory, shared by every gunicorn worker. `/demo/chat/` lists them: the text is shown as
text (escaped by the template), never rendered as markdown or HTML, since node names and comments are untrusted.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

SECRET_ENV = "REVIEW_GATE_DEMO_CHAT_SECRET"  # noqa: S105 - the variable's name, not a secret
# The demo robot's "access token" in its URL, as DingTalk's has one; config/launcher.py sets the URL variables.
ROBOT_TOKEN = "demo-robot"  # noqa: S105 - not a secret: the signature is what authenticates
KEEP = 200  # messages kept; the oldest go first
MAX_BODY = 64 * 1024
MAX_TEXT = 8000
MAX_RAW = 16000
CHAT_WINDOW_S = 3600  # DingTalk and Feishu accept a signature timestamp within an hour
WEBHOOK_WINDOW_S = 300  # the generic webhook's documented window


@dataclass(frozen=True)
class DemoChannel:
    name: str
    kind: str

    @property
    def url_env(self) -> str:
        return f"REVIEW_GATE_DEMO_{self.kind.upper()}_URL"


CHANNELS: tuple[DemoChannel, ...] = (
    DemoChannel("demo-dingtalk", "dingtalk"),
    DemoChannel("demo-feishu", "feishu"),
    DemoChannel("demo-webhook", "webhook"),
)
KINDS = frozenset(channel.kind for channel in CHANNELS)
RULE_NAME = "demo-chat"


def seed_demo_channels() -> list[str]:
    """Create the demo channels that do not exist yet, and, with the first of them, a rule sending every change to
    them (reviewed by the superusers); return what was created. Channels and the rule an admin changed or deleted
    afterwards are left alone."""
    from django.contrib.auth import get_user_model

    from approvals.models import Rule
    from approvals.rules.services import rule_save
    from notifications.models import Channel

    created: list[str] = []
    for channel in CHANNELS:
        _row, new = Channel.objects.get_or_create(
            name=channel.name, defaults={"kind": channel.kind, "url_env": channel.url_env, "secret_env": SECRET_ENV}
        )
        if new:
            created.append(channel.name)
    admins = list(get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True))
    if created and admins and not Rule.objects.filter(name=RULE_NAME).exists():
        values = {"name": RULE_NAME, "notify": [channel.name for channel in CHANNELS], "min_approvals": 1}
        rule_save(rule=None, values=values, reviewers=admins, groups=[], actor=None, source="demo", ip=None)
        created.append(RULE_NAME)
    return created


# --- Verification: each platform's own rule, written here from its documentation --------------------------------


def _fresh(timestamp: str, now: float, window: float, *, scale: int = 1) -> bool:
    return timestamp.isdigit() and len(timestamp) <= 16 and abs(now - int(timestamp) / scale) <= window


def _dingtalk_refusal(request: HttpRequest, secret: str, now: float) -> str:
    timestamp, sign = request.GET.get("timestamp", ""), request.GET.get("sign", "")
    if request.GET.get("access_token") != ROBOT_TOKEN:
        return "token"
    if not _fresh(timestamp, now, CHAT_WINDOW_S, scale=1000):
        return "timestamp"
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return "" if hmac.compare_digest(sign.encode(), base64.b64encode(mac)) else "sign"


def _feishu_refusal(body: Any, secret: str, now: float) -> str:
    timestamp = str(body.get("timestamp", "")) if isinstance(body, dict) else ""
    sign = str(body.get("sign", "")) if isinstance(body, dict) else ""
    if not _fresh(timestamp, now, CHAT_WINDOW_S):
        return "timestamp"
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return "" if hmac.compare_digest(sign.encode(), base64.b64encode(mac)) else "sign"


def _webhook_refusal(request: HttpRequest, raw: bytes, secret: str, now: float) -> str:
    timestamp = request.headers.get("X-Review-Gate-Timestamp", "")
    signature = request.headers.get("X-Review-Gate-Signature", "")
    if not _fresh(timestamp, now, WEBHOOK_WINDOW_S):
        return "timestamp"
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return "signature"
    return "" if request.headers.get("X-Review-Gate-Delivery") else "delivery"


def _answer(kind: str, refusal: str) -> HttpResponse:
    """The platform's answer: DingTalk and Feishu say 200 with an error code in the body; the webhook uses statuses."""
    if kind == "dingtalk":
        return JsonResponse({"errcode": 310000, "errmsg": refusal} if refusal else {"errcode": 0, "errmsg": "ok"})
    if kind == "feishu":
        return JsonResponse({"code": 19021, "msg": refusal} if refusal else {"code": 0, "msg": "success"})
    if refusal == "invalid":
        return HttpResponse("invalid", status=400, content_type="text/plain")
    return HttpResponse(refusal or "ok", status=401 if refusal else 200, content_type="text/plain")


# --- What the page shows -----------------------------------------------------------------------------------------


def _strings(value: Any, keys: frozenset[str], out: list[str], depth: int = 0) -> None:
    """Collect the strings under `keys` (a card's texts), depth-first, bounded."""
    if depth > 8 or len(out) > 50:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                out.append(item)
            else:
                _strings(item, keys, out, depth + 1)
    elif isinstance(value, list):
        for item in value[:50]:
            _strings(item, keys, out, depth + 1)


def summary(kind: str, body: Any) -> tuple[str, str]:
    """The (title, text) a person would read in the chat, as plain strings (the template escapes them)."""
    if not isinstance(body, dict):
        return "", ""
    if kind == "dingtalk":
        part = body.get(str(body.get("msgtype", ""))) or {}
        part = part if isinstance(part, dict) else {}
        return str(part.get("title", "")), str(part.get("text", part.get("content", "")))
    if kind == "feishu":
        texts: list[str] = []
        _strings(body.get("card") or body.get("content") or {}, frozenset({"content", "text", "url"}), texts)
        return (texts[0] if texts else ""), "\n".join(texts[1:])
    ticket = body.get("ticket") if isinstance(body.get("ticket"), dict) else {}
    lines = [f"{key}: {ticket.get(key)}" for key in ("title", "path", "status", "check_result", "url") if ticket]
    return str(body.get("type", "")), "\n".join(lines)


def _file() -> Path:
    configured = getattr(settings, "REVIEW_GATE_DEMO_CHAT_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "demo-chat.jsonl"


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    store.parent.mkdir(parents=True, exist_ok=True)
    with store.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _append(record: dict[str, Any]) -> None:
    store = _file()
    with _locked(store):
        lines = store.read_text(encoding="utf-8").splitlines() if store.exists() else []
        lines = [*lines[-(KEEP - 1) :], json.dumps(record, ensure_ascii=False)]
        temporary = store.with_suffix(".tmp")
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temporary.replace(store)


def received_messages() -> list[dict[str, Any]]:
    """What the demo chat received, newest first (a line that does not parse is skipped)."""
    store = _file()
    if not store.exists():
        return []
    messages = []
    for line in store.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict):
                messages.append(record)
    return messages[::-1]


# --- Views -------------------------------------------------------------------------------------------------------


def _demo_only() -> None:
    if not settings.DEMO_MODE:
        raise Http404


@csrf_exempt  # a robot endpoint: authenticated by its signature, as the platforms' are
@require_POST
def demo_chat_receive(request: HttpRequest, kind: str) -> HttpResponse:
    """Receive one message as the platform `kind` would, and keep it when its signature is right."""
    _demo_only()
    if kind not in KINDS:
        raise Http404
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY + 1
    if length > MAX_BODY:
        return HttpResponse("too large", status=413, content_type="text/plain")
    raw = request.body
    secret = os.environ.get(SECRET_ENV, "").strip()
    now = time.time()
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not secret:
        refusal = "no secret configured"
    elif kind == "dingtalk":
        refusal = _dingtalk_refusal(request, secret, now)
    elif kind == "feishu":
        refusal = _feishu_refusal(body, secret, now)
    else:
        refusal = _webhook_refusal(request, raw, secret, now)
    if not refusal and not isinstance(body, dict):
        refusal = "invalid"
    at = datetime.now(UTC).isoformat()
    if refusal:
        _append({"kind": kind, "at": at, "refused": refusal})
        return _answer(kind, refusal)
    title, text = summary(kind, body)
    pretty = json.dumps(body, ensure_ascii=False, indent=2)
    _append({"kind": kind, "at": at, "title": title[:300], "text": text[:MAX_TEXT], "raw": pretty[:MAX_RAW]})
    return _answer(kind, "")


@require_GET
def demo_chat_page(request: HttpRequest) -> HttpResponse:
    """What the demo channels "sent", newest first; no account needed (demo mode only)."""
    _demo_only()
    messages = received_messages()
    for message in messages:
        with contextlib.suppress(ValueError, TypeError):
            message["at"] = datetime.fromisoformat(str(message.get("at")))
    channels = [(channel.name, channel.kind) for channel in CHANNELS]
    return render(request, "notifications/demo_chat.html", {"chat_messages": messages, "demo_channels": channels})


urlpatterns = [
    path("", demo_chat_page, name="demo_chat"),
    path("<slug:kind>/", demo_chat_receive, name="demo_chat_receive"),
]
