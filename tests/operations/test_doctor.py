"""The setup doctor against the emulator: a healthy setup, a wrong AccessKey, an unbound and an ungated event code."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from operations.doctor import FAIL, OK, WARN, run_checks
from operations.heartbeat import beat
from tests.dataworks_client.fixtures import EXTENSION_CODE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EXTENSION = {
    "ExtensionCode": EXTENSION_CODE,
    "ExtensionName": "Review Gate",
    "Status": 1,
    "ProjectTesting": 13552,
    "ParameterSetting": "extension.project.disabled=7",
    "BindEventList": [{"EventCode": "commit-file"}, {"EventCode": "deploy-file"}],
}


def _by_key(report):
    return {check.key: check for check in report.checks}


@pytest.fixture
def healthy(emulator, dw_settings, settings):
    settings.REVIEW_GATE_BASE_URL = "https://review.example.com"
    emulator.store.set_extension(EXTENSION)
    beat()  # a queue worker's heartbeat, as its due-time loop writes it
    return emulator


def test_healthy_setup_passes_and_names_what_it_saw(healthy):
    checks = _by_key(run_checks())
    assert {key for key, check in checks.items() if check.status == FAIL} == set()
    assert checks["credentials"].status == OK
    assert "cn-hangzhou" in checks["credentials"].detail
    assert checks["extension"].status == OK and "13552" in checks["extension"].detail
    assert checks["workers"].status == OK
    # Gated but not bound: reported, not blocking.
    assert "run-file" in checks["event_codes"].detail and checks["event_codes"].status == OK


def test_wrong_access_key_fails_with_a_fix_and_the_command_exits_1(healthy, capsys):
    healthy.set_credentials({"LTAIsomeoneelse": "another-secret-0123456789"})
    checks = _by_key(run_checks())
    assert checks["credentials"].status == FAIL
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in checks["credentials"].fix
    with pytest.raises(SystemExit) as exit_info:
        call_command("doctor", "--json")
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert "emulator-test-secret" not in json.dumps(report)  # the secret is never shown


def test_event_code_bound_but_not_gated_is_a_warning(healthy):
    healthy.store.set_extension(
        {**EXTENSION, "BindEventList": [{"EventCode": "commit-file"}, {"EventCode": "start-diJob"}]}
    )
    check = _by_key(run_checks())["event_codes"]
    assert check.status == WARN
    assert "start-diJob" in check.detail and check.fix


def test_unknown_extension_code_fails_but_credentials_pass(healthy, dw_settings):
    healthy.store.reset()  # DataWorks knows no extension now
    checks = _by_key(run_checks())
    assert checks["credentials"].status == OK
    assert checks["extension"].status == FAIL and "DATAWORKS_EXTENSION_CODE" in checks["extension"].fix


def test_no_worker_and_http_base_url_are_reported(emulator, dw_settings, settings):
    settings.REVIEW_GATE_BASE_URL = "http://review.example.com"
    emulator.store.set_extension(EXTENSION)
    checks = _by_key(run_checks())
    assert checks["workers"].status == FAIL and "qcluster" in checks["workers"].fix
    assert checks["base_url"].status == WARN
    assert checks["last_event"].status == WARN


def test_the_text_command_says_ok_when_nothing_blocks(healthy, capsys):
    call_command("doctor")
    out = capsys.readouterr().out
    assert "Nothing blocks reviews." in out


def test_the_staff_page_shows_the_same_checks(healthy, client):
    assert client.get("/admin/doctor/").status_code == 302  # login first
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/admin/doctor/")
    assert page.status_code == 200
    assert "DataWorks credentials" in page.content.decode()
