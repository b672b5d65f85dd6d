"""Field validators for reviewer rules, shared by the TOML import and the admin's rule form (one place)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from approvals.models import RISK_AT_LEAST_CHOICES, RISK_AT_MOST_CHOICES, CheckResult, Rule
from events.catalogue import GATED_CODES

NAME_MAX_LENGTH = 100
MAX_INT = 2**63 - 1  # workspace IDs and file types are stored as 64-bit integers by DataWorks
MAX_TIMEOUT = timedelta(days=3650)
_DURATION_RE = re.compile(r"(?P<amount>[0-9]{1,9})(?P<unit>[smhd])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SPLIT_RE = re.compile(r"[,\n\r]+")


def _int_list(value: object, *, minimum: int, what: str) -> list[int]:
    if not isinstance(value, list):
        raise ValidationError(_("Must be a list of %(what)s.") % {"what": what})
    seen: set[int] = set()
    for item in value:
        # bool is an int subclass in Python; TOML `true` is never a workspace ID.
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValidationError(_("%(item)r is not a whole number.") % {"item": item})
        if not minimum <= item <= MAX_INT:
            raise ValidationError(_("%(item)d is out of range.") % {"item": item})
        if item in seen:
            raise ValidationError(_("%(item)d is listed twice.") % {"item": item})
        seen.add(item)
    return list(value)


def _str_list(value: object, check: Callable[[str], None]) -> list[str]:
    if not isinstance(value, list):
        raise ValidationError(_("Must be a list of strings."))
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(_("%(item)r is not a string.") % {"item": item})
        check(item)
        if item in seen:
            raise ValidationError(_("%(item)s is listed twice.") % {"item": item})
        seen.add(item)
    return list(value)


def _plain_text(item: str) -> None:
    if not item.strip():
        raise ValidationError(_("An entry is empty."))
    if item != item.strip():
        raise ValidationError(_("%(item)r has leading or trailing spaces.") % {"item": item})
    if _CONTROL_RE.search(item):
        raise ValidationError(_("%(item)r contains a control character.") % {"item": item})


def validate_projects(value: object) -> list[int]:
    """Return the workspace IDs: a list of distinct positive integers (empty = every workspace)."""
    return _int_list(value, minimum=1, what=_("workspace IDs"))


def validate_file_types(value: object) -> list[int]:
    """Return the DataWorks file type codes: a list of distinct non-negative integers (empty = every type)."""
    return _int_list(value, minimum=0, what=_("file type codes"))


def validate_events(value: object) -> list[str]:
    """Return the event codes: each one an event Review Gate gates (events.catalogue.GATED_CODES)."""

    def check(code: str) -> None:
        if code not in GATED_CODES:
            raise ValidationError(
                _("%(code)r is not an event code Review Gate reviews; use one of: %(codes)s.")
                % {"code": code, "codes": ", ".join(GATED_CODES)}
            )

    return _str_list(value, check)


def validate_paths(value: object) -> list[str]:
    """Return the path globs over folder/path/file_name (`**` spans folders, `*` and `?` do not)."""

    def check(glob: str) -> None:
        _plain_text(glob)
        # The admin edits lists as comma-separated text, so a comma could never round-trip through it.
        if "," in glob:
            raise ValidationError(_("%(glob)r contains a comma; match it with ? instead.") % {"glob": glob})

    return _str_list(value, check)


def validate_names(value: object) -> list[str]:
    """Return a list of user or group names (their existence is checked when the rules are applied)."""
    return _str_list(value, _plain_text)


def validate_rule_name(value: object) -> str:
    """Return a rule name: non-empty text of at most 100 characters without surrounding spaces."""
    if not isinstance(value, str):
        raise ValidationError(_("Must be a string."))
    _plain_text(value)
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError(_("Longer than %(n)d characters.") % {"n": NAME_MAX_LENGTH})
    return value


def validate_min_approvals(value: object) -> int:
    """Return the minimum number of approvals: a whole number of at least 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("Must be a whole number."))
    if not 1 <= value <= 32767:
        raise ValidationError(_("Must be at least 1 (and at most 32767)."))
    return value


def parse_duration(value: object) -> timedelta | None:
    """Return the timeout of a duration string such as "90s", "30m", "24h" or "2d"; "" means no timeout."""
    if not isinstance(value, str):
        raise ValidationError(_('Must be a duration string such as "30m", "24h" or "2d".'))
    text = value.strip()
    if not text:
        return None
    match = _DURATION_RE.fullmatch(text)
    if match is None:
        raise ValidationError(
            _('%(value)r is not a duration; write a number and one unit: s, m, h or d (e.g. "30m", "24h", "2d").')
            % {"value": value}
        )
    duration = timedelta(seconds=int(match["amount"]) * _UNIT_SECONDS[match["unit"]])
    if duration <= timedelta(0):
        raise ValidationError(_("A timeout must be longer than zero; leave it empty for no timeout."))
    if duration > MAX_TIMEOUT:
        raise ValidationError(_("A timeout may be at most 3650 days."))
    return duration


