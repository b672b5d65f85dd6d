"""The API's one exception handler: every error becomes {"error": {"code", "message", "field"?}} with its status."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from approvals.errors import ApprovalError
from config.http import error_body as _error_body

from .parsers import BodyError

NON_FIELD = "non_field_errors"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Translate domain, Django and DRF exceptions into the API's JSON error body; None lets others become a 500."""
    if isinstance(exc, ApprovalError):
        set_rollback()
        return Response(error_body(exc.code, exc.message), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if exc.args else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = BodyError(_("The body is larger than %(n)d bytes.") % {"n": limit})
    # DRF's handler keeps the headers that matter (WWW-Authenticate on 401, Retry-After on 429) and rolls back.
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        details = exc.detail if isinstance(exc.detail, dict) else None
        response.data = error_body("invalid", message or _("Invalid input."), field=field, details=details)
    else:
        __, message = _first_error(exc.detail)
        # A body the parser refused names the body as the field at fault (approvals.api.parsers.BodyError).
        field = getattr(exc, "field", None)
        response.data = error_body(exc.default_code, message or str(exc.default_detail), field=field)
    return response


def error_body(code: str, message: str, *, field: str | None = None, details: Any = None) -> dict[str, Any]:
    """Return the API's error body (`config.http.error_body`, with DRF's nested details flattened)."""
    return _error_body(code, message, field=field, details=_flatten(details) if details else None)


def _first_error(detail: Any, path: str = "") -> tuple[str | None, str]:
    """Return the dotted field path and message of the first error in a DRF error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key == NON_FIELD else (f"{path}.{key}" if path else str(key))
            return _first_error(value, name)
        return (path or None), ""
    if isinstance(detail, list):
        for value in detail:
            if value:
                return _first_error(value, path)
        return (path or None), ""
    return (path or None), str(detail)


def _flatten(detail: dict[str, Any], path: str = "") -> dict[str, list[str]]:
    """Return {dotted field: [messages]} for a nested DRF error dict."""
    flat: dict[str, list[str]] = {}
    for key, value in detail.items():
        name = path if key == NON_FIELD and path else (f"{path}.{key}" if path else str(key))
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    flat.update(_flatten(item, f"{name}.{index}"))
        else:
            items = value if isinstance(value, list) else [value]
            flat.setdefault(name, []).extend(str(item) for item in items)
    return flat
