"""The tip DataWorks shows the developer: outcome, reviewer, comment and a link back to the ticket, written in the
workspace's tip language (workspaces.resolve.tip_language), whatever language the worker or the reviewer uses."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from approvals.models import Ticket
from workspaces.resolve import tip_language


def ticket_url(ticket: Ticket) -> str:
    """Return the absolute URL of a ticket page."""
    return settings.REVIEW_GATE_BASE_URL.rstrip("/") + reverse("approvals:ticket", args=[ticket.pk])


def build_tip(ticket: Ticket) -> str:
    """Compose the CheckResultTip in the workspace's tip language, shortening only the comment so the outcome and
    link always fit the length limit in either language."""
    options = ticket.snapshot.get("options") if isinstance(ticket.snapshot, dict) else None
    with translation.override(tip_language(ticket.project_id, options if isinstance(options, dict) else None)):
        return _compose(ticket)


def _compose(ticket: Ticket) -> str:
    limit = settings.REVIEW_GATE_TIP_MAX_LENGTH
    who = ticket.decided_by.get_username() if ticket.decided_by else _("Review Gate")
    outcome = {
        Ticket.Status.APPROVED: _("Approved by %(who)s"),
        Ticket.Status.REJECTED: _("Rejected by %(who)s"),
        Ticket.Status.EXPIRED: _("Expired without review (%(who)s)"),
    }.get(Ticket.Status(ticket.status), _("Decided by %(who)s")) % {"who": who}
    head = f"[Review Gate] {outcome}"
    link = ticket_url(ticket)
    comment = " ".join(ticket.decision_comment.split())  # one line: DataWorks shows it in a dialog
    room = limit - len(head) - len(link) - 4
    if comment and room > 10:
        if len(comment) > room:
            comment = comment[: room - 1] + "…"
        return f"{head}: {comment} — {link}"[:limit]
    return f"{head} — {link}"[:limit]
