"""The emulator's in-memory state: seeded DataWorks objects, recorded calls and pending faults.

Seeded objects use DataWorks' own wire format (PascalCase JSON, as in real responses); see docs/emulator.md.
Every method is thread-safe: the server answers each connection on its own thread.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_MODES = ("throttle", "server_error", "forbidden", "latency", "drop", "error", "hold")
DEFAULT_HOLD_MS = 60_000  # a `hold` fault without latency_ms gives up waiting for a release after this long
MAX_RECORDED_REQUESTS = 1000
PASSING_RESULTS = {"OK": "PASSED", "WARN": "PASSED", "FAIL": "BLOCKED"}
ANY_EXTENSION = "*"
METADATA_KEYS = (
    "nodes",
    "node_children",
    "instances",
    "projects",
    "project_members",
    "tables",
    "unreadable_nodes",
    "event_payloads",
)
UNREADABLE_DEFAULT = (403, "Forbidden.Access", "You are not authorized to read this node.")


def utc_now_iso() -> str:
    return dt.datetime.now(tz=dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class Fault:
    """Make the next `remaining` calls of `action` ('*' for any) fail or slow down.

    `error` answers `status` with `code` and `message` (any text, odd characters included); `hold` keeps the call
    until `EmulatorStore.release_held()` or `latency_ms` (default DEFAULT_HOLD_MS) passes, then answers normally.
    """

    action: str
    mode: str
    remaining: int = 1
    retry_after_ms: int | None = None
    latency_ms: int = 0
    status: int = 0
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class RequestRecord:
    """One signed API request as it arrived, with the status it got."""

    action: str
    method: str
    path: str
    query_string: str
    body: str
    status: int
    request_id: str
    received_at: str
    fault: str | None = None
    credentials_provider: str = ""  # x-acs-credentials-provider: static_ak, default/env, ...
    version: str = ""  # x-acs-version as sent


@dataclass(frozen=True)
class CallbackRecord:
    """One accepted result callback."""

    action: str
    message_id: str
    extension_code: str
    check_result: str
    tip: str
    params: dict[str, str]
    params_in: str  # "query" or "body": where the SDK put them
    request_id: str
    received_at: str
    version: str = "2020-05-18"


def _require(entry: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in entry]
    if missing:
        raise ValueError(f"seed entry lacks {', '.join(missing)}: {sorted(entry)}")


@dataclass
class EmulatorStore:
    """Hold what the emulator serves and what it received."""

    event_details: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    file_versions: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    folders: dict[tuple[int, str], str] = field(default_factory=dict)
    extensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    project_options: dict[tuple[str, str], Any] = field(default_factory=dict)
    check_processes: list[dict[str, Any]] = field(default_factory=list)
    # Issue 17: stored in the 2020-05-18 wire shape; the 2024-05-18 handlers derive their shapes from it.
    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    node_children: dict[int, list[int]] = field(default_factory=dict)
    instances: dict[int, dict[str, Any]] = field(default_factory=dict)
    projects: dict[int, dict[str, Any]] = field(default_factory=dict)
    project_members: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    unreadable_nodes: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    event_payloads: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    callbacks: list[CallbackRecord] = field(default_factory=list)
    requests: deque[RequestRecord] = field(default_factory=lambda: deque(maxlen=MAX_RECORDED_REQUESTS))
    started: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _changed: threading.Condition = field(init=False, repr=False)
    _held: list[threading.Event] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self.lock)

    def reset(self) -> None:
        """Forget every seeded object, recorded call and pending fault; let every held call go."""
        with self.lock:
            for name in (
                "event_details",
                "file_versions",
                "files",
                "folders",
                "extensions",
                "project_options",
                *METADATA_KEYS,
            ):
                getattr(self, name).clear()
            self.check_processes.clear()
            self.faults.clear()
            self.callbacks.clear()
            self.requests.clear()
            self.started.clear()
        self.release_held()

    # --- seeding (in-process API) -------------------------------------------------------------------------------

    def put_event_detail(self, message_id: str, project_id: int, detail: dict[str, Any]) -> None:
        """Serve `detail` (the EventDetail object) for GetIDEEventDetail(message_id, project_id)."""
        with self.lock:
            self.event_details[(str(message_id), int(project_id))] = copy.deepcopy(detail)

    def put_file_versions(self, project_id: int, file_id: int, versions: list[dict[str, Any]]) -> None:
        """Serve `versions` (FileVersions entries) for ListFileVersions and GetFileVersion of one file."""
        with self.lock:
            self.file_versions[(int(project_id), int(file_id))] = copy.deepcopy(list(versions))

    def put_file(
        self, project_id: int, file_id: int, file: dict[str, Any], node_configuration: dict[str, Any] | None = None
    ) -> None:
        """Serve GetFile's Data.File (and Data.NodeConfiguration) for one file."""
        data: dict[str, Any] = {"File": copy.deepcopy(file)}
        if node_configuration is not None:
            data["NodeConfiguration"] = copy.deepcopy(node_configuration)
        with self.lock:
            self.files[(int(project_id), int(file_id))] = data

    def put_folder(self, project_id: int, folder_id: str, path: str) -> None:
        """Serve GetFolder for one folder."""
        with self.lock:
            self.folders[(int(project_id), str(folder_id))] = str(path)

    def set_extension(self, extension: dict[str, Any]) -> None:
        """Serve `extension` (GetExtension's Extension object) under its ExtensionCode."""
        _require(extension, "ExtensionCode")
        with self.lock:
            self.extensions[str(extension["ExtensionCode"])] = copy.deepcopy(extension)

    def set_project_options(self, project_id: int | str, value: Any, extension_code: str | None = None) -> None:
        """Serve OptionValue for a workspace: a dict is sent as a JSON string, a str or None as it is."""
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        with self.lock:
            self.project_options[(extension_code or ANY_EXTENSION, str(project_id))] = value

    def put_check_process(self, process: dict[str, Any]) -> None:
        """Add (or replace, by ProcessId) one CheckProcesses entry."""
        _require(process, "EventCode", "MessageId")
        with self.lock:
            entry = {"Status": "CHECKING", **copy.deepcopy(process)}
            if "ProcessId" in entry:
                self.check_processes[:] = [p for p in self.check_processes if p.get("ProcessId") != entry["ProcessId"]]
            self.check_processes.append(entry)

    # --- issue 17: Operation Center, workspaces, members, tables ---------------------------------------------------

    def put_node(self, node: dict[str, Any], children: list[int] | None = None) -> None:
        """Serve `node` (GetNode's Data, 2020 wire shape; needs NodeId) and, if given, its direct children's ids."""
        _require(node, "NodeId")
        node_id = int(node["NodeId"])
        with self.lock:
            self.nodes[node_id] = copy.deepcopy(node)
            if children is not None:
                self.node_children[node_id] = [int(c) for c in children]

    def put_node_children(self, node_id: int, children: list[int]) -> None:
        """Serve GetNodeChildren / ListDownstreamTasks of `node_id`: these node ids, in this order."""
        with self.lock:
            self.node_children[int(node_id)] = [int(c) for c in children]

    def make_node_unreadable(
        self, node_id: int, status: int | None = None, code: str | None = None, message: str | None = None
    ) -> None:
        """Answer every read of this node (GetNode, GetNodeChildren, GetTask, ListDownstreamTasks) with an error.

        Default 403 Forbidden.Access; stays until reset (unlike faults, which are used up).

        :raises ValueError: a status outside 400-599.
        """
        default_status, default_code, default_message = UNREADABLE_DEFAULT
        status = default_status if status is None else status
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError("an unreadable node needs an HTTP status from 400 to 599")
        with self.lock:
            self.unreadable_nodes[int(node_id)] = (status, code or default_code, message or default_message)

    def put_instance(self, instance: dict[str, Any]) -> None:
        """Serve `instance` (GetInstance's Data, 2020 wire shape; needs InstanceId)."""
        _require(instance, "InstanceId")
        with self.lock:
            self.instances[int(instance["InstanceId"])] = copy.deepcopy(instance)

    def put_project(self, project: dict[str, Any]) -> None:
        """Serve `project` (GetProject's Data, 2020 wire shape; needs ProjectId)."""
        _require(project, "ProjectId")
        with self.lock:
            self.projects[int(project["ProjectId"])] = copy.deepcopy(project)

    def put_project_members(self, project_id: int, members: list[dict[str, Any]]) -> None:
        """Serve ListProjectMembers of a workspace (ProjectMemberList entries, 2020 wire shape)."""
        with self.lock:
            self.project_members[int(project_id)] = copy.deepcopy(list(members))

    def put_table(self, guid: str, basic: dict[str, Any], columns: list[dict[str, Any]]) -> None:
        """Serve GetMetaTableBasicInfo (`basic`: its Data) and GetMetaTableColumn (`columns`) for one table GUID."""
        with self.lock:
            self.tables[str(guid)] = {"basic": copy.deepcopy(basic), "columns": copy.deepcopy(list(columns))}

    def put_event_payload(self, payload: dict[str, Any]) -> None:
        """Keep a sample event `data` payload ({"event_code", "name", "data"}), served by GET /_emulator/payloads."""
        _require(payload, "event_code", "data")
        if not isinstance(payload["data"], dict):
            raise ValueError("an event payload's data must be an object")
        with self.lock:
            self.event_payloads[:] = [
                p
                for p in self.event_payloads
                if (p["event_code"], p.get("name")) != (payload["event_code"], payload.get("name"))
            ]
            self.event_payloads.append(copy.deepcopy(payload))

    def event_payloads_json(self, event_code: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(p) for p in self.event_payloads if event_code in (None, p["event_code"])]

    def load_seed(self, seed: dict[str, Any]) -> dict[str, int]:
        """Merge a seed document (the --seed file format) into the store and count what it added.

        :raises ValueError: when the document does not have the documented shape.
        """
        if not isinstance(seed, dict):
            raise ValueError("a seed must be a JSON object")
        unknown = set(seed) - {
            "event_details",
            "file_versions",
            "files",
            "folders",
            "extensions",
            "project_options",
            "check_processes",
            "faults",
            "nodes",
            "node_children",
            "instances",
            "projects",
            "project_members",
            "tables",
            "unreadable_nodes",
            "event_payloads",
        }
        if unknown:
            raise ValueError(f"unknown seed keys: {', '.join(sorted(unknown))}")
        counts: dict[str, int] = {}
        for key, entries in seed.items():
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise ValueError(f"seed key {key!r} must be a list of objects")
            for entry in entries:
                self._load_entry(key, entry)
            counts[key] = len(entries)
        return counts

    def _load_entry(self, key: str, e: dict[str, Any]) -> None:
        try:
            if key == "event_details":
                _require(e, "message_id", "project_id", "detail")
                self.put_event_detail(e["message_id"], e["project_id"], e["detail"])
            elif key == "file_versions":
                _require(e, "project_id", "file_id", "versions")
                self.put_file_versions(e["project_id"], e["file_id"], e["versions"])
            elif key == "files":
                _require(e, "project_id", "file_id", "file")
                self.put_file(e["project_id"], e["file_id"], e["file"], e.get("node_configuration"))
            elif key == "folders":
                _require(e, "project_id", "folder_id", "path")
                self.put_folder(e["project_id"], e["folder_id"], e["path"])
            elif key == "extensions":
                self.set_extension(e)
            elif key == "project_options":
                _require(e, "project_id", "value")
                self.set_project_options(e["project_id"], e["value"], e.get("extension_code"))
            elif key == "check_processes":
                self.put_check_process(e)
            elif key in METADATA_KEYS:
                self._load_metadata_entry(key, e)
            else:
                _require(e, "action", "mode")
                self.add_fault(
                    e["action"],
                    e["mode"],
                    count=e.get("count", 1),
                    retry_after_ms=e.get("retry_after_ms"),
                    latency_ms=e.get("latency_ms", 0),
                    status=e.get("status"),
                    code=e.get("code"),
                    message=e.get("message", ""),
                )
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"bad {key} entry: {exc}") from exc

    def _load_metadata_entry(self, key: str, e: dict[str, Any]) -> None:
        if key == "nodes":
            children = e.get("Children")
            node = {k: v for k, v in e.items() if k != "Children"}
            self.put_node(node, children)
        elif key == "node_children":
            _require(e, "node_id", "children")
            self.put_node_children(e["node_id"], e["children"])
        elif key == "instances":
            self.put_instance(e)
        elif key == "projects":
            self.put_project(e)
        elif key == "project_members":
            _require(e, "project_id", "members")
            self.put_project_members(e["project_id"], e["members"])
        elif key == "tables":
            _require(e, "guid", "basic", "columns")
            self.put_table(e["guid"], e["basic"], e["columns"])
        elif key == "unreadable_nodes":
            _require(e, "node_id")
            self.make_node_unreadable(e["node_id"], e.get("status"), e.get("code"), e.get("message"))
        else:
            self.put_event_payload(e)

    # --- faults ---------------------------------------------------------------------------------------------------

    def add_fault(
        self,
        action: str,
        mode: str,
        *,
        count: int = 1,
        retry_after_ms: int | None = None,
        latency_ms: int = 0,
        status: int | None = None,
        code: str | None = None,
        message: str = "",
    ) -> Fault:
        """Queue a fault for the next `count` calls of `action` ('*' matches any action).

        `error` needs `status` (400-599) and a non-empty `code`; `hold` takes `latency_ms` as its longest hold.

        :raises ValueError: for an unknown mode, a non-positive count or a fault missing what its mode needs.
        """
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}")
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if mode == "latency" and (not isinstance(latency_ms, int) or latency_ms <= 0):
            raise ValueError("latency mode needs latency_ms > 0")
        if mode == "hold" and (not isinstance(latency_ms, int) or latency_ms < 0):
            raise ValueError("hold mode takes latency_ms >= 0 (0: the default hold)")
        if mode == "error":
            if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
                raise ValueError("error mode needs an HTTP status from 400 to 599")
            if not isinstance(code, str) or not code or not isinstance(message, str):
                raise ValueError("error mode needs a non-empty code and a string message")
        if mode == "hold" and not latency_ms:
            latency_ms = DEFAULT_HOLD_MS
        fault = Fault(
            str(action),
            mode,
            count,
            retry_after_ms,
            int(latency_ms or 0),
            status=int(status or 0),
            code=code or "",
            message=message,
        )
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, action: str) -> Fault | None:
        """Consume one use of the first fault matching `action`, if any."""
        with self.lock:
            for fault in self.faults:
                if fault.action in {action, "*"}:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return copy.copy(fault)
        return None

    # --- calls in flight ------------------------------------------------------------------------------------------

    def hold(self, fault: Fault, stopping: threading.Event) -> None:
        """Keep a call of a `hold` fault until released, its longest hold passes, or the server stops."""
        released = threading.Event()
        with self.lock:
            self._held.append(released)
        deadline = time.monotonic() + fault.latency_ms / 1000
        try:
            while not released.is_set() and not stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                released.wait(min(remaining, 0.1))
        finally:
            with self.lock:
                if released in self._held:
                    self._held.remove(released)

    def release_held(self) -> int:
        """Let every call held by a `hold` fault go on (it is then answered normally); return how many."""
        with self.lock:
            held, self._held = self._held, []
        for released in held:
            released.set()
        return len(held)

    def held_count(self) -> int:
        with self.lock:
            return len(self._held)

    def record_start(self, action: str) -> None:
        """Count a call that passed the signature check, before any fault applies (so a held call is counted)."""
        with self._changed:
            self.started[action] += 1
            self._changed.notify_all()

    def started_json(self) -> dict[str, int]:
        with self.lock:
            return dict(self.started)

    def wait_for_calls(self, action: str, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait until `count` calls of `action` have started (since the last reset); tell whether they did."""
        with self._changed:
            return self._changed.wait_for(lambda: self.started[action] >= count, timeout=timeout)

    # --- recording ------------------------------------------------------------------------------------------------

    def record_request(self, record: RequestRecord) -> None:
        with self.lock:
            self.requests.append(record)

    def record_callback(self, record: CallbackRecord) -> None:
        """Keep the callback and settle the matching CHECKING check processes as DataWorks would."""
        with self.lock:
            self.callbacks.append(record)
            new_status = PASSING_RESULTS.get(record.check_result)
            for process in self.check_processes:
                if process.get("MessageId") == record.message_id and process.get("Status") == "CHECKING":
                    process["Status"] = new_status

    def callbacks_json(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(c) for c in self.callbacks]

    def requests_json(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(r) for r in self.requests]
