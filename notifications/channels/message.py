"""What a notification says, independent of where it goes: the facts of the tickets and who it addresses.

The outbox (notifications.delivery) builds an `Outgoing` from the database; the channel code (render + transport)
turns it into one request for one kind of channel. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Intent(StrEnum):
    """Why a message is sent; the generic webhook's `type` is `ticket.<intent>` (`delivery.failed` for that one)."""

    READY = "ready"
    DECIDED = "decided"
    REMINDER = "reminder"
    ESCALATED = "escalated"
    NEEDS_ATTENTION = "needs_attention"
    UNREACHABLE = "unreachable"
    DELIVERY_FAILED = "delivery_failed"
    DIGEST = "digest"  # several messages that waited for a robot's budget, folded into one
    TEST = "test"  # the admin's "send a test message"

    @property
    def webhook_type(self) -> str:
        return "delivery.failed" if self is Intent.DELIVERY_FAILED else f"ticket.{self.value}"


class Kind(StrEnum):
    DINGTALK = "dingtalk"
    FEISHU = "feishu"
    WECOM = "wecom"
    SLACK = "slack"
    WEBHOOK = "webhook"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Finding:
    """One risk finding to name in a message (issue 16 fills these; empty until then)."""

    rule: str
    severity: str
    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What a reviewer needs to know about one ticket. Every string is untrusted (it comes from DataWorks or a
    user): renderers escape it for their format."""

    id: int
    url: str  # absolute URL of the ticket page
    message_id: str
    event_code: str
    project_id: int
    workspace_name: str  # "" when unknown
    title: str  # node or file name
    path: str
    operator: str  # display name of who made the change (mapped user, else DataWorks UID)
    status: str  # approvals.models.Ticket.Status value
    check_result: str  # "" until decided; OK, WARN or FAIL
    decided_by: str  # username, "" for the system or undecided
    comment: str  # the decision comment
    waiting_for: tuple[str, ...]  # usernames of reviewers who may still approve
    requirement: str  # e.g. "2 approvals (rule sales-prod)"; already in the message's language
    created_at: datetime  # when DataWorks started waiting (the event's arrival)
    expires_at: datetime | None
    risk: str | None = None  # None until the risk analysis exists
    findings: tuple[Finding, ...] = ()
    reason: str = ""  # needs-attention / unreachable / delivery-failed explanation, in the message's language


@dataclass(frozen=True, slots=True)
class Mention:
    """Someone to @-mention in a chat message: their display name and, when mapped, their id on this platform."""

    name: str
    external_id: str = ""  # DingTalk userId, Feishu open_id, WeCom userid, Slack member id
    mobile: str = ""  # DingTalk can mention by mobile when no user id is mapped
    email: str = ""  # email channels without a fixed `to` write to these


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one target. `delivery_id` is stable across retries (the webhook's `id`, the dedupe key)."""

    delivery_id: str
    intent: Intent
    tickets: tuple[TicketFacts, ...]  # one, or several for a digest
    language: str  # "zh-hans" or "en"
    sent_at: datetime
    mentions: tuple[Mention, ...] = ()
    why: str = ""  # the email footer's "you receive this because ...", in the message's language
    digest_intents: tuple[Intent, ...] = field(default=())  # for a digest: the intent of each ticket's message
