"""The EventBridge webhook and the health probes. Views parse, call one service, translate the result."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from config.http import json_error
from events import health, services
from events.metrics import event_code_label, record_webhook
from events.payload import InvalidEvent

logger = logging.getLogger(__name__)
TOKEN_HEADER = "x-eventbridge-signature-token"  # noqa: S105 - a header name, not a secret


def _token_ok(request: HttpRequest) -> bool:
    expected = settings.EVENTBRIDGE_TOKEN
    provided = request.headers.get(TOKEN_HEADER, "")
    # An unset token (demo mode without one) rejects everything: fail closed.
    return bool(expected) and hmac.compare_digest(provided.encode("utf-8"), expected.encode("utf-8"))


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """Read at most `limit` bytes of the body; None means it is larger."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
def eventbridge_webhook(request: HttpRequest) -> JsonResponse:
    """Receive one CloudEvent from EventBridge: authenticate, validate, store once, enqueue, answer fast."""
    if request.method != "POST":
        record_webhook("invalid")
        response = json_error(405, _("Use POST."), code="method_not_allowed")
        response["Allow"] = "POST"
        return response
    if not _token_ok(request):
        record_webhook("unauthorized")
        return json_error(401, _("Missing or wrong %(header)s header.") % {"header": TOKEN_HEADER}, code="unauthorized")
    limit = settings.EVENTBRIDGE_MAX_BODY_BYTES
    body = _read_body(request, limit)
    if body is None:
        record_webhook("too_large")
        return json_error(413, _("Body is larger than %(n)d bytes.") % {"n": limit}, code="too_large")
    try:
        result = services.event_receive(body=body)
    except InvalidEvent as exc:
        record_webhook("invalid")
        return json_error(400, exc.message, field=exc.field, code="invalid_event")
    except DatabaseError:
        logger.exception("Could not store an inbound event")
        record_webhook("unavailable")
        return json_error(503, _("Storage is unavailable; retry later."), code="unavailable")
    event = result.event
    record_webhook("accepted" if result.created else "duplicate", event.event_code)
    # The code as its bounded label: the payload's own text never reaches a log line.
    logger.info(
        "Webhook %s event %s (%s)",
        "accepted" if result.created else "duplicate",
        event.pk,
        event_code_label(event.event_code),
    )
    return JsonResponse(
        {
            "status": "accepted" if result.created else "duplicate",
            "event": event.pk,
            "message_id": event.message_id,
            "gated": event.gated,
        },
        status=202 if result.created else 200,
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer while the process is up; touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Report whether the database, the queue and the settings are ready; 503 when any is not."""
    report = health.readiness()
    return JsonResponse(report, status=200 if report["ready"] else 503)
