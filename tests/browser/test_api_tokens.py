"""An agency editor's API tokens through a real browser: a bad name refused beside the
field (what was typed kept), a token made and shown once, used against the API (own
nomination yes, another agency's 404), then revoked; and the API documentation page."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from agencies.enums import Role
from api.models import ApiToken
from tests.api.conftest import in_zh
from tests.api.test_schema import ENDPOINTS
from tests.factories import UserFactory
from tests.results.helpers import approved_version, scored_cycle

pytestmark = pytest.mark.browser


def test_editor_makes_sees_once_uses_and_revokes_a_token(
    transactional_db, live_server, sign_in, shot, axe_violations
):
    cycle = scored_cycle(agencies=4, winners=1)
    approved_version(cycle, published=True)
    own, other = cycle.nominations[0], cycle.nominations[1]
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, own.agency)], full_name="承辦人 林雅婷")
    page = sign_in(editor)
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.locator(".empty")).to_have_text("You have no API tokens yet.")
    assert axe_violations(page) == []
    shot(page, "01-no-tokens")

    # No name: refused beside the field, nothing made.
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("#name-errors")).to_have_text(
        "Give the token a name, e.g. the system that will use it."
    )
    assert ApiToken.objects.count() == 0
    page.get_by_label("Name of the token").fill("Intranet results page")
    page.get_by_role("button", name="Make the token").click()
    key = page.locator("#token-key").input_value()
    expect(page.locator("#token-new-heading")).to_have_text(
        "Your new token “Intranet results page”"
    )
    expect(page.locator("#token-new")).to_contain_text("this is the only time it is shown")
    assert axe_violations(page) == []
    shot(page, "02-token-shown-once")
    # The same name again: refused beside the field, what was typed kept.
    field = page.get_by_label("Name of the token")
    field.fill("Intranet results page")
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("#name-errors")).to_have_text(
        "You already have a token with this name. Choose another name."
    )
    expect(field).to_have_value("Intranet results page")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert page.locator("#token-key").count() == 0  # not shown again
    assert key not in page.content()
    assert ApiToken.objects.filter(user=editor).count() == 1
    assert axe_violations(page) == []
    shot(page, "03-name-taken")

    # The token reads the agency's own nomination, and not the other agency's.
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    mine = api.get(reverse("api:nomination", args=[own.pk]))
    assert mine.status_code == 200
    assert mine.json()["agency"]["code"] == own.agency.code
    assert api.get(reverse("api:nomination", args=[other.pk])).status_code == 404

    page.goto(live_server.url + "/api/tokens/")
    row = page.get_by_role("row", name=re.compile("Intranet results page"))
    expect(row).to_contain_text("Active")
    expect(row.locator("td").nth(2)).not_to_have_text("Never")  # last used: just now
    row.get_by_role("button", name="Revoke Intranet results page").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The token “Intranet results page” is revoked"
    )
    expect(page.get_by_role("row", name=re.compile("Intranet results page"))).to_contain_text(
        "Revoked"
    )
    assert axe_violations(page) == []
    shot(page, "04-revoked")
    assert api.get(reverse("api:nomination", args=[own.pk])).status_code == 401


def test_api_documentation_page(transactional_db, live_server, page, shot, axe_violations):
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text(in_zh("JSON API"))
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("JSON API")
    expect(page.locator("article.api-endpoint")).to_have_count(len(ENDPOINTS))
    expect(page.locator("#op-nominations_list h3")).to_contain_text("/api/v1/nominations/")
    expect(page.locator("#op-nomination_feedback h3")).to_contain_text(
        "/api/v1/nominations/{id}/feedback/"
    )
    assert axe_violations(page) == []
    shot(page, "05-api-docs")
