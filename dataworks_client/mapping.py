"""Turn SDK response models (duck-typed: no SDK import here) into our dataclasses, and parse settings strings."""

from __future__ import annotations

import json
import re
import typing
from dataclasses import fields
from typing import Any, TypeVar

from dataworks_client.errors import DataWorksPermanent
from dataworks_client.types import (
    PROJECT_MODES,
    BoundEvent,
    CheckProcess,
    CommittedFile,
    DeletedFile,
    EventCategory,
    EventDetail,
    Extension,
    FileDetail,
    FileExecutionCommand,
    FilePropertyContent,
    FileVersion,
    InstanceInfo,
    MemberDirectory,
    NodeChild,
    NodeConfiguration,
    NodeInfo,
    NodeInput,
    NodeOutput,
    ProjectInfo,
    ProjectMember,
    ProjectOptions,
    TableBasicInfo,
    TableColumn,
    TableColumnInfo,
    TableModel,
)

T = TypeVar("T")


_KINDS: dict[type, dict[str, type | None]] = {}


def _field_kinds(cls: type) -> dict[str, type | None]:
    """Return, per field of `cls`, int or bool when values must be coerced to it, else None."""
    if cls not in _KINDS:
        kinds: dict[str, type | None] = {}
        for name, hint in typing.get_type_hints(cls).items():
            args = set(typing.get_args(hint))
            kinds[name] = int if args == {int, type(None)} else bool if args == {bool, type(None)} else None
        _KINDS[cls] = kinds
    return _KINDS[cls]


def _coerce(value: Any, kind: type | None) -> Any:
    """Accept numbers and booleans sent as strings, which some DataWorks APIs do."""
    if value is None or kind is None or isinstance(value, kind):
        return value
    if kind is bool and isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    if kind is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def build(cls: type[T], obj: Any, **overrides: Any) -> T:
    """Copy the fields `cls` declares from the SDK model `obj`, with `overrides` for nested or renamed ones."""
    kinds = _field_kinds(cls)
    values = {
        f.name: _coerce(getattr(obj, f.name, None), kinds.get(f.name))
        for f in fields(cls)  # type: ignore[arg-type]
        if f.name not in overrides
    }
    return cls(**values, **overrides)


def _items(values: Any) -> list[Any]:
    return [v for v in (values or []) if v is not None]


def present(values: Any) -> list[Any]:
    """Return the non-null entries of an SDK list field (None for an absent list gives [])."""
    return _items(values)


def node_configuration(obj: Any) -> NodeConfiguration | None:
    """Map a NodeConfiguration model (event detail or GetFile) to ours."""
    if obj is None:
        return None
    return build(
        NodeConfiguration,
        obj,
        inputs=tuple(build(NodeInput, i) for i in _items(getattr(obj, "input_list", None))),
        outputs=tuple(build(NodeOutput, o) for o in _items(getattr(obj, "output_list", None))),
    )


def _optional(cls: type[T], obj: Any) -> T | None:
    return None if obj is None else build(cls, obj)


def event_detail(body: Any) -> EventDetail:
    """Map a GetIDEEventDetailResponseBody."""
    detail = getattr(body, "event_detail", None)
    committed = getattr(detail, "committed_file", None)
    table = getattr(detail, "table_model", None)
    return EventDetail(
        request_id=getattr(body, "request_id", None),
        committed_file=None
        if committed is None
        else build(
            CommittedFile,
            committed,
            file_property_content=_optional(FilePropertyContent, committed.file_property_content),
            node_configuration=node_configuration(committed.node_configuration),
        ),
        deleted_file=_optional(DeletedFile, getattr(detail, "deleted_file", None)),
        file_execution_command=_optional(FileExecutionCommand, getattr(detail, "file_execution_command", None)),
        table_model=None
        if table is None
        else build(TableModel, table, columns=tuple(build(TableColumn, c) for c in _items(table.columns))),
    )


def file_version(obj: Any) -> FileVersion:
    """Map one ListFileVersions entry or a GetFileVersion Data."""
    return build(FileVersion, obj)


def file_detail(body: Any) -> FileDetail | None:
    """Map a GetFileResponseBody; None when it carries no Data.File."""
    data = getattr(body, "data", None)
    file = getattr(data, "file", None)
    if file is None:
        return None
    return build(
        FileDetail,
        file,
        node_configuration=node_configuration(getattr(data, "node_configuration", None)),
        request_id=getattr(body, "request_id", None),
    )


def check_process(obj: Any) -> CheckProcess:
    """Map one ListCheckProcesses entry."""
    return build(CheckProcess, obj)


def extension(body: Any) -> Extension | None:
    """Map a GetExtensionResponseBody; None when it carries no Extension."""
    ext = getattr(body, "extension", None)
    if ext is None:
        return None
    return build(
        Extension,
        ext,
        parameters=parse_parameter_setting(ext.parameter_setting),
        bind_events=tuple(build(BoundEvent, e) for e in _items(ext.bind_event_list)),
        event_categories=tuple(build(EventCategory, c) for c in _items(ext.event_category_list)),
        request_id=getattr(body, "request_id", None),
    )


