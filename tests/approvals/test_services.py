"""Ticket transitions: who may decide, when a ticket is decided, and what is recorded and queued."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from approvals.errors import CommentRequired, NotAllowed, TicketNotOpen
from approvals.models import AuditEntry, ReviewerProfile, Ticket
from approvals.tickets import services
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory
from tests.queue import queued_tasks

pytestmark = pytest.mark.django_db
OPERATOR_UID = "193745001735"


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def _actions(ticket):
    return list(ticket.audit.order_by("pk").values_list("action", flat=True))


def test_one_approval_by_an_eligible_reviewer_approves_and_queues_delivery(alice, django_capture_on_commit_callbacks):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=alice, comment="looks fine", ip="10.0.0.1")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result, ticket.decided_by) == ("APPROVED", "OK", alice)
    assert ticket.callback_status == Ticket.CallbackStatus.PENDING
    assert _actions(ticket) == [AuditEntry.Action.APPROVED]
    assert ticket.audit.get().ip_address == "10.0.0.1"
    callback = ticket.callback
    assert (callback.message_id, callback.result, callback.state) == (ticket.message_id, "OK", "PENDING")
    assert "looks fine" in callback.tip
    assert [(t["func"], t["kwargs"]) for t in queued_tasks()] == [
        ("approvals.tasks.deliver_callback", {"callback_id": callback.pk})
    ]


def test_minimum_of_two_needs_two_distinct_reviewers(alice, bob):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice, bob], min_approvals=2)])

    services.ticket_approve(ticket_id=ticket.pk, user=alice)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    with pytest.raises(NotAllowed, match="already approved"):
        services.ticket_approve(ticket_id=ticket.pk, user=alice)

    services.ticket_approve(ticket_id=ticket.pk, user=bob)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result) == ("APPROVED", "OK")


def test_each_rule_needs_its_own_reviewers(alice, bob):
    dba = GroupFactory(name="dba")
    bob.groups.add(dba)
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice]), RuleFactory(reviewer_groups=[dba])])

    services.ticket_approve(ticket_id=ticket.pk, user=alice)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING

    services.ticket_approve(ticket_id=ticket.pk, user=bob)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.APPROVED


def test_approval_with_warning_needs_a_comment_and_sends_warn(alice):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])
    with pytest.raises(CommentRequired):
        services.ticket_approve(ticket_id=ticket.pk, user=alice, warn=True)

    services.ticket_approve(ticket_id=ticket.pk, user=alice, warn=True, comment="fine, but add a partition filter")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result) == ("APPROVED", "WARN")


def test_one_rejection_rejects_even_when_others_approved(alice, bob):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice, bob], min_approvals=2)])
    services.ticket_approve(ticket_id=ticket.pk, user=alice)
    with pytest.raises(CommentRequired):
        services.ticket_reject(ticket_id=ticket.pk, user=bob, comment="   ")

    services.ticket_reject(ticket_id=ticket.pk, user=bob, comment="drops a production table")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result, ticket.decided_by) == ("REJECTED", "FAIL", bob)
    assert ticket.decision_comment == "drops a production table"


def test_the_operator_can_never_approve_their_own_change():
    author = UserFactory(username="author", dataworks_uid=OPERATOR_UID)
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[author])])

    with pytest.raises(NotAllowed, match="triggered this change"):
        services.ticket_approve(ticket_id=ticket.pk, user=author)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert not ticket.audit.exists()


def test_a_non_reviewer_cannot_decide(alice, bob):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    with pytest.raises(NotAllowed, match="not a reviewer"):
        services.ticket_reject(ticket_id=ticket.pk, user=bob, comment="no")


def test_a_decided_ticket_cannot_be_decided_again(alice):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])
    services.ticket_approve(ticket_id=ticket.pk, user=alice)

    with pytest.raises(TicketNotOpen):
        services.ticket_reject(ticket_id=ticket.pk, user=alice, comment="changed my mind")


def test_unmatched_ticket_needs_the_review_any_permission(alice, bob):
    bob.user_permissions.add(Permission.objects.get(codename="review_any"))
    ticket = TicketFactory()

    with pytest.raises(NotAllowed):
        services.ticket_approve(ticket_id=ticket.pk, user=alice)
    services.ticket_approve(ticket_id=ticket.pk, user=bob)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.APPROVED


def test_comment_length_is_limited(alice, settings):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

    with pytest.raises(CommentRequired, match="longer than"):
        services.ticket_reject(
            ticket_id=ticket.pk, user=alice, comment="x" * (settings.REVIEW_GATE_COMMENT_MAX_LENGTH + 1)
        )


class TestOverride:
    @pytest.fixture
    def staff(self):
        user = UserFactory(username="oncall", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="override_decision"))
        return user

    def test_staff_with_permission_override_with_a_reason(self, staff, alice):
        ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])
        with pytest.raises(CommentRequired):
            services.ticket_override(ticket_id=ticket.pk, user=staff, result="OK", reason="")

        services.ticket_override(ticket_id=ticket.pk, user=staff, result="OK", reason="prod incident INC-42")

        ticket.refresh_from_db()
        assert (ticket.status, ticket.check_result) == ("APPROVED", "OK")
        entry = ticket.audit.get()
        assert (entry.action, entry.actor, entry.comment) == ("OVERRIDDEN", staff, "prod incident INC-42")

    def test_staff_without_the_permission_cannot(self, alice):
        staff = UserFactory(username="plainstaff", is_staff=True)
        ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])

        with pytest.raises(NotAllowed):
            services.ticket_override(ticket_id=ticket.pk, user=staff, result="OK", reason="because")

    def test_override_cannot_pass_the_overriders_own_change(self, staff):
        ReviewerProfile.objects.create(user=staff, dataworks_uid=OPERATOR_UID)
        ticket = TicketFactory()

        with pytest.raises(NotAllowed, match=r"own|triggered"):
            services.ticket_override(ticket_id=ticket.pk, user=staff, result="OK", reason="urgent")
        services.ticket_override(ticket_id=ticket.pk, user=staff, result="FAIL", reason="withdrawing it")

        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.REJECTED

    def test_override_can_be_switched_off(self, staff, settings):
        settings.REVIEW_GATE_ALLOW_OVERRIDE = False
        ticket = TicketFactory()

        with pytest.raises(NotAllowed):
            services.ticket_override(ticket_id=ticket.pk, user=staff, result="OK", reason="urgent")


@pytest.mark.parametrize("outcome", ["OK", "WARN", "FAIL"])
def test_expiry_decides_with_the_timeout_outcome(outcome):
    ticket = TicketFactory(expires_at=timezone.now() - timedelta(minutes=1), timeout_outcome=outcome)

    services.ticket_expire(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result, ticket.decided_by) == ("EXPIRED", outcome, None)
    assert _actions(ticket) == [AuditEntry.Action.EXPIRED]


def test_a_ticket_cannot_expire_early():
    ticket = TicketFactory(expires_at=timezone.now() + timedelta(hours=1), timeout_outcome="FAIL")

    with pytest.raises(TicketNotOpen):
        services.ticket_expire(ticket_id=ticket.pk)


def test_audit_entries_are_append_only(alice):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice])])
    services.ticket_approve(ticket_id=ticket.pk, user=alice)
    entry = ticket.audit.get()

    entry.comment = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_the_same_moment_give_one_outcome(alice, bob):
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[alice, bob])])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action):
        barrier.wait()
        try:
            action()
            outcomes.append("decided")
        except (TicketNotOpen, NotAllowed) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(lambda: services.ticket_approve(ticket_id=ticket.pk, user=alice),)),
        threading.Thread(
            target=decide, args=(lambda: services.ticket_reject(ticket_id=ticket.pk, user=bob, comment="no"),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    ticket.refresh_from_db()
    assert sorted(outcomes) == ["TicketNotOpen", "decided"]
    decisions = ticket.audit.filter(action__in=["APPROVED", "REJECTED"])
    assert decisions.count() == 1
    assert ticket.status == {"APPROVED": "APPROVED", "REJECTED": "REJECTED"}[decisions.get().action]
    assert len(queued_tasks()) == 1
