"""Text and JSON that any database stores: PostgreSQL refuses NUL in text and jsonb, lone surrogates in any
encoding, and non-finite numbers in jsonb. Used wherever text from outside (DataWorks answers, error messages) is
written."""

from __future__ import annotations

import math
import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable_text(text: str) -> str:
    """Return the text with NUL and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable_json(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """Return a JSON value any database stores (clean strings and keys, non-finite numbers as text, bounded depth)
    and whether anything had to change."""
    if depth > 50:
        return "…", True
    if isinstance(value, str):
        cleaned = storable_text(value)
        return cleaned, cleaned != value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value), True
    if isinstance(value, dict):
        changed = False
        result = {}
        for key, item in value.items():
            clean_key = storable_text(str(key))
            result[clean_key], item_changed = storable_json(item, depth + 1)
            changed = changed or item_changed or clean_key != key
        return result, changed
    if isinstance(value, list | tuple):
        pairs = [storable_json(item, depth + 1) for item in value]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    return value, False
