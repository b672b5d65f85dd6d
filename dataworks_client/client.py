"""The typed facade over the official DataWorks SDK: the only code in Review Gate that calls DataWorks.

The SDK is imported inside functions (it costs about 0.5 s), settings are read when the client is built, and the
SDK's own retries stay off (no `retry_options`: exactly one attempt per call); the task queue owns retrying.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from dataworks_client import mapping
from dataworks_client.conf import ClientSettings, load_settings
from dataworks_client.errors import DataWorksNotFound, classify, map_sdk_exception
from dataworks_client.ratelimit import RateLimiter, build_limiter
from dataworks_client.sdk import build_sdk_client, sdk_models
from dataworks_client.types import (
    CallbackReceipt,
    CheckProcess,
    EventDetail,
    Extension,
    FileDetail,
    FileVersion,
    ProjectOptions,
)
from dataworks_client.validation import (
    optional_status,
    require_id,
    require_result,
    require_text,
    require_tip,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
# A file with 100,000 versions is not a real case; stop instead of looping on a server that ignores paging.
MAX_PAGES = 1000
WORKBENCH_WARN_PREFIX = "WARN: "


class DataWorksClient:
    """Call DataWorks OpenAPI 2020-05-18 operations and return our dataclasses.

    Every operation raises only ValueError (bad arguments), ImproperlyConfigured (missing extension code) and
    DataWorksError subclasses.
    """

    def __init__(self, config: ClientSettings, *, sdk: Any = None, limiter: RateLimiter | None = None) -> None:
        self.config = config
        self._sdk = sdk if sdk is not None else build_sdk_client(config)
        self._limiter = limiter if limiter is not None else build_limiter(config)

    @classmethod
    def from_settings(cls) -> DataWorksClient:
        """Build a client from the current Django settings."""
        return cls(load_settings())

    def _extension_code(self) -> str:
        if not self.config.extension_code:
            raise ImproperlyConfigured("DATAWORKS_EXTENSION_CODE is not set.")
        return self.config.extension_code

    def _call(self, action: str, method: str, request: Any) -> Any:
        """Send one request through the rate limiter and return the response body model."""
        self._limiter.acquire(action)
        started = time.monotonic()
        try:
            response = getattr(self._sdk, method)(request)
        except Exception as exc:
            error = map_sdk_exception(exc, action)
            logger.warning(
                "DataWorks call failed action=%s error=%s code=%s status=%s request_id=%s duration_ms=%.1f",
                action,
                type(error).__name__,
                error.code,
                error.http_status,
                error.request_id,
                (time.monotonic() - started) * 1000,
            )
            raise error from exc
        body = response.body
        request_id = getattr(body, "request_id", None)
        logger.info(
            "DataWorks call action=%s status=%s request_id=%s duration_ms=%.1f",
            action,
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
    ) -> list[Any]:
        """Call a paged List* action until TotalCount items arrived (or a short or empty page, without one)."""
        items: list[Any] = []
        for number in range(1, MAX_PAGES + 1):
            page = page_of(self._call(action, method, request_for(number)))
            batch = [item for item in (getattr(page, items_attr, None) or []) if item is not None]
            items.extend(batch)
            total = getattr(page, "total_count", None)
            if not batch or (isinstance(total, int) and len(items) >= total):
                return items
            if not isinstance(total, int) and len(batch) < PAGE_SIZE:
                return items
        logger.warning("Stopped paging after %s pages action=%s", MAX_PAGES, action)
        return items

    # --- reads ------------------------------------------------------------------------------------------------

    def get_event_detail(self, message_id: str, project_id: int) -> EventDetail:
        """Fetch what an extension-point event is about (GetIDEEventDetail)."""
        request = sdk_models().GetIDEEventDetailRequest(
            message_id=require_text("message_id", message_id), project_id=require_id("project_id", project_id)
        )
        return mapping.event_detail(self._call("GetIDEEventDetail", "get_ideevent_detail", request))

    def list_file_versions(self, file_id: int, project_id: int) -> list[FileVersion]:
        """Fetch every version of a file, all pages of ListFileVersions, in the order DataWorks returns them."""
        file_id, project_id = require_id("file_id", file_id), require_id("project_id", project_id)
        items = self._all_pages(
            "ListFileVersions",
            "list_file_versions",
            lambda page: sdk_models().ListFileVersionsRequest(
                file_id=file_id, project_id=project_id, page_number=page, page_size=PAGE_SIZE
            ),
            lambda body: body.data,
            "file_versions",
        )
        return [mapping.file_version(v) for v in items]

    def get_file_version(self, file_id: int, file_version: int, project_id: int) -> FileVersion:
        """Fetch one version of a file, content included (GetFileVersion).

        :raises DataWorksNotFound: also when the answer carries no Data.
        """
        request = sdk_models().GetFileVersionRequest(
            file_id=require_id("file_id", file_id),
            file_version=require_id("file_version", file_version),
            project_id=require_id("project_id", project_id),
        )
        body = self._call("GetFileVersion", "get_file_version", request)
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

    # --- writes -----------------------------------------------------------------------------------------------

    def send_ide_result(self, message_id: str, result: str, tip: str | None) -> CallbackReceipt:
        """Answer a DataStudio event with OK, WARN or FAIL and a tip (UpdateIDEEventResult)."""
        message_id, result, tip = require_text("message_id", message_id), require_result(result), require_tip(tip)
        request = sdk_models().UpdateIDEEventResultRequest(
            message_id=message_id, extension_code=self._extension_code(), check_result=result, check_result_tip=tip
        )
        body = self._call("UpdateIDEEventResult", "update_ideevent_result", request)
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