def format_duration(duration: timedelta | None) -> str:
    """Return the canonical duration string for a timeout (the largest whole unit), or "" for none."""
    # Intake treats a zero timeout as none; a fraction of a second (never written by import or admin) rounds up.
    if duration is None or duration <= timedelta(0):
        return ""
    seconds = math.ceil(duration.total_seconds())
    unit, size = next((unit, size) for unit, size in _UNIT_SECONDS.items() if seconds % size == 0)
    return f"{seconds // size}{unit}"


def validate_on_timeout(value: object) -> str:
    """Return the outcome on timeout: OK, WARN or FAIL."""
    if value not in CheckResult.values:
        raise ValidationError(_("Must be one of: OK, WARN, FAIL."))
    return str(value)


def validate_auto(value: object) -> str:
    """Return the automatic outcome: "" (humans decide), OK, WARN or FAIL."""
    if value not in Rule.AutoOutcome.values:
        raise ValidationError(_('Must be one of: "", OK, WARN, FAIL.'))
    return str(value)


def validate_enabled(value: object) -> bool:
    """Return whether the rule is enabled: true or false."""
    if not isinstance(value, bool):
        raise ValidationError(_("Must be true or false."))
    return value


def list_from_text(text: str, *, integers: bool = False) -> list[Any]:
    """Split comma- or newline-separated text into entries; with `integers`, entries must be whole numbers."""
    items = [part.strip() for part in _SPLIT_RE.split(text or "") if part.strip()]
    if not integers:
        return items
    numbers: list[Any] = []
    for item in items:
        if not re.fullmatch(r"[0-9]{1,19}", item):
            raise ValidationError(_("%(item)r is not a whole number.") % {"item": item})
        numbers.append(int(item))
    return numbers


def list_to_text(values: Iterable[object], *, separator: str = ", ") -> str:
    """Render a list for the admin's text fields (the inverse of `list_from_text`)."""
    return separator.join(str(v) for v in values)


_CHANNEL_NAME_RE = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def _channel_name(item: str) -> None:
    if not _CHANNEL_NAME_RE.fullmatch(item):
        raise ValidationError(
            _("%(item)r is not a channel name (letters, digits, - and _, at most 100).") % {"item": item[:120]}
        )


def validate_channel_names(value: object) -> list[str]:
    """Return a list of notification channel names (their existence is checked when the rule is saved)."""
    return _str_list(value, _channel_name)


def validate_channel_name(value: object) -> str:
    """Return one channel name, or "" for none."""
    if not isinstance(value, str):
        raise ValidationError(_("Must be a string."))
    if value:
        _channel_name(value)
    return value


def validate_group_name(value: object) -> str:
    """Return one group name, or "" for none (its existence is checked when the rule is saved)."""
    if not isinstance(value, str):
        raise ValidationError(_("Must be a string."))
    if value:
        _plain_text(value)
        if len(value) > 150:
            raise ValidationError(_("Longer than %(n)d characters.") % {"n": 150})
    return value


def parse_interval(value: object) -> timedelta | None:
    """Return a reminder or escalation interval ("30m", "4h"); "" means none. At least one minute."""
    duration = parse_duration(value)
    if duration is not None and duration < timedelta(minutes=1):
        raise ValidationError(_("Must be at least one minute."))
    return duration


def _risk_bound(value: object, choices: Sequence[tuple[str, object]]) -> str:
    allowed = [code for code, _label in choices]
    if not isinstance(value, str) or value not in allowed:
        names = ", ".join(f'"{code}"' for code in allowed)
        raise ValidationError(_("Must be one of: %(names)s.") % {"names": names})
    return value


def validate_risk_at_least(value: object) -> str:
    """Return the lowest risk a rule matches: "" (not a criterion), LOW, MEDIUM, HIGH or CRITICAL.

    A change that was not assessed (NOT_ASSESSED) counts as at least every level (fail closed).
    """
    return _risk_bound(value, RISK_AT_LEAST_CHOICES)


def validate_risk_at_most(value: object) -> str:
    """Return the highest risk a rule matches: "" (not a criterion), NONE, LOW, MEDIUM, HIGH or CRITICAL.

    A change that was not assessed (NOT_ASSESSED) is never at most anything.
    """
    return _risk_bound(value, RISK_AT_MOST_CHOICES)
