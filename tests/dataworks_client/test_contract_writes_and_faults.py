"""Contract tests: result callbacks, signature rejection and every injected fault, through the real SDK."""

from __future__ import annotations

import pytest

from dataworks_client.client import DataWorksClient, get_client, reset_client
from dataworks_client.errors import (
    DataWorksNotFound,
    DataWorksPermanent,
    DataWorksThrottled,
    DataWorksTransient,
)
from tests.dataworks_client import samples
from tests.dataworks_client.fixtures import EXTENSION_CODE


class TestSendIdeResult:
    def test_sends_the_result_in_the_form_body(self, dw: DataWorksClient, emulator):
        receipt = dw.send_ide_result("msg-1", "FAIL", "rejected by reviewer: 中文 & a=b")

        [callback] = emulator.store.callbacks_json()
        assert (callback["action"], callback["message_id"], callback["check_result"]) == (
            "UpdateIDEEventResult",
            "msg-1",
            "FAIL",
        )
        assert callback["tip"] == "rejected by reviewer: 中文 & a=b"
        assert callback["extension_code"] == EXTENSION_CODE
        assert callback["params_in"] == "body"
        assert receipt.request_id == callback["request_id"]
        assert (receipt.action, receipt.message_id, receipt.result, receipt.requested_result) == (
            "UpdateIDEEventResult",
            "msg-1",
            "FAIL",
            "FAIL",
        )

    def test_sends_warn_as_is(self, dw, emulator):
        dw.send_ide_result("msg-1", "WARN", "")

        assert emulator.store.callbacks_json()[0]["check_result"] == "WARN"

    @pytest.mark.parametrize(("result", "status"), [("OK", "PASSED"), ("WARN", "PASSED"), ("FAIL", "BLOCKED")])
    def test_settles_the_matching_check_process(self, dw, emulator, result, status):
        emulator.store.put_check_process(samples.check_process("msg-1", "proc-1"))
        emulator.store.put_check_process(samples.check_process("msg-2", "proc-2"))

        dw.send_ide_result("msg-1", result, "tip")

        statuses = {p.process_id: p.status for p in dw.list_check_processes("commit-file", 42)}
        assert statuses == {"proc-1": status, "proc-2": "CHECKING"}


class TestSendWorkbenchResult:
    def test_sends_parameters_in_the_query_string_with_an_empty_body(self, dw, emulator):
        receipt = dw.send_workbench_result("msg-9", "FAIL", "SQL is too long")

        request = emulator.store.requests_json()[-1]
        assert request["body"] == ""
        assert request["query_string"] == (
            f"CheckResult=FAIL&CheckResultTip=SQL+is+too+long&ExtensionCode={EXTENSION_CODE}&MessageId=msg-9"
        )
        assert emulator.store.callbacks_json()[0]["params_in"] == "query"
        assert (receipt.result, receipt.success) == ("FAIL", True)

    def test_signs_and_delivers_a_tip_that_needs_percent_encoding(self, dw, emulator):
        tip = "拒绝: a=b & c/d ~e+f%"

        dw.send_workbench_result("msg-9", "FAIL", tip)

        assert emulator.store.callbacks_json()[0]["tip"] == tip

    def test_maps_warn_to_ok_with_the_warning_in_the_tip(self, dw, emulator):
        receipt = dw.send_workbench_result("msg-9", "WARN", "large backfill")

        [callback] = emulator.store.callbacks_json()
        assert (callback["check_result"], callback["tip"]) == ("OK", "WARN: large backfill")
        assert (receipt.result, receipt.requested_result) == ("OK", "WARN")


class TestSignature:
    def test_a_wrong_secret_is_rejected_and_permanent(self, dw_settings, db, emulator):
        dw_settings.DATAWORKS_ACCESS_KEY_SECRET = "not-the-secret"
        reset_client()

        with pytest.raises(DataWorksPermanent) as caught:
            get_client().send_ide_result("msg-1", "OK", "")

        assert type(caught.value) is DataWorksPermanent
        assert (caught.value.code, caught.value.http_status) == ("SignatureDoesNotMatch", 400)
        assert "not-the-secret" not in str(caught.value)
        assert emulator.store.callbacks_json() == []

    def test_an_unknown_access_key_is_permanent_not_not_found(self, dw_settings, db, emulator):
        emulator.set_credentials({"LTAIsomebodyelse": "x"})

        with pytest.raises(DataWorksPermanent) as caught:
            get_client().get_event_detail("msg-1", 42)

        assert not isinstance(caught.value, DataWorksNotFound)
        assert (caught.value.code, caught.value.http_status) == ("InvalidAccessKeyId.NotFound", 404)


