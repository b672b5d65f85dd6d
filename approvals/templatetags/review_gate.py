"""Template filters and tags of the reviewer UI."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.catalogue import event_name

register = template.Library()


@register.filter
def duration_human(value: timedelta | None) -> str:
    """Render a duration the way people say it: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if value is None:
        return "-"
    seconds = max(int(value.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min") % {"m": minutes}
    return _("%(s)d s") % {"s": secs}


@register.filter
def event_label(event_code: str) -> str:
    """Name an event code for people, in the active language, with the code: "文件提交 (commit-file)"."""
    return event_name(str(event_code or ""))


def check_result_label(result: str) -> str:
    """Name a check result (OK / WARN / FAIL) in the active language, in DataWorks' words: 通过 / 警告 / 不通过."""
    if result == "OK":
        return pgettext("check result", "OK")
    if result == "WARN":
        return pgettext("check result", "WARN")
    if result == "FAIL":
        return pgettext("check result", "FAIL")
    return result


@register.filter
def result_label(result: str) -> str:
    """Template filter over `check_result_label`; autoescaped like any string."""
    return check_result_label(str(result or ""))


def _zone_name(moment: datetime) -> str:
    """Return the zone's abbreviation ("CST", "UTC"), or "UTC+05:45" for a zone that has none."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def absolute_time(value: datetime) -> str:
    """Return a time in the current time zone with the zone named: "2026-11-30 13:05 CST"."""
    moment = localtime(value) if timezone.is_aware(value) else value
    return f"{moment:%Y-%m-%d %H:%M} {_zone_name(moment)}"


def relative_time(value: datetime, now: datetime) -> str:
    """Return "12 min ago" (or "in 12 min" for a time still to come)."""
    if value > now:
        return _("in %(duration)s") % {"duration": duration_human(value - now)}
    return _("%(age)s ago") % {"age": duration_human(now - value)}


_TIME = '<time datetime="{iso}" title="{absolute}">{text}</time>'


def time_html(value: datetime, text: str | None = None) -> str:
    """Return a `<time>` element: the ISO 8601 time with its offset, the absolute time with its zone on hover."""
    absolute = absolute_time(value)
    moment = localtime(value) if timezone.is_aware(value) else value
    return _TIME.format(
        iso=escape(moment.isoformat(timespec="seconds")), absolute=escape(absolute), text=escape(text or absolute)
    )


@register.filter
def when(value: datetime | None, style: str = "") -> SafeString | str:
    """Show a time with its zone: `{{ t|when }}` "2026-11-30 13:05 CST"; `{{ t|when:"relative" }}` "12 min ago".

    Either way a `<time>` element carrying the ISO 8601 time, and the absolute time with its zone as its title.
    """
    if not isinstance(value, datetime):
        return "-" if value in (None, "") else str(value)
    text = relative_time(value, timezone.now()) if style == "relative" else None
    return mark_safe(time_html(value, text))  # noqa: S308 - time_html escapes every value


@register.simple_tag
def time_zone_name() -> str:
    """Name the time zone the pages show times in: "Asia/Shanghai (CST)"."""
    now = localtime(timezone.now())
    return f"{timezone.get_current_timezone_name()} ({_zone_name(now)})"


@register.filter
def eol_label(eol: str) -> str:
    """Name a diff side's line endings: "LF", "CRLF" and "CR" as they are, "mixed" in the active language."""
    return pgettext("line endings", "mixed") if eol == "mixed" else str(eol or "")
