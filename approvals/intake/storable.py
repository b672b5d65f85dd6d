"""Make what DataWorks answered storable on any database: preparation is total over odd-but-valid input.

PostgreSQL refuses NUL characters in text and jsonb, lone surrogates in any encoding, and non-finite numbers in
jsonb; columns have lengths. DataWorks can answer with any of these (a NUL in a code string, a 604-character file
name, a 2,039-character folder path), so what is stored is what fits, and the ticket says what was changed.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields
from typing import Any

from django.utils.translation import gettext as _

from approvals.intake.preparation import Prepared
from approvals.models import Ticket

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
_BIGINT = 2**63 - 1
_INT = 2**31 - 1


def clean_text(text: str) -> tuple[str, bool]:
    """Return the text with NUL and lone surrogates replaced by U+FFFD, and whether anything was replaced."""
    cleaned = _UNSTORABLE.sub(_REPLACEMENT, text)
    return cleaned, cleaned != text


def clean_json(value: Any, depth: int = 0) -> Any:
    """Return a JSON value any database stores: clean strings and keys, non-finite numbers as text, bounded depth."""
    if depth > 50:
        return "…"
    if isinstance(value, str):
        return clean_text(value)[0]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {clean_text(str(k))[0]: clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v, depth + 1) for v in value]
    return value


def make_storable(prepared: Prepared) -> Prepared:
    """Clean and cut every prepared value to what its column stores; note each change in the snapshot."""
    notes: list[str] = []
    for item in fields(prepared):
        value = getattr(prepared, item.name)
        if isinstance(value, str):
            value, replaced = clean_text(value)
            if replaced:
                notes.append(_("Unprintable characters in %(field)s were replaced.") % {"field": item.name})
            limit = getattr(Ticket._meta.get_field(item.name), "max_length", None)
            if limit is not None and len(value) > limit:
                notes.append(
                    _("%(field)s was cut from %(n)d to %(limit)d characters.")
                    % {"field": item.name, "n": len(value), "limit": limit}
                )
                value = value[: limit - 1] + "…"
            setattr(prepared, item.name, value)
        elif isinstance(value, int) and not isinstance(value, bool):
            bound = _INT if item.name == "file_type" else _BIGINT
            if not -bound <= value <= bound:
                notes.append(_("%(field)s was out of range and is not stored.") % {"field": item.name})
                setattr(prepared, item.name, None)
    snapshot = clean_json(prepared.snapshot)
    if notes:
        snapshot["stored_with_changes"] = notes
    prepared.snapshot = snapshot
    return prepared
