"""Domain events of the transition layer: every ticket change is published here, to two kinds of subscriber.

In-transaction subscribers run inside the transaction that made the change, so what they write (an outbox row)
commits or rolls back with it. After-commit subscribers run once the change is committed (to queue work), and never
for a change that rolled back. Subscribers register in an `AppConfig.ready()`; a subscriber that raises aborts an
in-transaction change, so keep them small and total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Literal

from django.db import transaction


class Change(StrEnum):
    """What happened to a ticket."""

    OPENED = "opened"  # created for an event, to be prepared
    READY = "ready"  # prepared and waiting for reviewers (rules matched)
    PREPARATION_DEFERRED = "preparation_deferred"  # a transient failure; preparation will be retried
    NEEDS_ATTENTION = "needs_attention"  # preparation failed for good
    PREPARATION_RETRIED = "preparation_retried"  # staff sent a ticket that needed attention back to preparation
    UNREACHABLE = "unreachable"  # a matched rule cannot be met (too few eligible reviewers)
    APPROVAL_RECORDED = "approval_recorded"  # one reviewer approved; more approvals are needed
    DECIDED = "decided"  # approved, rejected, expired, overridden or decided automatically
    RESOLVED_IN_DATAWORKS = "resolved_in_dataworks"  # DataWorks finished the check itself
    CALLBACK_DELIVERED = "callback_delivered"
    CALLBACK_FAILED = "callback_failed"  # DataWorks refused the result permanently
    CALLBACK_RETRIED = "callback_retried"
    CALLBACK_RESOLVED = "callback_resolved"
    FINDING_WAIVED = "finding_waived"  # a reviewer waived a risk finding (what the page and tip show changes)
    APPROVAL_WITHDRAWN = "approval_withdrawn"  # a reviewer took back an approval; the ticket still waits
    LINE_COMMENTED = "line_commented"  # a comment on a line of the diff (what the page and a rejection's tip show)


@dataclass(frozen=True, slots=True)
class TicketChanged:
    """One change of one ticket: its id, what changed, who did it (None: the system), and its status afterwards."""

    ticket_id: int
    change: Change
    actor_id: int | None
    status: str
    result: str = ""


Subscriber = Callable[[TicketChanged], None]
When = Literal["in_transaction", "after_commit"]
_subscribers: dict[When, list[Subscriber]] = {"in_transaction": [], "after_commit": []}


def subscribe(subscriber: Subscriber, *, when: When) -> None:
    """Call `subscriber` for every ticket change, inside its transaction or after its commit (idempotent)."""
    if subscriber not in _subscribers[when]:
        _subscribers[when].append(subscriber)


def unsubscribe(subscriber: Subscriber, *, when: When) -> None:
    """Stop calling `subscriber` (tests use this to clean up)."""
    if subscriber in _subscribers[when]:
        _subscribers[when].remove(subscriber)


def publish(change: TicketChanged) -> None:
    """Hand one change to every subscriber; call it inside the transaction that made the change."""
    for subscriber in tuple(_subscribers["in_transaction"]):
        subscriber(change)
    for subscriber in tuple(_subscribers["after_commit"]):
        transaction.on_commit(partial(subscriber, change))
