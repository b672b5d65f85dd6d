"""Turn SDK response models (duck-typed: no SDK import here) into our dataclasses, and parse settings strings."""

from __future__ import annotations

import json
import typing
from dataclasses import fields
from typing import Any, TypeVar

from dataworks_client.errors import DataWorksPermanent
from dataworks_client.types import (
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
    NodeConfiguration,
    NodeInput,
    NodeOutput,
    ProjectOptions,
    TableColumn,
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
