"""What every log line of one request or one queue task carries: the request id, and the event, ticket, message ids.

Values are bound in a context variable (one per thread: each gunicorn thread serves one request at a time, each
queue worker runs one task at a time) and read by the formatters below when a line is written, so no call site has
to pass them. Only identifiers are ever bound here: never payload bodies, code or secrets.
"""

from __future__ import annotations

import contextvars
import json
import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# The keys a line may carry, in the order the text format shows them.
FIELDS = ("request_id", "event_id", "ticket_id", "message_id", "callback_id", "task")
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("review_gate_log_context", default={})  # noqa: B039 - never mutated


def _clean(value: Any) -> str:
    # Identifiers only; a hostile message id is cut short and stripped of line breaks so it cannot forge lines.
    return str(value).replace("\n", " ").replace("\r", " ")[:128]


def current() -> dict[str, str]:
    """Return a copy of what is bound now."""
    return dict(_context.get())


def bind(**fields: Any) -> contextvars.Token[dict[str, str]]:
    """Add `fields` (None values are skipped) to what is bound; return the token that `unbind` restores with."""
    values = {**_context.get(), **{key: _clean(value) for key, value in fields.items() if value is not None}}
    return _context.set(values)


def unbind(token: contextvars.Token[dict[str, str]]) -> None:
    """Restore what was bound before the `bind` that returned `token`."""
    try:
        _context.reset(token)
    except ValueError:  # a token from another context (a thread that never bound): clear instead
        _context.set({})


def clear() -> None:
    """Forget everything bound in this context."""
    _context.set({})


class TextFormatter(logging.Formatter):
    """The readable format of the demo: the message, then `[request_id=... ticket_id=...]` when anything is bound."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        bound = _context.get()
        if not bound:
            return line
        pairs = " ".join(f"{key}={bound[key]}" for key in FIELDS if key in bound)
        return f"{line} [{pairs}]"


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, the bound ids, and any exception."""

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        for key, value in _context.get().items():
            log_data.setdefault(key, value)


def json_formatter() -> JsonLineFormatter:
    """Build the JSON formatter LOGGING names (its field names are part of the log contract in docs/operations.md)."""
    return JsonLineFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def parse_line(line: str) -> dict[str, Any]:
    """Parse one JSON log line (tests and tools); raises ValueError when it is not one."""
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
