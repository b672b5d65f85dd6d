"""Contract tests: the real SDK, through our facade, calls the emulator over HTTP for every read operation."""

from __future__ import annotations

import pytest

from dataworks_client.client import DataWorksClient
from dataworks_client.emulator import RunningEmulator
from dataworks_client.errors import DataWorksNotFound, DataWorksPermanent
from dataworks_client.types import (
    BoundEvent,
    CheckProcess,
    CommittedFile,
    DeletedFile,
    EventCategory,
    Extension,
    FileDetail,
    FileExecutionCommand,
    FilePropertyContent,
    FileVersion,
    NodeConfiguration,
    NodeInput,
    NodeOutput,
    TableColumn,
    TableModel,
)
from tests.dataworks_client import samples

EXPECTED_NODE_CONFIGURATION = NodeConfiguration(
    auto_rerun_interval_millis=120000,
    auto_rerun_times=3,
    cron_express="00 05 00 * * ?",
    cycle_type="DAY",
    dependent_node_id_list="5,10",
    dependent_type="USER_DEFINE",
    inputs=(NodeInput("project_root", "MANUAL"), NodeInput("sales_raw", "AUTO")),
    outputs=(NodeOutput("project.sales_daily", "sales_daily"),),
    para_value="bizdate=$bizdate",
    rerun_mode="ALL_ALLOWED",
    resource_group_id=375827434852437,
    scheduler_type="NORMAL",
)


class TestGetEventDetail:
    def test_parses_a_committed_file_with_every_field(self, dw: DataWorksClient, emulator: RunningEmulator):
        emulator.store.put_event_detail("msg-1", 42, {"CommittedFile": samples.COMMITTED_FILE})

        detail = dw.get_event_detail("msg-1", 42)

        assert detail.request_id
        assert detail.committed_file == CommittedFile(
            file_id=100000001,
            file_name="hello_dataworks.sql",
            file_type=10,
            node_id=700000001,
            change_type="UPDATE",
            comment="add partition filter",
            committor="207947397706614299",
            content="SELECT * FROM sales WHERE ds = '${bizdate}';",
            use_type="NORMAL",
            file_property_content=FilePropertyContent(
                business_id=74328,
                current_version=3,
                data_source_name="odps_source",
                folder_id="aldurie78l2falure",
                owner="207947397706614299",
                parent_file_id=1234122,
            ),
            node_configuration=EXPECTED_NODE_CONFIGURATION,
        )
        assert (detail.deleted_file, detail.file_execution_command, detail.table_model) == (None, None, None)

    def test_parses_deleted_file_execution_command_and_table_model(self, dw, emulator):
        emulator.store.put_event_detail(
            "msg-2",
            42,
            {
                "DeletedFile": samples.DELETED_FILE,
                "FileExecutionCommand": samples.FILE_EXECUTION_COMMAND,
                "TableModel": samples.TABLE_MODEL,
            },
        )

        detail = dw.get_event_detail("msg-2", "42")

        assert detail.committed_file is None
        assert detail.deleted_file == DeletedFile(
            business_id=74329,
            content="DROP TABLE tmp;",
            current_version=7,
            data_source_name="odps_source",
            file_id=100000002,
            file_name="cleanup.sql",
            file_type=10,
            folder_id="folder-2",
            node_id=700000002,
            owner="owner-2",
            parent_file_id=1234123,
            use_type="MANUAL",
        )
        assert detail.file_execution_command == FileExecutionCommand(
            content="SHOW TABLES;", data_source_name="odps_source", file_id=100000003, file_type=10
        )
        assert detail.table_model == TableModel(
            table_name="sales_daily",
            comment="daily sales",
            data_source_name="odps_first",
            env="DEV",
            life_cycle=30,
            location="oss://bucket/sales",
            columns=(TableColumn("id", "BIGINT", "primary key", False), TableColumn("ds", "STRING", "partition", True)),
        )

    def test_sends_message_and_project_in_the_form_body(self, dw, emulator):
        emulator.store.put_event_detail("msg-3", 42, {})

        dw.get_event_detail("msg-3", 42)

        request = emulator.store.requests_json()[-1]
        assert (request["action"], request["query_string"]) == ("GetIDEEventDetail", "")
        assert request["body"] == "MessageId=msg-3&ProjectId=42"
        assert request["credentials_provider"] == "static_ak"

    def test_unknown_message_is_not_found(self, dw, emulator):
        with pytest.raises(DataWorksNotFound) as caught:
            dw.get_event_detail("missing", 42)

        assert caught.value.code == "Invalid.Event.MessageNotExist"
        assert caught.value.http_status == 404
        assert caught.value.action == "GetIDEEventDetail"
        assert caught.value.request_id == emulator.store.requests_json()[-1]["request_id"]


