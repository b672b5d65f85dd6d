"""Send one rendered message to one target and say what became of it.

`send` never raises for anything the network or the platform does: every answer becomes a `SendResult` the outbox
acts on (SENT: done; THROTTLED: retry after `retry_after`; TRANSIENT: retry with backoff; PERMANENT: record and
stop). Logs carry the kind, the delivery id and the outcome, never a body, a URL (robot URLs carry the access token)
or a secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus, urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from notifications.channels import escape
from notifications.channels.message import Kind, Outgoing
from notifications.channels.render import render_email, render_payload

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})

# Codes the platforms answer in a 200 body (docs/notifications-channels.md).
DINGTALK_THROTTLED = 130101  # over 20 messages a minute: the robot is muted for 10 minutes
DINGTALK_MUTE_SECONDS = 600.0
FEISHU_THROTTLED = 11232
WECOM_THROTTLED = 45009
SYSTEM_BUSY = -1  # DingTalk and WeCom: "system busy, try again later"
DEFAULT_RETRY_AFTER = 60.0


class Outcome(StrEnum):
    SENT = "SENT"
    THROTTLED = "THROTTLED"
    TRANSIENT = "TRANSIENT"
    PERMANENT = "PERMANENT"


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    retry_after: float | None = None  # seconds, for THROTTLED (and a TRANSIENT answer that named one)
    error_code: str = ""  # e.g. "dingtalk:130101", "http:500", "timeout", "url_refused"; "" when SENT
    http_status: int | None = None
    detail: str = ""  # short, for the admin: never message text, never a URL or secret

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SENT


def _timeouts() -> tuple[float, float]:
    return (
        float(getattr(settings, "REVIEW_GATE_NOTIFY_CONNECT_TIMEOUT", 3.0)),
        float(getattr(settings, "REVIEW_GATE_NOTIFY_READ_TIMEOUT", 10.0)),
    )


# --- Signing --------------------------------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: urlencode(base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>")))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu 签名校验: base64(HMAC-SHA256(key="<ts>\\n<secret>", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """The generic webhook's `X-Review-Gate-Signature`: sha256=<hex HMAC-SHA256(secret, "<ts>.<raw body>")>."""
    digest = hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _dump(payload: dict[str, Any]) -> bytes:
    # ensure_ascii=False: the size caps are measured on UTF-8 (render.py), so the body is sent the same way.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- Answers --------------------------------------------------------------------------------------------------------

_SECRETISH = re.compile(r"(https?://\S+|\w*token=\S+|key=\S+|sign=\S+|xox[a-z]-\S+)", re.IGNORECASE)


def _short(text: object, limit: int = 120) -> str:
    """A platform's error message, cut short and without anything that looks like a URL or a token."""
    return escape.truncate_chars(_SECRETISH.sub("…", escape.plain(text)), limit)


def _retry_after(response: requests.Response, default: float) -> float:
    """Retry-After in seconds (a number or an HTTP date), else `default`; never negative, at most a day."""
    value = response.headers.get("Retry-After", "").strip()
    seconds: float | None = None
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = (parsedate_to_datetime(value) - timezone.now()).total_seconds()
            except (TypeError, ValueError, IndexError, OverflowError):
                seconds = None
    if seconds is None or seconds != seconds:  # missing or NaN
        return default
    return min(max(seconds, 0.0), 86400.0)


