"""The emulator's HTTP server: DataWorks' RPC protocol on POST /, plus the control API under /_emulator/."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import logging
import socket
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dataworks_client.emulator import control
from dataworks_client.emulator.handlers import HANDLERS, ApiError, Call, handler_for
from dataworks_client.emulator.signature import SignatureError, verify
from dataworks_client.emulator.store import EmulatorStore, RequestRecord, utc_now_iso

logger = logging.getLogger(__name__)

API_VERSION = "2020-05-18"
API_VERSIONS = tuple(HANDLERS)  # 2020-05-18 and 2024-05-18
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
NONCE_MEMORY = 100_000
FAULT_ANSWERS = {
    "throttle": (429, "Throttling.User", "Your request is too frequent. Try again later."),
    "server_error": (500, "InternalError.System", "An internal system error occurred. Try again later."),
    "forbidden": (
        403,
        "Forbidden.Access",
        "Access is forbidden. Please first activate DataWorks Enterprise Edition or Flagship Edition.",
    ),
}


def is_loopback(host: str) -> bool:
    """Tell whether `host` is a loopback address or 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class EmulatorServer(ThreadingHTTPServer):
    """Serve one EmulatorStore, verifying signatures with the configured AccessKey pairs."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], store: EmulatorStore, credentials: dict[str, str]) -> None:
        super().__init__(address, EmulatorHandler)
        self.store = store
        self.credentials = dict(credentials)
        self.stopping = threading.Event()
        self._nonces: deque[str] = deque(maxlen=NONCE_MEMORY)
        self._nonce_set: set[str] = set()
        self._nonce_lock = threading.Lock()

    def nonce_is_new(self, nonce: str) -> bool:
        """Remember `nonce`; tell whether it was unseen (the SDK sends a fresh one per attempt)."""
        with self._nonce_lock:
            if nonce in self._nonce_set:
                return False
            if len(self._nonces) == self._nonces.maxlen:
                self._nonce_set.discard(self._nonces[0])
            self._nonces.append(nonce)
            self._nonce_set.add(nonce)
            return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or drop leave broken pipes behind; they are expected here, not bugs.
        logger.debug("Emulator connection error from %s", client_address, exc_info=True)


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: without it keep-alive calls stall ~40 ms on Nagle + delayed ACK (sdk-and-queue.md A3).
    disable_nagle_algorithm = True
    server: EmulatorServer
    server_version = "DataWorksEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("Emulator %s " + format, self.client_address[0], *args)

    # --- plumbing ---------------------------------------------------------------------------------------------

    def read_body(self) -> bytes | None:
        """Read the request body; answer 413 and return None when it is too large."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self.send_json(413, {"Code": "RequestTooLarge", "Message": "Request body too large."})
            return None
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            # The client gave up (read timeout) before we answered.
            self.close_connection = True

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        try:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            # A seeded lone surrogate has no UTF-8 form; JSON can still carry it as a \uD800 escape, as a server
            # written in another language might send it.
            body = json.dumps(payload, ensure_ascii=True).encode("ascii")
        self.send_bytes(status, body, "application/json;charset=utf-8", headers)

    def client_is_loopback(self) -> bool:
        return is_loopback(str(self.client_address[0]))

    # --- routing ----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/_emulator"):
            control.handle_get(self, path)
        elif path == "/":
            # Some actions are GET with the parameters in the query string (GetProject 2024, GetMetaTable*, GetTask).
            self.handle_api(b"")
        else:
            self.send_json(
                405, {"Code": "UnsupportedHTTPMethod", "Message": "Use POST.", "RequestId": new_request_id()}
            )

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self.read_body()
        if body is None:
            return
        if path.startswith("/_emulator"):
            control.handle_post(self, path, body)
        elif path == "/":
            self.handle_api(body)
        else:
            self.send_json(404, {"Code": "InvalidPath", "Message": "Unknown path.", "RequestId": new_request_id()})

    # --- the API ----------------------------------------------------------------------------------------------

    def handle_api(self, body: bytes) -> None:
        """Verify, apply faults, dispatch to the action's handler; record the request before answering it."""
        request_id, received_at = new_request_id(), utc_now_iso()
        headers = {name.lower(): value for name, value in self.headers.items()}
        action = headers.get("x-acs-action", "")
        split = urlsplit(self.path)
        fault = None
        answer_headers: dict[str, str] = {}
        try:
            self.check_request(headers, body)
            self.server.store.record_start(action)
            fault = self.server.store.take_fault(action)
            if fault is not None and fault.mode == "latency":
                # Interruptible, so stopping the emulator never waits for a slow answer.
                self.server.stopping.wait(fault.latency_ms / 1000)
            if fault is not None and fault.mode == "hold":
                self.server.store.hold(fault, self.server.stopping)
            if fault is not None and fault.mode in FAULT_ANSWERS:
                status, code, message = FAULT_ANSWERS[fault.mode]
                if fault.retry_after_ms:
                    answer_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
                raise ApiError(status, code, message)
            if fault is not None and fault.mode == "error":
                if fault.retry_after_ms:
                    answer_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
                raise ApiError(fault.status, fault.code, fault.message)
            if fault is not None and fault.mode == "drop":
                status, payload = 0, {}
            else:
                version = headers.get("x-acs-version", "")
                answer = self.dispatch(action, version, split.query, body, request_id, received_at)
                status, payload = 200, {"RequestId": request_id, **answer}
        except (SignatureError, ApiError) as exc:
            status, payload = exc.status, {"Code": exc.code, "Message": exc.message, "RequestId": request_id}
        except UnicodeDecodeError:
            status, payload = (
                400,
                {"Code": "InvalidParameter", "Message": "Body is not UTF-8.", "RequestId": request_id},
            )
        # Record first: a client that has its answer must also find the request in the log.
        self.server.store.record_request(
            RequestRecord(
                action=action,
                method=self.command,
                path=split.path,
                query_string=split.query,
                body=body.decode("utf-8", "replace"),
                status=status,
                request_id=request_id,
                received_at=received_at,
                fault=fault.mode if fault else None,
                credentials_provider=headers.get("x-acs-credentials-provider", ""),
                version=headers.get("x-acs-version", ""),
            )
        )
        if status == 0:
            self.drop_connection()
        else:
            self.send_json(status, payload, answer_headers)

    def dispatch(
        self, action: str, version: str, query_string: str, body: bytes, request_id: str, received_at: str
    ) -> Any:
        """Run the handler of `action` in API `version` with the parameters from the query string and form body.

        :raises ApiError: for an action the version does not have (404 InvalidAction.NotFound, as the gateway
            answers) or what the handler rejects.
        """
        handler = handler_for(version, action)
        if handler is None:
            raise ApiError(
                404,
                "InvalidAction.NotFound",
                f"Specified api is not found, please check your url and method: {action}.",
            )
        query, form = dict(parse_qsl(query_string)), dict(parse_qsl(body.decode("utf-8")))
        params_in = "query" if query else "body" if form else "none"
        call = Call(action, {**query, **form}, params_in, request_id, received_at, version)
        return handler(self.server.store, call)

    def check_request(self, headers: dict[str, str], body: bytes) -> None:
        """Check signature, clock skew, nonce reuse and API version, like the DataWorks gateway.

        :raises SignatureError: or ApiError, with the answer to send.
        """
        verify(
            method=self.command, target=self.path, headers=headers, body=body, secret_for=self.server.credentials.get
        )
        try:
            sent_at = dt.datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise ApiError(400, "InvalidTimeStamp.Format", "x-acs-date is not a UTC timestamp.") from None
        if abs(dt.datetime.now(tz=dt.UTC) - sent_at) > MAX_CLOCK_SKEW:
            raise ApiError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        if not self.server.nonce_is_new(headers.get("x-acs-signature-nonce", "")):
            raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        if headers.get("x-acs-version") not in API_VERSIONS:
            raise ApiError(
                400, "InvalidVersion", f"Specified API version is not supported; use {' or '.join(API_VERSIONS)}."
            )

    def drop_connection(self) -> None:
        """Close the socket without answering, like a reset by a load balancer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def new_request_id() -> str:
    return str(uuid.uuid4()).upper()
