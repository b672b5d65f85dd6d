"""Build realistic DataWorks events and the emulator data behind them, for demos and tests.

`simulate_event` posts what these functions build: the CloudEvent exactly as EventBridge would deliver it, and a
seed document (docs/emulator.md) so the emulator answers GetIDEEventDetail, ListFileVersions and GetFolder for it.
File events get a previous version with a real difference, so the ticket's diff means something.

Every simulation also carries the example seed's context (`context_seed`: workspaces, members, the scheduled nodes
with their 40-descendant tree, instances, tables, the unreadable node), so the ticket shows what a reviewer needs
even against a freshly started emulator; Operation Center and table events use the ids and payloads of that seed
(`GET /_emulator/payloads`), so each kind comes out as rich as the demo promises.
"""

from __future__ import annotations

import copy
import functools
import json
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dataworks_client
from events.catalogue import BY_CODE, EventSpec

DEMO_TENANT = 283787765610656
DEMO_OPERATOR = "193745001735"
FOLDER_ID = "demo-folder-etl-orders"
FOLDER_PATH = "etl/orders"
EXAMPLE_SEED = Path(dataworks_client.__file__).resolve().parent / "emulator" / "example_seed.json"
# The example seed's keys a ticket's context reads (approvals.intake.context).
CONTEXT_KEYS = ("nodes", "instances", "projects", "project_members", "tables", "unreadable_nodes")
# The seed's ids: the root of the 40-descendant tree and its first child, two nodes to undeploy, a failed instance.
FREEZE_NODES = [700000001, 700000002]
UNDEPLOY_NODES = [700000100, 700000200]
UNREADABLE_NODE = 700000999
FAILED_INSTANCE = 523536569736

PREVIOUS_SQL = """-- {name}: load yesterday's orders into the ODS layer
INSERT OVERWRITE TABLE {name} PARTITION (ds = '${{bizdate}}')
SELECT  order_id
        ,customer_id
        ,amount
        ,status
FROM    src_orders
WHERE   ds = '${{bizdate}}'
AND     status <> 'TEST'
;
"""

CHANGED_SQL = """-- {name}: load yesterday's orders into the ODS layer
-- 2026-11: add the currency and drop cancelled orders (ticket DATA-1234)
INSERT OVERWRITE TABLE {name} PARTITION (ds = '${{bizdate}}')
SELECT  order_id
        ,customer_id
        ,amount
        ,currency
        ,status
FROM    src_orders
WHERE   ds = '${{bizdate}}'
AND     status NOT IN ('TEST', 'CANCELLED')
;
"""


@dataclass
class Simulation:
    """One simulated event: the CloudEvent to post and the emulator seed that backs it."""

    event: dict[str, Any]
    seed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        return str(self.event["id"])


@functools.cache
def _example_seed() -> dict[str, Any]:
    return dict(json.loads(EXAMPLE_SEED.read_text(encoding="utf-8")))


def context_seed() -> dict[str, list[dict[str, Any]]]:
    """Return the example seed's context data (a copy): what the emulator needs to answer the context reads."""
    seed = _example_seed()
    return {key: copy.deepcopy(seed[key]) for key in CONTEXT_KEYS if key in seed}


def example_payload(event_code: str) -> dict[str, Any] | None:
    """Return the `data` of the example seed's sample payload for `event_code` (a copy), or None."""
    for payload in _example_seed().get("event_payloads", []):
        if payload.get("event_code") == event_code:
            return copy.deepcopy(dict(payload["data"]))
    return None


def _envelope(spec: EventSpec, data: dict[str, Any], message_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "datacontenttype": "application/json;charset=utf-8",
        "data": data,
        "id": message_id,
        "source": "acs.dataworks",
        "specversion": "1.0",
        "subject": "",
        "time": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "type": spec.type,
        "aliyunaccountid": "1234567890987654",
        "aliyunpublishtime": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "aliyuneventbusname": "review-gate-demo",
        "aliyunregionid": "cn-hangzhou",
    }


