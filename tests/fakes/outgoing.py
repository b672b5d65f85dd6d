"""Builders of `Outgoing` messages for tests and benchmarks of the channel layer (no database needed).

message = make_outgoing(Intent.READY, make_ticket(title="ods_sales"), language="en")
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from notifications.channels.message import Intent, Mention, Outgoing, TicketFacts

NOW = datetime(2026, 5, 18, 6, 30, tzinfo=UTC)  # a Monday, 14:30 in Shanghai
TICKET_URL = "http://testserver/tickets/{id}/"

HOSTILE = (
    '[click](http://evil) ![x](http://evil/img) @all @13800000000 <at user_id="all">所有人</at> <at id=all></at> '
    '<!channel> <!here> <@U999EVIL> <http://evil|x> <a href="http://evil">a</a> <font color=red>f</font>'
    "\n# heading\n> quote\n- item\n[ref]: http://evil\n<script>alert(1)</script> `code` **bold** ~~s~~ | t |"
)


def make_ticket(**overrides: Any) -> TicketFacts:
    ticket_id = int(overrides.pop("id", 7))
    facts = TicketFacts(
        id=ticket_id,
        url=TICKET_URL.format(id=ticket_id),
        message_id=f"msg-{ticket_id}",
        event_code="commit-file",
        project_id=10001,
        workspace_name="sales_prod",
        title=f"ods_sales_daily_{ticket_id}",
        path="/业务流程/sales/ods_sales_daily.sql",
        operator="bob",
        status="PENDING",
        check_result="",
        decided_by="",
        comment="",
        waiting_for=("alice", "carol"),
        requirement="2 approvals (rule sales-prod)",
        created_at=NOW - timedelta(minutes=12),
        expires_at=NOW + timedelta(hours=4),
    )
    return replace(facts, **overrides)


def make_outgoing(intent: Intent = Intent.READY, *tickets: TicketFacts, **overrides: Any) -> Outgoing:
    values: dict[str, Any] = {
        "delivery_id": "ntf-0001",
        "intent": intent,
        "tickets": tickets or (make_ticket(),),
        "language": "en",
        "sent_at": NOW,
        "mentions": (Mention("alice", external_id="alice01", mobile="13900000001"),),
        "why": "You receive this because you review workspace sales_prod.",
    }
    values.update(overrides)
    return Outgoing(**values)


def decided(ticket: TicketFacts | None = None, **overrides: Any) -> TicketFacts:
    base = ticket or make_ticket()
    values: dict[str, Any] = {
        "status": "REJECTED",
        "check_result": "FAIL",
        "decided_by": "alice",
        "comment": "Please add a partition filter.",
        "waiting_for": (),
    }
    values.update(overrides)
    return replace(base, **values)
