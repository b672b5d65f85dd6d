"""The DataWorks event catalogue: every EventBridge `type` / `eventCode` we know, and how it is answered.

Source: ../shared/docs/dataworks-protocol.md §3. Review Gate gates the DataStudio and Operation Center extension
points, the ones DataWorks documents answering with UpdateIDEEventResult / UpdateWorkbenchEventResult. Other
extension points (Data Integration, Data Quality, tenant) are answered with CallbackExtension per an *inference* in
the protocol doc; we store them as informational and log a warning instead of guessing (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Module(StrEnum):
    DATASTUDIO = "DATASTUDIO"
    OPERATION_CENTER = "OPERATION_CENTER"
    OTHER = "OTHER"


class CallbackApi(StrEnum):
    IDE = "UpdateIDEEventResult"
    WORKBENCH = "UpdateWorkbenchEventResult"
    EXTENSION = "CallbackExtension"
    NONE = ""


class Subject(StrEnum):
    """What kind of DataWorks object an event is about, which decides how its ticket is prepared and shown."""

    FILE = "file"  # a DataStudio file (node code): a code diff
    TABLE = "table"  # a table model
    NODE = "node"  # scheduled nodes in Operation Center (freeze, undeploy, backfill)
    INSTANCE = "instance"  # one run of a node
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One catalogue row."""

    type: str
    code: str
    module: Module
    extension_point: bool
    callback: CallbackApi
    subject: Subject = Subject.OTHER

    @property
    def gated(self) -> bool:
        """Return True when Review Gate holds this event for a human decision."""
        return self.extension_point and self.callback in (CallbackApi.IDE, CallbackApi.WORKBENCH)


_DS, _OC, _OT = Module.DATASTUDIO, Module.OPERATION_CENTER, Module.OTHER
_IDE, _WB, _EXT, _NO = CallbackApi.IDE, CallbackApi.WORKBENCH, CallbackApi.EXTENSION, CallbackApi.NONE
_FILE, _TABLE, _NODE, _INSTANCE = Subject.FILE, Subject.TABLE, Subject.NODE, Subject.INSTANCE

