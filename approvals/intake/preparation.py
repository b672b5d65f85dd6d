"""Fetch what a reviewer needs from DataWorks for one event, and choose the two sides of the diff.

Which stored version is "previous" is not documented (protocol doc §5, INF); the choices below are recorded in
docs/decisions.md and shown on every ticket ("compared version 6 with version 7"), so a reviewer always sees what
was compared.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dataworks_client.client import DataWorksClient
from dataworks_client.errors import DataWorksNotFound
from dataworks_client.sdk import V2020
from dataworks_client.types import CommittedFile, FileVersion, NodeConfiguration

logger = logging.getLogger(__name__)

_NOT_A_BASE = frozenset({"CANCELLED", "COMMITTING"})


@dataclass
class Prepared:
    """Everything a ticket shows, captured once for its MessageId."""

    title: str = ""
    path: str = ""
    file_id: int | None = None
    file_type: int | None = None
    old_content: str = ""
    new_content: str = ""
    old_label: str = ""
    new_label: str = ""
    old_config: str = ""
    new_config: str = ""
    snapshot: dict[str, Any] = field(default_factory=dict)
    risk: str = ""  # set by approvals.intake.risk once the change is fetched (NONE..CRITICAL or NOT_ASSESSED)


def _cap(text: str | None) -> tuple[str, bool]:
    """Return code within the size limit; oversized code is dropped and flagged, never half-shown."""
    text = text or ""
    if len(text.encode("utf-8", "surrogatepass")) > settings.REVIEW_GATE_MAX_CODE_BYTES:
        return "", True
    return text, False


def config_lines(config: NodeConfiguration | dict[str, Any] | None) -> str:
    """Render a scheduling configuration as stable `Key: value` lines, so two versions diff line by line."""
    if config is None:
        return ""
    data = asdict(config) if isinstance(config, NodeConfiguration) else dict(config)
    lines = []
    for key in sorted(data):
        value = data[key]
        if value in (None, "", (), []):
            continue
        if isinstance(value, list | tuple | dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        lines.append(f"{_snake(key)}: {value}")
    return "".join(f"{line}\n" for line in lines)


def _snake(key: str) -> str:
    """Normalise PascalCase/camelCase keys from DataWorks strings to our snake_case field names."""
    out = []
    for i, ch in enumerate(key):
        if ch.isupper() and i and not key[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _old_config(version: FileVersion | None) -> str:
    """Parse a version's NodeContent (format undocumented) when it is a JSON object; else show it raw."""
    if version is None or not version.node_content:
        return ""
    try:
        parsed = json.loads(version.node_content)
    except ValueError:
        return version.node_content
    return config_lines(parsed) if isinstance(parsed, dict) else version.node_content


def choose_base(versions: list[FileVersion], *, event_code: str, new_version: int | None) -> FileVersion | None:
    """Pick the version the change is compared against.

    commit: the newest earlier version that was not cancelled (nor the in-flight commit itself).
    deploy: the version production runs now (IsCurrentProd), else the previous committed version.
    """
    earlier = [
        v
        for v in versions
        if v.file_version is not None
        and (v.status or "") not in _NOT_A_BASE
        and (new_version is None or v.file_version < new_version)
    ]
    earlier.sort(key=lambda v: v.file_version or 0, reverse=True)
    if event_code == "deploy-file":
        in_prod = [v for v in versions if v.is_current_prod and v.file_version != new_version]
        if in_prod:
            return max(in_prod, key=lambda v: v.file_version or 0)
    return earlier[0] if earlier else None


def _folder_path(client: DataWorksClient, folder_id: str | None, project_id: int, file_name: str) -> str:
    if not folder_id:
        return file_name
    try:
        folder = client.get_folder(folder_id, project_id)
    except DataWorksNotFound:
        logger.warning("Folder %s of project %s not found; matching rules on the file name only", folder_id, project_id)
        return file_name
    return f"{folder.strip('/')}/{file_name}" if folder.strip("/") else file_name


def prepare_file_event(
    client: DataWorksClient,
    *,
    message_id: str,
    project_id: int,
    event_code: str,
    data: dict[str, Any],
    api_version: str = V2020,
) -> Prepared:
    """Fetch a DataStudio file event's code and its base version, in the workspace's API version."""
    detail = client.get_event_detail(message_id, project_id, api_version=api_version)
    if event_code == "delete-file":
        deleted = detail.deleted_file
        if deleted is None:
            raise DataWorksNotFound(_("DataWorks returned no DeletedFile for this event."), action="GetIDEEventDetail")
        old, too_large = _cap(deleted.content)
        name = deleted.file_name or str(data.get("fileName") or "")
        return Prepared(
            title=name,
            path=_folder_path(client, deleted.folder_id, project_id, name),
            file_id=deleted.file_id,
            file_type=deleted.file_type,
            old_content=old,
            old_label=_("version %(v)s (being deleted)") % {"v": deleted.current_version or "?"},
            new_label=_("deleted"),
            snapshot={"deleted_file": _without_content(asdict(deleted)), "too_large": too_large},
        )
    if event_code == "run-file":
        command = detail.file_execution_command
        if command is None:
            raise DataWorksNotFound(
                _("DataWorks returned no FileExecutionCommand for this event."), action="GetIDEEventDetail"
            )
        new, too_large = _cap(command.content)
        name = str(data.get("fileName") or command.file_id or "")
        return Prepared(
            title=name,
            path=name,
            file_id=command.file_id,
            file_type=command.file_type,
            new_content=new,
            new_label=_("code to be run"),
            snapshot={"execution": _without_content(asdict(command)), "too_large": too_large},
        )
    committed = detail.committed_file
    if committed is None:
        raise DataWorksNotFound(_("DataWorks returned no CommittedFile for this event."), action="GetIDEEventDetail")
    return _prepare_committed(
        client, committed, project_id=project_id, event_code=event_code, data=data, api_version=api_version
    )


