"""One exception family for every DataWorks failure, and the mapping from the SDK's exceptions to it.

Hierarchy::

    DataWorksError                 base; `retryable` tells the caller what to do
    ├── DataWorksThrottled         429 / Throttling.* / local rate budget: retry later (`retry_after` seconds)
    ├── DataWorksTransient         5xx, InternalError.*, transport errors, timeouts, non-JSON bodies: retry
    └── DataWorksPermanent         other 4xx (Forbidden.Access, InvalidParameter, signature, credentials): alert
        └── DataWorksNotFound      *.NotExist / *NotFound / 404: the object is gone; still permanent

The SDK is imported lazily here too: by the time an SDK exception exists, the SDK is already loaded.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

# Server messages are echoed into logs and the admin; keep them short.
_MAX_MESSAGE = 300

# Codes that end in NotFound but describe our credentials or our code, not a missing DataWorks object.
_CONFIG_NOT_FOUND_PREFIXES = ("InvalidAccessKeyId", "InvalidAction", "InvalidApi", "InvalidVersion", "InvalidProduct")
_NOT_FOUND_SUFFIXES = ("NotExist", "NotExists", "NotFound")


class DataWorksError(Exception):
    """Base class: a DataWorks call failed; attributes identify the call, never its payload or secrets."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        action: str | None = None,
    ) -> None:
        self.message = message[:_MAX_MESSAGE]
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.action = action
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.action or "DataWorks", self.code or "-"]
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return f"{' '.join(parts)}: {self.message}"


class DataWorksThrottled(DataWorksError):
    """DataWorks (or our own rate budget) refused the call for now; retry after `retry_after` seconds if set."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class DataWorksTransient(DataWorksError):
    """The call may succeed if repeated: server error, network failure, timeout or an unreadable answer."""

    retryable = True


class DataWorksPermanent(DataWorksError):
    """Repeating the call will not help: bad parameters, access denied, bad credentials or signature."""


class DataWorksNotFound(DataWorksPermanent):
    """The message, file, version, folder or extension does not exist (or no longer exists)."""


def _clean(value: Any) -> str | None:
    """Return the SDK's string field, or None for the literal 'None' it produces from missing fields."""
    if value is None:
        return None
    text = str(value)
    return None if text in {"", "None"} else text


def classify(
    *, code: str | None, http_status: int | None, message: str, request_id: str | None, action: str | None
) -> DataWorksError:
    """Build the DataWorksError subclass that an error answer with this code and HTTP status stands for."""
    kwargs: dict[str, Any] = {"code": code, "request_id": request_id, "http_status": http_status, "action": action}
    code_text = code or ""
    if http_status == 429 or code_text.startswith("Throttling"):
        return DataWorksThrottled(message, **kwargs)
    if code_text.startswith("InternalError") or code_text in {"ServiceUnavailable", "SignatureNonceUsed"}:
        # DataWorks documents 400 InternalError.UserId.Missing as "try again later"; a reused nonce is fixed
        # by the next attempt's fresh nonce.
        return DataWorksTransient(message, **kwargs)
    if http_status is not None and (http_status >= 500 or http_status == 408):
        return DataWorksTransient(message, **kwargs)
    is_config_problem = code_text.startswith(_CONFIG_NOT_FOUND_PREFIXES)
    if not is_config_problem and (code_text.endswith(_NOT_FOUND_SUFFIXES) or http_status == 404):
        return DataWorksNotFound(message, **kwargs)
    return DataWorksPermanent(message, **kwargs)


def map_sdk_exception(exc: BaseException, action: str) -> DataWorksError:
    """Translate any exception raised by an SDK call into our family (the caller raises it `from exc`)."""
    if isinstance(exc, DataWorksError):
        return exc
    from alibabacloud_credentials.exceptions import CredentialException
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
    from darabonba.exceptions import UnretryableException
    from Tea.exceptions import TeaException

    if isinstance(exc, ThrottlingException):
        # The x-acs-retry-after header is in milliseconds (the SDK feeds it to its ms-based backoff).
        retry_ms = getattr(exc, "retry_after", None)
        return DataWorksThrottled(
            _server_message(exc),
            retry_after=retry_ms / 1000 if isinstance(retry_ms, int | float) else None,
            code=_clean(exc.code),
            request_id=_clean(getattr(exc, "request_id", None)),
            http_status=getattr(exc, "status_code", None),
            action=action,
        )
    if isinstance(exc, AlibabaCloudException):
        return classify(
            code=_clean(exc.code),
            http_status=getattr(exc, "status_code", None),
            message=_server_message(exc),
            request_id=_clean(getattr(exc, "request_id", None)),
            action=action,
        )
    if isinstance(exc, UnretryableException):
        return DataWorksTransient(
            _transport_message(getattr(exc, "inner_exception", None)), code="Local.Transport", action=action
        )
    if isinstance(exc, CredentialException):
        # Never echo the provider's message: some providers include file paths or token fragments.
        return DataWorksPermanent(
            "no usable credentials in the credential chain", code="Local.Credentials", action=action
        )
    if isinstance(exc, TeaException):
        data = getattr(exc, "data", None)
        status = data.get("statusCode") if isinstance(data, dict) else None
        return classify(
            code=_clean(getattr(exc, "code", None)),
            http_status=status if isinstance(status, int) else None,
            message=f"SDK error ({type(exc).__name__})",
            request_id=None,
            action=action,
        )
    if isinstance(exc, OSError | TimeoutError):
        return DataWorksTransient(_transport_message(exc), code="Local.Transport", action=action)
    # A bug or an unforeseen SDK failure: retrying is bounded by the task queue, and the log shows the cause.
    logger.error("Unexpected exception from the DataWorks SDK action=%s type=%s", action, type(exc).__name__)
    return DataWorksTransient(f"unexpected SDK failure ({type(exc).__name__})", code="Local.Unexpected", action=action)


def _server_message(exc: Any) -> str:
    """Return the raw Message of the error answer (not the SDK's text, which embeds the whole answer)."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message")
        if message:
            return str(message)
    return "DataWorks returned an error"


def _transport_message(inner: BaseException | None) -> str:
    """Describe a transport failure without its text, which can contain the request URL and its query."""
    if inner is None:
        return "transport error"
    text = str(inner).lower()
    if "timed out" in text or "timeout" in text:
        kind = "timeout"
    elif "refused" in text:
        kind = "connection refused"
    elif "json" in text or isinstance(inner, AttributeError):
        kind = "unreadable response body"
    elif "aborted" in text or "reset" in text or "disconnected" in text:
        kind = "connection closed by server"
    else:
        kind = "transport error"
    return f"{kind} ({type(inner).__name__})"
