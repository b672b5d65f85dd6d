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


# --- Operation Center, workspaces, people and tables (issue 17) ---------------------------------------------------


def cycle_from_cron(cron: str | None) -> str | None:
    """Guess the scheduling cycle from a DataWorks cron (`ss mm HH dd MM ?`-style, six fields).

    GetNode and GetTask send no cycle type, so it is derived: MINUTE or HOUR when the minute or hour field repeats
    (`*/n`, `a-b/n`, a list), WEEK when the week-day field is set, MONTH when the day-of-month field is fixed, else
    DAY. None for a cron that does not have six fields.
    """
    fields_ = (cron or "").split()
    if len(fields_) != 6:
        return None
    _seconds, minutes, hours, day, _month, week = fields_
    if any(c in minutes for c in "*/,-"):
        return "MINUTE"
    if any(c in hours for c in "*/,-"):
        return "HOUR"
    if week not in {"?", "*"}:
        return "WEEK"
    if day not in {"?", "*"}:
        return "MONTH"
    return "DAY"


@dataclass(frozen=True)
class NodeInfo:
    """A scheduled (production) node: GetNode (2020-05-18) or GetTask (2024-05-18).

    `baseline_name` stays None: neither answer carries it (GetBaseline would; not called). `program_type` is the
    node type as DataWorks names it (ODPS_SQL, SHELL, …; the 2024 Task Type names are
    not guaranteed to match the 2020 ProgramType names).
    """

    node_id: int | None = None
    node_name: str | None = None
    owner_id: str | None = None
    program_type: str | None = None
    cron_express: str | None = None
    priority: int | None = None
    baseline_id: int | None = None
    baseline_name: str | None = None
    scheduler_type: str | None = None  # NORMAL, MANUAL, PAUSE, SKIP (2024: Normal, Pause, Skip)
    project_id: int | None = None
    description: str | None = None
    file_id: int | None = None
    repeatability: bool | None = None
    res_group_name: str | None = None
    api_version: str | None = None
    request_id: str | None = None

    @property
    def cycle_type(self) -> str | None:
        """Return MINUTE, HOUR, DAY, WEEK or MONTH, derived from the cron (see cycle_from_cron)."""
        return cycle_from_cron(self.cron_express)

    @property
    def on_baseline(self) -> bool:
        return bool(self.baseline_id and self.baseline_id > 0)


@dataclass(frozen=True)
class NodeChild:
    """One direct child of a node: GetNodeChildren's Data.Nodes entry, or a ListDownstreamTasks task."""

    node_id: int | None = None
    node_name: str | None = None
    owner_id: str | None = None
    program_type: str | None = None
    cron_express: str | None = None
    priority: int | None = None
    baseline_id: int | None = None
    scheduler_type: str | None = None
    project_id: int | None = None
    step_type: str | None = None  # 2020 only: how far down the child is (undocumented values)
    depth: int = 1  # 1 for direct children; set by walk_downstream for deeper ones

    @property
    def on_baseline(self) -> bool:
        return bool(self.baseline_id and self.baseline_id > 0)


@dataclass(frozen=True)
class DownstreamWalk:
    """What a bounded breadth-first walk below one node found.

    `total` counts distinct descendants found; `nodes` holds the first of them in walk order (nearest first).
    `truncated` means there may be more than `total`: `stopped_by` says which bound ("depth", "nodes", "calls",
    "throttled") stopped the walk; `unreadable` lists nodes whose children could not be read (they also truncate).
    """

    root_id: int
    total: int
    nodes: tuple[NodeChild, ...] = ()
    truncated: bool = False
    stopped_by: str | None = None
    calls: int = 0
    unreadable: tuple[int, ...] = ()
    any_on_baseline: bool = False
    max_depth_reached: int = 0


@dataclass(frozen=True)
class InstanceInfo:
    """One instance of a scheduled node: GetInstance (2020-05-18) or GetTaskInstance (2024-05-18).

    `bizdate` and the times are ms since the epoch, as DataWorks sends them; `business_date` is the calendar date
    of `bizdate` in China Standard Time (UTC+8), which is how DataWorks stores business dates (INF).
    """

    instance_id: int | None = None
    node_id: int | None = None
    node_name: str | None = None
    bizdate: int | None = None
    cyc_time: int | None = None
    status: str | None = None
    owner: str | None = None
    task_type: str | None = None
    baseline_id: int | None = None
    dag_type: str | None = None
    project_id: int | None = None
    api_version: str | None = None
    request_id: str | None = None

    @property
    def business_date(self) -> dt.date | None:
        if self.bizdate is None:
            return None
        return dt.datetime.fromtimestamp(self.bizdate / 1000, tz=dt.timezone(dt.timedelta(hours=8))).date()


PROJECT_MODES = {2: "basic", 3: "standard"}


@dataclass(frozen=True)
class ProjectInfo:
    """A workspace: GetProject (both versions; different shapes, same fields here).

    `name` is the identifier (ProjectIdentifier / Name), `display_name` the display name (ProjectName /
    DisplayName). `mode` is "standard" or "basic" (2020: ProjectMode 3/2; 2024: DevEnvironmentEnabled true/false).
    `region` is the region the client called: neither answer names one.
    """

    project_id: int | None = None
    name: str | None = None
    display_name: str | None = None
    mode: str | None = None
    region: str | None = None
    status: str | None = None
    owner_id: str | None = None
    description: str | None = None
    api_version: str | None = None

    @property
    def dev_name(self) -> str | None:
        """Return the development project's identifier (`<name>_dev`) of a standard-mode workspace, else None."""
        return f"{self.name}_dev" if self.name and self.mode == "standard" else None


@dataclass(frozen=True)
class ProjectMember:
    user_id: str
    display_name: str | None = None
    name: str | None = None
    nick: str | None = None
    status: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberDirectory:
    """A workspace's members (ListProjectMembers, every page), looked up by user id."""

    project_id: int
    members: tuple[ProjectMember, ...] = ()

    def get(self, user_id: str | int | None) -> ProjectMember | None:
        wanted = str(user_id) if user_id is not None else None
        return next((m for m in self.members if m.user_id == wanted), None)

    def display_name(self, user_id: str | int | None) -> str | None:
        """Return the member's display name (nickname, else name), or None for an unknown user."""
        member = self.get(user_id)
        return member.display_name if member else None

    def as_dict(self) -> dict[str, str]:
        """Return uid → display name for members that have one."""
        return {m.user_id: m.display_name for m in self.members if m.display_name}


@dataclass(frozen=True)
class TableColumnInfo:
    """One column of a table as it exists (GetMetaTableColumn's ColumnList entry)."""

    column_name: str | None = None
    column_type: str | None = None
    comment: str | None = None
    caption: str | None = None
    is_partition_column: bool | None = None
    is_primary_key: bool | None = None
    is_foreign_key: bool | None = None
    position: int | None = None
    column_guid: str | None = None


@dataclass(frozen=True)
class TableBasicInfo:
    """A table as it exists (GetMetaTableBasicInfo's Data). `partition_keys` is split from the comma list."""

    table_guid: str | None = None
    table_name: str | None = None
    project_name: str | None = None
    project_id: int | None = None
    comment: str | None = None
    caption: str | None = None
    life_cycle: int | None = None
    partition_keys: tuple[str, ...] = ()
    is_partition_table: bool | None = None
    is_view: bool | None = None
    owner_id: str | None = None
    env_type: int | None = None
    column_count: int | None = None
    data_size: int | None = None
    create_time: int | None = None
    last_ddl_time: int | None = None
    request_id: str | None = None
