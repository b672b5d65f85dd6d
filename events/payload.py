"""Parse and validate an EventBridge CloudEvent from DataWorks; every rejection names the offending field.

The payload is untrusted: it is decoded strictly (UTF-8, no duplicate keys, no NaN), checked field by field, and
only then handed on. Field shapes follow ../shared/docs/dataworks-protocol.md §2; numeric IDs may arrive as numbers
or as numeric strings (§2.5), so both are accepted and normalised to int.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from events.catalogue import EventSpec, lookup

DATAWORKS_SOURCE = "acs.dataworks"
MAX_ID_LENGTH = 128
MAX_TYPE_LENGTH = 200
MAX_LIST_ITEMS = 10_000
MAX_EVENT_CODE_LENGTH = 100  # InboundEvent.event_code / Ticket.event_code columns
_MAX_INT64 = 2**63 - 1
# Scalar ID fields of `data` across the documented payloads; validated when present.
_ID_FIELDS = ("projectId", "tenantId", "fileId", "nodeId", "fileVersion", "rootNodeId", "rootNodeProjectId")
_ID_LIST_FIELDS = ("nodeIds", "includeNodeIds", "excludeNodeIds", "taskIds")
_STRING_FIELDS = ("operator", "fileName", "fileOwner", "extensionBizId", "eventCode", "tableName")
_MAX_LENGTHS = {"eventCode": MAX_EVENT_CODE_LENGTH}
# Strict JSON has raw control characters nowhere, so a NUL or a lone surrogate can only come from a `\u0000` or
# `\uD800`-`\uDFFF` escape: look for the decoded characters only when the text has such an escape.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89abcdefABCDEF])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InvalidEvent(Exception):
    """The body is not a DataWorks CloudEvent; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class CloudEvent:
    """A validated DataWorks event, with the catalogue row it belongs to (None when unknown)."""

    message_id: str
    source: str
    type: str
    event_code: str
    spec: EventSpec | None
    project_id: int | None
    tenant_id: int | None
    operator: str
    occurred_at: datetime | None
    data: dict[str, Any]


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidEvent(key, str(_("duplicate key in JSON object")))
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise InvalidEvent("body", str(_("non-standard JSON number %(name)s") % {"name": name}))


