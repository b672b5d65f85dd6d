"""Ticket lifecycle beyond a human decision: reconciliation, exempt workspaces, workspace options, linked tickets."""

from __future__ import annotations

import pytest

from approvals.delivery.reconcile import reconcile
from approvals.models import Callback, Ticket
from approvals.tickets import services
from events import simulation
from events.models import InboundEvent
from tests.factories import RuleFactory, UserFactory
from tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db
PROJECT = 10001
EXTENSION = {"ExtensionCode": "ext-review-gate-test", "ExtensionName": "Review Gate", "Status": 1}


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    def _deliver(code, **kwargs):
        sim = simulation.build(code, project_id=PROJECT, **kwargs)
        emulator.store.load_seed(sim.seed)
        assert post_event(sim.event).status_code == 202
        run_queued_tasks()
        return sim

    return _deliver


def test_reconciliation_tickets_a_check_that_never_reached_the_webhook(emulator, dw_settings, settings):
    settings.REVIEW_GATE_WORKSPACES = [PROJECT]
    sim = simulation.build("commit-file", project_id=PROJECT)
    emulator.store.load_seed(sim.seed)  # DataWorks knows the check; EventBridge never delivered it

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = reconcile()
    run_queued_tasks()

    assert report.created == [sim.message_id]
    ticket = Ticket.objects.get(message_id=sim.message_id)
    assert ticket.status == Ticket.Status.PENDING
    assert "NOT IN ('TEST', 'CANCELLED')" in ticket.new_content
    assert reconcile().created == []  # the second run finds it known


def test_real_event_after_reconciliation_does_not_make_a_second_ticket(deliver, emulator, settings, post_event):
    settings.REVIEW_GATE_WORKSPACES = [PROJECT]
    sim = simulation.build("deploy-file", project_id=PROJECT)
    emulator.store.load_seed(sim.seed)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        reconcile()
    run_queued_tasks()

    assert post_event(sim.event).status_code == 202
    run_queued_tasks()

    assert Ticket.objects.filter(message_id=sim.message_id).count() == 1
    assert set(InboundEvent.objects.filter(message_id=sim.message_id).values_list("status", flat=True)) == {"PROCESSED"}


@pytest.mark.parametrize(("dataworks_status", "result"), [("PASSED", "OK"), ("BLOCKED", "FAIL")])
def test_ticket_already_finished_in_dataworks_is_closed_without_sending(
    deliver, emulator, dataworks_status, result, settings
):
    sim = deliver("commit-file")
    ticket = Ticket.objects.get(message_id=sim.message_id)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at.replace(year=2020))
    emulator.store.put_check_process({**sim.seed["check_processes"][0], "Status": dataworks_status})

    report = reconcile()

    ticket.refresh_from_db()
    assert report.resolved == [ticket.pk]
    assert (ticket.status, ticket.check_result) == ("RESOLVED_IN_DATAWORKS", result)
    assert not Callback.objects.filter(message_id=sim.message_id).exists()
    assert emulator.store.callbacks_json() == []


def test_disabled_workspace_is_answered_ok_without_a_ticket(deliver, emulator):
    emulator.store.set_extension({**EXTENSION, "ParameterSetting": f"extension.project.disabled={PROJECT},99"})

    sim = deliver("commit-file")

    assert not Ticket.objects.filter(message_id=sim.message_id).exists()
    [callback] = emulator.store.callbacks_json()
    assert callback["params"]["CheckResult"] == "OK"
    assert "exempt" in callback["params"]["CheckResultTip"]


def test_event_specific_exemption_only_covers_that_event(deliver, emulator):
    emulator.store.set_extension({**EXTENSION, "ParameterSetting": f"extension.project.run-file.disabled={PROJECT}"})

    run_sim = deliver("run-file")
    commit_sim = deliver("commit-file")

    assert not Ticket.objects.filter(message_id=run_sim.message_id).exists()
    assert Ticket.objects.get(message_id=commit_sim.message_id).status == Ticket.Status.PENDING


def test_workspace_option_sends_a_rejection_as_warn(deliver, emulator, django_capture_on_commit_callbacks):
    emulator.store.set_project_options(PROJECT, {"rejectResult": "WARN"})
    reviewer = UserFactory(username="opt")
    RuleFactory(reviewer_users=[reviewer])
    sim = deliver("commit-file")
    ticket = Ticket.objects.get(message_id=sim.message_id)

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="risky but allowed here")
    run_queued_tasks()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result) == ("REJECTED", "WARN")
    assert emulator.store.callbacks_json()[0]["params"]["CheckResult"] == "WARN"


def test_a_newer_change_to_the_same_file_is_linked_not_answered(deliver, client):
    reviewer = UserFactory(username="linker")
    RuleFactory(reviewer_users=[reviewer])
    first = Ticket.objects.get(message_id=deliver("commit-file").message_id)
    second = Ticket.objects.get(message_id=deliver("commit-file").message_id)

    assert second.supersedes == first
    first.refresh_from_db()
    assert first.status == Ticket.Status.PENDING
    client.force_login(reviewer)
    assert f"ticket #{second.pk}" in client.get(f"/tickets/{first.pk}/").content.decode()
    assert f"ticket #{first.pk}" in client.get(f"/tickets/{second.pk}/").content.decode()
