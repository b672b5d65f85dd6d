"""Security headers Django 5.2 does not set itself: a Content-Security-Policy that forbids inline script."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# No inline script anywhere; styles only from our own files. The admin still carries a few inline `style=`
# attributes (cosmetic), so it alone may use inline styles — never inline script.
_BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _render(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


POLICY = _render(_BASE)
ADMIN_POLICY = _render({**_BASE, "style-src": "'self' 'unsafe-inline'"})


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith(self.admin_prefix) else POLICY
        header = (
            "Content-Security-Policy-Report-Only" if settings.REVIEW_GATE_CSP_REPORT_ONLY else "Content-Security-Policy"
        )
        response.headers.setdefault(header, policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
