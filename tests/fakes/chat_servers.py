"""Local fakes of the chat platforms' incoming-message endpoints, on 127.0.0.1, for tests and benchmarks.

Each fake is one robot (one target): a `ThreadingHTTPServer` on a free port in a daemon thread that

- verifies the request as the platform does, with its **own** signing code (nothing here imports the project, so a
  bug in the project's signing cannot hide itself), including the timestamp window (DingTalk and Feishu 1 h, the
  generic webhook 5 min);
- answers as the platform does (DingTalk/WeCom `errcode`, Feishu `code`, Slack plain text and HTTP status);
- enforces the platform's per-robot limit with its own sliding window (DingTalk 20/60 s, then muted for
  `mute_seconds` with errcode 130101; WeCom 20/60 s, 45009; Feishu 100/60 s and 5/1 s, 11232; Slack 1/1 s, HTTP
  429 with Retry-After). `limits` and `mute_seconds` are arguments, so a test can use 3/1 s and a 0.5 s mute;
- can be told to answer the next N requests with an HTTP 5xx (`fail_next`) or its throttle answer
  (`throttle_next`);
- records every accepted message in `messages` (parsed JSON, raw body, headers, receive time) and every refused
  request in `rejected` (with the reason), and answers `max_in_any_window(seconds)` for pacing assertions.

    with FakeDingTalkRobot(secret="SEC...") as robot:
        send(Kind.DINGTALK, outgoing, url=robot.url, secret=robot.secret)
        assert robot.messages[0].body["msgtype"] == "markdown"

`running_fakes()` (and the `chat_fakes` fixture on it) starts fakes and stops them afterwards:
`robot = make(FakeDingTalkRobot)`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

import pytest

HOST = "127.0.0.1"
MAX_BODY = 1024 * 1024

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Received:
    body: Any  # the parsed JSON
    raw: bytes
    headers: dict[str, str]
    path: str
    query: dict[str, str]
    at: float  # the fake's clock when accepted (unix seconds unless a clock was given)


@dataclass(frozen=True)
class Rejected:
    reason: str
    status: int
    raw: bytes
    at: float


@dataclass
class _Script:
    """What to answer next instead of the normal handling."""

    failures: list[int] = field(default_factory=list)  # HTTP statuses, one per request
    throttles: int = 0


def _json_answer(payload: dict[str, Any], status: int = 200) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _text_answer(text: str, status: int, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "text/plain", **(headers or {})}, text.encode()


class FakeEndpoint:
    """One robot. Subclasses say how a request is verified and answered."""

    kind: ClassVar[str] = ""
    default_limits: ClassVar[tuple[tuple[int, float], ...]] = ()

    def __init__(
        self,
        *,
        secret: str | None = None,
        token: str | None = None,
        limits: tuple[tuple[int, float], ...] | None = None,
        mute_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
        retry_after: float = 1.0,
    ) -> None:
        self.secret = secrets.token_hex(16) if secret is None else secret
        self.token = token or secrets.token_hex(12)
        self.limits = self.default_limits if limits is None else limits
        self.mute_seconds = mute_seconds
        self.retry_after = retry_after
        self.clock = clock
        self.messages: list[Received] = []
        self.rejected: list[Rejected] = []
        self.requests = 0
        self.muted_until = 0.0
        self._script = _Script()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
                status, headers, body = fake._dispatch(self.path, dict(self.headers.items()), raw)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=f"fake-{self.kind}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        raise NotImplementedError

    # --- scripting and assertions -------------------------------------------------------------------------------

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._script.failures.extend([status] * count)

    def throttle_next(self, count: int = 1) -> None:
        with self._lock:
            self._script.throttles += count

    def max_in_any_window(self, seconds: float) -> int:
        """The most messages accepted within any `seconds`-long window (for "never over the limit")."""
        times = sorted(message.at for message in self.messages)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    # --- handling -----------------------------------------------------------------------------------------------

    def _dispatch(self, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        with self._lock:
            self.requests += 1
            now = self.clock()
            if self._script.failures:
                status = self._script.failures.pop(0)
                return _text_answer("scripted failure", status)
            if self._script.throttles:
                self._script.throttles -= 1
                return self.throttle_answer(now, scripted=True)
            parts = urlsplit(path)
            query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
            refusal = self.verify(parts.path, query, headers, raw, now)
            if refusal is not None:
                reason, answer = refusal
                self.rejected.append(Rejected(reason, answer[0], raw, now))
                return answer
            try:
                body = json.loads(raw)
            except ValueError:
                self.rejected.append(Rejected("invalid json", 400, raw, now))
                return self.invalid_answer("invalid json")
            invalid = self.validate(body, raw)
            if invalid:
                self.rejected.append(Rejected(invalid, 400, raw, now))
                return self.invalid_answer(invalid)
            if now < self.muted_until:
                return self.throttle_answer(now, scripted=False)
            if self._over_limit(now):
                return self.throttle_answer(now, scripted=False)
            self.messages.append(Received(body, raw, headers, parts.path, query, now))
            return self.ok_answer()

    def _over_limit(self, now: float) -> bool:
        for count, seconds in self.limits:
            if sum(1 for message in self.messages if now - message.at < seconds) >= count:
                return True
        return False

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        """None when the request is authentic, else (reason, answer)."""
        raise NotImplementedError

    def validate(self, body: Any, raw: bytes) -> str:
        """ "" when the payload is one the platform accepts, else the reason."""
        return "" if isinstance(body, dict) else "not an object"

    def ok_answer(self) -> Answer:
        raise NotImplementedError

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        raise NotImplementedError

    def invalid_answer(self, reason: str) -> Answer:
        raise NotImplementedError


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


class FakeDingTalkRobot(FakeEndpoint):
    """POST /robot/send?access_token=...&timestamp=<ms>&sign=<b64 HMAC>: DingTalk's custom robot with 加签."""

    kind = "dingtalk"
    default_limits = ((20, 60.0),)
    WINDOW_MS = 3600 * 1000

    def __init__(self, *, keywords: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keywords = keywords

    @property
    def url(self) -> str:
        return f"{self.base}/robot/send?access_token={self.token}"

    def _expected_sign(self, timestamp: str) -> str:
        key = self.secret.encode("utf-8")
        mac = hmac.new(key, (timestamp + "\n" + self.secret).encode("utf-8"), digestmod=hashlib.sha256)
        return base64.b64encode(mac.digest()).decode("ascii")

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        if path != "/robot/send" or query.get("access_token") != self.token:
            return "token", _json_answer({"errcode": 300001, "errmsg": "token is not exist"})
        if self.secret:
            timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
            if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > self.WINDOW_MS:
                return "timestamp", _json_answer({"errcode": 310000, "errmsg": "invalid timestamp"})
            if not hmac.compare_digest(sign, self._expected_sign(timestamp)):  # parse_qs already url-decoded it
                return "sign", _json_answer({"errcode": 310000, "errmsg": "sign not match"})
        if self.keywords and not any(word in raw.decode("utf-8", "replace") for word in self.keywords):
            return "keywords", _json_answer({"errcode": 310000, "errmsg": "keywords not in content"})
        return None

    def validate(self, body: Any, raw: bytes) -> str:
        if not isinstance(body, dict) or body.get("msgtype") not in {"text", "markdown", "actionCard", "link"}:
            return "unknown msgtype"
        return ""

    def ok_answer(self) -> Answer:
        return _json_answer({"errcode": 0, "errmsg": "ok"})

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        if not scripted and now >= self.muted_until:
            self.muted_until = now + self.mute_seconds  # over the limit: muted, as DingTalk does
        message = "send too fast, exceed 20 times per minute"
        return _json_answer({"errcode": 130101, "errmsg": message})

    def invalid_answer(self, reason: str) -> Answer:
        return _json_answer({"errcode": 40035, "errmsg": reason})


class FakeFeishuBot(FakeEndpoint):
    """POST /open-apis/bot/v2/hook/<token> with body `timestamp` and `sign`: Feishu's custom bot (签名校验)."""

    kind = "feishu"
    default_limits = ((100, 60.0), (5, 1.0))
    WINDOW_S = 3600
    MAX_BODY = 20 * 1024

    @property
    def url(self) -> str:
        return f"{self.base}/open-apis/bot/v2/hook/{self.token}"

    def _expected_sign(self, timestamp: str) -> str:
        key = f"{timestamp}\n{self.secret}".encode()
        return base64.b64encode(hmac.new(key, msg=b"", digestmod=hashlib.sha256).digest()).decode()

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        if path != f"/open-apis/bot/v2/hook/{self.token}":
            return "token", _json_answer({"code": 19001, "msg": "param invalid: incoming webhook access token invalid"})
        if len(raw) > self.MAX_BODY:
            return "size", _json_answer({"code": 9499, "msg": "request body size exceeds 20KB"})
        if self.secret:
            try:
                body = json.loads(raw)
                timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            except (ValueError, AttributeError):
                timestamp, sign = "", ""
            in_window = timestamp.isdigit() and abs(now - int(timestamp)) <= self.WINDOW_S
            if not in_window or not hmac.compare_digest(sign, self._expected_sign(timestamp)):
                message = "sign match fail or timestamp is not within one hour from current time"
                return "sign", _json_answer({"code": 19021, "msg": message})
        return None

    def validate(self, body: Any, raw: bytes) -> str:
        if not isinstance(body, dict) or body.get("msg_type") not in {"text", "post", "interactive"}:
            return "unknown msg_type"
        return ""

    def ok_answer(self) -> Answer:
        return _json_answer({"code": 0, "data": {}, "msg": "success"})

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        return _json_answer({"code": 11232, "data": {}, "msg": "frequency limited"})

    def invalid_answer(self, reason: str) -> Answer:
        return _json_answer({"code": 9499, "msg": reason})


class FakeWeComRobot(FakeEndpoint):
    """POST /cgi-bin/webhook/send?key=<key>: WeCom's group robot (the key is the only credential)."""

    kind = "wecom"
    default_limits = ((20, 60.0),)
    MAX_MARKDOWN = 4096

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"secret": "", **kwargs})

    @property
    def url(self) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={self.token}"

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        if path != "/cgi-bin/webhook/send" or query.get("key") != self.token:
            return "key", _json_answer({"errcode": 93000, "errmsg": "invalid webhook url"})
        return None

    def validate(self, body: Any, raw: bytes) -> str:
        if not isinstance(body, dict) or body.get("msgtype") not in {"text", "markdown", "news"}:
            return "unknown msgtype"
        content = (body.get("markdown") or {}).get("content", "")
        if body["msgtype"] == "markdown" and len(str(content).encode()) > self.MAX_MARKDOWN:
            return "markdown content exceeds 4096 bytes"
        return ""

    def ok_answer(self) -> Answer:
        return _json_answer({"errcode": 0, "errmsg": "ok"})

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        return _json_answer({"errcode": 45009, "errmsg": "api freq out of limit"})

    def invalid_answer(self, reason: str) -> Answer:
        return _json_answer({"errcode": 40058, "errmsg": reason})


