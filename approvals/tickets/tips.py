"""The tip DataWorks shows the developer: outcome, reviewer, comment and a link back to the ticket."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from approvals.models import Ticket


def ticket_url(ticket: Ticket) -> str:
    """Return the absolute URL of a ticket page."""
    return settings.REVIEW_GATE_BASE_URL.rstrip("/") + reverse("approvals:ticket", args=[ticket.pk])


def build_tip(ticket: Ticket) -> str:
    """Compose the CheckResultTip, shortening only the comment so the outcome and link always fit."""
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
