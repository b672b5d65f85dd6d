"""The tip DataWorks shows the developer: outcome, reviewer, comment and a link back to the ticket, written in the
workspace's tip language (workspaces.resolve.tip_language), whatever language the worker or the reviewer uses. A change
approved with a warning also names its risk findings that nobody waived (rule ids and lines), AccessKeys masked."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.models import AuditEntry, CheckResult, LineComment, Ticket
from approvals.tickets.selectors import ticket_risk_view
from riskcheck import mask_secrets
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
    comment = mask_secrets(" ".join(ticket.decision_comment.split()))  # one line: DataWorks shows it in a dialog
    room = limit - len(head) - len(link) - 5  # ": " and " — " around the comment
    if ticket.check_result == CheckResult.WARN and ticket.status == Ticket.Status.APPROVED:
        # The findings come before the comment: they say what the warning is about, the comment may be shortened.
        findings = findings_summary(ticket, room=room - 2 if not comment else min(room - 2, max(room // 2, 60)))
        if findings:
            before = len(head)
            head = _("%(outcome)s. %(findings)s") % {"outcome": head, "findings": findings}
            room -= len(head) - before
    if ticket.status == Ticket.Status.REJECTED:
        if _changes_requested(ticket):
            head = "[Review Gate] " + _("Changes requested by %(who)s") % {"who": who}
            room = limit - len(head) - len(link) - 5
        # The line comments say where; they share the room with the comment, which keeps at least half of it.
        notes = line_comments_summary(ticket, room=room - 2 if not comment else min(room - 2, max(room // 2, 60)))
        if notes:
            before = len(head)
            head = _("%(outcome)s. %(notes)s") % {"outcome": head, "notes": notes}
            room -= len(head) - before
    if comment and room > 10:
        if len(comment) > room:
            comment = comment[: room - 1] + "…"
        return f"{head}: {comment} — {link}"[:limit]
    return f"{head} — {link}"[:limit]


def findings_summary(ticket: Ticket, *, room: int) -> str:
    """Name the ticket's findings nobody waived, briefly ("Risk HIGH: MC03 line 4, MC16 line 9"), within `room`
    characters; the ones that do not fit are counted ("and 3 more"). "" when there are none or no room."""
    view = ticket_risk_view(ticket)
    findings = view.open_findings
    if not findings or room < 20:
        return ""
    head = _("Risk %(risk)s:") % {"risk": view.effective}
    items = [_("%(rule)s line %(line)d") % {"rule": f.rule, "line": f.line} for f in findings]
    shown: list[str] = []
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        more = (" " + _("and %(n)d more") % {"n": rest}) if rest else ""
        candidate = f"{head} {', '.join([*shown, item])}{more}"
        if len(candidate) > room:
            break
        shown.append(item)
    if not shown:
        return ""
    hidden = len(items) - len(shown)
    more = (" " + _("and %(n)d more") % {"n": hidden}) if hidden else ""
    return mask_secrets(f"{head} {', '.join(shown)}{more}")


def _changes_requested(ticket: Ticket) -> bool:
    return ticket.audit.filter(action=AuditEntry.Action.CHANGES_REQUESTED).exists()


def line_comments_summary(ticket: Ticket, *, room: int) -> str:
    """Summarise the ticket's line comments within `room` characters: "3 comments, first: line 12: <its text>", the
    text shortened to fit, AccessKeys masked; "" when there are none or no room for the count."""
    comments = LineComment.objects.filter(ticket_id=ticket.pk).order_by("created_at", "pk")
    count = comments.count()
    if not count or room < 20:
        return ""
    first = comments.only("line", "side", "body").first()
    assert first is not None
    head = ngettext("%(n)d line comment", "%(n)d line comments", count) % {"n": count}
    if len(head) > room:
        return ""
    where = (_("line %(line)s") if first.side == LineComment.Side.NEW else _("previous line %(line)s")) % {
        "line": first.line
    }
    lead = _("%(count)s, first: %(where)s: ") % {"count": head, "where": where}
    text = mask_secrets(" ".join(first.body.split()))
    space = room - len(lead)
    if space < 8:
        return head
    if len(text) > space:
        text = text[: space - 1] + "…"
    return lead + text
