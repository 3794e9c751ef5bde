"""The OpenAPI schema validates and covers every endpoint; the documentation page lists
them in both languages."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from tests.conftest import html, squash, texts
from tests.test_access_matrix import url_patterns

from .conftest import api_client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/schemes/",
    "/api/v1/schemes/{scheme_code}/history/",
    "/api/v1/schemes/{scheme_code}/editions/{number}/",
    "/api/v1/certificates/{serial}/",
    "/api/v1/nominations/",
    "/api/v1/nominations/{id}/",
    "/api/v1/nominations/{id}/feedback/",
    "/api/v1/stages/{stage_pk}/categories/{category_pk}/standings/",
    "/api/v1/editions/{edition_pk}/categories/{category_pk}/final-standings/",
    "/api/v1/exports/",
    "/api/v1/exports/{id}/file/",
    "/api/v1/exports/{id}/archive/",
}


def test_schema_is_valid_openapi_and_lists_every_endpoint():
    response = api_client().get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    validate_schema(schema)  # raises on an invalid schema
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == ENDPOINTS
    # Every v1 URL pattern is in the schema, and each is read-only.
    routes = {"/" + route for name, route in url_patterns() if name.startswith("api:")}
    v1 = {r for r in routes if r.startswith("/api/v1/")}
    assert len(v1) == len(ENDPOINTS)
    for ops in schema["paths"].values():
        assert set(ops) == {"get"}
    token = schema["components"]["securitySchemes"]["ApiToken"]
    assert token == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": token["description"],
    }
    # Public endpoints take no token; the others need one (or the session).
    assert {} in schema["paths"]["/api/v1/schemes/"]["get"]["security"]
    assert {} not in schema["paths"]["/api/v1/nominations/"]["get"]["security"]


def test_schema_as_yaml():
    response = api_client().get(reverse("api:schema") + "?format=yaml")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert set(schema["paths"]) == ENDPOINTS


def test_docs_page_lists_every_endpoint_in_english():
    response = api_client(lang="en").get(reverse("api:docs"))
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//h1") == ["JSON API"]
    paths = {squash(t) for t in texts(tree, "//article[contains(@class,'api-endpoint')]//h3/code")}
    assert paths == ENDPOINTS
    assert [squash(t) for t in texts(tree, "//section[contains(@class,'api-group')]/h2")] == [
        "Public: no token needed",
        "Agencies: your nominations (token)",
        "Secretariat: standings and exports (token)",
    ]
    # In the order of api/urls.py.
    assert [a.get("id") for a in tree.xpath("//article")][:2] == [
        "op-schemes_list",
        "op-scheme_history",
    ]
    certificate = tree.xpath("//article[@id='op-certificate_verify']")[0]
    [state] = certificate.xpath("(.//table)[2]//tr[th/code='state']")
    assert [squash(t) for t in texts(state, "./td")] == [
        "string",
        "withdrawn: the edition's results were approved again without this award. "
        "valid, revoked, withdrawn",
    ]
    nominations = tree.xpath("//article[@id='op-nominations_list']")[0]
    assert squash(texts(nominations, ".//p/strong")[0]) == "Your nominations"
    assert "state" in [squash(t) for t in texts(nominations, "(.//table)[1]//th/code")]
    assert "results" not in [squash(t) for t in texts(nominations, "(.//table)[2]//th/code")]
    assert "agency" in [squash(t) for t in texts(nominations, "(.//table)[2]//th/code")]


def test_docs_page_in_chinese_by_default():
    response = api_client().get(reverse("api:docs"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hant"
    assert '<html lang="zh-Hant">' in response.content.decode()
