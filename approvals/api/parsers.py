"""The API's JSON parser: strict JSON as the webhook reads it, with its nesting bounded.

DRF's JSONParser accepts duplicate keys (the last one wins) and hands any nesting to `json.loads`, whose recursion
limit turns a body nested a few thousand levels deep into a `RecursionError` (a 500). This one refuses, as a
`400 parse_error` naming the body: a body that is not UTF-8, arrays and objects nested deeper than `MAX_DEPTH`, a
key repeated in one object (the message names it), NaN and Infinity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A decision body is {"comment": "..."}: one level. Thirty-two leaves room for any body a later operation needs.
MAX_DEPTH = 32
# A JSON string (escapes included) or one bracket; strings are skipped so brackets inside them do not count.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class BodyError(ParseError):
    """A body the API will not read: 400 `parse_error` with `"field": "body"` (approvals.api.exceptions)."""

    field = "body"


def nesting_exceeds(text: str, limit: int) -> bool:
    """Tell whether arrays and objects in the JSON text nest deeper than `limit`, without recursion."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _STRUCTURE.finditer(text):
        found = match.group()
        if found in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif found in ("]", "}"):
            depth -= 1
    return False


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            shown = key if len(key) <= 100 else key[:100] + "…"
            raise BodyError(_("The body has the key %(key)s twice in one JSON object.") % {"key": json.dumps(shown)})
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise BodyError(_("The body is not valid JSON: %(name)s is not a JSON number.") % {"name": name})


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body as strict JSON, raising BodyError for anything the API does not accept."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(_("The body is not valid JSON: it is not UTF-8.")) from None
    if nesting_exceeds(text, MAX_DEPTH):
        raise BodyError(
            _("The body nests arrays and objects more than %(n)d levels deep.") % {"n": MAX_DEPTH}
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant)
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so no body can ever become a 500
        raise BodyError(_("The body nests arrays and objects too deeply.")) from None
    except ValueError as exc:  # BodyError from the hooks is not a ValueError and passes through as it is
        raise BodyError(_("The body is not valid JSON: %(reason)s") % {"reason": exc}) from None


class StrictJSONParser(JSONParser):
    """JSON bodies for the API views (media type `application/json`, as DRF's parser): strict and bounded.

    DRF hands a JSON parser the body read through `request.body`, which Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE
    (RequestDataTooBig, answered as a BodyError by approvals.api.exceptions).
    """

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        return parse_json_body(stream.read())
