"""Middleware every app shares: a request id on every log line of a request, and refusing a request whose declared
charset is not UTF-8, before anything decodes it.

Django decodes the query string and form bodies with the charset of the request's Content-Type when Python knows a
codec by that name. `charset=zlib_codec` or `rot13` name codecs that are not text encodings; decoding with them
raised deep inside Django (a 500, or since Django 5.2 a 400 with a traceback of several kilobytes in the log for
each request). Every body this app reads is UTF-8 (HTML forms, JSON, the webhook), so anything else is refused here
with one short log line.
"""

from __future__ import annotations

import codecs
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext as _

from config import logging_context
from config.http import json_error

logger = logging.getLogger(__name__)

# Names of the codecs (as `codecs.lookup` spells them) whose text is UTF-8: ASCII is a subset of it.
ALLOWED_CHARSETS = frozenset({"utf-8", "ascii"})
# Paths whose clients read JSON errors: the API and the webhook.
JSON_PREFIXES = ("/api/", "/events/")
REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like (uuid, hex, nginx's $request_id, AWS's Root=1-...): anything else, or a
# value a client made up to be long or to forge log lines, is replaced by one of ours.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:=+-]{7,127}$")


def request_id_from(header: str | None) -> str:
    """Return the proxy's request id when it is well formed, else a new one (32 hex digits)."""
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Bind a request id to every log line of the request, and echo it in the `X-Request-ID` response header.

    First in MIDDLEWARE, so the lines of every later middleware carry it too. Queue tasks this request enqueues carry
    it on (operations.logs), so the worker's lines for the same event show the same id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        logging_context.clear()  # a thread serves many requests: nothing of the last one may leak into this one
        token = logging_context.bind(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            logging_context.unbind(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def charset_allowed(charset: str) -> bool:
    """Tell whether a Content-Type charset names UTF-8 (or ASCII) under any of its aliases."""
    try:
        return codecs.lookup(charset.strip().strip('"')).name in ALLOWED_CHARSETS
    except (LookupError, ValueError):  # ValueError: an embedded NUL
        return False


class CharsetMiddleware:
    """Answer 400 to a request that declares a charset other than UTF-8; read UTF-8 under any of its names as UTF-8.

    ASCII (`us-ascii`, ...) and aliases of UTF-8 (`utf8`, `UTF_8`) are read as UTF-8, of which they are a subset or a
    spelling: Django itself accepts a form body only under the exact name `utf-8`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset is None:
            return self.get_response(request)
        if charset_allowed(charset):
            request.encoding = "utf-8"
            return self.get_response(request)
        logger.warning("Refused a request with charset %.40r on %.200s", charset, request.path)
        message = _("Unsupported charset in Content-Type; send UTF-8.")
        if request.path.startswith(JSON_PREFIXES):
            return json_error(400, message, field="Content-Type", code="unsupported_charset")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# Paths whose responses are never compressed: the EventBridge webhook (tiny answers, read by a machine that need not
# speak gzip), /metrics (Prometheus scrapes it with its own Accept-Encoding; a compressed body is also harder to read
# when an operator curls it), the health probes and static files (whitenoise serves its own pre-compressed copies).
UNCOMPRESSED_PREFIXES = ("/events/", "/metrics", "/healthz", "/readyz", "/static/")


class CompressionMiddleware(GZipMiddleware):
    """gzip HTML and JSON answers for clients that accept it (Django's maintained GZipMiddleware), except the paths
    above. A 12,779-line ticket page is ~7.7 MB of HTML without it (bench/bench_ticket_page.py).

    BREACH: a page that reflects input next to a secret in a compressed body lets an observer of its size guess the
    secret. Our pages' secret is the CSRF token, and Django masks it with a new random mask on every response (the
    mitigation Django's docs name), so its bytes never repeat; session cookies are headers, never compressed. The
    choice is documented in docs/review-ui-ticket.md.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith(UNCOMPRESSED_PREFIXES):
            return response
        return super().process_response(request, response)