class TestFaults:
    def test_throttle_with_retry_after_is_throttled_with_seconds(self, dw, emulator):
        emulator.store.add_fault("UpdateIDEEventResult", "throttle", retry_after_ms=1500)

        with pytest.raises(DataWorksThrottled) as caught:
            dw.send_ide_result("msg-1", "OK", "")

        assert (caught.value.code, caught.value.http_status, caught.value.retry_after) == ("Throttling.User", 429, 1.5)

    def test_throttle_without_retry_after_is_still_throttled(self, dw, emulator):
        emulator.store.add_fault("*", "throttle")

        with pytest.raises(DataWorksThrottled) as caught:
            dw.get_event_detail("msg-1", 42)

        assert (caught.value.code, caught.value.retry_after) == ("Throttling.User", None)

    def test_server_error_is_transient_and_attempted_once(self, dw, emulator):
        emulator.store.add_fault("UpdateIDEEventResult", "server_error", count=5)

        with pytest.raises(DataWorksTransient) as caught:
            dw.send_ide_result("msg-1", "OK", "")

        assert (caught.value.code, caught.value.http_status) == ("InternalError.System", 500)
        assert len(emulator.store.requests_json()) == 1  # the SDK's own retries are off

    def test_forbidden_is_permanent(self, dw, emulator):
        emulator.store.add_fault("GetIDEEventDetail", "forbidden")

        with pytest.raises(DataWorksPermanent) as caught:
            dw.get_event_detail("msg-1", 42)

        assert (type(caught.value), caught.value.code, caught.value.http_status) == (
            DataWorksPermanent,
            "Forbidden.Access",
            403,
        )

    def test_dropped_connection_is_transient(self, dw, emulator):
        emulator.store.add_fault("UpdateWorkbenchEventResult", "drop")

        with pytest.raises(DataWorksTransient) as caught:
            dw.send_workbench_result("msg-1", "OK", "")

        assert caught.value.code == "Local.Transport"
        assert "CheckResult" not in str(caught.value)  # the request URL (and its parameters) is not echoed

    def test_latency_beyond_the_read_timeout_is_transient(self, dw_settings, db, emulator):
        dw_settings.DATAWORKS_READ_TIMEOUT_MS = 150
        reset_client()
        emulator.store.add_fault("GetIDEEventDetail", "latency", latency_ms=600)

        with pytest.raises(DataWorksTransient) as caught:
            get_client().get_event_detail("msg-1", 42)

        assert caught.value.code == "Local.Transport"
        assert caught.value.message.startswith("timeout")

    def test_latency_within_the_read_timeout_succeeds(self, dw, emulator):
        emulator.store.put_event_detail("msg-1", 42, {"TableModel": samples.TABLE_MODEL})
        emulator.store.add_fault("GetIDEEventDetail", "latency", latency_ms=50)

        assert dw.get_event_detail("msg-1", 42).table_model is not None

    def test_faults_are_consumed_after_count_calls(self, dw, emulator):
        emulator.store.put_event_detail("msg-1", 42, {})
        emulator.store.add_fault("GetIDEEventDetail", "server_error", count=2)

        for _ in range(2):
            with pytest.raises(DataWorksTransient):
                dw.get_event_detail("msg-1", 42)
        dw.get_event_detail("msg-1", 42)

        assert [r["status"] for r in emulator.store.requests_json()] == [500, 500, 200]

    def test_a_refused_connection_is_transient(self, dw_settings, db, emulator):
        dw_settings.DATAWORKS_ENDPOINT = "127.0.0.1:1"
        reset_client()

        with pytest.raises(DataWorksTransient) as caught:
            get_client().get_event_detail("msg-1", 42)

        assert caught.value.message.startswith("connection refused")


def test_answers_200_sequential_calls(dw, emulator):
    emulator.store.put_event_detail("msg-1", 42, {"CommittedFile": samples.COMMITTED_FILE})

    details = [dw.get_event_detail("msg-1", 42) for _ in range(200)]

    assert all(d.committed_file and d.committed_file.file_id == 100000001 for d in details)
    assert len({d.request_id for d in details}) == 200
