"""The inbox's table rows, rendered in Python with the template helpers of `approvals.templatetags.review_gate`:
up to 50 rows a page, where an included template cost about 0.5 ms a row (bench/RESULTS.md).

Every interpolated value is escaped with the standard library's `html.escape` (what Django's escape does) or is an int.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from approvals.models import Risk, Ticket
from approvals.templatetags.review_gate import check_result_label, relative_time, time_html
from approvals.tickets.presentation import InboxRow
from events.catalogue import event_name

# Each cell carries its column's name (data-label): on a phone app.css shows the rows as cards, labels inline.
_ROW = (
    '<tr data-ticket="{pk}">{select}<td class="col-id" data-label="{l_ticket}"><a href="{href}">#{pk}</a></td>'
    '<td class="col-what" data-label="{l_what}"><a href="{href}">{what}</a></td>'
    '<td class="col-event" data-label="{l_event}">{event}</td>'
    '<td class="col-workspace" data-label="{l_workspace}">{project}</td><td class="col-risk" data-label="{l_risk}">'
    '{risk}</td><td class="col-status" data-label="{l_status}"><span class="badge status-{status}">{status_label}'
    '</span>{result}{unreachable}</td><td class="col-age" data-label="{l_age}">{age}</td></tr>'
)
_SELECT = (
    '<td class="col-select"><input type="checkbox" name="ticket" value="{pk}" form="batch-form" '
    'aria-label="{label}" data-batch-select></td>'
)
_NO_SELECT = '<td class="col-select"></td>'
_WORKSPACE = '<span title="{title}">{name}</span>'
_EVENT = '<span class="event-name">{name}</span>'
_RESULT = ' <span class="badge result-{result}">{label}</span>'
_UNREACHABLE = ' <span class="badge unreachable" title="{reason}" data-testid="unreachable">{label}</span>'
_RISK = '<span class="badge risk risk-{css}" data-risk="{value}">{label}</span>'


def risk_badge(risk: str) -> str:
    """Return the badge of a ticket's risk ("-" before preparation), escaped."""
    if not risk:
        return '<span class="muted">-</span>'
    labels = dict(Risk.choices)
    label = labels.get(risk, risk)
    return _RISK.format(css=escape(risk.lower().replace("_", "")), value=escape(risk), label=escape(str(label)))


def inbox_table_rows(
    tickets: Iterable[InboxRow],
    now: datetime,
    *,
    show_unreachable: bool = False,
    selectable: bool = False,
    workspace_names: dict[int, str] | None = None,
) -> SafeString:
    """Render inbox rows: (a checkbox for a batch decision), ticket, what, event, workspace (its name when
    it has one), risk, status (and result), age."""
    names = workspace_names or {}
    labels = {
        f"l_{key}": escape(str(label))
        for key, label in (
            ("ticket", _("Ticket")),
            ("what", _("What")),
            ("event", _("Event")),
            ("workspace", _("Workspace")),
            ("risk", _("Risk")),
            ("status", _("Status")),
            ("age", _("Age")),
        )
    }
    select_label = _("Select ticket #%(pk)d")
    before, _zero, after = reverse("approvals:ticket", args=[0]).rpartition("0")
    status_labels = {value: escape(str(label)) for value, label in Ticket.Status.choices}
    result_labels = {value: escape(check_result_label(value)) for value in ("OK", "WARN", "FAIL")}
    event_names: dict[str, str] = {}
    badges: dict[str, str] = {}
    cannot_be_met = escape(_("Cannot be met"))
    rows = []
    for ticket in tickets:
        result = escape(ticket.check_result)
        unreachable = ""
        if show_unreachable and ticket.unreachable_reason and ticket.status == Ticket.Status.PENDING:
            unreachable = _UNREACHABLE.format(reason=escape(ticket.unreachable_reason), label=cannot_be_met)
        event = event_names.get(ticket.event_code)
        if event is None:
            event = event_names[ticket.event_code] = _EVENT.format(name=escape(event_name(ticket.event_code)))
        badge = badges.get(ticket.risk)
        if badge is None:
            badge = badges[ticket.risk] = risk_badge(ticket.risk)
        select = ""
        if selectable:
            select = (
                _SELECT.format(pk=int(ticket.pk), label=escape(select_label % {"pk": int(ticket.pk)}))
                if ticket.status == Ticket.Status.PENDING
                else _NO_SELECT
            )
        name = names.get(ticket.project_id)
        project = (
            _WORKSPACE.format(title=int(ticket.project_id), name=escape(name)) if name else str(int(ticket.project_id))
        )
        rows.append(
            _ROW.format(
                select=select,
                href=escape(f"{before}{ticket.pk}{after}"),
                pk=int(ticket.pk),
                what=escape(Truncator(ticket.title or ticket.message_id).chars(60)),
                event=event,
                project=project,
                risk=badge,
                status=escape(ticket.status.lower()),
                status_label=status_labels.get(ticket.status) or escape(ticket.status),
                result=_RESULT.format(result=result.lower(), label=result_labels.get(result, result)) if result else "",
                unreachable=unreachable,
                age=time_html(ticket.created_at, relative_time(ticket.created_at, now)),
                **labels,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every interpolated value above is escaped or an int


def status_label(status: str) -> str:
    """A ticket status's name in the active language (the value itself when it is not one)."""
    return str(dict(Ticket.Status.choices).get(status, status))
