"""Answer each emulated DataWorks action from the store, in DataWorks' response shapes.

Missing objects get 404 with a `*.NotExist` code (the real codes are not documented; see docs/emulator.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dataworks_client.emulator.errors import ApiError
from dataworks_client.emulator.store import ANY_EXTENSION, CallbackRecord, EmulatorStore

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Call:
    action: str
    params: dict[str, str]
    params_in: str  # "query", "body" or "none"
    request_id: str
    received_at: str


def _text(call: Call, name: str) -> str:
    value = call.params.get(name, "")
    if not value:
        raise ApiError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    return value


def _int(call: Call, name: str, default: int | None = None) -> int:
    raw = call.params.get(name)
    if raw in (None, "") and default is not None:
        return default
    if raw is None or raw == "":
        raise ApiError(400, "MissingParameter", f"The input parameter {name} that is mandatory is not supplied.")
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, "InvalidParameter", f"The parameter {name} is not a number.") from None


def _page(call: Call) -> tuple[int, int]:
    number, size = _int(call, "PageNumber", 1), _int(call, "PageSize", 10)
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, "InvalidParameter", f"PageNumber must be >= 1 and PageSize 1..{MAX_PAGE_SIZE}.")
    return number, size


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
        )
    )
    return {} if call.action == "UpdateIDEEventResult" else {"Success": True}


HANDLERS: dict[str, Callable[[EmulatorStore, Call], dict[str, Any]]] = {
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
