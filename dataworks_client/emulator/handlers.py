"""Answer each emulated DataWorks action from the store, in DataWorks' response shapes.

Missing objects get 404 with a `*.NotExist` code (the real codes are not documented; see docs/emulator.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from dataworks_client.emulator import metadata
from dataworks_client.emulator.errors import ApiError
from dataworks_client.emulator.params import Call, _int, _page, _text
from dataworks_client.emulator.store import ANY_EXTENSION, CallbackRecord, EmulatorStore

__all__ = ["HANDLERS", "ApiError", "Call", "handler_for"]
V2020 = "2020-05-18"
V2024 = "2024-05-18"
Handler = Callable[[EmulatorStore, Call], dict[str, Any]]


def _ok(data: dict[str, Any]) -> dict[str, Any]:
    """Wrap Data the way the file APIs do."""
    return {"Success": True, "HttpStatusCode": 200, "Data": data}


def get_ide_event_detail(store: EmulatorStore, call: Call) -> dict[str, Any]:
    key = (_text(call, "MessageId"), _int(call, "ProjectId"))
    with store.lock:
        detail = store.event_details.get(key)
    if detail is None:
        raise ApiError(404, "Invalid.Event.MessageNotExist", "The event message does not exist.")
    return {"EventDetail": copy.deepcopy(detail)}


def _versions(store: EmulatorStore, call: Call) -> list[dict[str, Any]]:
    key = (_int(call, "ProjectId"), _int(call, "FileId"))
    with store.lock:
        versions = store.file_versions.get(key)
    if versions is None:
        raise ApiError(404, "Invalid.File.FileNotExist", "The file does not exist.")
    return sorted(copy.deepcopy(versions), key=lambda v: int(v.get("FileVersion") or 0), reverse=True)


def list_file_versions(store: EmulatorStore, call: Call) -> dict[str, Any]:
    number, size = _page(call)
    versions = _versions(store, call)
    page = versions[(number - 1) * size : number * size]
    return _ok({"PageNumber": number, "PageSize": size, "TotalCount": len(versions), "FileVersions": page})


def get_file_version(store: EmulatorStore, call: Call) -> dict[str, Any]:
    wanted = _int(call, "FileVersion")
    for version in _versions(store, call):
        if int(version.get("FileVersion") or 0) == wanted:
            return _ok(version)
    raise ApiError(404, "Invalid.File.VersionNotExist", "The file version does not exist.")


def get_file(store: EmulatorStore, call: Call) -> dict[str, Any]:
    with store.lock:
        data = store.files.get((_int(call, "ProjectId"), _int(call, "FileId")))
    if data is None:
        raise ApiError(404, "Invalid.File.FileNotExist", "The file does not exist.")
    return _ok(copy.deepcopy(data))


def get_folder(store: EmulatorStore, call: Call) -> dict[str, Any]:
    folder_id = _text(call, "FolderId")
    with store.lock:
        path = store.folders.get((_int(call, "ProjectId"), folder_id))
    if path is None:
        raise ApiError(404, "Invalid.Folder.FolderNotExist", "The folder does not exist.")
    return _ok({"FolderId": folder_id, "FolderPath": path})


def list_check_processes(store: EmulatorStore, call: Call) -> dict[str, Any]:
    event_code, (number, size) = _text(call, "EventCode"), _page(call)
    filters = {
        name: call.params[name] for name in ("ProjectId", "MessageId", "Status", "Operator") if call.params.get(name)
    }
    with store.lock:
        matching = [
            copy.deepcopy(p)
            for p in store.check_processes
            if p.get("EventCode") == event_code and all(str(p.get(k)) == v for k, v in filters.items())
        ]
    return {
        "PagingInfo": {
            "PageNumber": number,
            "PageSize": size,
            "TotalCount": len(matching),
            "CheckProcesses": matching[(number - 1) * size : number * size],
        }
    }


def get_extension(store: EmulatorStore, call: Call) -> dict[str, Any]:
    with store.lock:
        extension = store.extensions.get(_text(call, "ExtensionCode"))
    if extension is None:
        raise ApiError(404, "Invalid.Extension.NotExist", "The extension does not exist.")
    return {"Extension": copy.deepcopy(extension)}


def get_option_value_for_project(store: EmulatorStore, call: Call) -> dict[str, Any]:
    code, project = _text(call, "ExtensionCode"), _text(call, "ProjectId")
    with store.lock:
        if (code, project) in store.project_options:
            value = store.project_options[(code, project)]
        else:
            # A workspace whose admin never saved the options form (real answer undocumented: null assumed).
            value = store.project_options.get((ANY_EXTENSION, project))
    return {"OptionValue": value}


def _callback(store: EmulatorStore, call: Call, results: tuple[str, ...], tip_param: str) -> dict[str, Any]:
    message_id, code = _text(call, "MessageId"), _text(call, "ExtensionCode")
    result = _text(call, "CheckResult")
    if result not in results:
        raise ApiError(400, "InvalidParameter", f"CheckResult must be one of {', '.join(results)}.")
    store.record_callback(
        CallbackRecord(
            action=call.action,
            message_id=message_id,
            extension_code=code,
            check_result=result,
            tip=call.params.get(tip_param, ""),
            params=dict(call.params),
            params_in=call.params_in,
            request_id=call.request_id,
            received_at=call.received_at,
            version=call.version,
        )
    )
    return {} if call.action == "UpdateIDEEventResult" else {"Success": True}


HANDLERS_2020: dict[str, Handler] = {
    "GetIDEEventDetail": get_ide_event_detail,
    "ListFileVersions": list_file_versions,
    "GetFileVersion": get_file_version,
    "GetFile": get_file,
    "GetFolder": get_folder,
    "ListCheckProcesses": list_check_processes,
    "GetExtension": get_extension,
    "GetOptionValueForProject": get_option_value_for_project,
    "UpdateIDEEventResult": lambda s, c: _callback(s, c, ("OK", "WARN", "FAIL"), "CheckResultTip"),
    # DataWorks documents only OK and FAIL here; rejecting WARN keeps the client's WARN -> OK mapping honest.
    "UpdateWorkbenchEventResult": lambda s, c: _callback(s, c, ("OK", "FAIL"), "CheckResultTip"),
    "CallbackExtension": lambda s, c: _callback(s, c, ("OK", "WARN", "FAIL"), "CheckMessage"),
}
HANDLERS_2020.update(
    {
        "GetNode": metadata.get_node,
        "GetNodeChildren": metadata.get_node_children,
        "GetInstance": metadata.get_instance,
        "GetProject": metadata.get_project,
        "ListProjectMembers": metadata.list_project_members,
        "GetMetaTableColumn": metadata.get_meta_table_column,
        "GetMetaTableBasicInfo": metadata.get_meta_table_basic_info,
    }
)
# What the 2024-05-18 SDK has of what we call: no workbench result, check processes, extension calls, GetNodeChildren,
# GetInstance or GetMetaTable*; its node, children and instance reads are GetTask, ListDownstreamTasks, GetTaskInstance.
HANDLERS_2024: dict[str, Handler] = {
    "GetIDEEventDetail": get_ide_event_detail,
    "ListFileVersions": list_file_versions,
    "GetFileVersion": get_file_version,
    "UpdateIDEEventResult": HANDLERS_2020["UpdateIDEEventResult"],
    "GetTask": metadata.get_task,
    "ListDownstreamTasks": metadata.list_downstream_tasks,
    "GetTaskInstance": metadata.get_task_instance,
    "GetProject": metadata.get_project_2024,
    "ListProjectMembers": metadata.list_project_members_2024,
}
HANDLERS: dict[str, dict[str, Handler]] = {V2020: HANDLERS_2020, V2024: HANDLERS_2024}


def handler_for(version: str, action: str) -> Handler | None:
    """Return the handler of `action` in API `version`, or None when that version has no such action."""
    return HANDLERS.get(version, {}).get(action)