class TestFileVersions:
    def test_lists_every_page(self, dw, emulator):
        emulator.store.put_file_versions(42, 11, [samples.file_version(n) for n in range(1, 251)])

        versions = dw.list_file_versions(11, 42)

        assert [v.file_version for v in versions] == list(range(250, 0, -1))
        bodies = [r["body"] for r in emulator.store.requests_json()]
        assert bodies == [f"FileId=11&PageNumber={page}&PageSize=100&ProjectId=42" for page in (1, 2, 3)]

    def test_parses_every_field_of_a_version(self, dw, emulator):
        emulator.store.put_file_versions(42, 11, [samples.file_version(2, IsCurrentProd=True, Status="DEPLOYED")])

        [version] = dw.list_file_versions(11, 42)

        assert version == FileVersion(
            file_version=2,
            change_type="UPDATE",
            comment="version 2",
            commit_time=1_700_000_000_002,
            commit_user="207947397706614299",
            file_content="SELECT 2;",
            file_name="hello_dataworks.sql",
            file_property_content='{"fileName":"hello_dataworks.sql"}',
            is_current_prod=True,
            node_content='{"cronExpress":"00 05 00 * * ?"}',
            node_id=700000001,
            status="DEPLOYED",
            use_type="NORMAL",
        )
        assert version.committed_at is not None and version.committed_at.year == 2023

    def test_a_file_without_versions_gives_an_empty_list(self, dw, emulator):
        emulator.store.put_file_versions(42, 12, [])

        assert dw.list_file_versions(12, 42) == []

    def test_gets_one_version(self, dw, emulator):
        emulator.store.put_file_versions(42, 11, [samples.file_version(n) for n in (1, 2, 3)])

        version = dw.get_file_version(11, 2, 42)

        assert (version.file_version, version.file_content, version.comment) == (2, "SELECT 2;", "version 2")
        assert emulator.store.requests_json()[-1]["body"] == "FileId=11&FileVersion=2&ProjectId=42"

    def test_missing_version_is_not_found(self, dw, emulator):
        emulator.store.put_file_versions(42, 11, [samples.file_version(1)])

        with pytest.raises(DataWorksNotFound) as caught:
            dw.get_file_version(11, 9, 42)

        assert caught.value.code == "Invalid.File.VersionNotExist"


class TestGetFileAndFolder:
    def test_parses_every_field_of_a_file(self, dw, emulator):
        emulator.store.put_file(42, 11, samples.GET_FILE, samples.COMMITTED_FILE["NodeConfiguration"])

        file = dw.get_file(11, 42)

        assert file == FileDetail(
            file_id=100000001,
            file_name="hello_dataworks.sql",
            file_type=10,
            content="SELECT 1;",
            current_version=4,
            commit_status=1,
            node_id=700000001,
            owner="owner-1",
            file_folder_id="folder-1",
            file_description="daily sales",
            use_type="NORMAL",
            deleted_status="NORMAL",
            connection_name="odps_source",
            business_id=74328,
            biz_id=1000001,
            parent_id=1234122,
            create_user="creator-1",
            create_time=1_600_000_000_000,
            last_edit_user="editor-1",
            last_edit_time=1_700_000_000_000,
            is_max_compute=True,
            auto_parsing=True,
            advanced_settings='{"queue":"default"}',
            node_configuration=EXPECTED_NODE_CONFIGURATION,
            request_id=emulator.store.requests_json()[-1]["request_id"],
        )

    def test_missing_file_is_not_found(self, dw, emulator):
        with pytest.raises(DataWorksNotFound):
            dw.get_file(99, 42)

    def test_returns_the_folder_path(self, dw, emulator):
        emulator.store.put_folder(42, "aldurie78l2falure", "业务流程/sales/MaxCompute")

        assert dw.get_folder("aldurie78l2falure", 42) == "业务流程/sales/MaxCompute"
        assert emulator.store.requests_json()[-1]["body"] == "FolderId=aldurie78l2falure&ProjectId=42"

    def test_missing_folder_is_not_found(self, dw, emulator):
        with pytest.raises(DataWorksNotFound) as caught:
            dw.get_folder("nope", 42)

        assert caught.value.code == "Invalid.Folder.FolderNotExist"


