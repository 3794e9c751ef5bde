"""Templates ask the rules ({% has_perm %}), never role strings: what a link shows is
what the view behind it allows."""

import re
from pathlib import Path

import pytest

from agencies.enums import Role
from agencies.models import User
from tests.conftest import html, texts
from tests.factories import AgencyFactory, UserFactory, secretariat_user

ROOT = Path(__file__).resolve().parents[2]
TAG = re.compile(r"{%.*?%}", re.S)
ROLE_NAMES = re.compile(
    r"\b(user_roles|role_values|is_secretariat|is_staff|is_superuser|roles|role\.value)\b"
)
ROLE_VALUES = "|".join(re.escape(r.value) for r in Role)
ROLE_LITERAL = re.compile(rf"[\"']({ROLE_VALUES})[\"']")
# A panel member's kind (scoring.enums.MemberKind: "reviewer", "site_assessor") shares
# two values with Role; comparing a member's or an assignment's kind is not a permission.
KIND_COMPARISON = re.compile(rf"\.kind\s*[!=]=\s*[\"']({ROLE_VALUES})[\"']")


def role_strings(text: str) -> list[str]:
    found = []
    for tag in TAG.findall(text):
        if ROLE_NAMES.search(tag) or ROLE_LITERAL.search(KIND_COMPARISON.sub("", tag)):
            found.append(tag)
    return found


def test_no_template_asks_a_role_string():
    offenders = [
        f"{file.relative_to(ROOT)}: {tag}"
        for file in sorted((ROOT / "templates").rglob("*.html"))
        for tag in role_strings(file.read_text())
    ]
    assert offenders == []


def test_the_grep_sees_role_strings():
    assert role_strings('{% if "agency_editor" in user_roles %}') != []
    assert role_strings("{% if is_secretariat and user.is_staff %}") != []
    assert role_strings('{% elif role.value == "approver" %}') != []
    assert role_strings("{% if user.is_superuser %}") != []
    assert role_strings('{% if m.kind == "site_assessor" %}') == []
    assert role_strings('{% has_perm "awards.recommend" user as may_recommend %}') == []


NAV = "//nav[@class='site-nav']//a"
SECRETARIAT_NAV = ["我的工作", "評獎作業", "資格審查", "評審作業", "機關", "結果", "電話訪問"]


@pytest.mark.django_db
def test_a_superuser_without_roles_sees_the_secretariat_links_and_no_others(client):
    """The rules treat a superuser as the secretariat and as nothing else; the links agree
    (Django's own has_perm would say yes to every permission)."""
    client.force_login(User.objects.create_superuser(email="root@example.test", password="x"))
    tree = html(client.get("/dashboard/"))
    # The configuration area (in the app) and, for superusers only, the Django admin.
    assert texts(tree, NAV) == [*SECRETARIAT_NAV, "系統設定", "Django 管理後台（超級使用者）"]
    assert tree.xpath("//nav//a[@href='/admin/']")
    assert client.get("/cycle/nominations/").status_code == 404


@pytest.mark.django_db
def test_configuration_link_is_for_every_secretariat_user_and_stays_in_the_app(client):
    """The configuration area is the secretariat's, staff account or not (issue 13): the
    link leads to the app's configuration pages, never to the Django admin."""
    for user in (secretariat_user(), secretariat_user(is_staff=True)):
        client.force_login(user)
        tree = html(client.get("/dashboard/"))
        assert texts(tree, NAV) == [*SECRETARIAT_NAV, "系統設定"]
        assert tree.xpath("//nav//a[.='系統設定']/@href") == ["/cycle/configuration/"]
        assert tree.xpath("//a[@href='/admin/']") == []


@pytest.mark.django_db
def test_holding_two_roles_shows_the_links_of_both(client):
    agency = AgencyFactory()
    client.force_login(UserFactory(roles=[Role.POLL_INTERVIEWER, (Role.AGENCY_EDITOR, agency)]))
    assert texts(html(client.get("/dashboard/")), NAV) == [
        "我的工作",
        "我的參獎案件",
        "我的獎項",
        "回饋與申覆",
        "活動",
        "電話訪問",
    ]


@pytest.mark.django_db
def test_has_perm_on_a_user_answers_the_rules_and_django_for_the_rest():
    root = User.objects.create_superuser(email="root@example.test", password="x")
    assert root.has_perm("awards.view_cycle_setup")
    assert not root.has_perm("awards.recommend")
    # The admin's model permissions are Django's: a superuser holds them all.
    assert root.has_perm("awards.change_nomination")
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    assert editor.has_perm("awards.start_nomination")
    assert not editor.has_perm("awards.view_cycle_setup")
    assert not editor.has_perm("awards.change_nomination")
