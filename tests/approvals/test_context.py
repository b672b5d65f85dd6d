"""A ticket a reviewer can judge without leaving Review Gate (issue 17): from the simulated event through preparation
(the real SDK against the emulator over HTTP, seeded with the example seed) to the ticket page.

Each kind: Operation Center nodes with their downstream impact, backfills, instances, tables against the table as it
exists, people and workspaces by name, the developer's comment, links back to DataWorks; reads that fail are shown as
such and never fail the ticket.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from approvals.intake.context import parse_periods, table_diff
from approvals.models import ReviewerProfile, Ticket
from approvals.tickets.context import link
from dataworks_client.types import TableColumnInfo
from events import simulation
from tests.factories import UserFactory
from tests.queue import run_queued_tasks

pytestmark = pytest.mark.django_db
PROJECT = 10001


@pytest.fixture
def deliver(post_event, emulator, dw_settings):
    """Post a simulated event, run its processing like a worker, return the ticket."""

    def _deliver(code, **kwargs):
        sim = simulation.build(code, project_id=kwargs.pop("project_id", PROJECT), context=True, **kwargs)
        emulator.store.load_seed(sim.seed)
        response = post_event(sim.event)
        assert response.status_code == 202, response.content
        run_queued_tasks()
        return Ticket.objects.get(message_id=sim.message_id)

    return _deliver


@pytest.fixture
def reviewer_client():
    user = UserFactory(username="rita", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def page_text(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def actions(emulator, name):
    return [r for r in emulator.store.requests_json() if r["action"] == name]


# --- Operation Center nodes ------------------------------------------------------------------------------------------


def test_a_freeze_of_a_node_with_40_descendants_three_levels_deep_shows_40_downstream_nodes(
    deliver, emulator, reviewer_client
):
    ticket = deliver("freeze-node", ids=[700000001])

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    ctx = ticket.snapshot["context"]
    [node] = ctx["nodes"]
    assert node["info"]["node_name"] == "ods_orders_daily"
    assert node["info"]["baseline_id"] == 3001
    walk = node["downstream"]
    assert (walk["total"], walk["truncated"], walk["max_depth_reached"]) == (40, False, 3)
    # one read per expanded node: the root and its 4 + 12 + 24 descendants, each sent once over HTTP
    assert walk["calls"] == 41
    assert len(actions(emulator, "GetNodeChildren")) == 41
    assert len(walk["listed"]) == 10 and walk["listed"][0]["depth"] == 1
    assert ctx["impact"] == {"total": 40, "at_least": False, "walked": 1, "any_on_baseline": True, "on_baseline": 9}

    text = page_text(reviewer_client, ticket)
    assert "40 downstream nodes will stop running" in text
    assert "40 downstream nodes" in text
    assert "9 of them are on a baseline." in text
    assert "张伟" in text  # the owner of the root, by their DataWorks display name
    assert "and 30 more" in text


def test_the_downstream_walk_stops_at_the_ticket_read_budget_and_says_at_least(
    deliver, emulator, reviewer_client, settings
):
    settings.REVIEW_GATE_DOWNSTREAM_MAX_CALLS = 6

    ticket = deliver("freeze-node", ids=[700000001, 700000100])

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    first, second = ticket.snapshot["context"]["nodes"]
    assert first["downstream"]["calls"] == 6 and first["downstream"]["truncated"] is True
    assert first["downstream"]["stopped_by"] == "calls"
    # the budget is the ticket's: nothing is left for the second node's walk, which says so rather than vanish
    assert second["info"]["node_name"] == "dim_customer"
    assert second["downstream"] is None and second["downstream_error"]["code"] == "Local.ReadBudget"
    assert len(actions(emulator, "GetNodeChildren")) == 6
    text = page_text(reviewer_client, ticket)
    assert re.search(r"At least \d+ downstream nodes", text)
    assert "At least this many" in text


def test_an_unreadable_node_is_shown_as_such_never_dropped(deliver, reviewer_client):
    ticket = deliver("undeploy-node", ids=[simulation.UNREADABLE_NODE, 700000100])

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    unreadable, readable = ticket.snapshot["context"]["nodes"]
    assert unreadable["node_id"] == simulation.UNREADABLE_NODE
    assert unreadable["info"] is None and unreadable["error"]["code"] == "Forbidden.Access"
    assert unreadable["downstream"] is None and unreadable["downstream_error"]["http_status"] == 403
    assert readable["downstream"]["total"] == 2

    text = page_text(reviewer_client, ticket)
    assert "This node could not be read: Forbidden.Access (HTTP 403)" in text
    assert str(simulation.UNREADABLE_NODE) in text
    assert "2 downstream nodes will stop running" in text
    assert "At least this many" in text  # one node's descendants are unknown


def test_a_leaf_and_pluralisation(deliver, reviewer_client):
    ticket = deliver("unfreeze-node", ids=[700000201])  # the paused weekly node has no children

    text = page_text(reviewer_client, ticket)
    assert "No other node depends on the nodes in this request." in text
    assert "0 downstream nodes" in text


def test_in_chinese_the_headline_says_what_undeploying_does(deliver, reviewer_client):
    ticket = deliver("undeploy-node", ids=[700000100])

    reviewer_client.cookies["django_language"] = "zh-hans"
    response = reviewer_client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200  # the Chinese text comes with the merged catalogue (frag-context.po)


# --- Backfill --------------------------------------------------------------------------------------------------------


def test_a_backfill_over_three_periods_counts_dates_nodes_and_instances(deliver, reviewer_client, settings):
    settings.REVIEW_GATE_BACKFILL_WARN_INSTANCES = 50
    ticket = deliver("backfill-data")

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    backfill = ticket.snapshot["context"]["backfill"]
    periods = backfill["periods"]
    assert [(p["begin"], p["end"], p["days"]) for p in periods["periods"]] == [
        ("2026-10-01", "2026-10-07", 7),
        ("2026-10-15", "2026-10-15", 1),
        ("2026-11-01", "2026-11-05", 5),
    ]
    assert periods["days"] == 13 and periods["invalid"] is None
    assert backfill["node_count"] == 4 and backfill["instances"] == 52
    assert backfill["root"]["info"]["node_name"] == "ods_orders_daily"
    assert [e["info"]["node_name"] for e in backfill["exclude"]] == ["ads_orders_day_report"]

    text = page_text(reviewer_client, ticket)
    assert "52 instances: 4 nodes × 13 business dates" in text  # noqa: RUF001
    assert "This backfill is large." in text and "more than 50 instances" in text
    assert "dws_orders_day" in text and "ads_orders_day_report" in text
    assert "2026-10-15 → 2026-10-15" in text


def test_a_small_backfill_carries_no_warning(deliver, reviewer_client):
    ticket = deliver("backfill-data")  # 52 instances, 13 days: under the defaults (500, 31)
    assert "This backfill is large." not in page_text(reviewer_client, ticket)


@pytest.mark.parametrize(
    ("raw", "days", "invalid"),
    [
        ("not json", 0, True),
        ('{"bizBeginTime": "2026-01-01"}', 0, True),
        ('[{"bizBeginTime": "2026-01-05", "bizEndTime": "2026-01-01"}]', 0, True),
        ('[{"bizBeginTime": "2026-01-01 00:00:00", "bizEndTime": "2026-01-03 00:00:00"}]', 3, False),
        # overlapping periods: a business date counts once
        (
            '[{"bizBeginTime":"2026-01-01","bizEndTime":"2026-01-10"},{"bizBeginTime":"2026-01-05","bizEndTime":"2026-01-12"}]',
            12,
            False,
        ),
        ("", 0, False),
        (None, 0, False),
        ([{"bizBeginTime": "20260101", "bizEndTime": "20260131"}], 31, False),
    ],
)
def test_periods_parse_without_ever_raising(raw, days, invalid):
    parsed = parse_periods(raw)
    assert parsed["days"] == days
    assert bool(parsed["invalid"]) is invalid


def test_a_backfill_with_invalid_periods_is_a_ticket_that_says_so(post_event, emulator, dw_settings, reviewer_client):
    sim = simulation.build("backfill-data", project_id=PROJECT, context=True)
    sim.event["data"]["multipleTimePeriods"] = "[{not json"
    emulator.store.load_seed(sim.seed)
    assert post_event(sim.event).status_code == 202
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)

    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    text = page_text(reviewer_client, ticket)
    assert "The periods in the event are not valid:" in text and "[{not json" in text


# --- Instances -------------------------------------------------------------------------------------------------------


def test_an_instance_pre_event_shows_the_node_business_date_and_status(deliver, reviewer_client):
    ticket = deliver("pre-rerun-instance")

    [instance] = ticket.snapshot["context"]["instances"]
    assert instance["info"]["node_name"] == "ods_orders_daily"
    assert instance["info"]["business_date"] == "2026-11-01"
    assert instance["info"]["status"] == "FAILURE"
    text = page_text(reviewer_client, ticket)
    assert "ods_orders_daily" in text and "2026-11-01" in text and "FAILURE" in text


def test_an_instance_event_without_ids_shows_what_the_payload_holds_labelled(
    post_event, emulator, dw_settings, reviewer_client
):
    sim = simulation.build("pre-kill-instance", project_id=PROJECT, file_name="nightly_job", context=True)
    sim.event["data"].pop("taskIds")
    emulator.store.load_seed(sim.seed)
    post_event(sim.event)
    run_queued_tasks()
    ticket = Ticket.objects.get(message_id=sim.message_id)

    text = page_text(reviewer_client, ticket)
    assert "The event names no instance ID" in text
    assert "nightly_job (from the event payload)" in text


def test_an_unknown_instance_is_shown_as_unreadable(deliver, reviewer_client):
    ticket = deliver("pre-kill-instance", ids=[999999999])
    [instance] = ticket.snapshot["context"]["instances"]
    assert instance["info"] is None and instance["error"]["code"] == "Invalid.Instance.NotExist"
    assert "This instance could not be read: Invalid.Instance.NotExist" in page_text(reviewer_client, ticket)


# --- Tables ----------------------------------------------------------------------------------------------------------


def test_a_table_commit_shows_added_dropped_and_retyped_columns_against_the_existing_table(deliver, reviewer_client):
    ticket = deliver("commit-table")

    table = ticket.snapshot["context"]["table"]
    assert table["guid"] == "odps.sales.ods_orders_daily" and table["is_new"] is False
    assert [c["name"] for c in table["added"]] == ["currency"]
    assert sorted(c["name"] for c in table["dropped"]) == ["customer_id", "status"]
    assert table["retyped"] == [{"name": "amount", "old": "DOUBLE", "new": "DECIMAL(18,2)"}]
    assert table["life_cycle"] == {"old": 180, "new": 365, "changed": True}
    assert table["partitions"]["changed"] is False

    text = page_text(reviewer_client, ticket)
    assert "added currency" in text
    assert "dropped customer_id" in text
    assert "type changed amount DOUBLE DECIMAL(18,2)" in text
    assert "lifecycle (days) 180 365" in text


def test_a_table_that_does_not_exist_yet_is_shown_as_new(deliver, reviewer_client):
    ticket = deliver("deploy-table", file_name="brand_new_table")

    assert ticket.snapshot["context"]["table"]["is_new"] is True
    assert "New table" in page_text(reviewer_client, ticket)


def test_table_diff_compares_names_case_insensitively_and_partition_keys():
    existing = [
        TableColumnInfo(column_name="ID", column_type="bigint"),
        TableColumnInfo(column_name="ds", column_type="string", is_partition_column=True),
    ]
    model = [
        {"column_name": "id", "column_type": "BIGINT"},
        {"column_name": "ds", "column_type": "STRING", "is_partition_column": True},
        {"column_name": "hh", "column_type": "STRING", "is_partition_column": True},
    ]
    diff = table_diff(model, 30, existing, 30, ())
    assert diff["retyped"] == [] and [c["name"] for c in diff["added"]] == ["hh"]
    assert diff["partitions"] == {"old": ["ds"], "new": ["ds", "hh"], "changed": True}
    assert diff["life_cycle"]["changed"] is False


# --- People, places, the developer's words, links ----------------------------------------------------------------


def test_a_file_ticket_names_the_workspace_and_operator_and_shows_the_comment_first(deliver, reviewer_client):
    ticket = deliver("commit-file")

    text = page_text(reviewer_client, ticket)
    assert "销售数仓 sales_dw 10001" in text
    assert "张伟 193745001735" in text
    assert "The developer's comment add currency, drop cancelled orders" in text
    assert text.index("add currency, drop cancelled orders") < text.index("Who must review")


def test_a_mapped_review_gate_user_wins_over_the_member_name(deliver, reviewer_client):
    user = UserFactory(username="zhang.wei")
    ReviewerProfile.objects.update_or_create(user=user, defaults={"dataworks_uid": simulation.DEMO_OPERATOR})
    ticket = deliver("commit-file")
    assert "zhang.wei 193745001735" in page_text(reviewer_client, ticket)


def test_an_unknown_operator_stays_a_uid(deliver, reviewer_client):
    ticket = deliver("commit-file", operator="555000111")
    text = page_text(reviewer_client, ticket)
    assert "Changed by 555000111" in text


def test_links_back_to_dataworks_appear_only_when_configured(deliver, reviewer_client, settings):
    ticket = deliver("freeze-node", ids=[700000100])
    html = reviewer_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Open in Operation Center" not in html

    settings.REVIEW_GATE_OPERATION_CENTER_URL = (
        "https://dataworks.data.aliyun.com/{region}/ops?defaultProjectId={project_id}#/cycleTask/{node_id}"
    )
    html = reviewer_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "https://dataworks.data.aliyun.com/cn-hangzhou/ops?defaultProjectId=10001#/cycleTask/700000100" in html
    assert "Open in Operation Center" in html


def test_link_templates_fill_every_placeholder_or_hide_the_link():
    assert link("") == ""
    assert link("https://x/{project_id}/{file_id}", project_id=1, file_id=None) == ""
    assert link("https://x/{project_id}#/f/{file_id}", project_id=1, file_id="a b/c") == "https://x/1#/f/a%20b%2Fc"


def test_every_read_failing_degrades_the_page_never_the_ticket(deliver, emulator, reviewer_client):
    emulator.store.make_node_unreadable(700000100, status=500, code="InternalError", message="boom")
    ticket = deliver("freeze-node", ids=[700000100])
    assert ticket.status == Ticket.Status.PENDING, ticket.attention_reason
    assert "could not be read: InternalError (HTTP 500): boom" in page_text(reviewer_client, ticket)


def test_a_hostile_name_from_dataworks_is_escaped(deliver, emulator, reviewer_client):
    emulator.store.put_node(
        {"NodeId": 700000777, "NodeName": "<script>alert(1)</script>", "ProjectId": PROJECT, "OwnerId": "1"},
        children=[],
    )
    ticket = deliver("freeze-node", ids=[700000777])  # an id the seed does not replace
    html = reviewer_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_node_ticket_without_a_name_in_the_payload_is_named_after_its_nodes(deliver):
    ticket = deliver("freeze-node", ids=[700000001, 700000100])
    assert ticket.title == "ods_orders_daily and 1 more node"
