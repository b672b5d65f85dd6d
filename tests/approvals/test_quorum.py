"""Unreachable requirements: a rule with fewer eligible reviewers than approvals it needs is said out loud, stored on
pending tickets, published once, and kept current when rules, groups or users change."""

from __future__ import annotations

import pytest

from approvals.models import Ticket
from approvals.tickets import policy
from approvals.tickets.changes import Change, TicketChanged, subscribe, unsubscribe
from approvals.tickets.quorum import (
    connect_quorum_signals,
    rule_quorum_warning,
    ticket_refresh_unreachable,
    unreachable_reasons,
)
from tests.factories import GroupFactory, RuleFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db
OPERATOR_UID = "193745001735"  # the factories' event operator


@pytest.fixture(autouse=True)
def _quorum_signals():
    connect_quorum_signals()  # ApprovalsConfig.ready() connects them; idempotent


@pytest.fixture
def published():
    seen: list[TicketChanged] = []

    def record(change: TicketChanged) -> None:
        if change.change == Change.UNREACHABLE:
            seen.append(change)

    subscribe(record, when="in_transaction")
    yield seen
    unsubscribe(record, when="in_transaction")


@pytest.fixture
def pair():
    """A group of two: the person who made the change (by DataWorks UID) and one colleague."""
    author = UserFactory(username="author", dataworks_uid=OPERATOR_UID)
    colleague = UserFactory(username="colleague")
    group = GroupFactory(name="etl-team")
    group.user_set.set([author, colleague])
    return author, colleague, group


def _stored(ticket: Ticket) -> str:
    return Ticket.objects.values_list("unreachable_reason", flat=True).get(pk=ticket.pk)


class TestUnreachableReasons:
    def test_a_human_requirement_with_fewer_eligible_reviewers_than_approvals_is_named_with_why(self):
        short = policy.Requirement(label="prod-sql", required=2, reviewer_ids=frozenset({7}), rule_id=1)
        nobody = policy.Requirement(label="dba", required=1, reviewer_ids=frozenset(), rule_id=2)
        enough = policy.Requirement(label="etl", required=2, reviewer_ids=frozenset({7, 8}), rule_id=3)
        automatic = policy.Requirement(label="auto", required=5, reviewer_ids=frozenset(), auto_outcome="OK", rule_id=4)

        reasons = unreachable_reasons([short, nobody, enough, automatic])

        assert len(reasons) == 2
        assert "prod-sql" in reasons[0] and "needs 2 approvals" in reasons[0] and "only 1 person" in reasons[0]
        assert "dba" in reasons[1] and "nobody can give it" in reasons[1]

    def test_the_author_of_the_change_does_not_count(self, pair):
        _author, _colleague, group = pair
        ticket = TicketFactory(matched=[RuleFactory(name="two-of-two", min_approvals=2, reviewer_groups=[group])])

        [reason] = unreachable_reasons(policy.requirements(ticket))

        assert "two-of-two" in reason and "other than the person who made the change" in reason

    def test_inactive_reviewers_do_not_count(self):
        ghost = UserFactory(username="ghost", is_active=False)
        ticket = TicketFactory(matched=[RuleFactory(name="ghosts", reviewer_users=[ghost])])

        [reason] = unreachable_reasons(policy.requirements(ticket))

        assert "ghosts" in reason and "nobody" in reason

    def test_a_reachable_ticket_has_no_reasons(self, pair):
        _author, _colleague, group = pair
        ticket = TicketFactory(matched=[RuleFactory(min_approvals=1, reviewer_groups=[group])])

        assert unreachable_reasons(policy.requirements(ticket)) == []


