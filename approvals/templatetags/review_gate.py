"""Template filters and tags of the reviewer UI."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from approvals.models import Ticket
from approvals.tickets.presentation import InboxRow

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


_ROW = (
    '<tr><td><a href="{href}">#{pk}</a></td><td><a href="{href}">{what}</a></td><td><code>{event}</code></td>'
    '<td>{project}</td><td><span class="badge status-{status}">{status_label}</span>{result}</td>'
    '<td title="{iso}">{age}</td></tr>'
)
_RESULT = ' <span class="badge result-{result}">{label}</span>'


@register.simple_tag
def ticket_rows(tickets: Iterable[InboxRow], now: datetime) -> SafeString:
    """Render inbox table rows; every value goes through `html.escape` (what Django's escape does).

    Python rather than an included template, and the standard library's escape rather than format_html: the inbox
    shows up to 75 rows, and the include cost about 0.5 ms a row, most of the page's time outside the database
    (bench/RESULTS.md, inbox at 100,000 tickets).
    """
    # One reverse() for the page, not two per row: ".../tickets/0/" split around the ID.
    before, _zero, after = reverse("approvals:ticket", args=[0]).rpartition("0")
    status_labels = {value: escape(str(label)) for value, label in Ticket.Status.choices}
    ago = _("%(age)s ago")
    rows = []
    for ticket in tickets:
        result = escape(ticket.check_result)
        rows.append(
            _ROW.format(
                href=escape(f"{before}{ticket.pk}{after}"),
                pk=int(ticket.pk),
                what=escape(Truncator(ticket.title or ticket.message_id).chars(60)),
                event=escape(ticket.event_code),
                project=int(ticket.project_id),
                status=escape(ticket.status.lower()),
                status_label=status_labels.get(ticket.status) or escape(ticket.status),
                result=_RESULT.format(result=result.lower(), label=result) if result else "",
                iso=escape(localtime(ticket.created_at).isoformat()),
                age=escape(ago % {"age": duration_human(now - ticket.created_at)}),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every interpolated value above is escaped or an int
