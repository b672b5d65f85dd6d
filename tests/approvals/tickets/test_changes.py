"""The transition layer publishes every ticket change: in the change's transaction, and after its commit only."""

from __future__ import annotations

import pytest
from django.db import transaction

from approvals.errors import NotAllowed
from approvals.models import Callback, Ticket
from approvals.tickets import services
from approvals.tickets.changes import Change, TicketChanged, subscribe, unsubscribe
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded():
    """Subscribe a recorder of each kind for the test, and take them away afterwards."""
    seen: dict[str, list[TicketChanged]] = {"in_transaction": [], "after_commit": []}

    def inside(change: TicketChanged) -> None:
        # Runs in the change's transaction: the changed row is visible and the outbox record already written.
        seen["in_transaction"].append(change)

    def after(change: TicketChanged) -> None:
        seen["after_commit"].append(change)

    subscribe(inside, when="in_transaction")
    subscribe(after, when="after_commit")
    yield seen
    unsubscribe(inside, when="in_transaction")
    unsubscribe(after, when="after_commit")


def test_a_decision_is_published_inside_its_transaction_and_after_its_commit(
    recorded, django_capture_on_commit_callbacks
):
    alice = UserFactory()
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=alice, comment="fine")

    expected = TicketChanged(ticket.pk, Change.DECIDED, alice.pk, Ticket.Status.APPROVED, "OK")
    assert recorded["in_transaction"] == [expected]
    assert recorded["after_commit"] == [expected]


def test_an_approval_that_does_not_decide_is_published_as_recorded(recorded, django_capture_on_commit_callbacks):
    alice, bob = UserFactory(), UserFactory()
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice, bob], min_approvals=2)])

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=alice)

    assert [c.change for c in recorded["after_commit"]] == [Change.APPROVAL_RECORDED]
    assert not Callback.objects.exists()


def test_a_change_that_rolls_back_reaches_no_after_commit_subscriber_and_leaves_no_outbox_row(
    recorded, django_capture_on_commit_callbacks
):
    alice = UserFactory()
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_approve(ticket_id=ticket.pk, user=alice)
        raise RuntimeError("the caller's transaction fails after the decision")

    assert [c.change for c in recorded["in_transaction"]] == [Change.DECIDED]
    assert recorded["after_commit"] == []
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not Callback.objects.exists()


def test_a_refused_decision_publishes_nothing(recorded):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[UserFactory()])])

    with pytest.raises(NotAllowed):
        services.ticket_approve(ticket_id=ticket.pk, user=UserFactory())

    assert recorded == {"in_transaction": [], "after_commit": []}


def test_an_in_transaction_subscriber_that_fails_aborts_the_change():
    alice = UserFactory()
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    def refuse(change: TicketChanged) -> None:
        raise ValueError("outbox unavailable")

    subscribe(refuse, when="in_transaction")
    try:
        with pytest.raises(ValueError, match="outbox unavailable"):
            services.ticket_approve(ticket_id=ticket.pk, user=alice)
    finally:
        unsubscribe(refuse, when="in_transaction")

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not ticket.audit.exists()


def test_open_statuses_are_the_undecided_ones():
    statuses = {status: TicketFactory(status=status) for status in Ticket.OPEN_STATUSES}

    assert set(Ticket.objects.open().values_list("pk", flat=True)) == {t.pk for t in statuses.values()}
    assert all(ticket.is_open for ticket in statuses.values())
