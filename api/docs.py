"""The OpenAPI schema (/api/schema/, drf-spectacular) and the documentation page
(/api/docs/), a server-rendered page made from the same schema.

Not Swagger UI or Redoc: they load their scripts from a CDN (a production network may
have no internet) and run inline scripts, which the site's Content-Security-Policy
refuses. The page lists every endpoint with its parameters, answer fields, whether it
needs a token, and an example request."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView

from .views import request_language

# The endpoint groups (the schema's tags), in order, with their headings.
GROUPS = {
    "public": _("Public: no token needed"),
    "nominations": _("Agencies: your nominations (token)"),
    "secretariat": _("Secretariat: standings and exports (token)"),
}
TAG_ORDER = list(GROUPS)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, JSON by default (?format=yaml for YAML)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]

    def initial(self, request, *args, **kwargs):
        translation.activate(request_language(request._request))
        super().initial(request, *args, **kwargs)


def _resolve(schema: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _fields(schema: dict, node: dict) -> list[dict]:
    """The top-level fields of an answer (the items' fields for a list, the results'
    for a page)."""
    node = _resolve(schema, node)
    if node.get("type") == "array":
        node = _resolve(schema, node.get("items", {}))
    props = node.get("properties", {})
    if "results" in props and "count" in props:
        node = _resolve(schema, props["results"].get("items", {}))
        props = node.get("properties", {})
    out = []
    for name, prop in props.items():
        ref = "$ref" in prop or "allOf" in prop
        target = prop if "$ref" in prop else (prop.get("allOf") or [{}])[0]
        resolved = _resolve(schema, target) if ref else prop
        kind = prop.get("type") or resolved.get("type") or ("object" if ref else "")
        if kind == "array":
            items = _resolve(schema, prop.get("items", {}))
            kind = "array of " + ("objects" if items.get("properties") else items.get("type", ""))
        elif resolved.get("properties"):
            kind = "object"
        # drf-spectacular appends the choices to the description as a list; they are
        # shown as the enum instead.
        description = (prop.get("description") or "").split("\n\n* `")[0]
        out.append(
            {
                "name": name,
                "type": kind,
                "enum": resolved.get("enum", []),
                "nullable": prop.get("nullable", False),
                "description": description,
            }
        )
    return out


def endpoints(schema: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            if method not in ("get",):
                continue
            secured = [req for req in op.get("security", []) if req]
            public = {} in op.get("security", [{}]) or not op.get("security")
            ok = op.get("responses", {}).get("200", {})
            body = ok.get("content", {}).get("application/json", {}).get("schema", {})
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(
                {
                    "id": op.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "public": public,
                    "secured": bool(secured),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": p.get("schema", {}).get("type", ""),
                            "enum": p.get("schema", {}).get("enum", []),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "fields": _fields(schema, body),
                }
            )
    order = {t: i for i, t in enumerate(TAG_ORDER)}
    return [
        {"tag": tag, "title": GROUPS.get(tag, tag), "endpoints": groups[tag]}
        for tag in sorted(groups, key=lambda t: (order.get(t, 99), t))
    ]


def docs_page(request):
    """A page of the site like the others: in the language of the `lang` cookie (the
    header's switch), zh-Hant by default, not the browser's Accept-Language."""
    language = translation.get_language()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    response = render(
        request,
        "api/docs.html",
        {
            "groups": endpoints(schema),
            "version": schema["info"]["version"],
            "rates": settings.API_THROTTLE_RATES,
            "base": request.build_absolute_uri("/api/v1/"),
        },
    )
    response["Content-Language"] = language
    return response
