"""Result delivery through the outbox, against the emulator over HTTP with its fault injection."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from approvals.delivery import outbox
from approvals.delivery import selectors as delivery_selectors
from approvals.jobs.sweeper import sweep
from approvals.models import Callback, DeliveryAttempt, Ticket
from approvals.tickets import services
from tests.factories import RuleFactory, TicketFactory, UserFactory
from tests.queue import queued_tasks, run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(dw_settings, django_capture_on_commit_callbacks):
    """Return a ticket approved by a reviewer, with its outbox record written and its delivery queued."""
    reviewer = UserFactory(username="rev")
    ticket = TicketFactory(matched=[RuleFactory(reviewer_users=[reviewer])])
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer, comment="ship it")
    ticket.refresh_from_db()
    return ticket


def _make_due(callback):
    Callback.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now())


def _successes(emulator, message_id):
    return [c for c in emulator.store.callbacks_json() if c["params"]["MessageId"] == message_id]


def test_throttled_then_server_error_then_success_is_delivered_once(decided, emulator):
    emulator.store.add_fault("UpdateIDEEventResult", "throttle", count=1, retry_after_ms=1500)
    emulator.store.add_fault("UpdateIDEEventResult", "server_error", count=1)
    callback = decided.callback

    first = outbox.callback_deliver(callback_id=callback.pk)
    callback.refresh_from_db()
    assert (first.state, callback.state, callback.last_error_code) == ("PENDING", "PENDING", "Throttling.User")
    assert callback.next_attempt_at >= timezone.now() + timedelta(seconds=1)  # honours x-acs-retry-after
    assert outbox.callback_deliver(callback_id=callback.pk).called is False  # not due yet: nothing sent
    _make_due(callback)
    assert outbox.callback_deliver(callback_id=callback.pk).state == "PENDING"
    _make_due(callback)
    assert outbox.callback_deliver(callback_id=callback.pk).state == "DELIVERED"

    callback.refresh_from_db()
    decided.refresh_from_db()
    assert callback.attempts == 3
    assert list(callback.attempt_log.order_by("pk").values_list("outcome", "http_status")) == [
        ("THROTTLED", 429),
        ("TRANSIENT", 500),
        ("DELIVERED", None),
    ]
    assert decided.callback_status == Ticket.CallbackStatus.SENT
    [success] = _successes(emulator, decided.message_id)
    assert success["params"]["CheckResult"] == "OK"
    assert outbox.callback_deliver(callback_id=callback.pk).called is False  # delivered: never sent again


def test_permanent_error_is_not_retried_and_is_visible(decided, emulator, caplog, client):
    emulator.store.add_fault("UpdateIDEEventResult", "forbidden", count=1)
    callback = decided.callback

    with caplog.at_level(logging.ERROR, logger="approvals.delivery.outbox"):
        outcome = outbox.callback_deliver(callback_id=callback.pk)

    callback.refresh_from_db()
    decided.refresh_from_db()
    assert (outcome.state, callback.state, callback.last_error_code) == ("FAILED", "FAILED", "Forbidden.Access")
    assert callback.last_request_id
    assert decided.callback_status == Ticket.CallbackStatus.FAILED
    assert "Forbidden.Access" in caplog.text and callback.last_request_id in caplog.text
    assert delivery_selectors.due_for_dispatch(timezone.now() + timedelta(days=1), grace=timedelta(0)) == []
    staff = UserFactory(username="admin2", is_staff=True)
    client.force_login(staff)
    assert "could not be delivered" in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_run_twice_at_once_calls_dataworks_once(decided, emulator):
    emulator.store.add_fault("UpdateIDEEventResult", "latency", count=1, latency_ms=300)
    callback_id = decided.callback.pk
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        barrier.wait()
        try:
            outcomes.append(outbox.callback_deliver(callback_id=callback_id).called)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [False, True]
    assert len(_successes(emulator, decided.message_id)) == 1


def test_sweeper_requeues_due_and_orphaned_deliveries(decided):
    callback = decided.callback
    run_queued_tasks_count = len(queued_tasks())
    assert run_queued_tasks_count == 1
    Callback.objects.filter(pk=callback.pk).update(
        state=Callback.State.SENDING, claimed_until=timezone.now() - timedelta(seconds=1)
    )

    report = sweep()

    assert report["requeued_deliveries"] == 1
    assert report["oldest_undelivered_seconds"] is not None
    assert len(queued_tasks()) == 2


@pytest.mark.parametrize("outcome", ["OK", "WARN", "FAIL"])
def test_sweeper_expires_tickets_with_the_rule_outcome_and_delivers(dw_settings, emulator, outcome):
    ticket = TicketFactory(expires_at=timezone.now() - timedelta(seconds=5), timeout_outcome=outcome)

    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            report = sweep()
    run_queued_tasks()

    ticket.refresh_from_db()
    assert report["expired_tickets"] == 1
    assert (ticket.status, ticket.check_result, ticket.callback_status) == ("EXPIRED", outcome, "SENT")
    [success] = _successes(emulator, ticket.message_id)
    assert success["params"]["CheckResult"] == outcome


def test_admin_retry_makes_a_failed_delivery_due_again(decided, emulator, django_capture_on_commit_callbacks):
    emulator.store.add_fault("UpdateIDEEventResult", "forbidden", count=1)
    outbox.callback_deliver(callback_id=decided.callback.pk)
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        outbox.callback_retry_now(callback_id=decided.callback.pk, user=admin)
    run_queued_tasks()

    decided.refresh_from_db()
    assert decided.callback_status == Ticket.CallbackStatus.SENT
    assert decided.audit.filter(action="CALLBACK_RETRIED", actor=admin).exists()


def test_mark_resolved_needs_a_reason_and_sends_nothing(decided, emulator):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    with pytest.raises(ValueError):
        outbox.callback_mark_resolved(callback_id=decided.callback.pk, user=admin, reason=" ")

    outbox.callback_mark_resolved(callback_id=decided.callback.pk, user=admin, reason="passed by hand in DataWorks")

    decided.refresh_from_db()
    assert decided.callback_status == Ticket.CallbackStatus.RESOLVED
    assert outbox.callback_deliver(callback_id=decided.callback.pk).called is False
    assert emulator.store.callbacks_json() == []


def test_attempt_log_is_kept_per_call(decided, emulator):
    outbox.callback_deliver(callback_id=decided.callback.pk)

    assert DeliveryAttempt.objects.filter(callback=decided.callback).count() == 1
