"""Wire-format samples (DataWorks' PascalCase JSON) shared by the mapping and contract tests."""

from __future__ import annotations

from typing import Any

COMMITTED_FILE: dict[str, Any] = {
    "FileId": 100000001,
    "FileName": "hello_dataworks.sql",
    "FileType": 10,
    "NodeId": 700000001,
    "ChangeType": "UPDATE",
    "Comment": "add partition filter",
    "Committor": "207947397706614299",
    "Content": "SELECT * FROM sales WHERE ds = '${bizdate}';",
    "UseType": "NORMAL",
    "FilePropertyContent": {
        "BusinessId": 74328,
        "CurrentVersion": 3,
        "DataSourceName": "odps_source",
        "FolderId": "aldurie78l2falure",
        "Owner": "207947397706614299",
        "ParentFileId": 1234122,
    },
    "NodeConfiguration": {
        "AutoRerunIntervalMillis": 120000,
        "AutoRerunTimes": 3,
        "CronExpress": "00 05 00 * * ?",
        "CycleType": "DAY",
        "DependentNodeIdList": "5,10",
        "DependentType": "USER_DEFINE",
        "InputList": [{"Input": "project_root", "ParseType": "MANUAL"}, {"Input": "sales_raw", "ParseType": "AUTO"}],
        "OutputList": [{"Output": "project.sales_daily", "RefTableName": "sales_daily"}],
        "ParaValue": "bizdate=$bizdate",
        "RerunMode": "ALL_ALLOWED",
        "ResourceGroupId": 375827434852437,
        "SchedulerType": "NORMAL",
    },
}

DELETED_FILE: dict[str, Any] = {
    "BusinessId": 74329,
    "Content": "DROP TABLE tmp;",
    "CurrentVersion": 7,
    "DataSourceName": "odps_source",
    "FileId": 100000002,
    "FileName": "cleanup.sql",
    "FileType": 10,
    "FolderId": "folder-2",
    "NodeId": 700000002,
    "Owner": "owner-2",
    "ParentFileId": 1234123,
    "UseType": "MANUAL",
}

FILE_EXECUTION_COMMAND: dict[str, Any] = {
    "Content": "SHOW TABLES;",
    "DataSourceName": "odps_source",
    "FileId": 100000003,
    "FileType": 10,
}

TABLE_MODEL: dict[str, Any] = {
    "Columns": [
        {"ColumnName": "id", "ColumnType": "BIGINT", "Comment": "primary key", "IsPartitionColumn": False},
        {"ColumnName": "ds", "ColumnType": "STRING", "Comment": "partition", "IsPartitionColumn": True},
    ],
    "Comment": "daily sales",
    "DataSourceName": "odps_first",
    "Env": "DEV",
    "LifeCycle": 30,
    "Location": "oss://bucket/sales",
    "TableName": "sales_daily",
}


def file_version(number: int, **overrides: Any) -> dict[str, Any]:
    """Return one ListFileVersions entry."""
    entry: dict[str, Any] = {
        "FileVersion": number,
        "ChangeType": "UPDATE",
        "Comment": f"version {number}",
        "CommitTime": 1_700_000_000_000 + number,
        "CommitUser": "207947397706614299",
        "FileContent": f"SELECT {number};",
        "FileName": "hello_dataworks.sql",
        "FilePropertyContent": '{"fileName":"hello_dataworks.sql"}',
        "IsCurrentProd": False,
        "NodeContent": '{"cronExpress":"00 05 00 * * ?"}',
        "NodeId": 700000001,
        "Status": "COMMITTED",
        "UseType": "NORMAL",
    }
    entry.update(overrides)
    return entry


GET_FILE: dict[str, Any] = {
    "AdvancedSettings": '{"queue":"default"}',
    "AutoParsing": True,
    "BizId": 1000001,
    "BusinessId": 74328,
    "CommitStatus": 1,
    "ConnectionName": "odps_source",
    "Content": "SELECT 1;",
    "CreateTime": 1_600_000_000_000,
    "CreateUser": "creator-1",
    "CurrentVersion": 4,
    "DeletedStatus": "NORMAL",
    "FileDescription": "daily sales",
    "FileFolderId": "folder-1",
    "FileId": 100000001,
    "FileName": "hello_dataworks.sql",
    "FileType": 10,
    "IsMaxCompute": True,
    "LastEditTime": 1_700_000_000_000,
    "LastEditUser": "editor-1",
    "NodeId": 700000001,
    "Owner": "owner-1",
    "ParentId": 1234122,
    "UseType": "NORMAL",
}

EXTENSION: dict[str, Any] = {
    "ExtensionCode": "ext-review-gate-test",
    "ExtensionName": "Review Gate",
    "ExtensionDesc": "Human review before deploy",
    "HelpDocUrl": "https://review.example.com/help",
    "DetailUrl": "https://review.example.com/tickets",
    "Status": 1,
    "ProjectTesting": 13552,
    "ParameterSetting": (
        "extension.project.disabled=1,2\n\n# a comment\nreviewers=data-team\n"
        "extension.manualPass.enabled=true\nreviewers=platform-team\nnot a parameter line\n"
    ),
    "OptionSetting": '{"type":"object","properties":{}}',
    "BindEventList": [
        {"EventCode": "commit-file", "EventName": "File commit pre-event"},
        {"EventCode": "deploy-file", "EventName": "File deploy pre-event"},
    ],
    "EventCategoryList": [{"CategoryCode": "file-change", "CategoryName": "File change"}],
}


def check_process(message_id: str, process_id: str, status: str = "CHECKING", **overrides: Any) -> dict[str, Any]:
    """Return one ListCheckProcesses entry."""
    entry: dict[str, Any] = {
        "EventCode": "commit-file",
        "EventName": "文件提交前置事件",
        "EventNameEn": "File commit pre-event",
        "MessageId": message_id,
        "Operator": "207947397706614299",
        "ProcessId": process_id,
        "ProcessName": "hello_dataworks.sql",
        "ProjectId": 42,
        "Status": status,
    }
    entry.update(overrides)
    return entry
