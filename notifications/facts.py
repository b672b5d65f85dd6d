"""Build what a message says (`TicketFacts`, mentions, the language) from the database, at send time."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.directory import identities_by_user
from approvals.models import ReviewerProfile, Ticket
from approvals.tickets import policy
from approvals.tickets.tips import ticket_url
from notifications.channels.message import Kind, Mention, TicketFacts
from workspaces.models import WorkspaceSettings

User = get_user_model()
CHAT_PROVIDER = {Kind.DINGTALK: "dingtalk", Kind.FEISHU: "feishu", Kind.WECOM: "wecom", Kind.SLACK: "slack"}


def waiting_reviewer_ids(ticket: Ticket, requirements: list[policy.Requirement] | None = None) -> list[int]:
    """Return the users who may still approve an open ticket (the rules not yet met), in a stable order; pass the
    ticket's `policy.requirements` when already read (they cost several queries)."""
    if ticket.status != Ticket.Status.PENDING:
        return []
    ids: set[int] = set()
    for requirement in policy.requirements(ticket) if requirements is None else requirements:
        if not requirement.satisfied:
            ids |= requirement.reviewer_ids - set(requirement.approver_ids)
    return sorted(ids)


def _requirement_text(requirements: list[policy.Requirement]) -> str:
    parts = []
    for requirement in requirements:
        if requirement.auto_outcome:
            continue
        parts.append(
            _("%(rule)s: %(done)d of %(needed)d approvals")
            % {"rule": requirement.label, "done": len(requirement.approver_ids), "needed": requirement.required}
        )
    return "; ".join(parts)


def _reason(ticket: Ticket) -> str:
    if ticket.status == Ticket.Status.NEEDS_ATTENTION:
        return ticket.attention_reason
    if ticket.unreachable_reason:
        return ticket.unreachable_reason
    callback = getattr(ticket, "callback", None)
    if callback is not None and callback.last_error_code:
        return _("DataWorks refused the result: %(code)s") % {"code": callback.last_error_code}
    return ""


def ticket_facts(ticket: Ticket, language: str) -> TicketFacts:
    """Return the facts of one ticket as a message in `language` tells them."""
    with translation.override(language):
        requirements = policy.requirements(ticket)
        waiting = waiting_reviewer_ids(ticket, requirements)
        usernames = list(User.objects.filter(pk__in=waiting).order_by("username").values_list("username", flat=True))
        workspace = WorkspaceSettings.objects.filter(project_id=ticket.project_id).values_list("name", flat=True)
        return TicketFacts(
            id=ticket.pk,
            url=ticket_url(ticket),
            message_id=ticket.message_id,
            event_code=ticket.event_code,
            project_id=ticket.project_id,
            workspace_name=next(iter(workspace), "") or "",
            title=ticket.title,
            path=ticket.path,
            operator=policy.operator_display(ticket),
            status=ticket.status,
            check_result=ticket.check_result,
            decided_by=ticket.decided_by.get_username() if ticket.decided_by else "",
            comment=ticket.decision_comment,
            waiting_for=tuple(usernames),
            requirement=_requirement_text(requirements),
            created_at=ticket.created_at,
            expires_at=ticket.expires_at,
            risk=None,
            reason=_reason(ticket),
        )


def mentions(user_ids: list[int], kind: str) -> tuple[Mention, ...]:
    """Return whom to @-mention on a chat platform: each user with their mapped id (or mobile) when there is one.
    Unverified identities are fine here: a mention grants nothing."""
    provider = CHAT_PROVIDER.get(Kind(kind))
    if not user_ids or provider is None:
        return ()
    identities = identities_by_user(user_ids, provider)
    users = User.objects.filter(pk__in=user_ids).order_by("username")
    return tuple(
        Mention(
            name=user.get_username(),
            external_id=identities[user.pk].external_id if user.pk in identities else "",
            mobile=identities[user.pk].mobile if user.pk in identities else "",
        )
        for user in users
        if user.pk in identities
    )


def language_for(user_ids: list[int], channel_language: str) -> str:
    """Return the message's language: the recipients' own when they all chose the same one, else the channel's,
    else the site's default."""
    chosen = set(
        ReviewerProfile.objects.filter(user_id__in=user_ids).exclude(language="").values_list("language", flat=True)
    )
    if user_ids and len(chosen) == 1:
        return chosen.pop()
    return channel_language or settings.LANGUAGE_CODE


def developer_user_id(ticket: Ticket) -> int | None:
    """Return the Review Gate user mapped to the change's DataWorks operator, if exactly one is."""
    if not ticket.operator_uid:
        return None
    ids = list(ReviewerProfile.objects.filter(dataworks_uid=ticket.operator_uid).values_list("user_id", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None
