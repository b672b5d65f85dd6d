"""Build realistic DataWorks events and the emulator data behind them, for demos and tests.

`simulate_event` posts what these functions build: the CloudEvent exactly as EventBridge would deliver it, and a
seed document (docs/emulator.md) so the emulator answers GetIDEEventDetail, ListFileVersions and GetFolder for it.
File events get a previous version with a real difference, so the ticket's diff means something.
"""

from __future__ import annotations

import json
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events.catalogue import BY_CODE, EventSpec

DEMO_TENANT = 283787765610656
DEMO_OPERATOR = "193745001735"
FOLDER_ID = "demo-folder-etl-orders"
FOLDER_PATH = "etl/orders"

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
) -> Simulation:
    """Build the event and seed for one extension-point event.

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
    elif event_code.startswith("pre-"):
        data.update(taskIds=[523536569736], extensionBizName=file_name)
    else:
        data.update(nodeIds=[700000001, 700000002])
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
    return Simulation(event=_envelope(spec, data, message_id), seed=seed)
