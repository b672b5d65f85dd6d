"""Emulated Operation Center, workspace, member and table reads, in both API versions where they exist.

The store keeps every object in its 2020-05-18 wire shape (what the seed holds); the 2024-05-18 handlers build the
new shapes from it (GetTask, ListDownstreamTasks, GetTaskInstance, GetProject, ListProjectMembers). Not-found codes
are the emulator's choice (DataWorks does not document them); see docs/dataworks-api-versions.md.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from dataworks_client.emulator.errors import ApiError
from dataworks_client.emulator.params import Call, _int, _page, _text

if TYPE_CHECKING:
    from dataworks_client.emulator.store import EmulatorStore

NODE_SUMMARY_FIELDS = (
    "NodeId",
    "NodeName",
    "OwnerId",
    "ProgramType",
    "CronExpress",
    "Priority",
    "BaselineId",
    "ProjectId",
    "SchedulerType",
    "Repeatability",
)
# 2020 NOT_RUN → 2024 NotRun, and so on.
STATUS_2024 = {
    "NOT_RUN": "NotRun",
    "WAIT_TIME": "WaitTime",
    "WAIT_RESOURCE": "WaitResource",
    "RUNNING": "Running",
    "CHECKING": "Checking",
    "CHECKING_CONDITION": "CheckingCondition",
    "FAILURE": "Failure",
    "SUCCESS": "Success",
}
RECURRENCE_2024 = {"NORMAL": "Normal", "PAUSE": "Pause", "SKIP": "Skip"}
ENVS = {"2020-05-18": ("PROD", "DEV"), "2024-05-18": ("Prod", "Dev")}
PROJECT_STATUS_2024 = {0: "Available", 1: "Deleted", 2: "Initializing", 3: "InitFailed", 4: "Forbidden"}


def _env(call: Call, *, required: bool) -> None:
    value = call.params.get("ProjectEnv", "")
    if not value and not required:
        return
    if not value:
        _text(call, "ProjectEnv")  # raises MissingParameter
    if value not in ENVS[call.version]:
        raise ApiError(400, "InvalidParameter", f"ProjectEnv must be one of {', '.join(ENVS[call.version])}.")


def _readable_node(store: EmulatorStore, node_id: int) -> dict[str, Any]:
    with store.lock:
        blocked = store.unreadable_nodes.get(node_id)
        node = store.nodes.get(node_id)
    if blocked is not None:
        raise ApiError(*blocked)
    if node is None:
        raise ApiError(404, "Invalid.Node.NotExist", "The node does not exist.")
    return copy.deepcopy(node)


def _children(store: EmulatorStore, node_id: int) -> list[dict[str, Any]]:
    _readable_node(store, node_id)
    with store.lock:
        ids = list(store.node_children.get(node_id, []))
        return [copy.deepcopy(store.nodes.get(child, {"NodeId": child})) for child in ids]


def _ok(data: Any) -> dict[str, Any]:
    return {"Success": True, "HttpStatusCode": 200, "Data": data}


def _task(node: dict[str, Any]) -> dict[str, Any]:
    """Build a 2024 Task from a 2020 node."""
    return {
        "Id": node.get("NodeId"),
        "Name": node.get("NodeName"),
        "Owner": node.get("OwnerId"),
        "Type": node.get("ProgramType"),
        "Priority": node.get("Priority"),
        "BaselineId": node.get("BaselineId"),
        "ProjectId": node.get("ProjectId"),
        "ProjectEnv": "Prod",
        "Description": node.get("Description"),
        "Trigger": {
            "Type": "Scheduler",
            "Cron": node.get("CronExpress"),
            "Recurrence": RECURRENCE_2024.get(str(node.get("SchedulerType")), "Normal"),
        },
    }


# --- 2020-05-18 ---------------------------------------------------------------------------------------------------


def get_node(store: EmulatorStore, call: Call) -> dict[str, Any]:
    _env(call, required=True)
    return _ok(_readable_node(store, _int(call, "NodeId")))


def get_node_children(store: EmulatorStore, call: Call) -> dict[str, Any]:
    _env(call, required=True)
    node_id = _int(call, "NodeId")
    nodes = [{k: n[k] for k in NODE_SUMMARY_FIELDS if k in n} for n in _children(store, node_id)]
    return _ok({"Nodes": nodes})


def _instance(store: EmulatorStore, instance_id: int) -> dict[str, Any]:
    with store.lock:
        instance = store.instances.get(instance_id)
    if instance is None:
        raise ApiError(404, "Invalid.Instance.NotExist", "The instance does not exist.")
    return copy.deepcopy(instance)


def get_instance(store: EmulatorStore, call: Call) -> dict[str, Any]:
    _env(call, required=True)
    return _ok(_instance(store, _int(call, "InstanceId")))


def _project(store: EmulatorStore, project_id: int) -> dict[str, Any]:
    with store.lock:
        project = store.projects.get(project_id)
    if project is None:
        raise ApiError(404, "Invalid.Project.NotExist", "The project does not exist.")
    return copy.deepcopy(project)


def get_project(store: EmulatorStore, call: Call) -> dict[str, Any]:
    return {"Success": True, "HttpStatusCode": 200, "Data": _project(store, _int(call, "ProjectId"))}


def _members(store: EmulatorStore, call: Call) -> tuple[int, int, list[dict[str, Any]]]:
    project_id = _int(call, "ProjectId")
    number, size = _page(call)
    _project(store, project_id)
    with store.lock:
        members = copy.deepcopy(store.project_members.get(project_id, []))
    return number, size, members


def list_project_members(store: EmulatorStore, call: Call) -> dict[str, Any]:
    number, size, members = _members(store, call)
    page = members[(number - 1) * size : number * size]
    return {"Data": {"PageNumber": number, "PageSize": size, "TotalCount": len(members), "ProjectMemberList": page}}


def _table(store: EmulatorStore, call: Call) -> dict[str, Any]:
    guid = _text(call, "TableGuid")
    with store.lock:
        table = store.tables.get(guid)
    if table is None:
        raise ApiError(404, "Invalid.Table.NotExist", "The table does not exist.")
    return copy.deepcopy(table)


def get_meta_table_column(store: EmulatorStore, call: Call) -> dict[str, Any]:
    table = _table(store, call)
    number = _int(call, "PageNum", 1)
    size = _int(call, "PageSize", 10)
    if number < 1 or not 1 <= size <= 100:
        raise ApiError(400, "InvalidParameter", "PageNum must be >= 1 and PageSize 1..100.")
    columns = table["columns"]
    page = columns[(number - 1) * size : number * size]
    return _ok({"PageNum": number, "PageSize": size, "TotalCount": len(columns), "ColumnList": page})


def get_meta_table_basic_info(store: EmulatorStore, call: Call) -> dict[str, Any]:
    table = _table(store, call)
    source = call.params.get("DataSourceType", "odps")
    if source not in {"odps", "emr"}:
        raise ApiError(400, "InvalidParameter", "DataSourceType must be odps or emr.")
    return _ok(table["basic"])


# --- 2024-05-18 ---------------------------------------------------------------------------------------------------


def get_task(store: EmulatorStore, call: Call) -> dict[str, Any]:
    _env(call, required=False)
    return {"Task": _task(_readable_node(store, _int(call, "Id")))}


def list_downstream_tasks(store: EmulatorStore, call: Call) -> dict[str, Any]:
    _env(call, required=False)
    number, size = _page(call)
    tasks = [{"DependencyType": "Normal", "Task": _task(node)} for node in _children(store, _int(call, "Id"))]
    return {
        "PagingInfo": {
            "PageNumber": number,
            "PageSize": size,
            "TotalCount": len(tasks),
            "DownstreamTasks": tasks[(number - 1) * size : number * size],
        }
    }


def get_task_instance(store: EmulatorStore, call: Call) -> dict[str, Any]:
    instance = _instance(store, _int(call, "Id"))
    with store.lock:
        node = copy.deepcopy(store.nodes.get(int(instance.get("NodeId") or 0), {}))
    return {
        "TaskInstance": {
            "Id": instance.get("InstanceId"),
            "TaskId": instance.get("NodeId"),
            "TaskName": instance.get("NodeName"),
            "Bizdate": instance.get("Bizdate"),
            "TriggerTime": instance.get("CycTime"),
            "Status": STATUS_2024.get(str(instance.get("Status")), instance.get("Status")),
            "Owner": instance.get("Owner"),
            "TaskType": instance.get("TaskType"),
            "BaselineId": instance.get("BaselineId"),
            "ProjectId": node.get("ProjectId"),
            "ProjectEnv": "Prod",
            "TriggerType": "Scheduler",
        }
    }


def _status(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def get_project_2024(store: EmulatorStore, call: Call) -> dict[str, Any]:
    project = _project(store, _int(call, "Id"))
    return {
        "Project": {
            "Id": project.get("ProjectId"),
            "Name": project.get("ProjectIdentifier"),
            "DisplayName": project.get("ProjectName"),
            "Description": project.get("ProjectDescription"),
            "Owner": project.get("ProjectOwnerBaseId"),
            "DevEnvironmentEnabled": project.get("ProjectMode") == 3,
            "Status": PROJECT_STATUS_2024.get(_status(project.get("Status")), "Available"),
        }
    }


def list_project_members_2024(store: EmulatorStore, call: Call) -> dict[str, Any]:
    number, size, members = _members(store, call)
    project_id = _int(call, "ProjectId")
    converted = [
        {
            "ProjectId": project_id,
            "UserId": m.get("ProjectMemberId"),
            "UserName": m.get("Nick") or m.get("ProjectMemberName"),
            "Status": "Normal" if m.get("Status") in (None, 0, "0", "NORMAL") else "Forbidden",
            "Roles": [
                {"Code": r.get("ProjectRoleCode"), "Name": r.get("ProjectRoleName"), "Type": "System"}
                for r in m.get("ProjectRoleList") or []
            ],
        }
        for m in members
    ]
    return {
        "PagingInfo": {
            "PageNumber": number,
            "PageSize": size,
            "TotalCount": len(converted),
            "ProjectMembers": converted[(number - 1) * size : number * size],
        }
    }
