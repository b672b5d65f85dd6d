"""HTTP helpers every app shares: the one JSON error body, and the client's address."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
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
    """Return the address of the client that sent the request (the audit trail, login throttling).

    REMOTE_ADDR, unless REVIEW_GATE_PROXY_COUNT declares N proxies in front of the app: then the N-th address from
    the right of X-Forwarded-For, the one the outermost proxy saw. Addresses further left were written by the client
    and are never trusted. A header too short, or an entry that is not a plain IP address, falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops: int = getattr(settings, "REVIEW_GATE_PROXY_COUNT", 0)
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        address = ipaddress.ip_address(forwarded[-hops])
    except ValueError:
        return remote
    if getattr(address, "scope_id", None):  # fe80::1%eth0: no column of IP addresses stores a zone
        return remote
    return str(address)
