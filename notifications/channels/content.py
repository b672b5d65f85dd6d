"""What a message says, before any format: a headline, labelled facts, a link, and for a digest the tickets grouped
by intent. Labels and headline templates are ours (translated); every value is still untrusted and raw, for each
renderer to escape in its own format.

Call `compose` inside `translation.override(outgoing.language)` (render.py does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from events.catalogue import event_name
from notifications.channels.escape import truncate_chars
from notifications.channels.message import Intent, Outgoing, TicketFacts

# Caps of single values before any format: a chat message names things, the ticket page shows them in full.
TITLE_MAX = 200
PATH_MAX = 500
NAME_MAX = 100
REQUIREMENT_MAX = 300
COMMENT_MAX = 1000
FINDINGS_MAX = 10
NAMES_MAX = 20


@dataclass(frozen=True, slots=True)
class Fact:
    label: str  # ours, translated
    value: str  # untrusted, raw


@dataclass(frozen=True, slots=True)
class Group:
    label: str  # ours, translated, with the count
    tickets: tuple[TicketFacts, ...]


@dataclass(frozen=True, slots=True)
class Content:
    headline: str  # ours, translated; `%(title)s` stands for the (untrusted) title
    title: str  # untrusted, raw; "" when the headline names none
    facts: tuple[Fact, ...]
    link_label: str
    link_url: str  # untrusted until passed through escape.safe_url
    groups: tuple[Group, ...] = ()  # a digest's tickets
    intent: Intent = Intent.READY

    def headline_with(self, escaped_title: str) -> str:
        return self.headline % {"title": escaped_title}


def _headline(intent: Intent) -> str:
    return {
        Intent.READY: _("Waiting for review: %(title)s"),
        Intent.DECIDED: _("Decided: %(title)s"),
        Intent.REMINDER: _("Reminder: still waiting for review: %(title)s"),
        Intent.ESCALATED: _("Escalated: %(title)s has waited too long for review"),
        Intent.NEEDS_ATTENTION: _("Needs attention: %(title)s"),
        Intent.UNREACHABLE: _("No reviewer can approve %(title)s under the current rules"),
        Intent.DELIVERY_FAILED: _("DataWorks refused the decision on %(title)s"),
    }.get(intent, _("Waiting for review: %(title)s"))


def group_label(intent: Intent) -> str:
    """The heading of one intent's tickets in a digest."""
    return {
        Intent.READY: _("Waiting for review"),
        Intent.DECIDED: _("Decided"),
        Intent.REMINDER: _("Reminders"),
        Intent.ESCALATED: _("Escalated"),
        Intent.NEEDS_ATTENTION: _("Needs attention"),
        Intent.UNREACHABLE: _("Cannot be approved under the current rules"),
        Intent.DELIVERY_FAILED: _("Decisions DataWorks refused"),
    }.get(intent, _("Other"))


def status_label(status: str) -> str:
    """Name a ticket status in the active language (the msgids of approvals.models.Ticket.Status)."""
    return {
        "PREPARING": _("Fetching details from DataWorks"),
        "PENDING": _("Waiting for review"),
        "APPROVED": _("Approved"),
        "REJECTED": _("Rejected"),
        "EXPIRED": _("Expired"),
        "NEEDS_ATTENTION": _("Needs attention"),
        "RESOLVED_IN_DATAWORKS": _("Resolved in DataWorks"),
    }.get(status, status)


def result_label(result: str) -> str:
    """Name a check result in DataWorks' words (通过 / 警告 / 不通过), or "" before a decision."""
    return {
        "OK": pgettext("check result", "OK"),
        "WARN": pgettext("check result", "WARN"),
        "FAIL": pgettext("check result", "FAIL"),
    }.get(result, result)


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def absolute(moment: datetime) -> str:
    """ "2026-11-30 13:05 CST": the time in TIME_ZONE, with the zone named (the UI's own formatting)."""
    # Imported here: the template library loads approvals' models, which must not happen at import time.
    from approvals.templatetags.review_gate import absolute_time

    return absolute_time(_aware(moment))


def waited(since: datetime, now: datetime) -> str:
    from approvals.templatetags.review_gate import duration_human

    return duration_human(_aware(now) - _aware(since))


def workspace_of(ticket: TicketFacts) -> str:
    name = truncate_chars(ticket.workspace_name or "", NAME_MAX)
    return f"{name} ({ticket.project_id})" if name else str(ticket.project_id)


def names(values: tuple[str, ...]) -> str:
    shown = [truncate_chars(value, NAME_MAX) for value in values[:NAMES_MAX]]
    if len(values) > NAMES_MAX:
        shown.append(_("and %(n)d more") % {"n": len(values) - NAMES_MAX})
    return ", ".join(shown)