class TestRefresh:
    def test_stores_the_reason_on_pending_tickets_and_publishes_once(self, pair, published):
        _author, _colleague, group = pair
        rule = RuleFactory(name="two-of-two", min_approvals=2, reviewer_groups=[group])
        ticket = TicketFactory(matched=[rule])
        decided = TicketFactory(matched=[rule], status=Ticket.Status.NEEDS_ATTENTION)

        assert ticket_refresh_unreachable(ticket_ids=[ticket.pk, decided.pk]) == 1
        assert ticket_refresh_unreachable(ticket_ids=[ticket.pk, decided.pk]) == 0  # unchanged: nothing published

        assert "two-of-two" in _stored(ticket)
        assert _stored(decided) == ""
        assert published == [TicketChanged(ticket.pk, Change.UNREACHABLE, None, Ticket.Status.PENDING)]

    def test_clears_the_reason_once_the_rule_can_be_met(self, pair):
        _author, _colleague, group = pair
        rule = RuleFactory(min_approvals=2, reviewer_groups=[group])
        ticket = TicketFactory(matched=[rule])
        ticket_refresh_unreachable(ticket_ids=[ticket.pk])
        Ticket.objects.filter(pk=ticket.pk).update(operator_uid="someone-else")  # now both may approve

        assert ticket_refresh_unreachable(ticket_ids=[ticket.pk]) == 1
        assert _stored(ticket) == ""


class TestKeptCurrent:
    """Signals refresh the pending tickets of every rule whose reviewers may have changed."""

    def test_group_membership_change_refreshes_the_rules_tickets(self, pair, published):
        _author, colleague, group = pair
        ticket = TicketFactory(matched=[RuleFactory(name="two-of-two", min_approvals=2, reviewer_groups=[group])])
        ticket_refresh_unreachable(ticket_ids=[ticket.pk])
        assert _stored(ticket)
        published.clear()

        newcomer = UserFactory(username="newcomer")
        newcomer.groups.add(group)  # from the user's side
        assert _stored(ticket) == ""

        group.user_set.remove(newcomer)  # from the group's side
        assert "two-of-two" in _stored(ticket)
        assert [c.ticket_id for c in published] == [ticket.pk]

        newcomer.groups.add(group)
        colleague.groups.clear()  # the colleague leaves every group: unreachable again
        assert "two-of-two" in _stored(ticket)

    def test_deactivating_a_reviewer_refreshes(self):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        ticket = TicketFactory(matched=[RuleFactory(name="pair", min_approvals=2, reviewer_users=[alice, bob])])
        assert _stored(ticket) == ""

        bob.is_active = False
        bob.save()
        assert "pair" in _stored(ticket)

        bob.is_active = True
        bob.save(update_fields=["is_active"])
        assert _stored(ticket) == ""

    def test_rule_changes_refresh(self):
        alice = UserFactory(username="alice")
        rule = RuleFactory(name="solo", min_approvals=1, reviewer_users=[alice])
        ticket = TicketFactory(matched=[rule])

        rule.min_approvals = 2
        rule.save()
        assert "solo" in _stored(ticket)

        rule.reviewers.add(UserFactory(username="bob"))
        assert _stored(ticket) == ""

        rule.reviewers.clear()
        assert "solo" in _stored(ticket)

    def test_deleting_a_rule_or_a_reviewer_refreshes(self):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        ok = RuleFactory(name="ok", reviewer_users=[alice])
        short = RuleFactory(name="short", min_approvals=2, reviewer_users=[alice, bob])
        ticket = TicketFactory(matched=[ok, short])

        bob.delete()
        assert "short" in _stored(ticket)

        short.delete()
        assert _stored(ticket) == ""


class TestRuleWarning:
    def test_fewer_active_reviewers_than_approvals(self):
        alice = UserFactory(username="alice")
        ghost = UserFactory(username="ghost", is_active=False)
        rule = RuleFactory(name="short", min_approvals=2, reviewer_users=[alice, ghost])

        warning = rule_quorum_warning(rule)

        assert "short" in warning and "can never be approved" in warning and "only 1 active reviewer" in warning

    def test_exactly_as_many_reviewers_as_approvals_warns_about_own_changes(self, pair):
        _author, _colleague, group = pair
        rule = RuleFactory(name="tight", min_approvals=2, reviewer_groups=[group])

        assert "nobody approves their own change" in rule_quorum_warning(rule)

    def test_enough_reviewers_or_an_automatic_rule_say_nothing(self, pair):
        _author, _colleague, group = pair

        assert rule_quorum_warning(RuleFactory(min_approvals=1, reviewer_groups=[group])) == ""
        assert rule_quorum_warning(RuleFactory(auto_outcome="OK")) == ""
