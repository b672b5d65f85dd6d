"""Email through Django's real SMTP backend to a tiny SMTP server on 127.0.0.1: what a 5xx, a 4xx and a dead
server become (content is checked with the locmem backend in test_channel_transport.py)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import override_settings

from notifications.channels.message import Kind
from notifications.channels.transport import Outcome, SendResult, send
from tests.fakes.outgoing import make_outgoing


@dataclass
class SmtpScript:
    rcpt: str = "250 OK"
    data_end: str = "250 OK queued"
    received: list[bytes] = field(default_factory=list)


def _smtp_handler(script: SmtpScript) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 fake ESMTP")
            while line := self.rfile.readline():
                verb = line.strip().split(b" ")[0].upper()
                if verb in {b"EHLO", b"HELO"}:
                    self.reply("250 fake")
                elif verb == b"MAIL":
                    self.reply("250 OK")
                elif verb == b"RCPT":
                    self.reply(script.rcpt)
                elif verb == b"DATA":
                    self.reply("354 go ahead")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    script.received.append(data)
                    self.reply(script.data_end)
                elif verb == b"QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 OK")

    return Handler


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpScript, int]]:
    script = SmtpScript()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _smtp_handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield script, int(server.server_address[1])
    server.shutdown()
    server.server_close()


def _send_via(port: int) -> SendResult:
    backend = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(EMAIL_BACKEND=backend, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False):
        return send(Kind.EMAIL, make_outgoing(), url="", secret="", recipients=["alice@example.com"])


def test_accepted_mail_is_sent_with_both_parts(smtp: tuple[SmtpScript, int]) -> None:
    script, port = smtp
    result = _send_via(port)
    assert result.outcome is Outcome.SENT
    (data,) = script.received
    assert b"multipart/alternative" in data and b"text/html" in data
    assert b"Auto-Submitted: auto-generated" in data


@pytest.mark.parametrize(
    ("rcpt", "data_end", "outcome", "code"),
    [
        ("550 no such user", "250 OK", Outcome.PERMANENT, "smtp:550"),
        ("451 try again later", "250 OK", Outcome.TRANSIENT, "smtp:451"),
        ("250 OK", "554 message refused", Outcome.PERMANENT, "smtp:554"),
        ("250 OK", "452 mailbox full", Outcome.TRANSIENT, "smtp:452"),
    ],
)
def test_smtp_answers(smtp: tuple[SmtpScript, int], rcpt: str, data_end: str, outcome: Outcome, code: str) -> None:
    script, port = smtp
    script.rcpt, script.data_end = rcpt, data_end
    result = _send_via(port)
    assert (result.outcome, result.error_code) == (outcome, code)


def test_no_smtp_server_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    result = _send_via(port)
    assert result.outcome is Outcome.TRANSIENT
