"""Batch review: approve or reject several tickets with one comment.

Each ticket goes through the single-ticket service (`services.ticket_approve` / `services.ticket_reject`), so every
rule, permission check and audit entry is the one a single decision gets; a ticket the user may not decide is skipped
with the service's reason. Next to each decision, in its transaction, an audit entry `BATCH_DECISION` says that it
was part of a batch (which one, how many tickets), so the history shows it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.errors import ApprovalError
from approvals.models import AuditEntry
from approvals.tickets import services
from approvals.tickets.selectors import visible_tickets

BATCH_ACTIONS = ("approve", "reject")
MAX_BATCH = 500  # the most one batch decides; the web form and the API refuse more


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What happened to one ticket of a batch: decided (with the status after) or skipped (with why)."""

    ticket_id: int
    title: str
    decided: bool
    status: str = ""
    reason: str = ""
    code: str = ""


@dataclass
class BatchResult:
    """The outcome of every ticket of a batch, in the order given."""

    batch_id: str
    action: str
    outcomes: list[BatchOutcome] = field(default_factory=list)

    @property
    def decided(self) -> list[BatchOutcome]:
        return [outcome for outcome in self.outcomes if outcome.decided]

    @property
    def skipped(self) -> list[BatchOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.decided]


def _batch_note(batch_id: str, action: str, size: int, user: AbstractBaseUser) -> str:
    if action == "reject":
        text = ngettext(
            "Rejected by %(user)s in batch %(batch)s of %(n)d ticket.",
            "Rejected by %(user)s in batch %(batch)s of %(n)d tickets.",
            size,
        )
    else:
        text = ngettext(
            "Approved by %(user)s in batch %(batch)s of %(n)d ticket.",
            "Approved by %(user)s in batch %(batch)s of %(n)d tickets.",
            size,
        )
    return text % {"user": user.get_username(), "batch": batch_id, "n": size}


def batch_decide(
    *, ticket_ids: Iterable[int], user: AbstractBaseUser, action: str, comment: str, ip: str | None = None
) -> BatchResult:
    """Approve or reject each ticket as a single decision would; skip (with the reason) what the user may not decide.

    Tickets the user may not see are skipped as "no such ticket" (never saying whether it exists). Each ticket is
    its own transaction: one that fails leaves the others decided.

    :raises ValueError: an unknown action, or more than `MAX_BATCH` tickets.
    """
    if action not in BATCH_ACTIONS:
        raise ValueError(f"unknown batch action {action!r}")
    ids = list(dict.fromkeys(int(pk) for pk in ticket_ids))
    if len(ids) > MAX_BATCH:
        raise ValueError(f"a batch decides at most {MAX_BATCH} tickets")
    result = BatchResult(batch_id=uuid.uuid4().hex[:12], action=action)
    titles = dict(visible_tickets(user).filter(pk__in=ids).values_list("pk", "title"))
    note = _batch_note(result.batch_id, action, len(ids), user)
    for pk in ids:
        if pk not in titles:
            result.outcomes.append(
                BatchOutcome(pk, "", False, reason=_("No such ticket, or you may not see it."), code="not_found")
            )
            continue
        try:
            with transaction.atomic():
                if action == "reject":
                    ticket = services.ticket_reject(ticket_id=pk, user=user, comment=comment, ip=ip)
                else:
                    ticket = services.ticket_approve(ticket_id=pk, user=user, comment=comment, ip=ip)
                AuditEntry.objects.create(
                    ticket_id=pk, actor_id=user.pk, action=AuditEntry.Action.BATCH_DECISION, comment=note, ip_address=ip
                )
        except ApprovalError as exc:
            result.outcomes.append(BatchOutcome(pk, titles[pk], False, reason=exc.message, code=exc.code))
            continue
        result.outcomes.append(BatchOutcome(pk, titles[pk], True, status=str(ticket.status)))
    return result