class FakeSlackWebhook(FakeEndpoint):
    """POST /services/<token>: a Slack incoming webhook (the URL is the credential; answers are plain text)."""

    kind = "slack"
    default_limits = ((1, 1.0),)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"secret": "", **kwargs})

    @property
    def url(self) -> str:
        return f"{self.base}/services/{self.token}"

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        if path != f"/services/{self.token}":
            return "token", _text_answer("no_service", 404)
        return None

    def validate(self, body: Any, raw: bytes) -> str:
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return "invalid_payload"
        for block in body.get("blocks") or []:
            text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
            if block.get("type") == "header" and len(text) > 150:
                return "invalid_blocks"
            if block.get("type") == "section" and len(text) > 3000:
                return "invalid_blocks"
        return ""

    def ok_answer(self) -> Answer:
        return _text_answer("ok", 200)

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        return _text_answer("rate_limited", 429, {"Retry-After": f"{self.retry_after:g}"})

    def invalid_answer(self, reason: str) -> Answer:
        return _text_answer(reason, 400)


class FakeSignedWebhook(FakeEndpoint):
    """POST /hook: the generic webhook, verified as a receiver should (docs/notifications-channels.md)."""

    kind = "webhook"
    WINDOW_S = 300

    @property
    def url(self) -> str:
        return f"{self.base}/hook"

    def verify(
        self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes, now: float
    ) -> tuple[str, Answer] | None:
        timestamp = _header(headers, "X-Review-Gate-Timestamp")
        signature = _header(headers, "X-Review-Gate-Signature")
        if not timestamp.isdigit() or abs(now - int(timestamp)) > self.WINDOW_S:
            return "timestamp", _text_answer("stale or missing timestamp", 401)
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
        if not hmac.compare_digest(signature, "sha256=" + mac.hexdigest()):
            return "signature", _text_answer("bad signature", 401)
        if not _header(headers, "X-Review-Gate-Delivery"):
            return "delivery", _text_answer("missing delivery id", 400)
        return None

    def ok_answer(self) -> Answer:
        return _text_answer("ok", 200)

    def throttle_answer(self, now: float, *, scripted: bool) -> Answer:
        return _text_answer("slow down", 429, {"Retry-After": f"{self.retry_after:g}"})

    def invalid_answer(self, reason: str) -> Answer:
        return _text_answer(reason, 400)


@contextlib.contextmanager
def running_fakes() -> Iterator[Callable[..., Any]]:
    """A factory of started fakes, all stopped on the way out: `make(FakeDingTalkRobot, limits=((3, 1.0),))`."""
    started: list[FakeEndpoint] = []

    def make(cls: type[FakeEndpoint], **kwargs: Any) -> Any:
        fake = cls(**kwargs).start()
        started.append(fake)
        return fake

    try:
        yield make
    finally:
        for fake in started:
            fake.stop()


@pytest.fixture
def chat_fakes() -> Iterator[Callable[..., Any]]:
    """The same factory as a fixture (for a conftest: `from tests.fakes.chat_servers import chat_fakes`)."""
    with running_fakes() as make:
        yield make