CATALOGUE: tuple[EventSpec, ...] = (
    # DataStudio
    EventSpec("dataworks:NodeChange:NodeChangeCreated", "node-change-created", _DS, False, _NO, _NODE),
    EventSpec("dataworks:NodeChange:NodeChangeUpdated", "node-change-updated", _DS, False, _NO, _NODE),
    EventSpec("dataworks:FileChange:DeleteFile", "delete-file", _DS, True, _IDE, _FILE),
    EventSpec("dataworks:FileChange:CommitFile", "commit-file", _DS, True, _IDE, _FILE),
    EventSpec("dataworks:FileChange:DeployFile", "deploy-file", _DS, True, _IDE, _FILE),
    EventSpec("dataworks:FileChange:RunFile", "run-file", _DS, True, _IDE, _FILE),
    EventSpec("dataworks:FileChange:ReviewFile", "review-file", _DS, False, _NO, _FILE),
    EventSpec("dataworks:TableChange:CommitTable", "commit-table", _DS, True, _IDE, _TABLE),
    EventSpec("dataworks:TableChange:DeployTable", "deploy-table", _DS, True, _IDE, _TABLE),
    # Operation Center
    EventSpec("dataworks:NodeChange:NodeChangeDeleted", "node-change-deleted", _OC, False, _NO, _NODE),
    EventSpec("dataworks:NodeChange:UndeployNode", "undeploy-node", _OC, True, _WB, _NODE),
    EventSpec("dataworks:NodeChange:FreezeNode", "freeze-node", _OC, True, _WB, _NODE),
    EventSpec("dataworks:NodeChange:UnFreezeNode", "unfreeze-node", _OC, True, _WB, _NODE),
    EventSpec("dataworks:BackfillDataOperate:BackfillData", "backfill-data", _OC, True, _WB, _NODE),
    EventSpec(
        "dataworks:InstanceStatusChanges:InstanceStatusChanges", "instance-status-changes", _OC, False, _NO, _INSTANCE
    ),
    EventSpec("dataworks:InstanceChange:FreezeInstance", "freeze-instance", _OC, False, _NO, _INSTANCE),
    EventSpec("dataworks:InstanceChange:UnfreezeInstance", "unfreeze-instance", _OC, False, _NO, _INSTANCE),
    EventSpec("dataworks:InstanceChange:KillInstance", "kill-instance", _OC, False, _NO, _INSTANCE),
    EventSpec("dataworks:InstanceChange:RerunInstance", "rerun-instance", _OC, False, _NO, _INSTANCE),
    EventSpec("dataworks:InstanceChange:SetInstanceSuccess", "set-instance-success", _OC, False, _NO, _INSTANCE),
    EventSpec(
        "dataworks:InstanceChange:DeleteTaskInstanceDependencies",
        "delete-task-instance-dependencies",
        _OC,
        False,
        _NO,
        _INSTANCE,
    ),
    EventSpec("dataworks:InstanceChange:PreFreezeInstance", "pre-freeze-instance", _OC, True, _WB, _INSTANCE),
    EventSpec("dataworks:InstanceChange:PreUnfreezeInstance", "pre-unfreeze-instance", _OC, True, _WB, _INSTANCE),
    EventSpec("dataworks:InstanceChange:PreRerunInstance", "pre-rerun-instance", _OC, True, _WB, _INSTANCE),
    EventSpec("dataworks:InstanceChange:PreSetInstanceSuccess", "pre-set-instance-success", _OC, True, _WB, _INSTANCE),
    EventSpec("dataworks:InstanceChange:PreKillInstance", "pre-kill-instance", _OC, True, _WB, _INSTANCE),
    EventSpec(
        "dataworks:InstanceChange:ExpiredTaskInstancesDeleted",
        "expired-task-instances-deleted",
        _OC,
        False,
        _NO,
        _INSTANCE,
    ),
    EventSpec("dataworks:DagStatusChanges:DagStatusChanges", "dag-status-changes", _OC, False, _NO),
    EventSpec("dataworks:MonitorAlert:WorkbenchMonitorAlert", "workbench-monitor-alert", _OC, False, _NO),
    # Data Integration, Security Center, Data Quality, tenant: not gated by Review Gate (see module docstring).
    EventSpec("dataworks:NodeChange:StartDiJob", "start-diJob", _OT, True, _EXT),
    EventSpec("dataworks:NodeChange:BatchStartDiJob", "batch-start-diJob", _OT, True, _EXT),
    EventSpec("dataworks:ApprovalChange:ApprovalChangeCreated", "approval-change-created", _OT, False, _NO),
    EventSpec("dataworks:ApprovalChange:ApprovalChangeFinished", "approval-change-finished", _OT, False, _NO),
    EventSpec(
        "dataworks:ApprovalChange:ApprovalChangeBeforeCreate",
        "approval-change-before-create",
        _OT,
        True,
        _EXT,
    ),
    EventSpec("dataworks:DqcCheck:DqcCheckFeedbackEvent", "dqc-check-feedback-event", _OT, False, _NO),
    EventSpec("dataworks:DqcCheck:DqcCheckFinishedEvent", "dqc-check-finished-event", _OT, False, _NO),
    EventSpec("dataworks:DqcCheck:BatchCreateDataQualityRules", "batch-create-data-quality-rules", _OT, True, _EXT),
    EventSpec("dataworks:DqcCheck:BatchUpdateDataQualityRules", "batch-update-data-quality-rules", _OT, True, _EXT),
    EventSpec("dataworks:DqcCheck:BatchDeleteDataQualityRules", "batch-delete-data-quality-rules", _OT, True, _EXT),
    EventSpec("dataworks:DqcCheck:UpdateDataQualityRule", "update-data-quality-rule", _OT, True, _EXT),
    EventSpec(
        "dataworks:DqcCheck:CreateDataQualityEvaluationTask",
        "create-data-quality-evaluation-task",
        _OT,
        True,
        _EXT,
    ),
    EventSpec(
        "dataworks:DqcCheck:UpdateDataQualityEvaluationTask",
        "update-data-quality-evaluation-task",
        _OT,
        True,
        _EXT,
    ),
    EventSpec(
        "dataworks:DqcCheck:CloneDataQualityEvaluationTask",
        "clone-data-quality-evaluation-task",
        _OT,
        True,
        _EXT,
    ),
    EventSpec(
        "dataworks:DqcCheck:BatchDeleteDataQualityEvaluationTasks",
        "batch-delete-data-quality-evaluation-tasks",
        _OT,
        True,
        _EXT,
    ),
    EventSpec("dataworks:ProjectChange:DeleteProject", "delete-project", _OT, True, _EXT),
    EventSpec("dataworks:ProjectChange:ProjectDeleted", "project-deleted", _OT, False, _NO),
    EventSpec("dataworks:ResourcesDownload:DownloadResources", "download-resources", _OT, True, _EXT),
    EventSpec("dataworks:ResourcesDownload:DownloadResourcesExecute", "download-resources-execute", _OT, True, _EXT),
    EventSpec("dataworks:ResourcesUpload:UploadDataToTable", "upload-data-to-table", _OT, True, _EXT),
)

BY_TYPE: dict[str, EventSpec] = {spec.type: spec for spec in CATALOGUE}
BY_CODE: dict[str, EventSpec] = {spec.code: spec for spec in CATALOGUE}
GATED_CODES: tuple[str, ...] = tuple(spec.code for spec in CATALOGUE if spec.gated)


# Names for people, in the words DataWorks shows its users (docs/i18n.md has the glossary): 提交 commit, 发布 deploy,
# 运行 run, 删除 delete, 冻结/解冻 freeze/unfreeze, 下线 undeploy, 补数据 backfill.
EVENT_NAMES = {
    "commit-file": _("File commit"),
    "deploy-file": _("File deploy"),
    "run-file": _("File run"),
    "delete-file": _("File delete"),
    "commit-table": _("Table commit"),
    "deploy-table": _("Table deploy"),
    "undeploy-node": _("Node undeploy"),
    "freeze-node": _("Node freeze"),
    "unfreeze-node": _("Node unfreeze"),
    "backfill-data": _("Backfill"),
    "pre-freeze-instance": _("Instance freeze"),
    "pre-unfreeze-instance": _("Instance unfreeze"),
    "pre-rerun-instance": _("Instance rerun"),
    "pre-set-instance-success": _("Set instance successful"),
    "pre-kill-instance": _("Instance stop"),
}


def event_name(event_code: str) -> str:
    """Return the event's name for people in the active language, with its code: "文件提交 (commit-file)"."""
    name = EVENT_NAMES.get(event_code)
    return f"{name} ({event_code})" if name is not None else event_code


def subject_of(event_code: str) -> Subject:
    """Return what kind of object an event code is about (OTHER for a code the catalogue does not know)."""
    spec = BY_CODE.get(event_code)
    return spec.subject if spec else Subject.OTHER


def lookup(event_type: str, event_code: str | None) -> EventSpec | None:
    """Return the catalogue row for an event, by `type` first and `data.eventCode` second."""
    return BY_TYPE.get(event_type) or (BY_CODE.get(event_code) if event_code else None)
