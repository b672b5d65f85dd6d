"""The OpenAPI schema endpoint and a self-hosted, script-free docs page rendered from it (safe under a strict CSP)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from .exceptions import api_exception_handler

SCHEMA_SETTINGS: dict[str, Any] = {
    # English in the schema file; the docs page shows them in the reader's language (api_docs).
    "TITLE": gettext_noop("Review Gate API"),
    "DESCRIPTION": gettext_noop(
        "Review tickets created from DataWorks extension-point events: list them, read one with its diff, "
        "and approve, approve with a warning, or reject. Authenticate with a session (browser, CSRF token on POST) "
        'or with `Authorization: Token <key>`. Every error is `{"error": {"code", "message", "field"?}}`.'
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"CheckResultEnum": "approvals.models.CheckResult"},
}
TEMPLATE = Path(__file__).parent / "templates" / "approvals_api" / "docs.html"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@extend_schema(exclude=True)
class SchemaApi(SpectacularAPIView):
    """The OpenAPI 3 schema: YAML by default, JSON with `?format=json` or `Accept: application/vnd.oai.openapi+json`."""

    schema = AutoSchema()
    custom_settings = SCHEMA_SETTINGS

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return api_exception_handler

    # Redefined without SpectacularAPIView's method annotation, so the class annotation above applies.
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def build_schema() -> dict[str, Any]:
    """Generate the OpenAPI schema of the mounted API as a dict."""
    with patched_settings(SCHEMA_SETTINGS):
        return SchemaGenerator().get_schema(request=None, public=True)


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """Render the schema as a plain HTML reference: no scripts, no CDN, no inline styles."""
    schema = build_schema()
    template = engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))
    context = {
        "info": _translated_info(schema.get("info", {})),
        "operations": _operations(schema),
        "components": _components(schema),
        "schema_url": reverse("approvals_api:schema"),
    }
    return HttpResponse(template.render(context, request))


def _translated_info(info: dict[str, Any]) -> dict[str, Any]:
    """Return the schema's info with its title and description in the active language (marked in SCHEMA_SETTINGS)."""
    return {**info, **{key: gettext(info[key]) for key in ("title", "description") if info.get(key)}}


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            body: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values())).get("schema") if body else None
            operations.append(
                {
                    "id": op.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p.get("in", ""),
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _type(body_schema) if body_schema else None,
                    "body_required": op.get("requestBody", {}).get("required", False),
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "type": _response_type(response),
                        }
                        for status, response in op.get("responses", {}).items()
                    ],
                    "security": sorted({name for req in op.get("security", []) for name in req}),
                }
            )
    return operations


def _components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        components.append(
            {
                "name": name,
                "description": spec.get("description", ""),
                "type": None if "properties" in spec else _type(spec),
                "properties": [
                    {
                        "name": prop,
                        "type": _type(prop_spec),
                        "required": prop in required,
                        "read_only": prop_spec.get("readOnly", False),
                        "description": prop_spec.get("description", ""),
                    }
                    for prop, prop_spec in spec.get("properties", {}).items()
                ],
            }
        )
    return components


def _response_type(response: dict[str, Any]) -> SafeString | None:
    content = response.get("content", {})
    if not content:
        return None
    return _type(next(iter(content.values())).get("schema", {}))


def _type(spec: dict[str, Any]) -> SafeString:
    """Describe a JSON schema in a few words of escaped HTML, linking to named components."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return format_html('<a href="#schema-{}"><code>{}</code></a>', name, name)
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in spec:
            joiner = " | " if combinator != "allOf" else " & "
            parts = [_type(sub) for sub in spec[combinator]]
            described = SafeString(joiner.join(parts))
            return format_html(gettext("{} or null"), described) if spec.get("nullable") else described
    kind = spec.get("type", "object")
    if kind == "array":
        described = format_html(gettext("array of {}"), _type(spec.get("items", {})))
    elif "enum" in spec:
        values = [value for value in spec["enum"] if value is not None]
        described = format_html(
            "{}: {}", kind, format_html_join(", ", "<code>{}</code>", ((json.dumps(v),) for v in values))
        )
    elif kind == "string" and spec.get("maxLength") == 0:
        described = format_html("{}", gettext("empty string"))
    else:
        described = format_html("{}{}", kind, f" ({spec['format']})" if "format" in spec else "")
        if "pattern" in spec:
            described = format_html(gettext("{} matching <code>{}</code>"), described, spec["pattern"])
    if spec.get("nullable"):
        described = format_html(gettext("{} or null"), described)
    return described
