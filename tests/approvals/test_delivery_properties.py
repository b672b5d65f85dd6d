"""Property: whatever the interleaving of decisions, redeliveries, sweeps and faults, DataWorks ends up with exactly
one result per decided ticket, equal to the decision, and none for an undecided one."""

from __future__ import annotations

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from approvals.delivery import outbox
from approvals.delivery import selectors as delivery_selectors
from approvals.errors import ApprovalError
from approvals.jobs.sweeper import sweep
from approvals.models import Callback, Ticket
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory
from tests.queue import clear_queue, run_queued_tasks

pytestmark = pytest.mark.django_db
TICKETS = 3
MAX_EXAMPLES = 60

operations = st.lists(
    st.one_of(
        st.tuples(st.just("approve"), st.integers(0, TICKETS - 1), st.sampled_from(["alice", "bob"])),
        st.tuples(st.just("reject"), st.integers(0, TICKETS - 1), st.sampled_from(["alice", "bob"])),
        st.tuples(st.just("work"), st.integers(1, 3)),
        st.tuples(st.just("redeliver"), st.integers(0, TICKETS - 1)),
        st.tuples(st.just("sweep")),
        st.tuples(st.just("fault"), st.sampled_from(["throttle", "server_error", "drop", "forbidden"])),
    ),
    max_size=25,
)


def _apply(op, tickets, users, emulator):
    kind = op[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        if kind in ("approve", "reject"):
            ticket, user = tickets[op[1]], users[op[2]]
            try:
                if kind == "approve":
                    services.ticket_approve(ticket_id=ticket.pk, user=user)
                else:
                    services.ticket_reject(ticket_id=ticket.pk, user=user, comment="no")
            except ApprovalError:
                pass
        elif kind == "work":
            run_queued_tasks(limit=op[1])
        elif kind == "redeliver":
            callback = Callback.objects.filter(ticket=tickets[op[1]]).first()
            if callback is not None:
                outbox.callback_deliver(callback_id=callback.pk)
        elif kind == "sweep":
            sweep()
        else:
            emulator.store.add_fault("UpdateIDEEventResult", op[1], count=1)


def _drain(emulator, admin):
    """Let the system settle the way production does: sweeps and workers, and an admin retrying what failed."""
    emulator.store.faults.clear()
    for _ in range(10):
        with TestCase.captureOnCommitCallbacks(execute=True):
            for callback_id in Callback.objects.filter(state=Callback.State.FAILED).values_list("pk", flat=True):
                outbox.callback_retry_now(callback_id=callback_id, user=admin)
            sweep()
            run_queued_tasks()
        if not delivery_selectors.undelivered().exists():
            return


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_every_decided_ticket_gets_exactly_its_decision_once(ops, emulator, dw_settings, settings_overrides):
    emulator.store.reset()
    clear_queue()
    users = {"alice": UserFactory(username="alice"), "bob": UserFactory(username="bob")}
    rule = RuleFactory(reviewer_users=list(users.values()))
    tickets = [TicketFactory(matched=[rule]) for _ in range(TICKETS)]

    for op in ops:
        _apply(op, tickets, users, emulator)
    _drain(emulator, users["alice"])

    sent = emulator.store.callbacks_json()
    for ticket in tickets:
        ticket.refresh_from_db()
        results = [c["params"]["CheckResult"] for c in sent if c["params"]["MessageId"] == ticket.message_id]
        if ticket.status == Ticket.Status.PENDING:
            assert results == []
            assert not Callback.objects.filter(message_id=ticket.message_id).exists()
        else:
            assert results == [ticket.check_result]
            assert ticket.callback_status == Ticket.CallbackStatus.SENT


@pytest.fixture
def settings_overrides(settings):
    # No waiting between retries, so a sweep after a fault makes the record due again at once.
    settings.REVIEW_GATE_DELIVERY_BACKOFF_BASE_SECONDS = 0.0
    return settings