def _finding_lines(ticket: TicketFacts) -> list[Fact]:
    facts = []
    for finding in ticket.findings[:FINDINGS_MAX]:
        where = _("line %(line)d") % {"line": finding.line} if finding.line is not None else ""
        value = " ".join(part for part in (finding.severity, finding.rule, where, finding.message) if part)
        facts.append(Fact(_("Finding"), truncate_chars(value, COMMENT_MAX // 2)))
    if len(ticket.findings) > FINDINGS_MAX:
        more = _("and %(n)d more") % {"n": len(ticket.findings) - FINDINGS_MAX}
        facts.append(Fact(_("Finding"), more))
    return facts


def ticket_facts(intent: Intent, ticket: TicketFacts, now: datetime, *, comment_max: int = COMMENT_MAX) -> list[Fact]:
    """The labelled facts of one ticket, in the order a reviewer reads them."""
    facts: list[Fact] = []
    if ticket.reason and intent in {
        Intent.REMINDER,
        Intent.ESCALATED,
        Intent.NEEDS_ATTENTION,
        Intent.UNREACHABLE,
        Intent.DELIVERY_FAILED,
    }:
        facts.append(Fact(_("Reason"), truncate_chars(ticket.reason, comment_max)))
    if intent is Intent.DECIDED:
        outcome = status_label(ticket.status)
        if ticket.check_result:
            outcome = f"{outcome} · {result_label(ticket.check_result)}"
        facts.append(Fact(_("Outcome"), outcome))
        facts.append(Fact(_("Decided by"), truncate_chars(ticket.decided_by, NAME_MAX) or _("Review Gate")))
        if ticket.comment:
            facts.append(Fact(_("Comment"), truncate_chars(ticket.comment, comment_max)))
    facts.append(Fact(_("Event"), event_name(ticket.event_code)))
    facts.append(Fact(_("Path"), truncate_chars(ticket.path, PATH_MAX) or "-"))
    facts.append(Fact(_("Workspace"), workspace_of(ticket)))
    facts.append(Fact(_("Changed by"), truncate_chars(ticket.operator, NAME_MAX) or "-"))
    if ticket.risk is not None:
        facts.append(Fact(_("Risk"), truncate_chars(ticket.risk, NAME_MAX)))
        facts.extend(_finding_lines(ticket))
    if intent is not Intent.DECIDED:
        if ticket.requirement:
            facts.append(Fact(_("Review needed"), truncate_chars(ticket.requirement, REQUIREMENT_MAX)))
        if ticket.waiting_for:
            facts.append(Fact(_("Who can approve"), names(ticket.waiting_for)))
        waiting = _("%(duration)s (since %(time)s)") % {
            "duration": waited(ticket.created_at, now),
            "time": absolute(ticket.created_at),
        }
        facts.append(Fact(_("DataWorks has been waiting"), waiting))
        if ticket.expires_at is not None:
            facts.append(Fact(_("Expires"), absolute(ticket.expires_at)))
    return facts


def digest_groups(outgoing: Outgoing) -> tuple[Group, ...]:
    """The digest's tickets grouped by the intent of the message each one waited with, in the order of Intent."""
    intents = outgoing.digest_intents
    by_intent: dict[Intent, list[TicketFacts]] = {}
    for index, ticket in enumerate(outgoing.tickets):
        intent = intents[index] if index < len(intents) else Intent.READY
        by_intent.setdefault(intent, []).append(ticket)
    groups = []
    for intent in Intent:
        tickets = by_intent.get(intent)
        if tickets:
            label = _("%(label)s (%(count)d)") % {"label": group_label(intent), "count": len(tickets)}
            groups.append(Group(label, tuple(tickets)))
    return tuple(groups)


def compose(outgoing: Outgoing, now: datetime, *, comment_max: int = COMMENT_MAX) -> Content:
    """What `outgoing` says, in the active language."""
    intent = outgoing.intent
    if intent is Intent.TEST:
        return Content(_("This is a test message from Review Gate."), "", (), "", "", intent=intent)
    if intent is Intent.DIGEST:
        count = len(outgoing.tickets)
        headline = ngettext(
            "Review Gate: %(count)d ticket to look at", "Review Gate: %(count)d tickets to look at", count
        ) % {"count": count}
        # The headline holds no title: escape a literal percent sign for the later `% {"title": ...}`.
        return Content(headline.replace("%", "%%"), "", (), "", "", groups=digest_groups(outgoing), intent=intent)
    if not outgoing.tickets:
        return Content(_("Review Gate"), "", (), "", "", intent=intent)
    ticket = outgoing.tickets[0]
    return Content(
        headline=_headline(intent),
        title=truncate_chars(ticket.title or "-", TITLE_MAX),
        facts=tuple(ticket_facts(intent, ticket, now, comment_max=comment_max)),
        link_label=_("Open the ticket"),
        link_url=ticket.url,
        intent=intent,
    )
