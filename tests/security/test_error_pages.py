"""The error pages (issue 11): 400, 403, 404, 500 and the CSRF refusal, in the site's
layout and the visitor's language, with a title, what happened and a way back; nothing
about DEBUG. The 404 page is also what a user gets for what they may not see."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import html, texts
from tests.factories import UserFactory, open_cycle
from tests.security.helpers import submitted_nomination

pytestmark = pytest.mark.urls("tests.security.urls")

PAGES = {
    "en": {
        400: ("The request could not be handled", "could not make sense of what your browser"),
        403: ("Access denied", "You do not have permission to open this page."),
        404: ("Page not found", "This page does not exist, or it is not open to you."),
        500: ("Something went wrong", "The server hit an error"),
        "csrf": ("The form could not be sent", "For your protection the form was refused"),
    },
    "zh-hant": {
        400: ("無法處理這個要求", "無法理解瀏覽器送出的內容"),
        403: ("沒有權限", "您沒有開啟這個頁面的權限。"),
        404: ("找不到頁面", "這個網頁不存在，或不開放給您。"),
        500: ("系統發生錯誤", "伺服器發生錯誤"),
        "csrf": ("表單無法送出", "為了保護您的資料，表單已被拒絕"),
    },
}
LINKS = {
    "en": {"home": "Go to the home page", "tasks": "Go to My tasks", "sign_in": "Sign in"},
    "zh-hant": {"home": "前往首頁", "tasks": "前往我的工作", "sign_in": "登入"},
}


def client(lang, user=None, **kwargs):
    c = Client(raise_request_exception=False, **kwargs)
    c.cookies["lang"] = lang
    if user is not None:
        c.force_login(user)
    return c


def check_page(response, lang, key, status):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert "DEBUG" not in body and "Traceback" not in body and "boom" not in body
    tree = html(response)
    title, sentence = PAGES[lang][key]
    assert tree.xpath("/html/@lang") == ["zh-Hant" if lang == "zh-hant" else "en"]
    assert texts(tree, "//main//h1") == [title]
    assert texts(tree, "//title")[0].startswith(title + " · ")
    assert sentence in texts(tree, "//main//p[@class='error-message']")[0]
    # The site's layout: the skip link, the header and the footer.
    assert tree.xpath("//a[@class='skip-link']/@href") == ["#main"]
    assert tree.xpath("//footer[@class='site-footer']")
    return tree


def links(tree):
    return [
        (a.text_content().strip(), a.get("href"))
        for a in tree.xpath("//ul[@class='error-links']//a")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_404_for_an_unknown_address_and_an_anonymous_visitor(lang):
    response = client(lang).get("/no-such-page/")
    tree = check_page(response, lang, 404, 404)
    assert links(tree) == [
        (LINKS[lang]["home"], reverse("results:public_list")),
        (LINKS[lang]["sign_in"], reverse("login")),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_404_for_what_a_signed_in_user_may_not_see(lang):
    cycle = open_cycle()
    nomination = submitted_nomination(cycle)
    outsider = UserFactory()
    response = client(lang, outsider).get(reverse("awards:dossier", args=[nomination.pk]))
    tree = check_page(response, lang, 404, 404)
    assert links(tree) == [(LINKS[lang]["tasks"], reverse("dashboard"))]
    # Signed in: the header shows the user and the sign-out button.
    assert texts(tree, "//span[@class='who']") == [outsider.get_full_name()]
    assert nomination.agency.name_en not in response.content.decode()
    assert nomination.agency.name_zh not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_400_and_403(lang):
    tree = check_page(client(lang).get("/test-errors/400/"), lang, 400, 400)
    assert [text for text, _href in links(tree)] == [LINKS[lang]["home"], LINKS[lang]["sign_in"]]
    user = UserFactory()
    tree = check_page(client(lang, user).get("/test-errors/403/"), lang, 403, 403)
    assert links(tree) == [(LINKS[lang]["tasks"], reverse("dashboard"))]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_the_admin_403_is_the_sites_page(lang):
    staff = UserFactory(is_staff=True)
    tree = check_page(client(lang, staff).get("/admin/rubrics/dimension/add/"), lang, 403, 403)
    assert links(tree) == [(LINKS[lang]["tasks"], reverse("dashboard"))]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_the_csrf_refusal(lang):
    c = client(lang, enforce_csrf_checks=True)
    response = c.post(reverse("login"), {"username": "a@example.test", "password": "x"})
    tree = check_page(response, lang, "csrf", 403)
    assert "設定 DEBUG" not in response.content.decode()
    assert [text for text, _href in links(tree)] == [LINKS[lang]["home"], LINKS[lang]["sign_in"]]


@pytest.mark.parametrize("lang", ["zh-hant", "en"])
def test_500_renders_without_the_database(lang):
    # No django_db mark: any query the page made would fail the test.
    tree = check_page(client(lang).get("/test-errors/500/"), lang, 500, 500)
    assert links(tree) == [
        (LINKS[lang]["home"], "/"),
        (LINKS[lang]["sign_in"], reverse("login")),
    ]
    # Rendered without the request: no language form (it would need a CSRF token).
    assert not tree.xpath("//form[@class='lang-switch']")


@pytest.mark.django_db
def test_500_for_a_signed_in_user_reads_no_session_and_no_roles(django_assert_num_queries):
    user = UserFactory()
    c = client("en", user)
    # The middleware reads the session and the user (two-factor sign-in asks whether the
    # user is verified); the 500 page itself adds nothing to that.
    with CaptureQueriesContext(connection) as baseline:
        assert c.get("/test-errors/plain/").content == b"plain"
    with django_assert_num_queries(len(baseline)):
        response = c.get("/test-errors/500/")
    check_page(response, "en", 500, 500)