def parse_parameter_setting(text: str | None) -> dict[str, str]:
    """Parse extension parameters: `key=value` per line, last wins; blank, `#` and `=`-less lines are skipped."""
    parameters: dict[str, str] = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key.strip():
            parameters[key.strip()] = value.strip()
    return parameters


def parse_option_value(value: Any, *, action: str = "GetOptionValueForProject") -> ProjectOptions:
    """Parse OptionValue: a JSON object string (or an object); empty or null is {}.

    :raises DataWorksPermanent: the value is not JSON or not a JSON object.
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str):
        if not value.strip() or value.strip() == "null":
            return {}
        try:
            parsed = json.loads(value)
        except ValueError:
            raise DataWorksPermanent(
                "OptionValue is not valid JSON", code="Local.InvalidOptionValue", action=action
            ) from None
        if parsed is None:
            return {}
        if isinstance(parsed, dict):
            return parsed
    raise DataWorksPermanent("OptionValue is not a JSON object", code="Local.InvalidOptionValue", action=action)


# --- issue 17: nodes, instances, workspaces, members, tables (both API versions where they exist) ----------------


def int_or_none(value: Any) -> int | None:
    coerced = _coerce(value, int)
    return coerced if isinstance(coerced, int) and not isinstance(coerced, bool) else None


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def upper_snake(value: Any) -> str | None:
    """Turn a 2024-05-18 enum value (NotRun, CheckingCondition, Normal) into the 2020-05-18 form (NOT_RUN, …)."""
    text = _str_or_none(value)
    if text is None or text.isupper():
        return text
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).upper()


def node_2020(data: Any, *, request_id: str | None) -> NodeInfo:
    """Map GetNode's Data (2020-05-18): OwnerId, ProgramType, CronExpress, BaselineId, … under their own names."""
    return build(
        NodeInfo,
        data,
        owner_id=_str_or_none(getattr(data, "owner_id", None)),
        baseline_name=None,
        res_group_name=_str_or_none(getattr(data, "res_group_name", None)),
        api_version="2020-05-18",
        request_id=request_id,
    )


def node_2024(task: Any, *, request_id: str | None) -> NodeInfo:
    """Map GetTask's Task (2024-05-18): Id, Name, Owner, Type, Trigger.Cron, Trigger.Recurrence, BaselineId."""
    trigger = getattr(task, "trigger", None)
    return NodeInfo(
        node_id=int_or_none(getattr(task, "id", None)),
        node_name=_str_or_none(getattr(task, "name", None)),
        owner_id=_str_or_none(getattr(task, "owner", None)),
        program_type=_str_or_none(getattr(task, "type", None)),
        cron_express=_str_or_none(getattr(trigger, "cron", None)),
        priority=int_or_none(getattr(task, "priority", None)),
        baseline_id=int_or_none(getattr(task, "baseline_id", None)),
        scheduler_type=upper_snake(getattr(trigger, "recurrence", None)),
        project_id=int_or_none(getattr(task, "project_id", None)),
        description=_str_or_none(getattr(task, "description", None)),
        api_version="2024-05-18",
        request_id=request_id,
    )


def node_child_2020(obj: Any) -> NodeChild:
    """Map one GetNodeChildren Data.Nodes entry (2020-05-18)."""
    return build(NodeChild, obj, owner_id=_str_or_none(getattr(obj, "owner_id", None)), depth=1)


def node_child_2024(entry: Any) -> NodeChild:
    """Map one ListDownstreamTasks PagingInfo.DownstreamTasks entry (its Task) or a deprecated Tasks entry."""
    task = getattr(entry, "task", None) or entry
    trigger = getattr(task, "trigger", None)
    return NodeChild(
        node_id=int_or_none(getattr(task, "id", None)),
        node_name=_str_or_none(getattr(task, "name", None)),
        owner_id=_str_or_none(getattr(task, "owner", None)),
        program_type=_str_or_none(getattr(task, "type", None)),
        cron_express=_str_or_none(getattr(trigger, "cron", None)),
        priority=int_or_none(getattr(task, "priority", None)),
        baseline_id=int_or_none(getattr(task, "baseline_id", None)),
        scheduler_type=upper_snake(getattr(trigger, "recurrence", None)),
        project_id=int_or_none(getattr(task, "project_id", None)),
        step_type=_str_or_none(getattr(task, "step_type", None)),
    )


def instance_2020(data: Any, *, request_id: str | None) -> InstanceInfo:
    """Map GetInstance's Data (2020-05-18)."""
    return build(
        InstanceInfo,
        data,
        owner=_str_or_none(getattr(data, "owner", None)),
        project_id=None,  # GetInstance's Data has no ProjectId
        api_version="2020-05-18",
        request_id=request_id,
    )


