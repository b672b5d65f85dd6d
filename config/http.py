"""HTTP helpers every app shares: the one JSON error body, and the client's address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse


def error_body(code: str, message: str, *, field: str | None = None, details: Any = None) -> dict[str, Any]:
    """Return the JSON error body of the webhook and the API: {"error": {"code", "message", "field"?, "details"?}}."""
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if field:
        error["field"] = field
    if details:
        error["details"] = details
    return {"error": error}


def json_error(status: int, message: str, *, field: str | None = None, code: str = "") -> JsonResponse:
    """Return a JSON error response that names the problem (and the field, when one is at fault)."""
    return JsonResponse(error_body(code or str(status), message, field=field), status=status)


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the client that sent the request, for the audit trail."""
    return request.META.get("REMOTE_ADDR") or None
