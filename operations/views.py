"""GET /metrics (Prometheus text format) and the staff doctor page.

/metrics: with REVIEW_GATE_METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it (401 without the header,
403 with a wrong one; constant-time comparison). Without a token, only loopback clients read it, and never through
a proxy: a request that carries forwarding headers came from elsewhere, whatever its socket address.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from config.http import client_ip
from operations.collector import DatabaseCollector
from operations.doctor import run_checks

_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _is_loopback(request: HttpRequest) -> bool:
    if any(request.META.get(header) for header in _FORWARDING_HEADERS) and not settings.REVIEW_GATE_PROXY_COUNT:
        return False
    address = client_ip(request)
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _refusal(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def metrics_allowed(request: HttpRequest) -> HttpResponse | None:
    """Return the refusal for this request, or None when it may read the metrics."""
    token: str = settings.REVIEW_GATE_METRICS_TOKEN
    if not token:
        if _is_loopback(request):
            return None
        return _refusal(403, _("Metrics are readable from this host only; set REVIEW_GATE_METRICS_TOKEN."))
    header = request.headers.get("Authorization", "")
    if not header:
        return _refusal(401, _("Send Authorization: Bearer <token>."))
    scheme, _sep, provided = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        provided.strip().encode("utf-8", "replace"), token.encode("utf-8")
    ):
        return _refusal(403, _("Wrong metrics token."))
    return None


def scrape() -> bytes:
    """Return the text exposition: every process's counters and histograms, and the database gauges."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(settings.REVIEW_GATE_METRICS_DIR))
    registry.register(DatabaseCollector())
    return generate_latest(registry)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer Prometheus."""
    refusal = metrics_allowed(request)
    if refusal is not None:
        return refusal
    response = HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


@staff_member_required
@require_GET
def doctor_page(request: HttpRequest) -> HttpResponse:
    """Show the doctor's checks to staff (the same as `manage.py doctor`)."""
    report = run_checks()
    return render(request, "operations/doctor.html", {"report": report, "title": _("Setup doctor")})
