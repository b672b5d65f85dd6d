"""The facade's construction from settings, argument validation, caching and credential handling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from alibabacloud_dataworks_public20200518 import models as sdk
from django.core.exceptions import ImproperlyConfigured

from dataworks_client.client import DataWorksClient, get_client, reset_client
from dataworks_client.conf import ClientSettings, load_settings
from dataworks_client.errors import DataWorksNotFound, DataWorksPermanent, DataWorksTransient
from dataworks_client.ratelimit import DatabaseBackend, RateLimiter
from tests.dataworks_client.fixtures import ACCESS_KEY_ID, ACCESS_KEY_SECRET


class TestSettings:
    def test_endpoint_defaults_to_the_region(self, settings):
        settings.DATAWORKS_REGION = "cn-shanghai"
        settings.DATAWORKS_ENDPOINT = ""

        assert load_settings().resolved_endpoint == "dataworks.cn-shanghai.aliyuncs.com"

    def test_endpoint_with_a_scheme_is_refused(self, settings):
        settings.DATAWORKS_ENDPOINT = "http://127.0.0.1:8099"

        with pytest.raises(ImproperlyConfigured, match="without a scheme"):
            load_settings()

    def test_half_an_access_key_pair_is_refused(self, settings):
        settings.DATAWORKS_ACCESS_KEY_ID = "LTAIonly"
        settings.DATAWORKS_ACCESS_KEY_SECRET = ""

        with pytest.raises(ImproperlyConfigured):
            load_settings()

    def test_secrets_stay_out_of_the_repr(self, settings):
        settings.DATAWORKS_ACCESS_KEY_ID = "LTAIid"
        settings.DATAWORKS_ACCESS_KEY_SECRET = "very-secret"
        settings.REDIS_URL = "redis://:pw@127.0.0.1:6379/0"

        text = repr(load_settings())

        assert "very-secret" not in text and ":pw@" not in text


class TestCaching:
    def test_get_client_is_cached_until_reset(self, dw_settings):
        first = get_client()
        assert get_client() is first

        dw_settings.DATAWORKS_READ_TIMEOUT_MS = 1234
        reset_client()

        assert get_client() is not first
        assert get_client().config.read_timeout_ms == 1234

    def test_importing_the_client_does_not_import_the_sdk(self):
        code = (
            "import sys, dataworks_client.client, dataworks_client.errors; "
            "print('alibabacloud_dataworks_public20200518' in sys.modules)"
        )

        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )

        assert result.stdout.strip() == "False"


class TestValidation:
    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda c: c.send_ide_result("m", "MAYBE", ""), "result must be one of OK, WARN, FAIL"),
            (lambda c: c.send_workbench_result("m", "ok", ""), "result must be one of"),
            (lambda c: c.send_ide_result("", "OK", ""), "message_id must be a non-empty string"),
            (lambda c: c.send_ide_result("m", "OK", 5), "tip must be a string"),
            (lambda c: c.get_event_detail("m", 0), "project_id must be a positive integer"),
            (lambda c: c.get_event_detail("m", True), "project_id must be a positive integer"),
            (lambda c: c.list_file_versions("x", 1), "file_id must be a positive integer"),
            (lambda c: c.list_check_processes("commit-file", 1, status="DONE"), "status must be one of"),
            (lambda c: c.get_folder(None, 1), "folder_id must be a non-empty string"),
        ],
    )
    def test_bad_arguments_raise_before_anything_is_sent(self, dw, emulator, call, message):
        with pytest.raises(ValueError, match=message):
            call(dw)

        assert emulator.store.requests_json() == []

    def test_missing_extension_code(self, dw_settings, db, emulator):
        dw_settings.DATAWORKS_EXTENSION_CODE = ""
        reset_client()

        with pytest.raises(ImproperlyConfigured, match="DATAWORKS_EXTENSION_CODE"):
            get_client().send_ide_result("m", "OK", "")


class TestCredentialChain:
    def test_without_an_access_key_pair_the_default_chain_signs(self, dw_settings, db, emulator, monkeypatch):
        from alibabacloud_credentials.utils import auth_util

        # The chain's environment provider reads these module attributes (set from the environment at import).
        monkeypatch.setattr(auth_util, "environment_access_key_id", ACCESS_KEY_ID)
        monkeypatch.setattr(auth_util, "environment_access_key_secret", ACCESS_KEY_SECRET)
        dw_settings.DATAWORKS_ACCESS_KEY_ID = ""
        dw_settings.DATAWORKS_ACCESS_KEY_SECRET = ""
        reset_client()
        emulator.store.put_event_detail("m", 1, {})

        get_client().get_event_detail("m", 1)

        assert emulator.store.requests_json()[-1]["credentials_provider"] == "default/env"


class FakeSdk:
    """Stand-in for the SDK transport only: returns real SDK response models."""

    def __init__(self, body):
        self.body = body

    def __getattr__(self, name):
        return lambda request: SimpleNamespace(status_code=200, headers={}, body=self.body)


def offline_client(body) -> DataWorksClient:
    limiter = RateLimiter(
        DatabaseBackend(), reads_per_second=0, writes_per_second=0, max_wait_seconds=0, namespace="offline"
    )
    return DataWorksClient(ClientSettings(extension_code="e"), sdk=FakeSdk(body), limiter=limiter)


class TestBodiesWithoutData:
    def test_success_false_is_mapped_by_its_status(self):
        body = sdk.GetFileResponseBody().from_map(
            {"Success": False, "ErrorCode": "Invalid.File.FileNotExist", "HttpStatusCode": 400, "RequestId": "r"}
        )

        with pytest.raises(DataWorksNotFound) as caught:
            offline_client(body).get_file(1, 1)

        assert (caught.value.code, caught.value.http_status, caught.value.request_id) == (
            "Invalid.File.FileNotExist",
            400,
            "r",
        )

    def test_success_false_with_a_server_status_is_transient(self):
        body = sdk.ListFileVersionsResponseBody().from_map({"Success": False, "HttpStatusCode": 503})

        with pytest.raises(DataWorksTransient):
            offline_client(body).list_file_versions(1, 1)

    @pytest.mark.parametrize(
        ("body", "call"),
        [
            (sdk.GetFileVersionResponseBody().from_map({"Success": True}), lambda c: c.get_file_version(1, 1, 1)),
            (sdk.GetFileResponseBody().from_map({"Data": {}}), lambda c: c.get_file(1, 1)),
            (sdk.GetFolderResponseBody().from_map({"Data": {"FolderId": "f"}}), lambda c: c.get_folder("f", 1)),
            (sdk.GetExtensionResponseBody().from_map({}), lambda c: c.get_extension()),
        ],
    )
    def test_missing_data_is_not_found(self, body, call):
        with pytest.raises(DataWorksNotFound) as caught:
            call(offline_client(body))

        assert caught.value.code == "Local.NoData"

    def test_option_value_that_is_not_json_is_permanent(self):
        body = sdk.GetOptionValueForProjectResponseBody().from_map({"OptionValue": "<html>"})

        with pytest.raises(DataWorksPermanent):
            offline_client(body).get_project_options(1)
