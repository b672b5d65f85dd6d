"""The typed facade over the official DataWorks SDKs: the only code in Review Gate that calls DataWorks.

The SDKs are imported inside functions (each costs about 0.5 s), settings are read when the client is built, and
the SDKs' own retries stay off (no `retry_options`: exactly one attempt per call); the task queue owns retrying.

Two API versions sit behind this one facade (docs/dataworks-api-versions.md): 2020-05-18 for everything, and
2024-05-18 (workspaces on the new Data Studio) for the calls that take `api_version`. Both SDK clients share one
ClientSettings, one credential chain and one rate limiter.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config import metrics
from dataworks_client import mapping
from dataworks_client.conf import ClientSettings, load_settings
from dataworks_client.errors import DataWorksError, DataWorksNotFound, DataWorksThrottled, classify, map_sdk_exception
from dataworks_client.metadata_cache import MetadataCache
from dataworks_client.ratelimit import RateLimiter, build_limiter
from dataworks_client.sdk import V2020, V2024, build_credential, build_sdk_client, require_version, sdk_models
from dataworks_client.types import (
    CallbackReceipt,
    CheckProcess,
    DownstreamWalk,
    EventDetail,
    Extension,
    FileDetail,
    FileVersion,
    InstanceInfo,
    MemberDirectory,
    NodeChild,
    NodeInfo,
    ProjectInfo,
    ProjectOptions,
    TableBasicInfo,
    TableColumnInfo,
)
from dataworks_client.validation import (
    optional_status,
    require_id,
    require_result,
    require_table_guid,
    require_text,
    require_tip,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
# A file with 100,000 versions is not a real case; stop instead of looping on a server that ignores paging.
MAX_PAGES = 1000
WORKBENCH_WARN_PREFIX = "WARN: "
# GetMetaTableColumn's documented maximum page size.
META_PAGE_SIZE = 100
PROD_ENV = {V2020: "PROD", V2024: "Prod"}


class DataWorksClient:
    """Call DataWorks OpenAPI operations (2020-05-18, and 2024-05-18 where asked) and return our dataclasses.

    Every operation raises only ValueError (bad arguments), ImproperlyConfigured (missing extension code) and
    DataWorksError subclasses.
    """

    def __init__(
        self,
        config: ClientSettings,
        *,
        sdk: Any = None,
        limiter: RateLimiter | None = None,
        sdk_2024: Any = None,
        cache: MetadataCache | None = None,
    ) -> None:
        self.config = config
        self._sdk_lock = threading.Lock()
        self._credential: Any = None
        self._sdks: dict[str, Any] = {}
        if sdk_2024 is not None:
            self._sdks[V2024] = sdk_2024
        # 2020-05-18 is built now (every deployment uses it); 2024-05-18 on first use.
        self._sdks[V2020] = sdk if sdk is not None else self._build_sdk(V2020)
        self._limiter = limiter if limiter is not None else build_limiter(config)
        self._cache = cache if cache is not None else MetadataCache(config)

    @property
    def _sdk(self) -> Any:
        """The 2020-05-18 SDK client (kept under its old name for callers and tests)."""
        return self._sdks[V2020]

    def _build_sdk(self, version: str) -> Any:
        # One credential-chain object for both versions, so a refreshed token serves both.
        if self._credential is None and self.config.uses_credential_chain:
            self._credential = build_credential(self.config)
        return build_sdk_client(self.config, version, credential=self._credential)

    def _sdk_for(self, version: str) -> Any:
        with self._sdk_lock:
            if version not in self._sdks:
                self._sdks[version] = self._build_sdk(version)
            return self._sdks[version]

    @classmethod
    def from_settings(cls) -> DataWorksClient:
        """Build a client from the current Django settings."""
        return cls(load_settings())

    def _extension_code(self) -> str:
        if not self.config.extension_code:
            raise ImproperlyConfigured("DATAWORKS_EXTENSION_CODE is not set.")
        return self.config.extension_code

    def _call(self, action: str, method: str, request: Any, version: str = V2020) -> Any:
        """Send one request of API `version` through the rate limiter and return the response body model."""
        sdk = self._sdk_for(version)
        self._limiter.acquire(action)
        started = time.monotonic()
        try:
            response = getattr(sdk, method)(request)
        except Exception as exc:
            error = map_sdk_exception(exc, action)
            metrics.dataworks_call(action, time.monotonic() - started, error.code, failed=True)
            logger.warning(
                "DataWorks call failed action=%s version=%s error=%s code=%s status=%s request_id=%s duration_ms=%.1f",
                action,
                version,
                type(error).__name__,
                error.code,
                error.http_status,
                error.request_id,
                (time.monotonic() - started) * 1000,
            )
            raise error from exc
        body = response.body
        request_id = getattr(body, "request_id", None)
        success_false = getattr(body, "success", None) is False
        metrics.dataworks_call(
            action,
            time.monotonic() - started,
            (str(getattr(body, "error_code", None) or "Local.SuccessFalse")) if success_false else None,
            failed=success_false,
        )
        logger.info(
            "DataWorks call action=%s version=%s status=%s request_id=%s duration_ms=%.1f",
            action,
            version,
            response.status_code,
            request_id,
            (time.monotonic() - started) * 1000,
        )
        if getattr(body, "success", None) is False:
            # Some 2020-05-18 APIs answer HTTP 200 with Success=false and the real status in the body.
            status = getattr(body, "http_status_code", None)
            raise classify(
                code=getattr(body, "error_code", None) or "Local.SuccessFalse",
                http_status=status if isinstance(status, int) else None,
                message=str(getattr(body, "error_message", None) or "DataWorks reported Success=false"),
                request_id=request_id,
                action=action,
            )
        return body

    def _all_pages(
        self,
        action: str,
        method: str,
        request_for: Callable[[int], Any],
        page_of: Callable[[Any], Any],
        items_attr: str,
        version: str = V2020,
        page_size: int = PAGE_SIZE,
    ) -> list[Any]:
        """Call a paged List* action until TotalCount items arrived (or a short or empty page, without one)."""
        items: list[Any] = []
        for number in range(1, MAX_PAGES + 1):
            page = page_of(self._call(action, method, request_for(number), version))
            batch = [item for item in (getattr(page, items_attr, None) or []) if item is not None]
            items.extend(batch)
            total = mapping.int_or_none(getattr(page, "total_count", None))
            if not batch or (total is not None and len(items) >= total):
                return items
            if total is None and len(batch) < page_size:
                return items
        logger.warning("Stopped paging after %s pages action=%s", MAX_PAGES, action)
        return items

    # --- reads ------------------------------------------------------------------------------------------------

    def get_event_detail(self, message_id: str, project_id: int, *, api_version: str = V2020) -> EventDetail:
        """Fetch what an extension-point event is about (GetIDEEventDetail; same shape in both versions)."""
        version = require_version(api_version)
        request = sdk_models(version).GetIDEEventDetailRequest(
            message_id=require_text("message_id", message_id), project_id=require_id("project_id", project_id)
        )
        return mapping.event_detail(self._call("GetIDEEventDetail", "get_ideevent_detail", request, version))

    def list_file_versions(self, file_id: int, project_id: int, *, api_version: str = V2020) -> list[FileVersion]:
        """Fetch every version of a file, all pages of ListFileVersions, in the order DataWorks returns them."""
        version = require_version(api_version)
        file_id, project_id = require_id("file_id", file_id), require_id("project_id", project_id)
        items = self._all_pages(
            "ListFileVersions",
            "list_file_versions",
            lambda page: sdk_models(version).ListFileVersionsRequest(
                file_id=file_id, project_id=project_id, page_number=page, page_size=PAGE_SIZE
            ),
            lambda body: body.data,
            "file_versions",
            version,
        )
        return [mapping.file_version(v) for v in items]

    def get_file_version(
        self, file_id: int, file_version: int, project_id: int, *, api_version: str = V2020
    ) -> FileVersion:
        """Fetch one version of a file, content included (GetFileVersion; same shape in both versions).

        :raises DataWorksNotFound: also when the answer carries no Data.
        """
        version = require_version(api_version)
        request = sdk_models(version).GetFileVersionRequest(
            file_id=require_id("file_id", file_id),
            file_version=require_id("file_version", file_version),
            project_id=require_id("project_id", project_id),
        )
        body = self._call("GetFileVersion", "get_file_version", request, version)
        if body.data is None:
            raise DataWorksNotFound(
                "answer has no Data", code="Local.NoData", action="GetFileVersion", request_id=body.request_id
            )
        return mapping.file_version(body.data)

    def get_file(self, file_id: int, project_id: int) -> FileDetail:
        """Fetch a file's current working copy and scheduling configuration (GetFile).

        :raises DataWorksNotFound: also when the answer carries no Data.File.
        """
        request = sdk_models().GetFileRequest(
            file_id=require_id("file_id", file_id), project_id=require_id("project_id", project_id)
        )
        body = self._call("GetFile", "get_file", request)
        detail = mapping.file_detail(body)
        if detail is None:
            raise DataWorksNotFound(
                "answer has no Data.File", code="Local.NoData", action="GetFile", request_id=body.request_id
            )
        return detail

    def get_folder(self, folder_id: str, project_id: int) -> str:
        """Return the path of a folder (GetFolder), e.g. 'Business Flow/sales/MaxCompute'.

        :raises DataWorksNotFound: also when the answer carries no FolderPath.
        """
        request = sdk_models().GetFolderRequest(
            folder_id=require_text("folder_id", folder_id), project_id=require_id("project_id", project_id)
        )
        body = self._call("GetFolder", "get_folder", request)
        path = getattr(body.data, "folder_path", None)
        if not path:
            raise DataWorksNotFound(
                "answer has no FolderPath", code="Local.NoData", action="GetFolder", request_id=body.request_id
            )
        return str(path)

    def list_check_processes(
        self,
        event_code: str,
        project_id: int,
        status: str | None = None,
        message_id: str | None = None,
        operator: str | None = None,
    ) -> list[CheckProcess]:
        """Fetch DataWorks' view of extension checks (ListCheckProcesses), all pages."""
        base = {
            "event_code": require_text("event_code", event_code),
            "project_id": require_id("project_id", project_id),
            "status": optional_status(status),
            "message_id": None if message_id is None else require_text("message_id", message_id),
            "operator": None if operator is None else require_text("operator", operator),
        }
        items = self._all_pages(
            "ListCheckProcesses",
            "list_check_processes",
            lambda page: sdk_models().ListCheckProcessesRequest(page_number=page, page_size=PAGE_SIZE, **base),
            lambda body: body.paging_info,
            "check_processes",
        )
        return [mapping.check_process(p) for p in items]

    def get_extension(self) -> Extension:
        """Fetch our extension's registration, parameters parsed (GetExtension with DATAWORKS_EXTENSION_CODE).

        :raises DataWorksNotFound: also when the answer carries no Extension.
        """
        request = sdk_models().GetExtensionRequest(extension_code=self._extension_code())
        body = self._call("GetExtension", "get_extension", request)
        extension = mapping.extension(body)
        if extension is None:
            raise DataWorksNotFound(
                "answer has no Extension", code="Local.NoData", action="GetExtension", request_id=body.request_id
            )
        return extension

    def get_project_options(self, project_id: int) -> ProjectOptions:
        """Fetch the options a workspace admin saved for our extension; {} when none were saved.

        :raises DataWorksPermanent: code Local.InvalidOptionValue when OptionValue is not a JSON object.
        """
        request = sdk_models().GetOptionValueForProjectRequest(
            extension_code=self._extension_code(), project_id=str(require_id("project_id", project_id))
        )
        body = self._call("GetOptionValueForProject", "get_option_value_for_project", request)
        return mapping.parse_option_value(body.option_value)

    # --- Operation Center nodes and instances (issue 17) -------------------------------------------------------

    def get_node(self, node_id: int, project_id: int, *, api_version: str = V2020) -> NodeInfo:
        """Fetch a production node: GetNode (2020-05-18) or GetTask (2024-05-18), both with the production env.

        Neither action takes a workspace; `project_id` is checked against the answer's ProjectId so an event of one
        workspace cannot show another workspace's node.

        :raises DataWorksNotFound: also when the answer has no node, or one of another workspace
            (code Local.OtherProject).
        """
        version = require_version(api_version)
        node_id, project_id = require_id("node_id", node_id), require_id("project_id", project_id)
        if version == V2020:
            request = sdk_models(V2020).GetNodeRequest(node_id=node_id, project_env=PROD_ENV[V2020])
            body = self._call("GetNode", "get_node", request, V2020)
            data = getattr(body, "data", None)
            node = None if data is None else mapping.node_2020(data, request_id=body.request_id)
            action = "GetNode"
        else:
            request = sdk_models(V2024).GetTaskRequest(id=node_id, project_env=PROD_ENV[V2024])
            body = self._call("GetTask", "get_task", request, V2024)
            task = getattr(body, "task", None)
            node = None if task is None else mapping.node_2024(task, request_id=body.request_id)
            action = "GetTask"
        if node is None or node.node_id is None:
            raise DataWorksNotFound(
                "answer has no node", code="Local.NoData", action=action, request_id=body.request_id
            )
        self._check_project(node.project_id, project_id, action, body.request_id)
        return node

    @staticmethod
    def _check_project(found: int | None, expected: int, action: str, request_id: str | None) -> None:
        if found is not None and found != expected:
            raise DataWorksNotFound(
                "the object belongs to another workspace",
                code="Local.OtherProject",
                action=action,
                request_id=request_id,
            )

    def list_node_children(self, node_id: int, project_id: int, *, api_version: str = V2020) -> list[NodeChild]:
        """Fetch a production node's direct children: GetNodeChildren (2020) or ListDownstreamTasks (2024, paged).

        Children may live in other workspaces (cross-workspace dependencies); they are returned as they are.
        """
        version = require_version(api_version)
        node_id = require_id("node_id", node_id)
        require_id("project_id", project_id)
        if version == V2020:
            request = sdk_models(V2020).GetNodeChildrenRequest(node_id=node_id, project_env=PROD_ENV[V2020])
            body = self._call("GetNodeChildren", "get_node_children", request, V2020)
            nodes = mapping.present(getattr(getattr(body, "data", None), "nodes", None))
            return [mapping.node_child_2020(n) for n in nodes]
        items = self._all_pages(
            "ListDownstreamTasks",
            "list_downstream_tasks",
            lambda page: sdk_models(V2024).ListDownstreamTasksRequest(
                id=node_id, project_env=PROD_ENV[V2024], page_number=page, page_size=PAGE_SIZE
            ),
            lambda body: body.paging_info,
            "downstream_tasks",
            V2024,
        )
        return [mapping.node_child_2024(t) for t in items]

    def walk_downstream(
        self,
        node_id: int,
        project_id: int,
        *,
        max_depth: int = 3,
        max_nodes: int = 200,
        max_calls: int = 50,
        max_listed: int = 20,
        api_version: str = V2020,
    ) -> DownstreamWalk:
        """Walk the descendants of a node breadth-first, within bounds, and count them.

        One children read per expanded node, each through the client's read rate limiter (a read the local budget
        refuses stops the walk and is not counted in `calls`, which counts reads sent); at most `max_calls` reads,
        `max_nodes` distinct descendants and `max_depth` levels (nodes at the last level are counted, not expanded).
        A node reached twice (diamond dependencies) counts once. The root's read failing raises; a descendant's
        read failing is recorded in `unreadable` (and truncates), except throttling, which stops the walk.

        :raises DataWorksError: when the root's children cannot be read.
        :raises ValueError: for bounds below 1 (max_listed may be 0).
        """
        root = require_id("node_id", node_id)
        require_id("project_id", project_id)
        for name, value in (("max_depth", max_depth), ("max_nodes", max_nodes), ("max_calls", max_calls)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(max_listed, bool) or not isinstance(max_listed, int) or max_listed < 0:
            raise ValueError(f"max_listed must be a non-negative integer, got {max_listed!r}")

        seen: dict[int, NodeChild] = {}
        unreadable: list[int] = []
        frontier: list[tuple[int, int]] = [(root, 0)]  # (node id, its depth)
        calls, stopped_by, deepest = 0, None, 0
        while frontier and stopped_by is None:
            next_frontier: list[tuple[int, int]] = []
            for current, depth in frontier:
                if depth >= max_depth:
                    stopped_by = "depth"
                    break
                if calls >= max_calls:
                    stopped_by = "calls"
                    break
                calls += 1
                try:
                    children = self.list_node_children(current, project_id, api_version=api_version)
                except DataWorksThrottled as exc:
                    if current == root:
                        raise
                    if exc.code == "Local.RateBudget":
                        calls -= 1  # refused by our own budget: never sent
                    stopped_by = "throttled"
                    break
                except DataWorksError:
                    if current == root:
                        raise
                    unreadable.append(current)
                    continue
                for child in children:
                    if child.node_id is None or child.node_id == root or child.node_id in seen:
                        continue
                    if len(seen) >= max_nodes:
                        stopped_by = "nodes"
                        break
                    seen[child.node_id] = dataclasses.replace(child, depth=depth + 1)
                    deepest = max(deepest, depth + 1)
                    next_frontier.append((child.node_id, depth + 1))
                if stopped_by:
                    break
            frontier = next_frontier
        found = list(seen.values())
        return DownstreamWalk(
            root_id=root,
            total=len(found),
            nodes=tuple(found[:max_listed]),
            truncated=stopped_by is not None or bool(unreadable),
            stopped_by=stopped_by,
            calls=calls,
            unreadable=tuple(unreadable),
            any_on_baseline=any(n.on_baseline for n in found),
            max_depth_reached=deepest,
        )

    def get_instance(self, instance_id: int, project_id: int, *, api_version: str = V2020) -> InstanceInfo:
        """Fetch one production instance: GetInstance (2020-05-18) or GetTaskInstance (2024-05-18).

        :raises DataWorksNotFound: also when the answer has no instance, or (2024, which names the workspace) one
            of another workspace.
        """
        version = require_version(api_version)
        instance_id, project_id = require_id("instance_id", instance_id), require_id("project_id", project_id)
        if version == V2020:
            request = sdk_models(V2020).GetInstanceRequest(instance_id=instance_id, project_env=PROD_ENV[V2020])
            body = self._call("GetInstance", "get_instance", request, V2020)
            data = getattr(body, "data", None)
            instance = None if data is None else mapping.instance_2020(data, request_id=body.request_id)
            action = "GetInstance"
        else:
            request = sdk_models(V2024).GetTaskInstanceRequest(id=instance_id)
            body = self._call("GetTaskInstance", "get_task_instance", request, V2024)
            obj = getattr(body, "task_instance", None)
            instance = None if obj is None else mapping.instance_2024(obj, request_id=body.request_id)
            action = "GetTaskInstance"
        if instance is None or instance.instance_id is None:
            raise DataWorksNotFound(
                "answer has no instance", code="Local.NoData", action=action, request_id=body.request_id
            )
        self._check_project(instance.project_id, project_id, action, body.request_id)
        return instance

    # --- workspaces and people (cached) -------------------------------------------------------------------------

    def get_project(self, project_id: int, *, api_version: str = V2020, refresh: bool = False) -> ProjectInfo:
        """Fetch a workspace's name, display name and mode (GetProject), cached for a few minutes.

        A failed read is not cached; `refresh` skips the cache (and refills it).

        :raises DataWorksNotFound: also when the answer carries no workspace.
        """
        version = require_version(api_version)
        project_id = require_id("project_id", project_id)
        key = self._cache.key("project", version, project_id)
        if not refresh:
            cached = self._cache.get(key)
            if isinstance(cached, ProjectInfo):
                return cached
        if version == V2020:
            request = sdk_models(V2020).GetProjectRequest(project_id=project_id)
            body = self._call("GetProject", "get_project", request, V2020)
            data = getattr(body, "data", None)
            project = None if data is None else mapping.project_2020(data, region=self.config.region)
        else:
            request = sdk_models(V2024).GetProjectRequest(id=project_id)
            body = self._call("GetProject", "get_project", request, V2024)
            obj = getattr(body, "project", None)
            project = None if obj is None else mapping.project_2024(obj, region=self.config.region)
        if project is None or project.project_id is None:
            raise DataWorksNotFound(
                "answer has no workspace", code="Local.NoData", action="GetProject", request_id=body.request_id
            )
        self._cache.set(key, project)
        return project

    def list_project_members(
        self, project_id: int, *, api_version: str = V2020, refresh: bool = False
    ) -> MemberDirectory:
        """Fetch a workspace's members, every page of ListProjectMembers, cached for a few minutes.

        A failed read (any page) is not cached; `refresh` skips the cache (and refills it).
        """
        version = require_version(api_version)
        project_id = require_id("project_id", project_id)
        key = self._cache.key("members", version, project_id)
        if not refresh:
            cached = self._cache.get(key)
            if isinstance(cached, MemberDirectory):
                return cached
        if version == V2020:
            items = self._all_pages(
                "ListProjectMembers",
                "list_project_members",
                lambda page: sdk_models(V2020).ListProjectMembersRequest(
                    project_id=project_id, page_number=page, page_size=PAGE_SIZE
                ),
                lambda body: body.data,
                "project_member_list",
                V2020,
            )
            directory = mapping.member_directory(project_id, [mapping.member_2020(m) for m in items])
        else:
            items = self._all_pages(
                "ListProjectMembers",
                "list_project_members",
                lambda page: sdk_models(V2024).ListProjectMembersRequest(
                    project_id=project_id, page_number=page, page_size=PAGE_SIZE
                ),
                lambda body: body.paging_info,
                "project_members",
                V2024,
            )
            directory = mapping.member_directory(project_id, [mapping.member_2024(m) for m in items])
        self._cache.set(key, directory)
        return directory

    # --- tables (2020-05-18 only) -------------------------------------------------------------------------------

    def get_table_columns(self, guid: str) -> list[TableColumnInfo]:
        """Fetch every column of a MaxCompute table (GetMetaTableColumn, all pages) by `odps.<project>.<table>`.

        :raises DataWorksNotFound: the table does not exist (a new table: show it as new).
        """
        guid = require_table_guid(guid)
        items = self._all_pages(
            "GetMetaTableColumn",
            "get_meta_table_column",
            lambda page: sdk_models(V2020).GetMetaTableColumnRequest(
                table_guid=guid, page_num=page, page_size=META_PAGE_SIZE
            ),
            lambda body: body.data,
            "column_list",
            V2020,
            META_PAGE_SIZE,
        )
        columns = [mapping.table_column(c) for c in items]
        # DataWorks documents Position; keep its order when every column has one, else the answer's order.
        if columns and all(c.position is not None for c in columns):
            columns.sort(key=lambda c: c.position or 0)
        return columns

    def get_table_basic_info(self, guid: str) -> TableBasicInfo:
        """Fetch a MaxCompute table's lifecycle, partition keys, owner and comment (GetMetaTableBasicInfo).

        :raises DataWorksNotFound: the table does not exist, or the answer carries no Data.
        """
        guid = require_table_guid(guid)
        request = sdk_models(V2020).GetMetaTableBasicInfoRequest(table_guid=guid, data_source_type="odps")
        body = self._call("GetMetaTableBasicInfo", "get_meta_table_basic_info", request, V2020)
        data = getattr(body, "data", None)
        if data is None:
            raise DataWorksNotFound(
                "answer has no Data", code="Local.NoData", action="GetMetaTableBasicInfo", request_id=body.request_id
            )
        return mapping.table_basic_info(data, request_id=body.request_id)

    # --- writes -----------------------------------------------------------------------------------------------

    def send_ide_result(
        self, message_id: str, result: str, tip: str | None, *, api_version: str = V2020
    ) -> CallbackReceipt:
        """Answer a DataStudio event with OK, WARN or FAIL and a tip (UpdateIDEEventResult, either version)."""
        version = require_version(api_version)
        message_id, result, tip = require_text("message_id", message_id), require_result(result), require_tip(tip)
        request = sdk_models(version).UpdateIDEEventResultRequest(
            message_id=message_id, extension_code=self._extension_code(), check_result=result, check_result_tip=tip
        )
        body = self._call("UpdateIDEEventResult", "update_ideevent_result", request, version)
        return CallbackReceipt(body.request_id, "UpdateIDEEventResult", message_id, result, result)

    def send_workbench_result(self, message_id: str, result: str, tip: str | None) -> CallbackReceipt:
        """Answer an Operation Center event (UpdateWorkbenchEventResult), which knows only OK and FAIL.

        WARN is sent as OK with the tip prefixed by 'WARN: ', so the operation passes and the warning stays
        visible; the receipt keeps both the sent and the requested result.
        """
        message_id, requested, tip = require_text("message_id", message_id), require_result(result), require_tip(tip)
        sent = requested
        if requested == "WARN":
            sent, tip = "OK", f"{WORKBENCH_WARN_PREFIX}{tip}" if tip else WORKBENCH_WARN_PREFIX.strip()
        request = sdk_models().UpdateWorkbenchEventResultRequest(
            message_id=message_id, extension_code=self._extension_code(), check_result=sent, check_result_tip=tip
        )
        body = self._call("UpdateWorkbenchEventResult", "update_workbench_event_result", request)
        return CallbackReceipt(
            body.request_id, "UpdateWorkbenchEventResult", message_id, sent, requested, success=body.success
        )


_client: DataWorksClient | None = None
_client_lock = threading.Lock()


def get_client() -> DataWorksClient:
    """Return the process-wide client, building it from settings on first use."""
    global _client
    with _client_lock:
        if _client is None:
            _client = DataWorksClient.from_settings()
        return _client


def reset_client() -> None:
    """Forget the cached client so the next get_client() re-reads settings (tests, settings changes)."""
    global _client
    with _client_lock:
        _client = None