def _node_configuration(cron: str) -> dict[str, Any]:
    return {
        "CronExpress": cron,
        "CycleType": "DAY",
        "DependentType": "NONE",
        "RerunMode": "ALL_ALLOWED",
        "SchedulerType": "NORMAL",
        "AutoRerunTimes": 3,
        "AutoRerunIntervalMillis": 120000,
        "ResourceGroupId": 1001,
        "ParaValue": "bizdate=$bizdate",
        "InputList": [{"Input": "project_root", "ParseType": "MANUAL"}],
        "OutputList": [{"Output": "sales.ods_orders_daily", "RefTableName": "ods_orders_daily"}],
    }


def _versions(name: str, file_id: int, event_code: str, previous: str) -> list[dict[str, Any]]:
    """Version history before the change: v5 runs in production, v6 is the last commit."""
    base_ms = int(time.time() * 1000) - 86_400_000
    common = {"FileName": name, "NodeId": file_id + 1, "UseType": "NORMAL", "ChangeType": "UPDATE"}
    old_config = json.dumps({"CronExpress": "00 00 02 * * ?", "CycleType": "DAY", "RerunMode": "ALL_ALLOWED"})
    return [
        {
            **common,
            "FileVersion": 5,
            "FileContent": previous.replace("'TEST'", "'TEST', 'DEMO'"),
            "Status": "DEPLOYED",
            "IsCurrentProd": True,
            "CommitTime": base_ms - 3_600_000,
            "CommitUser": DEMO_OPERATOR,
            "Comment": "previous production version",
            "NodeContent": old_config,
        },
        {
            **common,
            "FileVersion": 6,
            "FileContent": previous,
            "Status": "COMMITTED",
            "IsCurrentProd": False,
            "CommitTime": base_ms,
            "CommitUser": DEMO_OPERATOR,
            "Comment": "exclude test orders",
            "NodeContent": old_config,
        },
    ]


