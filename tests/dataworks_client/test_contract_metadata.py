"""Contract tests of the issue-17 reads: the real SDKs (2020-05-18 and 2024-05-18), through our facade, over HTTP
against the emulator seeded with the example seed (nodes, a 40-descendant tree, instances, workspaces, members,
tables)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dataworks_client.client import DataWorksClient
from dataworks_client.conf import load_settings
from dataworks_client.emulator import RunningEmulator
from dataworks_client.errors import DataWorksNotFound, DataWorksPermanent, DataWorksThrottled, DataWorksTransient
from dataworks_client.ratelimit import DatabaseBackend, RateLimiter
from dataworks_client.sdk import V2020, V2024
from dataworks_client.types import NodeInfo, ProjectInfo, TableColumnInfo

SEED = Path(__file__).resolve().parents[2] / "dataworks_client" / "emulator" / "example_seed.json"
BOTH = pytest.mark.parametrize("version", [V2020, V2024])
PROJECT = 10001
ROOT = 700000001  # 40 descendants: 4 children, 12 grandchildren, 24 great-grandchildren
ZHANG = "193745001735"


@pytest.fixture
def seeded(emulator: RunningEmulator) -> RunningEmulator:
    emulator.store.load_seed(json.loads(SEED.read_text(encoding="utf-8")))
    return emulator


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def requests(emulator: RunningEmulator, action: str | None = None) -> list[dict[str, Any]]:
    return [r for r in emulator.store.requests_json() if action is None or r["action"] == action]


class TestGetNode:
    @BOTH
    def test_reads_the_production_node(self, dw: DataWorksClient, seeded: RunningEmulator, version: str):
        node = dw.get_node(ROOT, PROJECT, api_version=version)

        assert (node.node_id, node.node_name, node.owner_id) == (ROOT, "ods_orders_daily", ZHANG)
        assert (node.program_type, node.cron_express, node.cycle_type) == ("ODPS_SQL", "00 30 02 * * ?", "DAY")
        assert (node.priority, node.baseline_id, node.on_baseline) == (1, 3001, True)
        assert (node.scheduler_type, node.project_id, node.api_version) == ("NORMAL", PROJECT, version)
        assert node.baseline_name is None  # neither answer carries it
        [request] = requests(seeded)
        assert request["version"] == version
        if version == V2020:
            assert (request["action"], request["body"]) == ("GetNode", f"NodeId={ROOT}&ProjectEnv=PROD")
        else:
            assert (request["action"], request["method"]) == ("GetTask", "GET")
            assert request["query_string"] == f"Id={ROOT}&ProjectEnv=Prod"

    def test_both_versions_give_the_same_node(self, dw, seeded):
        old, new = dw.get_node(700000201, PROJECT), dw.get_node(700000201, PROJECT, api_version=V2024)

        shared = ("node_id", "node_name", "owner_id", "program_type", "cron_express", "priority", "scheduler_type")
        assert [getattr(old, f) for f in shared] == [getattr(new, f) for f in shared]
        assert (old.scheduler_type, old.cycle_type) == ("PAUSE", "WEEK")

    @BOTH
    def test_a_missing_node_is_not_found(self, dw, seeded, version):
        with pytest.raises(DataWorksNotFound) as caught:
            dw.get_node(123, PROJECT, api_version=version)

        assert (caught.value.code, caught.value.http_status) == ("Invalid.Node.NotExist", 404)

    def test_a_node_of_another_workspace_is_not_shown(self, dw, seeded):
        with pytest.raises(DataWorksNotFound) as caught:
            dw.get_node(700000300, PROJECT)  # lives in 10002

        assert caught.value.code == "Local.OtherProject"

    @BOTH
    def test_an_unreadable_node_is_a_typed_permanent_error(self, dw, seeded, version):
        seeded.store.make_node_unreadable(ROOT)

        with pytest.raises(DataWorksPermanent) as caught:
            dw.get_node(ROOT, PROJECT, api_version=version)
        with pytest.raises(DataWorksPermanent):
            dw.list_node_children(ROOT, PROJECT, api_version=version)

        assert not isinstance(caught.value, DataWorksNotFound)
        assert (caught.value.code, caught.value.http_status) == ("Forbidden.Access", 403)
        assert caught.value.action == ("GetNode" if version == V2020 else "GetTask")

    def test_the_seeded_unreadable_node_stays_unreadable(self, dw, seeded):
        for _ in range(2):  # not used up like a fault
            with pytest.raises(DataWorksPermanent):
                dw.get_node(700000999, PROJECT)


class TestChildrenAndWalk:
    @BOTH
    def test_lists_direct_children(self, dw, seeded, version):
        children = dw.list_node_children(700000100, PROJECT, api_version=version)

        assert [(c.node_id, c.node_name, c.owner_id, c.program_type) for c in children] == [
            (700000101, "sync_crm_customer", "260158830451234567", "DI"),
            (700000102, "start_marketing_flow", "271903458801122334", "VIRTUAL"),
        ]
        assert requests(seeded)[-1]["action"] == ("GetNodeChildren" if version == V2020 else "ListDownstreamTasks")

    @BOTH
    def test_a_complete_walk_counts_40_descendants_with_one_read_per_node(self, dw, seeded, version):
        walk = dw.walk_downstream(ROOT, PROJECT, max_depth=4, max_calls=60, max_listed=5, api_version=version)

        assert (walk.total, walk.truncated, walk.stopped_by, walk.unreadable) == (40, False, None, ())
        assert (walk.calls, walk.max_depth_reached, walk.any_on_baseline) == (41, 3, True)
        assert [n.depth for n in walk.nodes] == [1, 1, 1, 1, 2]
        assert walk.nodes[0].node_name == "dwd_orders_detail" and walk.nodes[0].on_baseline
        action = "GetNodeChildren" if version == V2020 else "ListDownstreamTasks"
        assert seeded.store.started_json()[action] == 41

    def test_three_levels_are_counted_but_the_last_is_not_expanded(self, dw, seeded):
        walk = dw.walk_downstream(ROOT, PROJECT, max_depth=3, max_calls=60)

        assert (walk.total, walk.truncated, walk.stopped_by, walk.calls) == (40, True, "depth", 17)
        assert seeded.store.started_json()["GetNodeChildren"] == 17

    def test_the_read_budget_cuts_the_walk_short(self, dw, seeded):
        walk = dw.walk_downstream(ROOT, PROJECT, max_depth=5, max_calls=5)

        # root + the 4 children were read: their 4 + 12 children were found
        assert (walk.total, walk.truncated, walk.stopped_by, walk.calls) == (16, True, "calls", 5)
        assert seeded.store.started_json()["GetNodeChildren"] == 5

    def test_the_node_bound_cuts_the_walk_short(self, dw, seeded):
        walk = dw.walk_downstream(ROOT, PROJECT, max_nodes=10, max_listed=50)

        assert (walk.total, len(walk.nodes), walk.truncated, walk.stopped_by) == (10, 10, True, "nodes")

    def test_the_client_rate_limiter_is_respected(self, dw_settings, db, seeded):
        # A frozen clock: one window, 6 reads allowed in it, no waiting.
        limiter = RateLimiter(
            DatabaseBackend(),
            reads_per_second=6,
            writes_per_second=6,
            max_wait_seconds=0,
            namespace="walk-test",
            clock=lambda: 1_000_000.0,
        )
        client = DataWorksClient(load_settings(), limiter=limiter)

        walk = client.walk_downstream(ROOT, PROJECT, max_depth=5, max_calls=100)

        assert (walk.calls, walk.truncated, walk.stopped_by) == (6, True, "throttled")
        assert seeded.store.started_json()["GetNodeChildren"] == 6

    def test_an_unreadable_descendant_is_reported_not_dropped(self, dw, seeded):
        seeded.store.make_node_unreadable(700000002)

        walk = dw.walk_downstream(ROOT, PROJECT, max_depth=4, max_calls=60)

        assert walk.unreadable == (700000002,) and walk.truncated
        assert walk.total == 40 - 9  # its 3 children and 6 grandchildren could not be seen

    def test_an_unreadable_root_raises(self, dw, seeded):
        seeded.store.make_node_unreadable(ROOT, status=404, code="Invalid.Node.NotExist")

        with pytest.raises(DataWorksNotFound):
            dw.walk_downstream(ROOT, PROJECT)

    def test_a_diamond_is_counted_once(self, dw, emulator):
        for node_id in (1, 2, 3, 4):
            emulator.store.put_node({"NodeId": node_id, "NodeName": f"n{node_id}", "ProjectId": 5})
        emulator.store.put_node_children(1, [2, 3])
        emulator.store.put_node_children(2, [4])
        emulator.store.put_node_children(3, [4, 1])  # and a cycle back to the root

        walk = dw.walk_downstream(1, 5)

        assert (walk.total, walk.truncated) == (3, False)

    def test_bounds_are_checked_before_any_call(self, dw, emulator):
        with pytest.raises(ValueError):
            dw.walk_downstream(ROOT, PROJECT, max_depth=0)
        assert requests(emulator) == []


class TestInstances:
    @BOTH
    def test_reads_node_business_date_and_status(self, dw, seeded, version):
        instance = dw.get_instance(523536569736, PROJECT, api_version=version)

        assert (instance.instance_id, instance.node_id, instance.node_name) == (
            523536569736,
            ROOT,
            "ods_orders_daily",
        )
        assert (instance.business_date, instance.status, instance.owner) == (dt.date(2026, 11, 1), "FAILURE", ZHANG)
        assert requests(seeded)[-1]["action"] == ("GetInstance" if version == V2020 else "GetTaskInstance")

    def test_a_2024_status_is_given_in_the_2020_vocabulary(self, dw, seeded):
        assert dw.get_instance(523536569737, PROJECT, api_version=V2024).status == "NOT_RUN"

    @BOTH
    def test_a_missing_instance_is_not_found(self, dw, seeded, version):
        with pytest.raises(DataWorksNotFound):
            dw.get_instance(1, PROJECT, api_version=version)


class TestProjects:
    @BOTH
    def test_reads_names_and_mode(self, dw, seeded, version):
        standard = dw.get_project(PROJECT, api_version=version)
        basic = dw.get_project(10002, api_version=version)

        assert standard == ProjectInfo(
            project_id=PROJECT,
            name="sales_dw",
            display_name="销售数仓",
            mode="standard",
            region="cn-hangzhou",
            status=standard.status,
            owner_id="1234567890987654",
            description=standard.description,
            api_version=version,
        )
        assert standard.dev_name == "sales_dw_dev"
        assert (basic.name, basic.mode, basic.dev_name) == ("marketing_adhoc", "basic", None)

    @BOTH
    def test_a_second_read_is_served_from_the_cache(self, dw, seeded, version):
        first = dw.get_project(PROJECT, api_version=version)
        second = dw.get_project(PROJECT, api_version=version)

        assert first == second
        assert len(requests(seeded, "GetProject")) == 1
        dw.get_project(PROJECT, api_version=version, refresh=True)
        assert len(requests(seeded, "GetProject")) == 2

    def test_a_failed_read_is_not_cached(self, dw, seeded):
        seeded.store.add_fault("GetProject", "server_error")

        with pytest.raises(DataWorksTransient):
            dw.get_project(PROJECT)
        assert dw.get_project(PROJECT).name == "sales_dw"
        assert dw.get_project(PROJECT).name == "sales_dw"

        assert [r["status"] for r in requests(seeded, "GetProject")] == [500, 200]

    def test_versions_are_cached_apart(self, dw, seeded):
        dw.get_project(PROJECT)
        dw.get_project(PROJECT, api_version=V2024)

        assert [r["version"] for r in requests(seeded, "GetProject")] == [V2020, V2024]

    def test_a_missing_workspace_is_not_found_and_not_cached(self, dw, seeded):
        for _ in range(2):
            with pytest.raises(DataWorksNotFound):
                dw.get_project(999)
        assert len(requests(seeded, "GetProject")) == 2


class TestMembers:
    @BOTH
    def test_maps_user_ids_to_display_names(self, dw, seeded, version):
        members = dw.list_project_members(PROJECT, api_version=version)

        assert members.display_name(ZHANG) == "张伟"
        assert members.display_name(int(ZHANG)) == "张伟"
        assert members.display_name("299012345678900011") == "zhaolei@sales"  # no nickname
        assert members.display_name("nobody") is None
        assert members.as_dict()["285517203394455667"] == "陈静"
        assert "开发" in members.get(ZHANG).roles

    @BOTH
    def test_reads_every_page_once_then_serves_the_cache(self, dw, emulator, version):
        emulator.store.put_project({"ProjectId": 7, "ProjectIdentifier": "big", "ProjectMode": 3})
        emulator.store.put_project_members(
            7, [{"ProjectMemberId": str(n), "Nick": f"成员{n}", "ProjectMemberName": f"m{n}"} for n in range(1, 151)]
        )

        first = dw.list_project_members(7, api_version=version)
        again = dw.list_project_members(7, api_version=version)

        assert len(first.members) == 150 and again == first
        assert first.display_name("150") == "成员150"
        assert len(requests(emulator, "ListProjectMembers")) == 2  # two pages, once

    def test_a_failed_page_caches_nothing(self, dw, seeded):
        seeded.store.add_fault("ListProjectMembers", "throttle")

        with pytest.raises(DataWorksThrottled):
            dw.list_project_members(PROJECT)
        dw.list_project_members(PROJECT)
        dw.list_project_members(PROJECT)

        assert len(requests(seeded, "ListProjectMembers")) == 2


class TestTables:
    def test_reads_columns_in_position_order(self, dw, seeded):
        columns = dw.get_table_columns("odps.sales.dim_customer")

        assert [c.column_name for c in columns] == [
            "customer_id",
            "customer_name",
            "phone",
            "level",
            "created_at",
            "ds",
            "region",
        ]
        assert columns[0] == TableColumnInfo(
            column_name="customer_id",
            column_type="BIGINT",
            comment="客户号",
            caption="客户号",
            is_partition_column=False,
            is_primary_key=True,
            is_foreign_key=False,
            position=1,
            column_guid="odps.sales.dim_customer.customer_id",
        )
        [request] = requests(seeded)
        assert (request["action"], request["method"]) == ("GetMetaTableColumn", "GET")
        assert "TableGuid=odps.sales.dim_customer" in request["query_string"]

    def test_reads_every_page_of_a_wide_table(self, dw, emulator):
        columns = [{"ColumnName": f"c{n}", "ColumnType": "STRING", "Position": n} for n in range(1, 151)]
        emulator.store.put_table("odps.p.wide", {"TableName": "wide"}, columns)

        assert len(dw.get_table_columns("odps.p.wide")) == 150
        assert [r["query_string"].count("PageNum=") for r in requests(emulator)] == [1, 1]

    def test_reads_lifecycle_and_partition_keys(self, dw, seeded):
        info = dw.get_table_basic_info("odps.sales.dim_customer")

        assert (info.table_name, info.project_name, info.life_cycle) == ("dim_customer", "sales", 3650)
        assert (info.partition_keys, info.is_partition_table, info.owner_id) == (
            ("ds", "region"),
            True,
            "207947397706614299",
        )
        assert "DataSourceType=odps" in requests(seeded)[-1]["query_string"]

    def test_the_seed_supports_a_diff_with_added_dropped_and_retyped_columns(self, dw, seeded):
        existing = {c.column_name: c.column_type for c in dw.get_table_columns("odps.sales.dim_customer")}
        model = dw.get_event_detail("demo-commit-table-1", PROJECT).table_model
        assert model is not None
        proposed = {c.column_name: c.column_type for c in model.columns}

        assert set(proposed) - set(existing) == {"email"}
        assert set(existing) - set(proposed) == {"phone"}
        assert {n for n in existing.keys() & proposed.keys() if existing[n] != proposed[n]} == {"level"}
        assert model.life_cycle != dw.get_table_basic_info("odps.sales.dim_customer").life_cycle

    def test_a_missing_table_is_not_found(self, dw, seeded):
        with pytest.raises(DataWorksNotFound):
            dw.get_table_columns("odps.sales.brand_new_table")
        with pytest.raises(DataWorksNotFound):
            dw.get_table_basic_info("odps.sales.brand_new_table")

    @pytest.mark.parametrize("guid", ["sales.t", "odps.sales", "odps.sa les.t", "odps.a.b.c", "x" * 300, 5, None])
    def test_a_malformed_guid_is_refused_before_any_call(self, dw, emulator, guid):
        with pytest.raises(ValueError):
            dw.get_table_columns(guid)
        with pytest.raises(ValueError):
            dw.get_table_basic_info(guid)
        assert requests(emulator) == []


class TestVersionedFileCalls:
    def test_a_commit_answered_on_2024_reaches_the_emulator_as_2024(self, dw, emulator):
        receipt = dw.send_ide_result("msg-2024", "OK", "looks good", api_version=V2024)

        [callback] = emulator.store.callbacks_json()
        assert (callback["action"], callback["version"], callback["check_result"]) == (
            "UpdateIDEEventResult",
            V2024,
            "OK",
        )
        assert callback["params"]["ExtensionCode"] == "ext-review-gate-test"
        assert receipt.request_id == emulator.store.requests_json()[-1]["request_id"]
        assert emulator.store.requests_json()[-1]["version"] == V2024

    def test_the_default_is_still_2020(self, dw, emulator):
        dw.send_ide_result("msg-2020", "FAIL", "no")

        assert emulator.store.callbacks_json()[-1]["version"] == V2020

    def test_event_detail_and_file_versions_on_2024(self, dw, seeded):
        detail = dw.get_event_detail("demo-commit-1", 42, api_version=V2024)
        versions = dw.list_file_versions(100000001, 42, api_version=V2024)
        one = dw.get_file_version(100000001, 1, 42, api_version=V2024)

        assert detail.committed_file is not None and detail.committed_file.comment == "filter by partition"
        assert [v.file_version for v in versions] == [2, 1]
        assert one.file_content == "SELECT 1;\n"
        assert {r["version"] for r in requests(seeded)} == {V2024}

    def test_an_unknown_version_is_refused_before_any_call(self, dw, emulator):
        with pytest.raises(ValueError):
            dw.get_event_detail("m", 1, api_version="2023-01-01")
        assert requests(emulator) == []


class TestWhatEachVersionHas:
    """The emulator answers an action a version lacks as the gateway does: 404 InvalidAction.NotFound."""

    @pytest.mark.parametrize(
        "action",
        [
            "UpdateWorkbenchEventResult",
            "ListCheckProcesses",
            "GetExtension",
            "GetOptionValueForProject",
            "CallbackExtension",
            "GetNode",  # 2024 has a GetNode, but for Data Studio nodes; the emulator does not model it
            "GetNodeChildren",
            "GetInstance",
            "GetMetaTableColumn",
            "GetMetaTableBasicInfo",
        ],
    )
    def test_2020_only_actions_are_unknown_on_2024(self, emulator, action):
        from tests.dataworks_client.test_emulator import signed_call

        status, payload = signed_call(emulator, action, body=b"NodeId=1", version=V2024)

        assert (status, payload["Code"]) == (404, "InvalidAction.NotFound")

    @pytest.mark.parametrize("action", ["GetTask", "ListDownstreamTasks", "GetTaskInstance"])
    def test_2024_only_actions_are_unknown_on_2020(self, emulator, action):
        from tests.dataworks_client.test_emulator import signed_call

        status, payload = signed_call(emulator, action, body=b"Id=1", version=V2020)

        assert (status, payload["Code"]) == (404, "InvalidAction.NotFound")

    def test_an_unknown_version_is_invalid(self, emulator):
        from tests.dataworks_client.test_emulator import signed_call

        status, payload = signed_call(emulator, "GetNode", body=b"NodeId=1", version="2019-01-01")

        assert (status, payload["Code"]) == (400, "InvalidVersion")

    def test_node_reads_need_the_environment(self, emulator):
        from tests.dataworks_client.test_emulator import signed_call

        emulator.store.put_node({"NodeId": 1})

        assert signed_call(emulator, "GetNode", body=b"NodeId=1")[1]["Code"] == "MissingParameter"
        assert signed_call(emulator, "GetNode", body=b"NodeId=1&ProjectEnv=STAGING")[1]["Code"] == "InvalidParameter"


class TestSeedAndPayloads:
    def test_the_demo_event_payloads_refer_to_seeded_objects(self, seeded):
        from tests.dataworks_client.test_emulator import control

        status, body = control(seeded, "GET", "/_emulator/payloads")
        payloads = {p["event_code"]: p["data"] for p in json.loads(body)["payloads"]}

        assert status == 200
        assert set(payloads) >= {"backfill-data", "freeze-node", "undeploy-node", "pre-rerun-instance", "commit-table"}
        periods = json.loads(payloads["backfill-data"]["multipleTimePeriods"])
        assert len(periods) == 3
        store = seeded.store
        assert all(n in store.nodes for n in payloads["freeze-node"]["nodeIds"] + payloads["undeploy-node"]["nodeIds"])
        assert all(i in store.instances for i in payloads["pre-rerun-instance"]["taskIds"])
        table = payloads["commit-table"]
        assert f"odps.{table['maxComputeProject']}.{table['tableName']}" in store.tables

    def test_a_malformed_unreadable_entry_is_refused(self, emulator):
        with pytest.raises(ValueError):
            emulator.store.load_seed({"unreadable_nodes": [{"node_id": 1, "status": 200}]})
        with pytest.raises(ValueError):
            emulator.store.load_seed({"nodes": [{"NodeName": "no id"}]})

    def test_node_info_is_immutable(self):
        with pytest.raises(AttributeError):
            NodeInfo().node_id = 1  # type: ignore[misc]