class TestCheckProcesses:
    def test_lists_and_filters_all_pages(self, dw, emulator):
        for n in range(130):
            emulator.store.put_check_process(samples.check_process(f"msg-{n}", f"proc-{n}"))
        emulator.store.put_check_process(samples.check_process("msg-x", "proc-x", status="PASSED"))
        emulator.store.put_check_process(samples.check_process("msg-y", "proc-y", EventCode="deploy-file"))

        processes = dw.list_check_processes("commit-file", 42, status="CHECKING")

        assert [p.process_id for p in processes] == [f"proc-{n}" for n in range(130)]
        assert processes[0] == CheckProcess(
            process_id="proc-0",
            process_name="hello_dataworks.sql",
            event_code="commit-file",
            event_name="文件提交前置事件",
            event_name_en="File commit pre-event",
            message_id="msg-0",
            operator="207947397706614299",
            project_id=42,
            status="CHECKING",
        )

    def test_filters_by_message_id(self, dw, emulator):
        emulator.store.put_check_process(samples.check_process("msg-1", "proc-1"))
        emulator.store.put_check_process(samples.check_process("msg-2", "proc-2"))

        processes = dw.list_check_processes("commit-file", 42, message_id="msg-2")

        assert [p.process_id for p in processes] == ["proc-2"]


class TestExtensionAndOptions:
    def test_parses_the_extension_and_its_parameters(self, dw, emulator):
        emulator.store.set_extension(samples.EXTENSION)

        extension = dw.get_extension()

        assert extension == Extension(
            extension_code="ext-review-gate-test",
            extension_name="Review Gate",
            extension_desc="Human review before deploy",
            detail_url="https://review.example.com/tickets",
            help_doc_url="https://review.example.com/help",
            status=1,
            project_testing=13552,
            parameter_setting=samples.EXTENSION["ParameterSetting"],
            parameters={
                "extension.project.disabled": "1,2",
                "reviewers": "platform-team",
                "extension.manualPass.enabled": "true",
            },
            option_setting='{"type":"object","properties":{}}',
            bind_events=(
                BoundEvent("commit-file", "File commit pre-event"),
                BoundEvent("deploy-file", "File deploy pre-event"),
            ),
            event_categories=(EventCategory("file-change", "File change"),),
            request_id=extension.request_id,
        )
        request = emulator.store.requests_json()[-1]
        assert (request["query_string"], request["body"]) == ("ExtensionCode=ext-review-gate-test", "")

    def test_unknown_extension_is_not_found(self, dw, emulator):
        with pytest.raises(DataWorksNotFound):
            dw.get_extension()

    def test_parses_project_options_sent_as_a_json_string(self, dw, emulator):
        emulator.store.set_project_options(42, {"checkStatus": "WARN", "reviewers": ["a", "b"]})

        assert dw.get_project_options(42) == {"checkStatus": "WARN", "reviewers": ["a", "b"]}
        assert emulator.store.requests_json()[-1]["body"] == "ExtensionCode=ext-review-gate-test&ProjectId=42"

    def test_unsaved_project_options_are_empty(self, dw, emulator):
        assert dw.get_project_options(43) == {}

    def test_invalid_project_options_are_a_permanent_error(self, dw, emulator):
        emulator.store.set_project_options(44, "{not json")

        with pytest.raises(DataWorksPermanent) as caught:
            dw.get_project_options(44)

        assert caught.value.code == "Local.InvalidOptionValue"
