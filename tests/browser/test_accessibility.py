"""WCAG 2.1 A/AA checks with axe-core (bundled by axe-playwright-python), in both
languages, and the keyboard path into the page."""

import pytest
from playwright.sync_api import expect

from agencies.models import User
from awards.models import Category, Edition

pytestmark = pytest.mark.browser

LANGUAGES = [("zh-hant", "zh-Hant"), ("en", "en")]


def _path(name):
    if name == "edition":
        return f"/cycle/editions/{Edition.objects.get(name_zh='第八屆政府服務品質獎').pk}/"
    if name == "rubric":
        category = Category.objects.get(edition__number=8, code="first-line")
        return f"/cycle/categories/{category.pk}/rubric/"
    if name == "hk-rubric":
        category = Category.objects.get(edition__number=2002, code="department")
        return f"/cycle/categories/{category.pk}/rubric/"
    return {
        "dashboard": "/dashboard/",
        "scheme-list": "/cycle/",
        "agency-list": "/agencies/",
    }[name]


def _set_language(context, live_server, code):
    context.add_cookies([{"name": "lang", "value": code, "url": live_server.url}])


@pytest.mark.parametrize(("lang", "html_lang"), LANGUAGES)
@pytest.mark.parametrize(
    "name", ["dashboard", "scheme-list", "edition", "rubric", "hk-rubric", "agency-list"]
)
def test_signed_in_pages_have_no_wcag_violations(
    demo, live_server, context, sign_in, axe_violations, shot, name, lang, html_lang
):
    _set_language(context, live_server, lang)
    page = sign_in(User.objects.get(email="secretariat@demo.test"), _path(name))
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    shot(page, f"{name}-{lang}")
    assert axe_violations(page) == []


@pytest.mark.parametrize(("lang", "html_lang"), LANGUAGES)
@pytest.mark.parametrize("email", ["editor@demo.test", "reviewer@demo.test", "approver@demo.test"])
def test_other_roles_dashboards_have_no_wcag_violations(
    demo, live_server, context, sign_in, axe_violations, email, lang, html_lang
):
    _set_language(context, live_server, lang)
    page = sign_in(User.objects.get(email=email))
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    assert axe_violations(page) == []


@pytest.mark.parametrize(("lang", "html_lang"), LANGUAGES)
def test_sign_in_page_has_no_wcag_violations_empty_and_after_an_error(
    demo, live_server, context, page, axe_violations, lang, html_lang
):
    _set_language(context, live_server, lang)
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    assert axe_violations(page) == []

    page.locator("#id_username").fill("secretariat@demo.test")
    page.locator("#id_password").fill("wrong")
    page.locator("form .button").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize(("lang", "html_lang"), LANGUAGES)
def test_password_reset_pages_have_no_wcag_violations(
    demo, live_server, context, page, axe_violations, lang, html_lang
):
    _set_language(context, live_server, lang)
    page.goto(live_server.url + "/accounts/password-reset/")
    assert axe_violations(page) == []
    page.locator("#id_email").fill("nobody@demo.test")
    page.locator("form .button").click()
    expect(page).to_have_url(live_server.url + "/accounts/password-reset/sent/")
    assert axe_violations(page) == []
    page.goto(live_server.url + "/accounts/reset/MQ/not-a-token/")
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []


def test_skip_link_is_the_first_focusable_element_and_moves_focus_to_main(
    demo, live_server, sign_in
):
    page = sign_in(User.objects.get(email="secretariat@demo.test"), "/cycle/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳至主要內容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the main content, past the header and navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_skip_link_comes_first_on_the_sign_in_page_too(demo, live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    # The e-mail field has autofocus, so check the document's tab order instead.
    first = page.evaluate(FIRST_TABBABLE)
    assert first == "skip-link"
    page.get_by_role("link", name="跳至主要內容").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


FIRST_TABBABLE = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select, textarea, [tabindex]:not([tabindex="-1"])';
  const el = [...document.querySelectorAll(selector)].find((e) => e.tabIndex >= 0);
  return el ? el.className : null;
}"""