def build(
    event_code: str,
    *,
    project_id: int,
    file_name: str = "ods_orders_daily",
    content: str | None = None,
    operator: str = DEMO_OPERATOR,
    message_id: str | None = None,
    ids: list[int] | None = None,
    context: bool = False,
) -> Simulation:
    """Build the event and seed for one extension-point event.

    `ids` replaces the node ids (node events) or instance ids (instance events) the example seed suggests.
    `context` adds the example seed's context to the seed (what `simulate_event` sends) and takes the backfill from
    the seed's sample payload (three periods); without it the seed holds only the event's own details, as tests
    that seed the rest themselves expect.

    :raises ValueError: the event code is not in the catalogue.
    """
    spec = BY_CODE.get(event_code)
    if spec is None:
        raise ValueError(f"unknown event code {event_code!r}; known: {', '.join(sorted(BY_CODE))}")
    message_id = message_id or str(uuid.uuid4())
    file_id = 500_000_000 + zlib.crc32(file_name.encode()) % 1_000_000  # stable across runs
    previous = PREVIOUS_SQL.format(name=file_name)
    new = content if content is not None else CHANGED_SQL.format(name=file_name)
    data: dict[str, Any] = {
        "operator": operator,
        "projectId": project_id,
        "tenantId": DEMO_TENANT,
        "eventCode": spec.code,
    }
    seed: dict[str, list[dict[str, Any]]] = {}

    if event_code in {"commit-file", "deploy-file"}:
        data.update(fileName=file_name, fileId=file_id, fileVersion=7, fileType=10, changeType="1", blockBusiness=False)
        detail = {
            "CommittedFile": {
                "FileId": file_id,
                "FileName": file_name,
                "FileType": 10,
                "NodeId": file_id + 1,
                "ChangeType": "UPDATE",
                "Comment": "add currency, drop cancelled orders",
                "Committor": operator,
                "Content": new,
                "UseType": "NORMAL",
                "FilePropertyContent": {
                    "CurrentVersion": 7,
                    "FolderId": FOLDER_ID,
                    "Owner": operator,
                    "DataSourceName": "odps_first",
                },
                "NodeConfiguration": _node_configuration("00 30 02 * * ?"),
            }
        }
        seed["event_details"] = [{"message_id": message_id, "project_id": project_id, "detail": detail}]
        seed["file_versions"] = [
            {
                "project_id": project_id,
                "file_id": file_id,
                "versions": _versions(file_name, file_id, event_code, previous),
            }
        ]
        seed["folders"] = [{"project_id": project_id, "folder_id": FOLDER_ID, "path": FOLDER_PATH}]
    elif event_code == "delete-file":
        data.update(fileName=file_name, fileId=file_id, fileType=10, nodeId=file_id + 1)
        detail = {
            "DeletedFile": {
                "FileId": file_id,
                "FileName": file_name,
                "FileType": 10,
                "Content": previous,
                "CurrentVersion": 6,
                "FolderId": FOLDER_ID,
                "Owner": operator,
                "NodeId": file_id + 1,
            }
        }
        seed["event_details"] = [{"message_id": message_id, "project_id": project_id, "detail": detail}]
        seed["folders"] = [{"project_id": project_id, "folder_id": FOLDER_ID, "path": FOLDER_PATH}]
    elif event_code == "run-file":
        data.update(fileName=file_name, fileId=file_id, fileType=10)
        detail = {
            "FileExecutionCommand": {"FileId": file_id, "FileType": 10, "Content": new, "DataSourceName": "odps_first"}
        }
        seed["event_details"] = [{"message_id": message_id, "project_id": project_id, "detail": detail}]
    elif event_code in {"commit-table", "deploy-table"}:
        data.update(tableName=file_name, tableType="ODPS", maxComputeProject="sales")
        data.pop("eventCode")  # the documented table payload carries no eventCode; the type tells the kind
        columns = [
            {"ColumnName": "order_id", "ColumnType": "BIGINT", "Comment": "order key", "IsPartitionColumn": False},
            {
                "ColumnName": "amount",
                "ColumnType": "DECIMAL(18,2)",
                "Comment": "order amount",
                "IsPartitionColumn": False,
            },
            {"ColumnName": "currency", "ColumnType": "STRING", "Comment": "ISO 4217 code", "IsPartitionColumn": False},
            {"ColumnName": "ds", "ColumnType": "STRING", "Comment": "business date", "IsPartitionColumn": True},
        ]
        detail = {
            "TableModel": {
                "TableName": file_name,
                "Comment": "daily orders",
                "DataSourceName": "odps_first",
                "Env": "PROD" if event_code == "deploy-table" else "DEV",
                "LifeCycle": 365,
                "Columns": columns,
            }
        }
        seed["event_details"] = [{"message_id": message_id, "project_id": project_id, "detail": detail}]
    elif event_code == "backfill-data" and context:
        # The example seed's backfill: three periods (13 business dates) from the order root, 4 nodes, 1 excluded.
        sample = example_payload("backfill-data") or {}
        for key in ("operator", "projectId", "tenantId", "eventCode", "extensionBizId"):
            sample.pop(key, None)
        data.update(sample, rootNodeProjectId=project_id)
        if ids:
            data.update(rootNodeId=ids[0], includeNodeIds=ids)
    elif event_code == "backfill-data":
        data.update(
            name=f"P_{file_name}_backfill",
            rootNodeId=700000001,
            rootNodeProjectId=project_id,
            includeNodeIds=[700000001, 700000002],
            excludeNodeIds=[],
            multipleTimePeriods=json.dumps([{"bizBeginTime": "2026-11-01", "bizEndTime": "2026-11-07"}]),
            useMultipleTimePeriods=True,
            isParallel=True,
            parallelGroup=2,
            order="asc",
            startFutureInstanceImmediately=False,
        )
        if ids:
            data.update(rootNodeId=ids[0], includeNodeIds=ids)
    elif event_code.startswith("pre-"):
        data.update(taskIds=ids or [FAILED_INSTANCE], extensionBizName=file_name)
    else:
        data.update(nodeIds=ids or (UNDEPLOY_NODES if event_code == "undeploy-node" else FREEZE_NODES))
    data["extensionBizId"] = uuid.uuid4().hex[:12]
    seed["check_processes"] = [
        {
            "EventCode": spec.code,
            "MessageId": message_id,
            "ProjectId": project_id,
            "Operator": operator,
            "ProcessId": f"rdk_generate_{message_id}",
            "ProcessName": file_name,
            "Status": "CHECKING",
        }
    ]
    if context:
        seed.update(context_seed())
    return Simulation(event=_envelope(spec, data, message_id), seed=seed)