def _json(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _by_http(kind: Kind, response: requests.Response) -> SendResult | None:
    """What the HTTP status alone decides: 429, 5xx, 408, redirects and other 4xx. None for a 2xx."""
    status = response.status_code
    if status == 429:
        default = DINGTALK_MUTE_SECONDS if kind is Kind.DINGTALK else DEFAULT_RETRY_AFTER
        if kind is Kind.SLACK:
            default = 1.0
        return SendResult(Outcome.THROTTLED, _retry_after(response, default), "http:429", status, "rate limited")
    if status >= 500 or status == 408:
        retry = _retry_after(response, 0.0) if "Retry-After" in response.headers else None
        return SendResult(Outcome.TRANSIENT, retry or None, f"http:{status}", status, f"HTTP {status}")
    if 300 <= status < 400:
        return SendResult(Outcome.PERMANENT, None, f"http:{status}", status, "redirect refused (not followed)")
    if status >= 400:
        reason = _short(response.text, 60) if kind is Kind.SLACK else ""
        code = f"slack:{reason}" if kind is Kind.SLACK and re.fullmatch(r"[a-z_]{1,60}", reason) else f"http:{status}"
        return SendResult(Outcome.PERMANENT, None, code, status, f"HTTP {status} {reason}".strip())
    return None


def interpret(kind: Kind, response: requests.Response) -> SendResult:
    """Turn a platform's answer into a SendResult (docs/notifications-channels.md lists the codes)."""
    by_http = _by_http(kind, response)
    if by_http is not None:
        return by_http
    status = response.status_code
    if kind in {Kind.SLACK, Kind.WEBHOOK}:
        return SendResult(Outcome.SENT, http_status=status)
    data = _json(response)
    if data is None:
        return SendResult(Outcome.TRANSIENT, None, "bad_answer", status, "answer is not a JSON object")
    if kind is Kind.FEISHU:
        code = _int(data.get("code", data.get("StatusCode")))
        message = data.get("msg", data.get("StatusMessage", ""))
        throttled = FEISHU_THROTTLED
    else:
        code = _int(data.get("errcode"))
        message = data.get("errmsg", "")
        throttled = DINGTALK_THROTTLED if kind is Kind.DINGTALK else WECOM_THROTTLED
    error_code = f"{kind.value}:{code}"
    if code == 0:
        return SendResult(Outcome.SENT, http_status=status)
    if code is None:
        return SendResult(Outcome.TRANSIENT, None, "bad_answer", status, "answer carries no code")
    if code == throttled:
        retry = DINGTALK_MUTE_SECONDS if kind is Kind.DINGTALK else DEFAULT_RETRY_AFTER
        return SendResult(Outcome.THROTTLED, retry, error_code, status, _short(message))
    if code == SYSTEM_BUSY and kind in {Kind.DINGTALK, Kind.WECOM}:
        return SendResult(Outcome.TRANSIENT, None, error_code, status, _short(message))
    return SendResult(Outcome.PERMANENT, None, error_code, status, _short(message))


# --- URLs -----------------------------------------------------------------------------------------------------------


def refuse_url(url: str) -> str:
    """Why `url` may not be called ("" when it may): https only, plain http to a loopback host (tests, demo)."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower()
    except ValueError:
        return "the URL cannot be parsed"
    if not url:
        return "no URL is configured"
    if not host:
        return "the URL has no host"
    if parts.scheme == "https":
        return ""
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return ""
    return "only https URLs are allowed (plain http only to 127.0.0.1, ::1 or localhost)"


# --- Sending --------------------------------------------------------------------------------------------------------


def _request(kind: Kind, outgoing: Outgoing, url: str, secret: str, now: datetime) -> tuple[str, bytes, dict[str, str]]:
    """The URL, the raw body and the headers of the request, signed as the kind requires."""
    payload = render_payload(kind, outgoing, now)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind is Kind.DINGTALK and secret:
        timestamp_ms = int(now.timestamp() * 1000)
        joiner = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
        url = f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    elif kind is Kind.FEISHU and secret:
        timestamp_s = int(now.timestamp())
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    body = _dump(payload)
    if kind is Kind.WEBHOOK:
        timestamp_s = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "X-Review-Gate-Delivery": escape.plain(outgoing.delivery_id),
            "X-Review-Gate-Timestamp": str(timestamp_s),
            "X-Review-Gate-Signature": webhook_signature(secret, timestamp_s, body),
        }
    return url, body, headers


def _post(kind: Kind, outgoing: Outgoing, url: str, secret: str, now: datetime) -> SendResult:
    refusal = refuse_url(url)
    if refusal:
        return SendResult(Outcome.PERMANENT, None, "url_refused", None, refusal)
    if kind is Kind.WEBHOOK and not secret:
        return SendResult(Outcome.PERMANENT, None, "secret_missing", None, "the webhook's signing secret is not set")
    try:
        target, body, headers = _request(kind, outgoing, url, secret, now)
    except Exception as error:  # a rendering bug must not kill the worker; the outbox records it
        logger.exception("notification render failed: kind=%s delivery=%s", kind.value, outgoing.delivery_id)
        return SendResult(Outcome.PERMANENT, None, "render_error", None, type(error).__name__)
    try:
        response = requests.post(target, data=body, headers=headers, timeout=_timeouts(), allow_redirects=False)
    except requests.Timeout:
        return SendResult(Outcome.TRANSIENT, None, "timeout", None, "no answer within the timeout")
    except requests.ConnectionError as error:
        return SendResult(Outcome.TRANSIENT, None, "connection", None, f"connection failed ({type(error).__name__})")
    except requests.RequestException as error:
        return SendResult(Outcome.PERMANENT, None, "request", None, type(error).__name__)
    with response:
        return interpret(kind, response)


def _smtp_result(error: Exception) -> SendResult:
    """SMTP 5xx is permanent (the address or the message is refused); 4xx and connection problems are transient."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        outcome = Outcome.PERMANENT if permanent else Outcome.TRANSIENT
        worst = max(codes) if codes else 0
        return SendResult(outcome, None, f"smtp:{worst}", None, "every recipient was refused")
    if isinstance(error, smtplib.SMTPResponseException):  # SMTPDataError, SMTPSenderRefused, SMTPAuthenticationError
        code = int(error.smtp_code)
        outcome = Outcome.PERMANENT if code >= 500 else Outcome.TRANSIENT
        return SendResult(outcome, None, f"smtp:{code}", None, f"SMTP {code} ({type(error).__name__})")
    return SendResult(Outcome.TRANSIENT, None, "smtp_connection", None, type(error).__name__)


def _valid_address(address: str) -> bool:
    return "@" in address and not any(ch in address for ch in '\r\n<>,;"') and len(address) <= 254


def _send_email(outgoing: Outgoing, recipients: list[str] | None, now: datetime) -> SendResult:
    addresses = list(dict.fromkeys(a.strip() for a in recipients or [] if _valid_address(a.strip())))
    if not addresses:
        return SendResult(Outcome.PERMANENT, None, "no_recipients", None, "no valid recipient address")
    try:
        parts = render_email(outgoing, now)
    except Exception as error:
        logger.exception("notification render failed: kind=email delivery=%s", outgoing.delivery_id)
        return SendResult(Outcome.PERMANENT, None, "render_error", None, type(error).__name__)
    message = EmailMultiAlternatives(
        subject=parts.subject,
        body=parts.text,
        to=addresses,
        headers={"Auto-Submitted": "auto-generated", "X-Review-Gate-Delivery": escape.plain(outgoing.delivery_id)},
    )
    message.attach_alternative(parts.html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused, reset, timed out
        return _smtp_result(error)
    return SendResult(Outcome.SENT)


def send(
    kind: Kind,
    outgoing: Outgoing,
    *,
    url: str,
    secret: str,
    recipients: list[str] | None = None,
    now: datetime | None = None,
) -> SendResult:
    """Render `outgoing` for `kind`, sign it, send it once, and interpret the answer. Never raises.

    `url`/`secret` come from the channel's environment variables (email ignores them and writes to `recipients`);
    `now` is the signing time and the "waiting for" reference (default: the current time)."""
    moment = now if now is not None else timezone.now()
    started = time.monotonic()
    kind = Kind(kind)
    if kind is Kind.EMAIL:
        result = _send_email(outgoing, recipients, moment)
    else:
        result = _post(kind, outgoing, url, secret, moment)
    logger.info(
        "notification sent: kind=%s delivery=%s outcome=%s code=%s status=%s ms=%d",
        kind.value,
        outgoing.delivery_id,
        result.outcome.value,
        result.error_code or "-",
        result.http_status if result.http_status is not None else "-",
        (time.monotonic() - started) * 1000,
    )
    return result
