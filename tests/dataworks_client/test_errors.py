"""Unit tests of the mapping from SDK exceptions (real SDK classes) to the DataWorksError family."""

from __future__ import annotations

import pytest
from alibabacloud_credentials.exceptions import CredentialException
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext
from Tea.exceptions import TeaException

from dataworks_client.errors import (
    DataWorksError,
    DataWorksNotFound,
    DataWorksPermanent,
    DataWorksThrottled,
    DataWorksTransient,
    classify,
    map_sdk_exception,
)


def client_exception(status: int, code: str, message: str = "msg") -> ClientException:
    """Build a ClientException exactly as tea-openapi does for a JSON error answer."""
    data = {"Code": code, "Message": message, "RequestId": "req-1"}
    return ClientException(
        status_code=status,
        code=f"{code}",
        message=f"code: {status}, {message} request id: req-1",
        data=data,
        request_id="req-1",
        detail="None",
        description="None",
    )


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (429, "Throttling.User", DataWorksThrottled),
        (400, "Throttling.Api", DataWorksThrottled),
        (429, "None", DataWorksThrottled),
        (403, "Forbidden.Access", DataWorksPermanent),
        (400, "InvalidParameter", DataWorksPermanent),
        (400, "SignatureDoesNotMatch", DataWorksPermanent),
        (404, "InvalidAccessKeyId.NotFound", DataWorksPermanent),
        (404, "InvalidAction.NotFound", DataWorksPermanent),
        (400, "Invalid.File.FileNotExist", DataWorksNotFound),
        (400, "Extension.NotFound", DataWorksNotFound),
        (404, "Whatever", DataWorksNotFound),
        (400, "InternalError.UserId.Missing", DataWorksTransient),
        (408, "RequestTimeout", DataWorksTransient),
    ],
)
def test_client_exceptions_map_by_status_and_code(status, code, expected):
    error = map_sdk_exception(client_exception(status, code), "UpdateIDEEventResult")

    assert type(error) is expected
    assert (error.http_status, error.request_id, error.action, error.message) == (
        status,
        "req-1",
        "UpdateIDEEventResult",
        "msg",
    )
    assert error.code == (None if code == "None" else code)


def test_server_exception_is_transient():
    exc = ServerException(status_code=503, code="ServiceUnavailable", data={"Message": "busy"}, request_id="None")

    error = map_sdk_exception(exc, "GetFile")

    assert type(error) is DataWorksTransient
    assert (error.code, error.http_status, error.request_id, error.message) == ("ServiceUnavailable", 503, None, "busy")


def test_throttling_exception_converts_retry_after_from_ms():
    exc = ThrottlingException(status_code=429, code="Throttling.User", retry_after=2500, data={}, request_id="r")

    error = map_sdk_exception(exc, "GetFile")

    assert isinstance(error, DataWorksThrottled)
    assert error.retry_after == 2.5
    assert error.retryable


def test_unretryable_exception_is_transient_without_echoing_the_url():
    context = RetryPolicyContext(
        exception=RetryError(
            "HTTPConnectionPool(host='x', port=1): Read timed out. (url: /?CheckResultTip=secret-looking)"
        )
    )

    error = map_sdk_exception(UnretryableException(context), "UpdateWorkbenchEventResult")

    assert type(error) is DataWorksTransient
    assert error.message == "timeout (RetryError)"
    assert "CheckResultTip" not in str(error)


def test_credential_exception_is_permanent_and_silent_about_details():
    error = map_sdk_exception(CredentialException("file /home/u/.aliyun/config.json has key LTAIxyz"), "GetFile")

    assert type(error) is DataWorksPermanent
    assert error.code == "Local.Credentials"
    assert "LTAI" not in str(error)


def test_generic_tea_exception_is_classified_by_code():
    error = map_sdk_exception(TeaException({"code": "InvalidCredentials", "message": "no credentials"}), "GetFile")

    assert type(error) is DataWorksPermanent
    assert error.code == "InvalidCredentials"


def test_anything_unexpected_is_transient_and_named():
    error = map_sdk_exception(KeyError("boom"), "GetFile")

    assert type(error) is DataWorksTransient
    assert error.code == "Local.Unexpected"
    assert "KeyError" in error.message


def test_our_own_errors_pass_through():
    original = DataWorksThrottled("local", code="Local.RateBudget")

    assert map_sdk_exception(original, "GetFile") is original


def test_str_identifies_the_call_and_truncates_the_message():
    error = classify(code="X", http_status=400, message="m" * 1000, request_id="rid", action="GetFile")

    assert str(error).startswith("GetFile X HTTP 400 request rid: mmm")
    assert len(error.message) == 300
    assert isinstance(error, DataWorksError) and not error.retryable
