"""New Data Studio (issue 17): a workspace's API version (admin, else the extension option `apiVersion`, else
2020-05-18) chooses the version preparation uses for GetIDEEventDetail and the file-version calls, and for the
context reads that exist in both versions; the emulator records the version each request was sent with."""

from __future__ import annotations

import pytest

from approvals.models import Ticket
from events import simulation
from tests.queue import run_queued_tasks
from workspaces.models import WorkspaceSettings
from workspaces.resolve import api_version

pytestmark = pytest.mark.django_db
PROJECT = 10001
V2020, V2024 = "2020-05-18", "2024-05-18"


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    def _deliver(code, **kwargs):
        sim = simulation.build(code, project_id=PROJECT, context=True, **kwargs)
        emulator.store.load_seed(sim.seed)
        assert post_event(sim.event).status_code == 202
        run_queued_tasks()
        return Ticket.objects.get(message_id=sim.message_id)

    return _deliver


def versions_of(emulator, action):
    return {r["version"] for r in emulator.store.requests_json() if r["action"] == action}


@pytest.mark.parametrize(
    ("admin", "option", "expected"),
    [
        (None, None, V2020),
        (None, {"apiVersion": V2024}, V2024),
        (None, {"apiVersion": "2099-01-01"}, V2020),  # an unknown option value is ignored, not sent
        ("", {"apiVersion": V2024}, V2024),  # a blank admin choice inherits
        (V2020, {"apiVersion": V2024}, V2020),  # the admin's choice wins
        (V2024, None, V2024),
    ],
)
def test_the_admin_setting_overrides_the_extension_option_which_overrides_2020(admin, option, expected):
    if admin is not None:
        WorkspaceSettings.objects.create(project_id=PROJECT, api_version=admin)
    assert api_version(PROJECT, option) == expected
    assert api_version(PROJECT + 1, None) == V2020


def test_a_workspace_on_2024_fetches_its_commit_with_2024(deliver, emulator):
    WorkspaceSettings.objects.create(project_id=PROJECT, api_version=V2024)

    ticket = deliver("commit-file")

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert versions_of(emulator, "GetIDEEventDetail") == {V2024}
    assert versions_of(emulator, "ListFileVersions") == {V2024}
    assert ticket.snapshot["api_version"] == V2024
    assert ticket.old_label == "version 6"  # the base version was read through 2024 too
    assert ticket.snapshot["context"]["workspace"]["name"] == "sales_dw"  # GetProject 2024 (Name)


def test_a_workspace_on_2020_stays_on_2020(deliver, emulator):
    deliver("commit-file")
    assert versions_of(emulator, "GetIDEEventDetail") == {V2020}
    assert versions_of(emulator, "ListFileVersions") == {V2020}


def test_a_2024_workspace_reads_nodes_with_gettask_and_listdownstreamtasks(deliver, emulator):
    WorkspaceSettings.objects.create(project_id=PROJECT, api_version=V2024)

    ticket = deliver("freeze-node", ids=[700000001])

    [node] = ticket.snapshot["context"]["nodes"]
    assert node["info"]["node_name"] == "ods_orders_daily"
    assert node["downstream"]["total"] == 40 and node["downstream"]["truncated"] is False
    assert versions_of(emulator, "GetTask") == {V2024}
    assert versions_of(emulator, "ListDownstreamTasks") == {V2024}
    assert not versions_of(emulator, "GetNodeChildren")


def test_a_2024_table_event_reads_the_table_on_2020_which_alone_has_the_metadata_calls(deliver, emulator):
    WorkspaceSettings.objects.create(project_id=PROJECT, api_version=V2024)

    ticket = deliver("commit-table")

    assert versions_of(emulator, "GetIDEEventDetail") == {V2024}
    assert versions_of(emulator, "GetMetaTableColumn") == {V2020}
    assert ticket.snapshot["context"]["table"]["retyped"][0]["name"] == "amount"


def test_a_2024_workspace_commit_gets_its_result_as_a_2024_update_ide_event_result(deliver, emulator):
    from django.test import TestCase

    from approvals.tickets import services
    from tests.factories import RuleFactory, UserFactory

    WorkspaceSettings.objects.create(project_id=PROJECT, api_version=V2024)
    reviewer = UserFactory(username="v24")
    RuleFactory(name="all", reviewer_users=[reviewer])
    ticket = deliver("commit-file")

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer)
    run_queued_tasks()

    assert versions_of(emulator, "UpdateIDEEventResult") == {V2024}
    assert Ticket.objects.get(pk=ticket.pk).callback_status == Ticket.CallbackStatus.SENT


def test_operation_center_results_stay_on_2020_in_a_2024_workspace(deliver, emulator):
    from django.test import TestCase

    from approvals.tickets import services
    from tests.factories import RuleFactory, UserFactory

    WorkspaceSettings.objects.create(project_id=PROJECT, api_version=V2024)
    reviewer = UserFactory(username="v24b")
    RuleFactory(name="all", reviewer_users=[reviewer])
    ticket = deliver("freeze-node", ids=[700000001])

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ticket_approve(ticket_id=ticket.pk, user=reviewer)
    run_queued_tasks()

    assert versions_of(emulator, "UpdateWorkbenchEventResult") == {V2020}