def decode_json(body: bytes) -> Any:
    """Decode a request body as strict JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEvent("body", str(_("not valid UTF-8"))) from None
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidEvent("body", str(_("JSON nested too deeply"))) from None
    except ValueError:  # InvalidEvent from the hooks is not a ValueError and passes through as it is
        raise InvalidEvent("body", str(_("not valid JSON"))) from None
    if _UNSTORABLE_ESCAPE.search(text):
        _reject_unstorable(value)
    return value


def _unstorable_message(text: str) -> str:
    if "\x00" in text:
        return str(_("contains a NUL character (\\u0000)"))
    return str(_("contains an unpaired UTF-16 surrogate (\\uD800-\\uDFFF)"))


def _reject_unstorable(root: Any) -> None:
    """Reject a NUL or a lone surrogate in any key or string, naming where it is.

    Neither is storable: a lone surrogate is not Unicode (UTF-8 cannot encode it) and PostgreSQL refuses NUL in text
    and jsonb, so such a value would fail later, as a 500 on insert or a crash of the worker that copies it.
    """
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise InvalidEvent(path or "body", _unstorable_message(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    raise InvalidEvent(path or "body", _unstorable_message(key))
                stack.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))


def _as_id(value: Any, field: str) -> int:
    """Accept an int or a string of digits; reject bools, floats, negatives and out-of-range values."""
    if isinstance(value, bool):
        raise InvalidEvent(field, str(_("must be an integer ID, not a boolean")))
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 19:
            raise InvalidEvent(field, str(_("must be an integer ID or a string of digits")))
        value = int(stripped)
    if not isinstance(value, int):
        raise InvalidEvent(field, str(_("must be an integer ID or a string of digits")))
    if not 0 <= value <= _MAX_INT64:
        raise InvalidEvent(field, str(_("is out of range for an ID")))
    return value


def _as_text(value: Any, field: str, *, max_length: int, allow_int: bool = False) -> str:
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidEvent(field, str(_("must be a string")))
    if len(value) > max_length:
        raise InvalidEvent(field, str(_("is longer than %(n)d characters") % {"n": max_length}))
    if any(ord(ch) < 32 for ch in value):
        raise InvalidEvent(field, str(_("contains control characters")))
    return value


def _validate_data(data: dict[str, Any]) -> dict[str, int | None]:
    ids: dict[str, int | None] = {}
    for name in _ID_FIELDS:
        value = data.get(name)
        ids[name] = None if value is None else _as_id(value, f"data.{name}")
    for name in _ID_LIST_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise InvalidEvent(f"data.{name}", str(_("must be a list of IDs")))
        if len(value) > MAX_LIST_ITEMS:
            raise InvalidEvent(f"data.{name}", str(_("has more than %(n)d items") % {"n": MAX_LIST_ITEMS}))
        for index, item in enumerate(value):
            _as_id(item, f"data.{name}[{index}]")
    for name in _STRING_FIELDS:
        if data.get(name) is not None:
            max_length = _MAX_LENGTHS.get(name, 512)
            _as_text(data[name], f"data.{name}", max_length=max_length, allow_int=name == "operator")
    return ids


def parse_event(body: bytes) -> CloudEvent:
    """Validate a webhook body and return the event it carries.

    :raises InvalidEvent: the body is not a well-formed DataWorks CloudEvent.
    """
    envelope = decode_json(body)
    if not isinstance(envelope, dict):
        raise InvalidEvent("body", str(_("must be a JSON object (a CloudEvent)")))
    for required in ("id", "source", "type", "data"):
        if required not in envelope or envelope[required] is None:
            raise InvalidEvent(required, str(_("is required")))
    message_id = _as_text(envelope["id"], "id", max_length=MAX_ID_LENGTH, allow_int=True).strip()
    if not message_id:
        raise InvalidEvent("id", str(_("must not be empty")))
    source = _as_text(envelope["source"], "source", max_length=MAX_TYPE_LENGTH)
    if source != DATAWORKS_SOURCE:
        raise InvalidEvent("source", str(_("must be %(source)s") % {"source": DATAWORKS_SOURCE}))
    event_type = _as_text(envelope["type"], "type", max_length=MAX_TYPE_LENGTH).strip()
    if not event_type:
        raise InvalidEvent("type", str(_("must not be empty")))
    data = envelope["data"]
    if not isinstance(data, dict):
        raise InvalidEvent("data", str(_("must be a JSON object")))
    for optional in ("specversion", "time", "subject", "datacontenttype"):
        if envelope.get(optional) is not None:
            _as_text(envelope[optional], optional, max_length=MAX_TYPE_LENGTH)

    ids = _validate_data(data)
    event_code = data.get("eventCode") or ""
    spec = lookup(event_type, event_code)
    if spec is not None and event_code and event_code != spec.code:
        raise InvalidEvent(
            "data.eventCode",
            str(_("%(code)s does not match type %(type)s") % {"code": event_code, "type": event_type}),
        )
    # A gated event without a workspace id is still stored: refusing it would leave DataWorks in "Checking" with no
    # record here, while its answer needs only the MessageId; its ticket needs attention instead (docs/intake.md).

    operator = data.get("operator")
    return CloudEvent(
        message_id=message_id,
        source=source,
        type=event_type,
        event_code=spec.code if spec else event_code,
        spec=spec,
        project_id=ids["projectId"],
        tenant_id=ids["tenantId"],
        operator="" if operator is None else str(operator),
        occurred_at=_parse_time(envelope.get("time")),
        data=data,
    )


def _parse_time(value: str | None) -> datetime | None:
    """Parse the envelope time when it is ISO-8601; DataWorks also sends forms like `...179PRC`, kept raw only."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    try:
        # In UTC, as the database keeps it: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python allow,
        # and an instant at the edge of the calendar (9999-12-31T23:00-05:00) has no UTC value at all: kept raw only.
        return parsed.astimezone(UTC)
    except OverflowError:
        return None