def _prepare_committed(
    client: DataWorksClient,
    committed: CommittedFile,
    *,
    project_id: int,
    event_code: str,
    data: dict[str, Any],
    api_version: str,
) -> Prepared:
    props = committed.file_property_content
    new_version = _as_int(data.get("fileVersion")) or (props.current_version if props else None)
    name = committed.file_name or str(data.get("fileName") or "")
    is_new_file = (committed.change_type or "").upper() == "CREATE" or str(data.get("changeType")) == "0"
    base: FileVersion | None = None
    if committed.file_id is not None and not is_new_file:
        versions = client.list_file_versions(committed.file_id, project_id, api_version=api_version)
        base = choose_base(versions, event_code=event_code, new_version=new_version)
    new, new_too_large = _cap(committed.content)
    old, old_too_large = _cap(base.file_content if base else "")
    if base is None:
        old_label = _("nothing (new file)") if is_new_file else _("nothing (no earlier version found)")
    elif event_code == "deploy-file" and base.is_current_prod:
        old_label = _("version %(v)s (in production)") % {"v": base.file_version}
    else:
        old_label = _("version %(v)s") % {"v": base.file_version}
    return Prepared(
        title=name,
        path=_folder_path(client, props.folder_id if props else None, project_id, name),
        file_id=committed.file_id,
        file_type=committed.file_type,
        old_content=old,
        new_content=new,
        old_label=old_label,
        new_label=_("version %(v)s (this change)") % {"v": new_version or "?"},
        old_config=_old_config(base),
        new_config=config_lines(committed.node_configuration),
        snapshot={
            "committed_file": _without_content(asdict(committed)),
            "base_version": _without_content(asdict(base)) if base else None,
            "too_large": new_too_large or old_too_large,
        },
    )


def prepare_table_event(
    client: DataWorksClient, *, message_id: str, project_id: int, data: dict[str, Any], api_version: str = V2020
) -> Prepared:
    """Fetch a table event's model (name, columns, partitions, lifecycle, environment)."""
    detail = client.get_event_detail(message_id, project_id, api_version=api_version)
    table = detail.table_model
    if table is None:
        raise DataWorksNotFound(_("DataWorks returned no TableModel for this event."), action="GetIDEEventDetail")
    name = table.table_name or str(data.get("tableName") or "")
    return Prepared(
        title=name, path=name, snapshot={"table": asdict(table), "mc_project": data.get("maxComputeProject")}
    )


def prepare_operation_event(*, event_code: str, data: dict[str, Any]) -> Prepared:
    """Describe an Operation Center request from the event itself (node IDs, backfill ranges, parallelism)."""
    snapshot: dict[str, Any] = {
        "node_ids": data.get("nodeIds") or [],
        "task_ids": data.get("taskIds") or [],
        "target_name": data.get("extensionBizName") or "",
    }
    title = str(data.get("extensionBizName") or "")
    if event_code == "backfill-data":
        snapshot["backfill"] = {
            "name": data.get("name"),
            "root_node_id": data.get("rootNodeId"),
            "root_node_project_id": data.get("rootNodeProjectId"),
            "include_node_ids": data.get("includeNodeIds") or [],
            "exclude_node_ids": data.get("excludeNodeIds") or [],
            "periods": _periods(data.get("multipleTimePeriods")),
            "parallel": bool(data.get("isParallel")),
            "parallel_group": data.get("parallelGroup"),
            "order": data.get("order"),
            "start_future_instance_immediately": bool(data.get("startFutureInstanceImmediately")),
        }
        title = str(data.get("name") or _("Backfill"))
    elif not title:
        count = len(snapshot["node_ids"]) or len(snapshot["task_ids"])
        title = _("%(n)d node(s)") % {"n": count}
    return Prepared(title=title[:500], snapshot=snapshot)


def _periods(raw: Any) -> list[dict[str, str]]:
    """Parse backfill periods, which DataWorks sends as a JSON *string*; anything odd is kept raw."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [{"raw": raw[:500]}]
    if not isinstance(raw, list):
        return []
    periods = []
    for item in raw[:1000]:
        if isinstance(item, dict):
            periods.append({"begin": str(item.get("bizBeginTime", "")), "end": str(item.get("bizEndTime", ""))})
    return periods


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _without_content(data: dict[str, Any]) -> dict[str, Any]:
    """Drop code from a snapshot copy: the code lives in its own columns, once."""
    return {k: v for k, v in data.items() if k not in {"content", "file_content"}}
