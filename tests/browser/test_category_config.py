"""A category set up in the app (issue 16: a category says whether it takes agencies,
teams or individuals; no step of a cycle needs the Django admin): the secretariat adds a
team award to the live 9th edition from its configuration hub, is refused a malformed code
beside the field with what it typed kept, fixes it, lands on the new category's rubric,
starts it; the hub lists the team award; the agency editor starts a dossier in it and is
asked for the team first. In Traditional Chinese, the default language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.models import User
from awards.models import Category, Edition
from workflow.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretariat_adds_a_team_award_and_a_department_nominates_a_team(
    demo, live_server, sign_in, shot, axe_violations
):
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=9)
    secretariat = User.objects.get(email="secretariat@demo.test")
    editor = User.objects.get(email="editor@demo.test")

    page = sign_in(secretariat, f"/cycle/editions/{edition.pk}/configuration/")
    page.get_by_role("link", name="新增類別").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("新增類別")
    page.get_by_label("名稱（中文）").fill("優質團隊獎")
    page.get_by_label("名稱（英文）").fill("Quality Team Award")
    page.get_by_label("代碼").fill("Quality Team")
    page.get_by_label("頒授對象").select_option("team")
    page.get_by_role("button", name="新增此類別").click()
    code = page.get_by_label("代碼")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_code_error")).to_contain_text("小寫英文字母")
    expect(page.get_by_label("名稱（英文）")).to_have_value("Quality Team Award")  # kept
    expect(page.get_by_label("頒授對象")).to_have_value("team")
    assert not Category.objects.filter(edition=edition, name_zh="優質團隊獎").exists()
    shot(page, "01-code-refused")
    assert axe_violations(page) == []

    code.fill("quality-team")
    page.get_by_role("button", name="新增此類別").click()
    expect(page.locator(".messages")).to_contain_text("已新增類別「優質團隊獎」")
    category = Category.objects.get(edition=edition, code="quality-team")
    assert category.nominee_kind == "team"
    assert AuditEntry.objects.filter(
        action="config.category_add", object_id=str(category.pk)
    ).exists()
    expect(page).to_have_url(re.compile(rf"/configuration/rubrics/{category.pk}/$"))
    shot(page, "02-rubric-next")

    page.goto(live_server.url + f"/cycle/editions/{edition.pk}/configuration/")
    row = page.get_by_role("row").filter(has_text="優質團隊獎")
    expect(row).to_contain_text("團隊")
    shot(page, "03-hub")

    # The department nominates a team in it: the team's page comes first.
    page = sign_in(editor, "/cycle/nominations/")
    page.get_by_role("link", name="開始撰寫自薦書").first.click()
    page.get_by_role("group", name=re.compile(re.escape(edition.name_zh))).get_by_role(
        "radio", name=re.compile("優質團隊獎")
    ).check()
    page.get_by_role("button", name="建立自薦書").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("被推薦團隊")
    shot(page, "04-team-first")
