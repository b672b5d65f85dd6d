"""The emulator on its own: signature checks, the control API, the HTML page and its safety limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dataworks_client.emulator import start_emulator
from dataworks_client.emulator.signature import (
    SignatureError,
    authorization_header,
    canonical_query,
    verify,
)
from tests.dataworks_client.fixtures import ACCESS_KEY_ID, ACCESS_KEY_SECRET


def signed_call(
    emulator: Any,
    action: str,
    *,
    body: bytes = b"",
    query: str = "",
    secret: str = ACCESS_KEY_SECRET,
    tamper_body: bytes | None = None,
    drop_header: str | None = None,
    date: str | None = None,
    nonce: str | None = None,
    version: str = "2020-05-18",
) -> tuple[int, dict[str, Any]]:
    """Send a request signed like the SDK signs it (independently of the SDK) and return status and JSON."""
    target = f"/?{query}" if query else "/"
    headers = {
        "host": emulator.endpoint,
        "x-acs-version": version,
        "x-acs-action": action,
        "x-acs-date": date or dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    if body:
        headers["content-type"] = "application/x-www-form-urlencoded"
    signed = {k: v for k, v in headers.items() if k != drop_header}
    headers["Authorization"] = authorization_header(
        access_key_id=ACCESS_KEY_ID, secret=secret, method="POST", target=target, headers=signed, body=body
    )
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    try:
        connection.request("POST", target, body=tamper_body if tamper_body is not None else body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def control(emulator: Any, method: str, path: str, payload: Any = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(emulator.host, emulator.port, timeout=5)
    try:
        body = None if payload is None else json.dumps(payload).encode()
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class TestSignatureChecks:
    def test_an_independently_signed_request_is_accepted(self, emulator):
        emulator.store.put_event_detail("m", 1, {})

        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1")

        assert (status, payload["EventDetail"]) == (200, {})

    def test_wrong_secret(self, emulator):
        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m", secret="wrong")

        assert (status, payload["Code"]) == (400, "SignatureDoesNotMatch")
        assert payload["RequestId"]

    def test_body_not_matching_its_hash(self, emulator):
        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m", tamper_body=b"MessageId=x")

        assert (status, payload["Code"]) == (400, "SignatureDoesNotMatch")

    def test_action_left_out_of_the_signature(self, emulator):
        status, payload = signed_call(emulator, "GetIDEEventDetail", drop_header="x-acs-action")

        assert (status, payload["Code"]) == (400, "IncompleteSignature")

    def test_stale_date(self, emulator):
        status, payload = signed_call(emulator, "GetExtension", date="2020-01-01T00:00:00Z")

        assert (status, payload["Code"]) == (400, "InvalidTimeStamp.Expired")

    def test_reused_nonce(self, emulator):
        signed_call(emulator, "GetExtension", query="ExtensionCode=e", nonce="n" * 32)

        status, payload = signed_call(emulator, "GetExtension", query="ExtensionCode=e", nonce="n" * 32)

        assert (status, payload["Code"]) == (400, "SignatureNonceUsed")

    def test_unknown_action(self, emulator):
        status, payload = signed_call(emulator, "DeleteEverything")

        assert (status, payload["Code"]) == (404, "InvalidAction.NotFound")

    def test_unsigned_request(self, emulator):
        status, body = control(emulator, "POST", "/")

        assert (status, json.loads(body)["Code"]) == (400, "MissingAuthorization")

    def test_verify_raises_for_unknown_key_ids(self):
        headers = {
            "authorization": "ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce,Signature=ab",
            "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        }

        with pytest.raises(SignatureError) as caught:
            verify(method="POST", target="/", headers=headers, body=b"", secret_for=lambda key: None)

        assert (caught.value.status, caught.value.code) == (404, "InvalidAccessKeyId.NotFound")

    def test_canonical_query_encodes_like_the_sdk(self):
        assert canonical_query("b=a/b c&a=%E4%B8%AD~&c=") == "a=%E4%B8%AD~&b=a%2Fb%20c&c="


class TestControlApi:
    def test_seed_serves_objects_in_the_wire_format(self, emulator):
        status, body = control(
            emulator,
            "POST",
            "/_emulator/seed",
            {
                "event_details": [{"message_id": "m", "project_id": 42, "detail": {"TableModel": {"TableName": "t"}}}],
                "folders": [{"project_id": 42, "folder_id": "f", "path": "a/b"}],
            },
        )

        assert (status, json.loads(body)) == (200, {"loaded": {"event_details": 1, "folders": 1}})
        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=42")
        assert payload["EventDetail"] == {"TableModel": {"TableName": "t"}}

    def test_bad_seed_is_rejected_with_the_reason(self, emulator):
        status, body = control(emulator, "POST", "/_emulator/seed", {"folders": [{"project_id": 1}]})

        assert status == 400
        assert "folder_id" in json.loads(body)["error"]

    def test_faults_apply_to_the_next_calls(self, emulator):
        status, _ = control(
            emulator,
            "POST",
            "/_emulator/faults",
            {"action": "GetExtension", "mode": "throttle", "count": 1, "retry_after_ms": 900},
        )

        assert status == 200
        assert signed_call(emulator, "GetExtension", query="ExtensionCode=e")[1]["Code"] == "Throttling.User"
        assert signed_call(emulator, "GetExtension", query="ExtensionCode=e")[1]["Code"] == "Invalid.Extension.NotExist"

    def test_unknown_fault_mode_is_rejected(self, emulator):
        status, _ = control(emulator, "POST", "/_emulator/faults", {"action": "*", "mode": "explode"})

        assert status == 400

    def test_callbacks_and_reset(self, emulator):
        signed_call(
            emulator, "CallbackExtension", body=b"CheckMessage=why&CheckResult=FAIL&ExtensionCode=e&MessageId=m"
        )

        _, body = control(emulator, "GET", "/_emulator/callbacks")
        [callback] = json.loads(body)["callbacks"]
        assert (callback["action"], callback["tip"], callback["check_result"]) == ("CallbackExtension", "why", "FAIL")

        control(emulator, "POST", "/_emulator/reset")
        assert json.loads(control(emulator, "GET", "/_emulator/callbacks")[1]) == {"callbacks": []}

    def test_workbench_rejects_warn(self, emulator):
        status, payload = signed_call(
            emulator, "UpdateWorkbenchEventResult", query="CheckResult=WARN&ExtensionCode=e&MessageId=m"
        )

        assert (status, payload["Code"]) == (400, "InvalidParameter")
        assert emulator.store.callbacks_json() == []

    def test_html_page_escapes_what_it_received(self, emulator):
        signed_call(
            emulator,
            "UpdateIDEEventResult",
            body=b"CheckResult=FAIL&CheckResultTip=%3Cscript%3Ealert(1)%3C%2Fscript%3E&ExtensionCode=e&MessageId=m",
        )

        status, body = control(emulator, "GET", "/_emulator/")

        html = body.decode()
        assert status == 200
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Result callbacks" in html


class TestStartingSafely:
    def test_refuses_a_non_loopback_host(self):
        with pytest.raises(ValueError, match="non-loopback"):
            start_emulator(access_key_id="a", access_key_secret="b", host="0.0.0.0")  # noqa: S104

    def test_refuses_to_run_without_keys(self):
        with pytest.raises(ValueError, match="AccessKey"):
            start_emulator(access_key_id="", access_key_secret="")

    def test_command_refuses_a_non_loopback_host(self):
        with pytest.raises(CommandError, match="loopback"):
            call_command("dataworks_emulator", "--host", "10.0.0.1", "--access-key-id", "a", "--access-key-secret", "b")

    def test_command_refuses_a_missing_seed_file(self, tmp_path):
        with pytest.raises(CommandError, match="seed"):
            call_command(
                "dataworks_emulator",
                "--port",
                "0",
                "--seed",
                str(tmp_path / "none.json"),
                "--access-key-id",
                "a",
                "--access-key-secret",
                "b",
            )


def test_the_example_seed_loads_completely():
    from dataworks_client.emulator import EmulatorStore

    path = Path(__file__).resolve().parents[2] / "dataworks_client" / "emulator" / "example_seed.json"

    counts = EmulatorStore().load_seed(json.loads(path.read_text(encoding="utf-8")))

    assert set(counts) == {
        "event_details",
        "file_versions",
        "folders",
        "extensions",
        "project_options",
        "check_processes",
        "nodes",
        "instances",
        "projects",
        "project_members",
        "tables",
        "unreadable_nodes",
        "event_payloads",
    }


class TestScriptedAnswersAndHeldCalls:
    """What the preparation tests need: any error answer, odd strings in answers, and a call held in flight."""

    def test_error_fault_answers_the_given_status_code_and_message(self, emulator):
        emulator.store.add_fault("GetIDEEventDetail", "error", status=403, code="Forbidden\x00.Odd", message="m\x00")

        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1")

        assert (status, payload["Code"], payload["Message"]) == (403, "Forbidden\x00.Odd", "m\x00")
        assert emulator.store.requests_json()[-1]["fault"] == "error"
        assert signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1")[0] == 404  # used up

    def test_error_fault_through_the_control_api_and_its_validation(self, emulator):
        fault = {"action": "*", "mode": "error", "status": 500, "code": "X.Y", "count": 2, "retry_after_ms": 700}
        assert control(emulator, "POST", "/_emulator/faults", fault)[0] == 200

        assert signed_call(emulator, "GetExtension", query="ExtensionCode=e")[1]["Code"] == "X.Y"
        assert signed_call(emulator, "GetExtension", query="ExtensionCode=e")[1]["Code"] == "X.Y"
        assert signed_call(emulator, "GetExtension", query="ExtensionCode=e")[0] == 404
        for bad in ({"status": 200, "code": "X"}, {"status": 500}, {"status": 500, "code": ""}, {"status": True}):
            status, body = control(emulator, "POST", "/_emulator/faults", {"action": "*", "mode": "error", **bad})
            assert status == 400, bad
            assert "error mode" in json.loads(body)["error"]

    def test_the_real_client_maps_an_error_answer_with_a_nul_in_its_code(self, emulator, dw):
        from dataworks_client.errors import DataWorksPermanent, DataWorksThrottled, DataWorksTransient

        emulator.store.add_fault("GetIDEEventDetail", "error", status=403, code="Bad\x00Code", message="no")
        emulator.store.add_fault("GetIDEEventDetail", "error", status=503, code="Busy", message="later")
        emulator.store.add_fault("GetIDEEventDetail", "error", status=429, code="Throttling.Api", retry_after_ms=2000)

        with pytest.raises(DataWorksPermanent) as permanent:
            dw.get_event_detail("m", 1)
        with pytest.raises(DataWorksTransient):
            dw.get_event_detail("m", 1)
        with pytest.raises(DataWorksThrottled):
            dw.get_event_detail("m", 1)

        assert permanent.value.code == "Bad\x00Code"

    def test_a_lone_surrogate_in_a_seeded_answer_is_sent_as_an_escape(self, emulator, dw):
        detail = {"CommittedFile": {"FileId": 7, "FileName": "a\ud800b\x00c", "Content": "x" * 3}}
        emulator.store.put_event_detail("m", 1, detail)

        status, payload = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1")

        assert status == 200
        assert payload["EventDetail"]["CommittedFile"]["FileName"] == "a\ud800b\x00c"
        assert dw.get_event_detail("m", 1).committed_file.file_name == "a\ud800b\x00c"

    def test_a_held_call_is_counted_as_started_and_answered_once_released(self, emulator):
        emulator.store.put_event_detail("m", 1, {})
        emulator.store.add_fault("GetIDEEventDetail", "hold")
        answers: list[tuple[int, dict[str, Any]]] = []
        caller = threading.Thread(
            target=lambda: answers.append(signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1"))
        )
        caller.start()

        assert emulator.store.wait_for_calls("GetIDEEventDetail", timeout=5)
        time.sleep(0.3)
        assert answers == []  # still held
        status, body = control(emulator, "GET", "/_emulator/started")
        assert json.loads(body) == {"started": {"GetIDEEventDetail": 1}, "held": 1}
        status, body = control(emulator, "POST", "/_emulator/release")
        caller.join(timeout=5)

        assert (status, json.loads(body)) == (200, {"released": 1})
        assert answers == [(200, {"EventDetail": {}, "RequestId": answers[0][1]["RequestId"]})]
        assert emulator.store.requests_json()[-1]["fault"] == "hold"
        assert emulator.store.held_count() == 0

    def test_a_hold_gives_up_after_its_longest_hold_and_reset_releases_holds(self, emulator):
        emulator.store.put_event_detail("m", 1, {})
        emulator.store.add_fault("GetIDEEventDetail", "hold", latency_ms=300)

        started = time.monotonic()
        status, _ = signed_call(emulator, "GetIDEEventDetail", body=b"MessageId=m&ProjectId=1")

        assert status == 200
        assert 0.25 <= time.monotonic() - started < 3
        emulator.store.add_fault("GetIDEEventDetail", "hold")
        emulator.store.put_event_detail("m", 1, {})
        caller = threading.Thread(
            target=signed_call, args=(emulator, "GetIDEEventDetail"), kwargs={"body": b"MessageId=m&ProjectId=1"}
        )
        caller.start()
        assert emulator.store.wait_for_calls("GetIDEEventDetail", count=2, timeout=5)
        emulator.store.reset()
        caller.join(timeout=5)
        assert not caller.is_alive()
        assert emulator.store.started_json() == {}

    def test_a_bad_hold_fault_is_refused(self, emulator):
        with pytest.raises(ValueError, match="hold"):
            emulator.store.add_fault("*", "hold", latency_ms=-1)
