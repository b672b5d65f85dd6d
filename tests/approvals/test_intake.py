"""From event to ticket, through the webhook, the queue, the real SDK and the emulator over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import AuditEntry, Ticket
from events import simulation
from events.catalogue import GATED_CODES
from events.models import InboundEvent
from tests.factories import RuleFactory, UserFactory
from tests.queue import queued_tasks, run_queued_tasks

pytestmark = pytest.mark.django_db
PROJECT = 10001


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    """Seed the emulator like `simulate_event` does, post the event, and run the queued processing."""

    def _deliver(code, **kwargs):
        sim = simulation.build(code, project_id=PROJECT, **kwargs)
        emulator.store.load_seed(sim.seed)
        response = post_event(sim.event)
        assert response.status_code == 202, response.content
        run_queued_tasks()
        return Ticket.objects.get(message_id=sim.message_id)

    return _deliver


@pytest.mark.parametrize("code", GATED_CODES)
def test_every_gated_event_kind_becomes_a_pending_ticket(deliver, code):
    ticket = deliver(code)

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert ticket.event.status == InboundEvent.Status.PROCESSED
    assert ticket.project_id == PROJECT
    assert ticket.title
    assert list(ticket.audit.values_list("action", flat=True)) == [AuditEntry.Action.CREATED]


def test_commit_diffs_against_the_newest_earlier_version_with_folder_path(deliver):
    ticket = deliver("commit-file")

    assert ticket.path == "etl/orders/ods_orders_daily"
    assert ticket.old_label.startswith("version 6")
    assert ticket.new_label.startswith("version 7")
    assert "status <> 'TEST'" in ticket.old_content
    assert "NOT IN ('TEST', 'CANCELLED')" in ticket.new_content
    assert "cron_express: 00 00 02 * * ?" in ticket.old_config
    assert "cron_express: 00 30 02 * * ?" in ticket.new_config
    assert ticket.snapshot["base_version"]["file_version"] == 6


def test_deploy_diffs_against_the_version_in_production(deliver):
    ticket = deliver("deploy-file")

    assert ticket.old_label.startswith("version 5")
    assert "'DEMO'" in ticket.old_content


def test_delete_shows_the_deleted_code_against_nothing(deliver):
    ticket = deliver("delete-file")

    assert "src_orders" in ticket.old_content
    assert ticket.new_content == ""


def test_table_event_keeps_the_table_model(deliver):
    ticket = deliver("deploy-table")

    columns = ticket.snapshot["table"]["columns"]
    assert [c["column_name"] for c in columns] == ["order_id", "amount", "currency", "ds"]
    assert ticket.snapshot["table"]["env"] == "PROD"


def test_backfill_event_keeps_dates_and_parallelism(deliver):
    ticket = deliver("backfill-data")

    backfill = ticket.snapshot["backfill"]
    assert backfill["periods"] == [{"begin": "2026-11-01", "end": "2026-11-07"}]
    assert (backfill["parallel"], backfill["parallel_group"]) == (True, 2)


def test_matching_rule_is_recorded_and_expiry_set(deliver):
    reviewer = UserFactory(username="dba1")
    rule = RuleFactory(
        name="etl", paths=["etl/**"], reviewer_users=[reviewer], timeout=timedelta(hours=4), on_timeout="WARN"
    )
    RuleFactory(name="other-path", paths=["marketing/**"])

    ticket = deliver("commit-file")

    assert list(ticket.rules.all()) == [rule]
    assert ticket.timeout_outcome == "WARN"
    assert ticket.expires_at is not None


def test_automatic_rule_decides_without_a_human_and_delivers(deliver, emulator):
    RuleFactory(name="sandbox", projects=[PROJECT], auto_outcome="OK")

    ticket = deliver("commit-file")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.check_result, ticket.callback_status) == ("APPROVED", "OK", "SENT")
    [callback] = emulator.store.callbacks_json()
    assert (callback["action"], callback["params"]["CheckResult"]) == ("UpdateIDEEventResult", "OK")
    assert callback["params"]["MessageId"] == ticket.message_id
    assert f"/tickets/{ticket.pk}/" in callback["params"]["CheckResultTip"]


def test_a_blocking_automatic_rule_wins_over_human_rules(deliver):
    RuleFactory(name="freeze-window", auto_outcome="FAIL")
    RuleFactory(name="humans", reviewer_users=[UserFactory(username="r1")])

    ticket = deliver("deploy-file")

    assert (ticket.status, ticket.check_result) == ("REJECTED", "FAIL")


def test_unmatched_setting_can_pass_automatically(deliver, settings):
    settings.REVIEW_GATE_UNMATCHED = "WARN"

    ticket = deliver("run-file")

    assert (ticket.status, ticket.check_result) == ("APPROVED", "WARN")


def test_operation_center_decision_goes_to_the_workbench_api_with_warn_as_ok(
    deliver, emulator, django_capture_on_commit_callbacks
):
    from approvals.tickets import services

    reviewer = UserFactory(username="ops")
    RuleFactory(name="ops", events=["freeze-node"], reviewer_users=[reviewer])
    ticket = deliver("freeze-node")

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer, warn=True, comment="outside business hours only")
    run_queued_tasks()

    ticket.refresh_from_db()
    assert ticket.callback_status == "SENT"
    [callback] = emulator.store.callbacks_json()
    assert callback["action"] == "UpdateWorkbenchEventResult"
    assert callback["params"]["CheckResult"] == "OK"
    assert "outside business hours only" in callback["params"]["CheckResultTip"]


def test_permanent_dataworks_error_leaves_the_ticket_needing_attention(deliver, emulator):
    emulator.store.add_fault("GetIDEEventDetail", "forbidden", count=1)

    ticket = deliver("commit-file")

    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    assert "Forbidden.Access" in ticket.attention_reason
    assert ticket.event.status == InboundEvent.Status.FAILED


def test_transient_dataworks_error_retries_later_with_backoff(deliver, emulator):
    from approvals.jobs.timer import run_due_once

    emulator.store.add_fault("GetIDEEventDetail", "server_error", count=1)

    ticket = deliver("commit-file")

    assert ticket.status == Ticket.Status.PREPARING
    assert ticket.prepare_attempts == 1
    assert ticket.prepare_next_attempt_at > ticket.created_at
    assert ticket.prepare_claimed_until is None  # released: the retry is the due-time loop's business
    assert queued_tasks() == []  # the retry waits for its time; nothing runs now
    assert run_due_once()["preparations"] == 0  # not due yet
    Ticket.objects.filter(pk=ticket.pk).update(prepare_next_attempt_at=timezone.now())  # the time has come
    assert run_due_once()["preparations"] == 1
    assert run_due_once()["preparations"] == 0  # queued once per due time
    run_queued_tasks()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_processing_twice_creates_one_ticket(deliver):
    from events.tasks import process_event

    ticket = deliver("commit-file")
    process_event(event_id=ticket.event_id)

    assert Ticket.objects.filter(message_id=ticket.message_id).count() == 1
    assert ticket.audit.count() == 1


def test_rejection_is_delivered_with_reviewer_and_comment(deliver, emulator, django_capture_on_commit_callbacks):
    from approvals.tickets import services

    reviewer = UserFactory(username="carol")
    RuleFactory(name="all", reviewer_users=[reviewer])
    ticket = deliver("commit-file")

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reject(ticket_id=ticket.pk, user=reviewer, comment="please keep TEST orders out")
    run_queued_tasks()

    [callback] = emulator.store.callbacks_json()
    assert callback["params"]["CheckResult"] == "FAIL"
    tip = callback["params"]["CheckResultTip"]
    assert "carol" in tip and "please keep TEST orders out" in tip
    assert len(tip) <= 500


def test_a_ready_file_ticket_has_its_diff_rendered_before_anyone_opens_it(deliver, client, settings):
    from approvals.models import RenderedDiff

    ticket = deliver("commit-file")
    stored = RenderedDiff.objects.count()
    assert stored == 2 * len(settings.LANGUAGES)  # the code and the scheduling configuration, split view, each language

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert RenderedDiff.objects.count() == stored  # the page found both in the store


def test_an_event_whose_stored_body_could_not_be_read_needs_attention_without_calling_dataworks(emulator, dw_settings):
    from approvals.tasks import process_event
    from tests.factories import InboundEventFactory

    event = InboundEventFactory(project_id=PROJECT, data_json="")  # as events 0002 leaves an unreadable body

    process_event(event_id=event.pk)

    ticket = Ticket.objects.get(event=event)
    assert ticket.status == Ticket.Status.NEEDS_ATTENTION
    assert "no longer valid" in ticket.attention_reason
    assert [r.action for r in emulator.store.requests if r.action == "GetIDEEventDetail"] == []


def test_reconciliation_stores_what_it_fetched_as_the_events_data_without_a_body(
    emulator, dw_settings, django_capture_on_commit_callbacks
):
    from approvals.delivery.reconcile import RECONCILED_SOURCE, _create_missing
    from dataworks_client.types import CheckProcess

    process = CheckProcess(
        message_id="m-reconciled", process_id="p1", process_name="commit", operator="42", status="CHECKING"
    )

    with django_capture_on_commit_callbacks(execute=True):  # with Redis the task is queued after the commit
        assert _create_missing(process, PROJECT, "commit-file")

    event = InboundEvent.objects.get(message_id="m-reconciled")
    assert (event.source, event.raw_body) == (RECONCILED_SOURCE, "")
    assert event.data["projectId"] == PROJECT and event.data["reconciledFrom"]["processId"] == "p1"
    assert [t["func"] for t in queued_tasks()] == ["approvals.tasks.process_event"]
