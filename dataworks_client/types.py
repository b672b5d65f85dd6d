"""Frozen dataclasses returned by the client: our own types, never SDK models.

Every scalar is optional because DataWorks omits fields freely; nested lists are tuples so the objects stay
immutable. Field names follow the SDK's snake_case names of the DataWorks wire fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

CHECK_RESULTS = ("OK", "WARN", "FAIL")


def _from_ms(value: int | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class FilePropertyContent:
    business_id: int | None = None
    current_version: int | None = None
    data_source_name: str | None = None
    folder_id: str | None = None
    owner: str | None = None
    parent_file_id: int | None = None


@dataclass(frozen=True)
class NodeInput:
    input: str | None = None
    parse_type: str | None = None


@dataclass(frozen=True)
class NodeOutput:
    output: str | None = None
    ref_table_name: str | None = None


@dataclass(frozen=True)
class NodeConfiguration:
    auto_rerun_interval_millis: int | None = None
    auto_rerun_times: int | None = None
    cron_express: str | None = None
    cycle_type: str | None = None
    dependent_node_id_list: str | None = None
    dependent_type: str | None = None
    inputs: tuple[NodeInput, ...] = ()
    outputs: tuple[NodeOutput, ...] = ()
    para_value: str | None = None
    rerun_mode: str | None = None
    resource_group_id: int | None = None
    scheduler_type: str | None = None


@dataclass(frozen=True)
class CommittedFile:
    file_id: int | None = None
    file_name: str | None = None
    file_type: int | None = None
    node_id: int | None = None
    change_type: str | None = None
    comment: str | None = None
    committor: str | None = None
    content: str | None = None
    use_type: str | None = None
    file_property_content: FilePropertyContent | None = None
    node_configuration: NodeConfiguration | None = None


@dataclass(frozen=True)
class DeletedFile:
    business_id: int | None = None
    content: str | None = None
    current_version: int | None = None
    data_source_name: str | None = None
    file_id: int | None = None
    file_name: str | None = None
    file_type: int | None = None
    folder_id: str | None = None
    node_id: int | None = None
    owner: str | None = None
    parent_file_id: int | None = None
    use_type: str | None = None


@dataclass(frozen=True)
class FileExecutionCommand:
    content: str | None = None
    data_source_name: str | None = None
    file_id: int | None = None
    file_type: int | None = None


@dataclass(frozen=True)
class TableColumn:
    column_name: str | None = None
    column_type: str | None = None
    comment: str | None = None
    is_partition_column: bool | None = None


@dataclass(frozen=True)
class TableModel:
    table_name: str | None = None
    comment: str | None = None
    data_source_name: str | None = None
    env: str | None = None
    life_cycle: int | None = None
    location: str | None = None
    columns: tuple[TableColumn, ...] = ()


@dataclass(frozen=True)
class EventDetail:
    """What GetIDEEventDetail returned; only the part matching the event kind is set."""

    request_id: str | None = None
    committed_file: CommittedFile | None = None
    deleted_file: DeletedFile | None = None
    file_execution_command: FileExecutionCommand | None = None
    table_model: TableModel | None = None


@dataclass(frozen=True)
class FileVersion:
    file_version: int | None = None
    change_type: str | None = None
    comment: str | None = None
    commit_time: int | None = None  # ms since the epoch, as DataWorks sends it
    commit_user: str | None = None
    file_content: str | None = None
    file_name: str | None = None
    file_property_content: str | None = None
    is_current_prod: bool | None = None
    node_content: str | None = None
    node_id: int | None = None
    status: str | None = None
    use_type: str | None = None

    @property
    def committed_at(self) -> dt.datetime | None:
        """Return `commit_time` as an aware UTC datetime."""
        return _from_ms(self.commit_time)


@dataclass(frozen=True)
class FileDetail:
    """GetFile's Data.File (the current working copy) plus its NodeConfiguration."""

    file_id: int | None = None
    file_name: str | None = None
    file_type: int | None = None
    content: str | None = None
    current_version: int | None = None
    commit_status: int | None = None
    node_id: int | None = None
    owner: str | None = None
    file_folder_id: str | None = None
    file_description: str | None = None
    use_type: str | None = None
    deleted_status: str | None = None
    connection_name: str | None = None
    business_id: int | None = None
    biz_id: int | None = None
    parent_id: int | None = None
    create_user: str | None = None
    create_time: int | None = None
    last_edit_user: str | None = None
    last_edit_time: int | None = None
    is_max_compute: bool | None = None
    auto_parsing: bool | None = None
    advanced_settings: str | None = None
    node_configuration: NodeConfiguration | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class CallbackReceipt:
    """DataWorks accepted a result callback."""

    request_id: str | None
    action: str
    message_id: str
    result: str  # what was sent
    requested_result: str  # what the caller asked for (differs only for workbench WARN -> OK)
    success: bool | None = None


@dataclass(frozen=True)
class CheckProcess:
    process_id: str | None = None
    process_name: str | None = None
    event_code: str | None = None
    event_name: str | None = None
    event_name_en: str | None = None
    message_id: str | None = None
    operator: str | None = None
    project_id: int | None = None
    status: str | None = None  # CHECKING | PASSED | BLOCKED


@dataclass(frozen=True)
class BoundEvent:
    event_code: str | None = None
    event_name: str | None = None


@dataclass(frozen=True)
class EventCategory:
    category_code: str | None = None
    category_name: str | None = None


@dataclass(frozen=True)
class Extension:
    extension_code: str | None = None
    extension_name: str | None = None
    extension_desc: str | None = None
    detail_url: str | None = None
    help_doc_url: str | None = None
    status: int | None = None
    project_testing: int | None = None
    parameter_setting: str | None = None
    parameters: dict[str, str] = field(default_factory=dict, hash=False)
    option_setting: str | None = None
    bind_events: tuple[BoundEvent, ...] = ()
    event_categories: tuple[EventCategory, ...] = ()
    request_id: str | None = None


ProjectOptions = dict[str, Any]
