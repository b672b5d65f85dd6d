"""Unit tests of the mapping from SDK response models (built by the SDK's own from_map) to our dataclasses."""

from __future__ import annotations

import pytest
from alibabacloud_dataworks_public20200518 import models as sdk

from dataworks_client import mapping
from dataworks_client.errors import DataWorksPermanent
from dataworks_client.types import CommittedFile, FilePropertyContent, NodeConfiguration, TableColumn, TableModel
from tests.dataworks_client import samples


def event_body(detail: dict | None) -> sdk.GetIDEEventDetailResponseBody:
    payload = {"RequestId": "req-1"} if detail is None else {"RequestId": "req-1", "EventDetail": detail}
    return sdk.GetIDEEventDetailResponseBody().from_map(payload)


class TestEventDetail:
    def test_only_a_table_model(self):
        detail = mapping.event_detail(event_body({"TableModel": samples.TABLE_MODEL}))

        assert (detail.committed_file, detail.deleted_file, detail.file_execution_command) == (None, None, None)
        assert detail.table_model is not None
        assert detail.table_model.columns[1] == TableColumn("ds", "STRING", "partition", True)

    def test_no_event_detail_at_all(self):
        detail = mapping.event_detail(event_body(None))

        assert detail.request_id == "req-1"
        assert (detail.committed_file, detail.table_model) == (None, None)

    def test_committed_file_without_node_configuration_or_properties(self):
        detail = mapping.event_detail(event_body({"CommittedFile": {"FileId": 5, "Content": "x"}}))

        assert detail.committed_file == CommittedFile(file_id=5, content="x")

    def test_node_configuration_without_lists(self):
        detail = mapping.event_detail(event_body({"CommittedFile": {"NodeConfiguration": {"CycleType": "DAY"}}}))

        assert detail.committed_file is not None
        assert detail.committed_file.node_configuration == NodeConfiguration(cycle_type="DAY")

    def test_numbers_and_booleans_sent_as_strings_are_coerced(self):
        detail = mapping.event_detail(
            event_body(
                {
                    "CommittedFile": {"FileId": "77", "FilePropertyContent": {"CurrentVersion": "3", "FolderId": "12"}},
                    "TableModel": {"LifeCycle": "30", "Columns": [{"IsPartitionColumn": "true"}]},
                }
            )
        )

        assert detail.committed_file is not None
        assert detail.committed_file.file_id == 77
        # FolderId is a string field: it stays a string even when it looks like a number.
        assert detail.committed_file.file_property_content == FilePropertyContent(current_version=3, folder_id="12")
        assert detail.table_model == TableModel(life_cycle=30, columns=(TableColumn(is_partition_column=True),))


class TestOtherBodies:
    def test_file_detail_without_data_is_none(self):
        assert mapping.file_detail(sdk.GetFileResponseBody().from_map({"RequestId": "r"})) is None

    def test_file_detail_without_node_configuration(self):
        body = sdk.GetFileResponseBody().from_map({"Data": {"File": {"FileId": 1, "CommitStatus": 0}}})

        detail = mapping.file_detail(body)

        assert detail is not None
        assert (detail.file_id, detail.commit_status, detail.node_configuration) == (1, 0, None)

    def test_empty_file_version_entry(self):
        version = mapping.file_version(sdk.ListFileVersionsResponseBodyDataFileVersions().from_map({}))

        assert version.file_version is None
        assert version.committed_at is None

    def test_extension_without_lists_or_parameters(self):
        body = sdk.GetExtensionResponseBody().from_map({"Extension": {"ExtensionCode": "e"}})

        extension = mapping.extension(body)

        assert extension is not None
        assert (extension.parameters, extension.bind_events, extension.event_categories) == ({}, (), ())

    def test_no_extension_is_none(self):
        assert mapping.extension(sdk.GetExtensionResponseBody().from_map({})) is None


class TestParameterSetting:
    def test_parses_lines_last_wins_and_skips_noise(self):
        text = "a=1\n\n  # comment\nb = two words \r\nno equals sign\na=3\n=orphan\nc=x=y"

        assert mapping.parse_parameter_setting(text) == {"a": "3", "b": "two words", "c": "x=y"}

    @pytest.mark.parametrize("text", [None, "", "\n\n"])
    def test_empty(self, text):
        assert mapping.parse_parameter_setting(text) == {}


class TestOptionValue:
    @pytest.mark.parametrize("value", [None, "", "  ", "null"])
    def test_empty_or_null_is_empty(self, value):
        assert mapping.parse_option_value(value) == {}

    def test_json_string(self):
        assert mapping.parse_option_value('{"cuNumber":"0"}') == {"cuNumber": "0"}

    def test_object_is_tolerated(self):
        assert mapping.parse_option_value({"cuNumber": "0"}) == {"cuNumber": "0"}

    @pytest.mark.parametrize("value", ["{broken", "[1, 2]", '"text"', 42])
    def test_invalid_or_non_object_is_permanent(self, value):
        with pytest.raises(DataWorksPermanent) as caught:
            mapping.parse_option_value(value)

        assert caught.value.code == "Local.InvalidOptionValue"
