"""Make what DataWorks answered storable on any database: preparation is total over odd-but-valid input.

PostgreSQL refuses NUL characters in text and jsonb, lone surrogates in any encoding, and non-finite numbers in
jsonb; columns have lengths. DataWorks can answer with any of these (a NUL in a code string, a 604-character file
name, a 2,039-character folder path), so what is stored is what fits, and the ticket says what was changed.
"""

from __future__ import annotations

from dataclasses import fields

from django.utils.translation import gettext as _

from approvals.intake.preparation import Prepared
from approvals.models import Ticket
from config.text import storable_json, storable_text

_BIGINT = 2**63 - 1
_INT = 2**31 - 1
_INTEGER_FIELDS = {"file_id", "file_type"}


def make_storable(prepared: Prepared) -> Prepared:
    """Clean and cut every prepared value to what its column stores; note each change in the snapshot."""
    notes: list[str] = []
    for item in fields(prepared):
        value = getattr(prepared, item.name)
        if (
            item.name in _INTEGER_FIELDS
            and value is not None
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            notes.append(_("%(field)s was not a number and is not stored.") % {"field": item.name})
            setattr(prepared, item.name, None)
            continue
        if isinstance(value, str):
            cleaned = storable_text(value)
            replaced, value = cleaned != value, cleaned
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
    snapshot, changed = storable_json(prepared.snapshot)
    if changed:
        notes.append(_("Unprintable characters or numbers out of range in the details were replaced."))
    if notes:
        snapshot["stored_with_changes"] = notes
    prepared.snapshot = snapshot
    return prepared