def instance_2024(obj: Any, *, request_id: str | None) -> InstanceInfo:
    """Map GetTaskInstance's TaskInstance (2024-05-18): Id, TaskId, TaskName, Bizdate, Status, TriggerTime."""
    return InstanceInfo(
        instance_id=int_or_none(getattr(obj, "id", None)),
        node_id=int_or_none(getattr(obj, "task_id", None)),
        node_name=_str_or_none(getattr(obj, "task_name", None)),
        bizdate=int_or_none(getattr(obj, "bizdate", None)),
        cyc_time=int_or_none(getattr(obj, "trigger_time", None)),
        status=upper_snake(getattr(obj, "status", None)),
        owner=_str_or_none(getattr(obj, "owner", None)),
        task_type=_str_or_none(getattr(obj, "task_type", None)),
        baseline_id=int_or_none(getattr(obj, "baseline_id", None)),
        dag_type=_str_or_none(getattr(obj, "trigger_type", None)),
        project_id=int_or_none(getattr(obj, "project_id", None)),
        api_version="2024-05-18",
        request_id=request_id,
    )


def project_2020(data: Any, *, region: str) -> ProjectInfo:
    """Map GetProject's Data (2020-05-18): ProjectIdentifier is the name, ProjectName the display name."""
    mode = int_or_none(getattr(data, "project_mode", None))
    status = getattr(data, "status", None)
    return ProjectInfo(
        project_id=int_or_none(getattr(data, "project_id", None)),
        name=_str_or_none(getattr(data, "project_identifier", None)),
        display_name=_str_or_none(getattr(data, "project_name", None)),
        mode=PROJECT_MODES.get(mode) if mode is not None else None,
        region=region,
        status=_str_or_none(status),
        owner_id=_str_or_none(getattr(data, "project_owner_base_id", None)),
        description=_str_or_none(getattr(data, "project_description", None)),
        api_version="2020-05-18",
    )


def project_2024(project: Any, *, region: str) -> ProjectInfo:
    """Map GetProject's Project (2024-05-18): Name, DisplayName; DevEnvironmentEnabled tells the mode."""
    dev = _coerce(getattr(project, "dev_environment_enabled", None), bool)
    return ProjectInfo(
        project_id=int_or_none(getattr(project, "id", None)),
        name=_str_or_none(getattr(project, "name", None)),
        display_name=_str_or_none(getattr(project, "display_name", None)),
        mode=None if not isinstance(dev, bool) else "standard" if dev else "basic",
        region=region,
        status=_str_or_none(getattr(project, "status", None)),
        owner_id=_str_or_none(getattr(project, "owner", None)),
        description=_str_or_none(getattr(project, "description", None)),
        api_version="2024-05-18",
    )


def member_2020(obj: Any) -> ProjectMember | None:
    """Map one ListProjectMembers Data.ProjectMemberList entry; the display name is Nick, else the name."""
    user_id = _str_or_none(getattr(obj, "project_member_id", None))
    if user_id is None:
        return None
    nick, name = _str_or_none(getattr(obj, "nick", None)), _str_or_none(getattr(obj, "project_member_name", None))
    roles = tuple(
        str(r.project_role_name or r.project_role_code)
        for r in _items(getattr(obj, "project_role_list", None))
        if (r.project_role_name or r.project_role_code)
    )
    return ProjectMember(
        user_id=user_id,
        display_name=nick or name,
        name=name,
        nick=nick,
        status=_str_or_none(getattr(obj, "status", None)),
        roles=roles,
    )


def member_2024(obj: Any) -> ProjectMember | None:
    """Map one ListProjectMembers PagingInfo.ProjectMembers entry (2024-05-18): UserId, UserName, Roles."""
    user_id = _str_or_none(getattr(obj, "user_id", None))
    if user_id is None:
        return None
    name = _str_or_none(getattr(obj, "user_name", None))
    roles = tuple(str(r.name or r.code) for r in _items(getattr(obj, "roles", None)) if (r.name or r.code))
    return ProjectMember(
        user_id=user_id, display_name=name, name=name, status=_str_or_none(getattr(obj, "status", None)), roles=roles
    )


def member_directory(project_id: int, members: list[ProjectMember | None]) -> MemberDirectory:
    return MemberDirectory(project_id=project_id, members=tuple(m for m in members if m is not None))


def table_column(obj: Any) -> TableColumnInfo:
    """Map one GetMetaTableColumn Data.ColumnList entry."""
    return build(TableColumnInfo, obj)


def table_basic_info(data: Any, *, request_id: str | None) -> TableBasicInfo:
    """Map GetMetaTableBasicInfo's Data; PartitionKeys is a comma-separated string (empty: not partitioned)."""
    keys = getattr(data, "partition_keys", None)
    partition_keys = tuple(k.strip() for k in keys.split(",") if k.strip()) if isinstance(keys, str) else ()
    return build(
        TableBasicInfo,
        data,
        project_name=_str_or_none(getattr(data, "project_name", None) or getattr(data, "database_name", None)),
        owner_id=_str_or_none(getattr(data, "owner_id", None)),
        partition_keys=partition_keys,
        request_id=request_id,
    )
