"""Small helpers for JSON responses from plain Django views."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def json_error(status: int, message: str, *, field: str | None = None, code: str = "") -> JsonResponse:
    """Return a JSON error body that names the problem (and the field, when one is at fault)."""
    body: dict[str, Any] = {"error": {"code": code or str(status), "message": message}}
    if field:
        body["error"]["field"] = field
    return JsonResponse(body, status=status)
