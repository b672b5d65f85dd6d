"""Decisions without friction (issue 18): withdrawing an approval, requesting changes, and the tip they produce."""

from __future__ import annotations

import pytest

from approvals.errors import CommentRequired, NotAllowed, TicketNotOpen
from approvals.models import AuditEntry, Callback, Ticket, current_approvers
from approvals.tickets import changes, services
from approvals.tickets.tips import build_tip
from tests.factories import RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    seen: list[changes.TicketChanged] = []
    changes.subscribe(seen.append, when="in_transaction")
    yield seen
    changes.unsubscribe(seen.append, when="in_transaction")


@pytest.fixture
def people():
    return UserFactory(username="rita"), UserFactory(username="bob")


@pytest.fixture
def ticket(people):
    return TicketFactory(matched=[RuleFactory(name="two eyes", reviewer_users=list(people), min_approvals=2)])


def test_an_approval_can_be_withdrawn_while_the_ticket_waits(ticket, people, published):
    rita, _bob = people
    services.ticket_approve(ticket_id=ticket.pk, user=rita)

    services.ticket_withdraw_approval(ticket_id=ticket.pk, user=rita, ip="10.0.0.1")

    entry = ticket.audit.get(action=AuditEntry.Action.APPROVAL_WITHDRAWN)
    assert (entry.actor, entry.ip_address) == (rita, "10.0.0.1")
    assert published[-1].change == changes.Change.APPROVAL_WITHDRAWN and published[-1].actor_id == rita.pk
    actions = ticket.audit.order_by("created_at", "pk").values_list("action", "actor_id")
    assert current_approvers(actions) == []
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_withdrawing_needs_an_approval_and_a_pending_ticket(ticket, people):
    rita, bob = people
    with pytest.raises(NotAllowed):
        services.ticket_withdraw_approval(ticket_id=ticket.pk, user=rita)
    services.ticket_approve(ticket_id=ticket.pk, user=rita)
    services.ticket_approve(ticket_id=ticket.pk, user=bob)  # decides it
    with pytest.raises(TicketNotOpen):
        services.ticket_withdraw_approval(ticket_id=ticket.pk, user=rita)


def test_current_approvers_counts_an_approval_until_it_is_withdrawn():
    approved, withdrawn = AuditEntry.Action.APPROVED, AuditEntry.Action.APPROVAL_WITHDRAWN
    entries = [(approved, 1), (approved, 2), (withdrawn, 1), ("REJECTED", 3), (approved, 1), (withdrawn, 2)]
    assert current_approvers(entries) == [1]
    assert current_approvers([(withdrawn, 5), (approved, None)]) == []


def test_the_withdraw_button_posts_and_redirects(client, ticket, people):
    rita, _bob = people
    client.force_login(rita)
    client.post(f"/tickets/{ticket.pk}/decide", {"action": "approve"})
    assert 'data-testid="withdraw-approval"' in client.get(f"/tickets/{ticket.pk}/").content.decode()

    response = client.post(f"/tickets/{ticket.pk}/withdraw-approval")

    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.audit.filter(action=AuditEntry.Action.APPROVAL_WITHDRAWN, actor=rita).count() == 1


def test_request_changes_rejects_with_the_notes_and_the_tip_carries_them(ticket, people, published):
    rita, _bob = people
    services.ticket_request_changes(ticket_id=ticket.pk, user=rita, notes="Partition by ds, not by hour.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result) == (Ticket.Status.REJECTED, "FAIL")
    assert ticket.audit.filter(action=AuditEntry.Action.CHANGES_REQUESTED, comment__contains="Partition").exists()
    assert published[-1].change == changes.Change.DECIDED
    tip = Callback.objects.get(ticket=ticket).tip
    assert tip.startswith("[Review Gate] Changes requested by rita") and "Partition by ds, not by hour." in tip


def test_request_changes_needs_notes_and_a_reviewer(ticket):
    with pytest.raises(CommentRequired):
        services.ticket_request_changes(ticket_id=ticket.pk, user=UserFactory(), notes=" ")
    with pytest.raises(NotAllowed):
        services.ticket_request_changes(ticket_id=ticket.pk, user=UserFactory(), notes="no")


def test_request_changes_from_the_form(client, ticket, people):
    client.force_login(people[0])
    response = client.post(f"/tickets/{ticket.pk}/decide", {"action": "changes", "comment": "rename the table"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.REJECTED and ticket.decision_comment == "rename the table"
    assert "rename the table" in build_tip(ticket)


def test_a_withdrawn_approval_stops_counting_and_the_ticket_waits_for_its_author_again():
    from approvals.tickets import policy
    from approvals.tickets.selectors import waiting_count, waiting_for
    from tests.factories import RuleFactory, TicketFactory, UserFactory

    alice, bob = UserFactory(username="w-alice"), UserFactory(username="w-bob")
    rule = RuleFactory(reviewer_users=[alice, bob], min_approvals=2)
    ticket = TicketFactory(matched=[rule])
    services.ticket_approve(ticket_id=ticket.pk, user=alice)
    assert waiting_count(alice) == 0 and not waiting_for(alice).exists()

    services.ticket_withdraw_approval(ticket_id=ticket.pk, user=alice)

    [requirement] = policy.requirements(Ticket.objects.get(pk=ticket.pk))
    assert requirement.approver_ids == ()
    assert waiting_count(alice) == 1 and waiting_for(alice).get() == ticket
    services.ticket_approve(ticket_id=ticket.pk, user=alice)  # may approve again
    services.ticket_approve(ticket_id=ticket.pk, user=bob)
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.APPROVED
