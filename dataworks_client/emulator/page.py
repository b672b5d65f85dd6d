"""Render the emulator's HTML overview of what it received; every value is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.translation import gettext as _

# Newest first, and bounded: the page is for a glance, /_emulator/requests has the rest.
MAX_ROWS = 200


def _table(headings: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_page(callbacks: list[dict[str, Any]], requests: list[dict[str, Any]]) -> str:
    """Return the page listing result callbacks and recent API requests."""
    callback_rows = [
        [c["received_at"], c["action"], c["message_id"], c["check_result"], c["tip"], c["params_in"], c["request_id"]]
        for c in reversed(callbacks[-MAX_ROWS:])
    ]
    request_rows = [
        [
            r["received_at"],
            r["action"],
            r["status"],
            r["fault"] or "",
            r["query_string"],
            len(r["body"]),
            r["request_id"],
        ]
        for r in reversed(requests[-MAX_ROWS:])
    ]
    title = _("DataWorks emulator")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style>"
        f"</head><body><h1>{escape(title)}</h1>"
        f"<h2>{escape(_('Result callbacks'))}</h2>"
        + _table(
            [_("Received"), _("Action"), _("Message ID"), _("Result"), _("Tip"), _("Parameters in"), _("Request ID")],
            callback_rows,
            _("No callbacks received yet."),
        )
        + f"<h2>{escape(_('API requests'))}</h2>"
        + _table(
            [_("Received"), _("Action"), _("Status"), _("Fault"), _("Query string"), _("Body length"), _("Request ID")],
            request_rows,
            _("No requests received yet."),
        )
        + "</body></html>"
    )
