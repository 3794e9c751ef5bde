"""The foundation seen through a real browser: sign-in, dashboards, the cycle's set-up
pages in both languages, password reset and sign-out, against the demo seed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from agencies.models import User
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TW8 = "第八屆政府服務品質獎"
HK = "二零零二至零三年度傑出顧客服務獎"


def test_secretariat_walks_from_sign_in_to_the_tw8_rubric_in_both_languages(
    demo, live_server, sign_in_with_form, shot
):
    page = sign_in_with_form("secretariat@demo.test")
    expect(page).to_have_url(live_server.url + "/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    expect(page.get_by_role("heading", name="秘書處", level=2)).to_be_visible()
    expect(page.locator(".site-header .who")).to_have_text("秘書處 陳怡君")
    shot(page, "01-dashboard-zh")

    page.get_by_role("navigation", name="主選單").get_by_role("link", name="評獎作業").click()
    expect(page).to_have_url(live_server.url + "/cycle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("評獎作業")
    tw = page.get_by_role("region", name="政府服務品質獎")
    # Editions 1-7 ran before the system and carry their published counts.
    first = tw.get_by_role("row", name=re.compile("第一屆政府服務品質獎"))
    expect(first.get_by_role("cell")).to_have_text(
        ["—", "臺北時間（Asia/Taipei）", "0", "0", "150", "46", "24"]
    )
    seventh = tw.get_by_role("row", name=re.compile("第七屆政府服務品質獎"))
    expect(seventh.get_by_role("cell")).to_have_text(
        ["—", "臺北時間（Asia/Taipei）", "0", "0", "174", "50", "30"]
    )
    eighth = tw.get_by_role("row", name=re.compile(TW8))
    expect(eighth.get_by_role("cell")).to_have_text(
        ["2016（民國105年）", "臺北時間（Asia/Taipei）", "3", "9", "—", "—", "—"]
    )
    shot(page, "02-scheme-list-zh")

    page.get_by_role("link", name=TW8).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TW8)
    stages = page.locator("table.stages-table")
    expect(stages.get_by_role("row", name=re.compile("主管機關推薦參獎"))).to_contain_text(
        "2016-01-05 2016-01-11 已結束"
    )
    shot(page, "03-edition-tw8-zh")

    page.get_by_role("link", name="第一線服務機關評核指標").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第一線服務機關評核指標")
    first_dimension = page.get_by_role("region", name=re.compile("優質便民服務"))
    expect(first_dimension.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"優質便民服務\s*400 分")
    )
    expect(first_dimension.get_by_role("row", name=re.compile("服務流程"))).to_contain_text("200")
    shot(page, "04-rubric-tw8-first-line-zh")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rubric of First-line service agencies"
    )
    first_dimension = page.get_by_role("region", name=re.compile("Convenient quality service"))
    expect(first_dimension.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"Convenient quality service\s*400 points")
    )
    expect(first_dimension).to_contain_text("Ease of the service process")
    # The switcher stays on the same page and now offers the way back.
    expect(page.get_by_role("button", name="繁體中文")).to_be_enabled()
    expect(page.get_by_role("button", name="English")).to_be_disabled()
    shot(page, "05-rubric-tw8-first-line-en")


def test_hk_edition_is_browsable_with_its_departments_and_rubric(demo, live_server, sign_in, shot):
    page = sign_in(User.objects.get(email="secretariat@demo.test"), "/cycle/")
    page.get_by_role("link", name=HK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HK)
    expect(page.locator("main .card dl")).to_contain_text("Asia/Hong_Kong")
    stages = page.locator("table.stages-table")
    expect(stages.get_by_role("row", name=re.compile("住戶電話訪問"))).to_contain_text(
        "2002-12-02 2003-01-15 已結束"
    )
    shot(page, "06-edition-hk-zh")

    page.get_by_role("link", name="部門獎（傑出顧客服務獎）評核指標").click()
    for name in ("服務質素", "工作效率", "成本效益"):
        expect(
            page.get_by_role("region", name=re.compile(name)).get_by_role("heading", level=2)
        ).to_have_text(re.compile(rf"{name}\s*100 分"))
    expect(page.locator("main .lead")).to_contain_text("300")
    shot(page, "07-rubric-hk-zh")

    # The 48 departments (23 entered, the rest exhibited), under the HKSAR Government.
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="機關").click()
    departments = (
        page.get_by_role("row")
        .filter(has_text="香港特別行政區政府")
        .filter(has=page.locator("td", has_text=re.compile(r"^HK-(?!GOV)")))
    )
    expect(departments).to_have_count(48)
    shot(page, "08-agencies-zh")


@pytest.mark.parametrize(
    ("email", "heading", "empty"),
    [
        ("secretariat@demo.test", "秘書處", None),
        ("editor@demo.test", "機關承辦人", "貴機關尚無參獎案件"),
        ("authority@demo.test", "主管機關承辦人", "目前沒有待您推薦的案件"),
        ("reviewer@demo.test", "評審委員", "目前開放中的階段沒有分派給您的自薦書"),
        ("assessor@demo.test", "實地審查員（神秘客）", "目前開放中的階段沒有分派給您的自薦書"),
        ("interviewer@demo.test", "電話訪問員", "目前沒有進行中的電話訪問"),
        ("approver@demo.test", "核定人員", "目前沒有待您核定的評審結果"),
    ],
    ids=lambda value: value.split("@")[0] if "@" in str(value) else "",
)
def test_each_role_sees_its_own_dashboard_section(
    demo, live_server, sign_in_with_form, shot, email, heading, empty
):
    page = sign_in_with_form(email)
    expect(page).to_have_url(live_server.url + "/dashboard/")
    sections = page.locator("main section.role-section")
    expect(sections).to_have_count(1)
    expect(sections.get_by_role("heading", level=2)).to_have_text(heading)
    if empty is None:
        # The secretariat's section lists the editions that have stages.
        expect(sections.locator(".card h3").filter(has_text=TW8)).to_have_count(1)
        expect(sections.locator(".card h3").filter(has_text=HK)).to_have_count(1)
    else:
        expect(sections.locator(".empty")).to_contain_text(empty)
    shot(page, "dashboard-" + email.split("@")[0])


def test_wrong_password_shows_a_clear_message_and_stays_signed_out(
    demo, live_server, sign_in_with_form, shot
):
    page = sign_in_with_form("secretariat@demo.test", "not-the-password")
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.get_by_role("alert")).to_have_text(
        "登入失敗：電子郵件地址或密碼不正確，請檢查後再試一次。"
    )
    expect(page.locator("#id_username")).to_have_value("secretariat@demo.test")
    expect(page.get_by_role("button", name="登出")).to_have_count(0)
    shot(page, "login-wrong-password")
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/dashboard/")


def test_password_reset_by_email_then_sign_in_with_the_new_password(
    demo, live_server, page, sign_in_with_form, shot, settings
):
    # Links in mail start with the declared site address: here, the test server's.
    settings.SITE_URL = live_server.url
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="忘記密碼？").click()
    page.locator("#id_email").fill("secretariat@demo.test")
    page.get_by_role("button", name="寄送連結").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("請查收電子郵件")
    shot(page, "reset-sent")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["secretariat@demo.test"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("設定新密碼")
    page.locator("#id_new_password1").fill("a-new-pass-for-2026")
    page.locator("#id_new_password2").fill("a-new-pass-for-2026")
    shot(page, "reset-confirm")
    page.get_by_role("button", name="儲存新密碼").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("密碼已變更")
    shot(page, "reset-complete")

    signed_in = sign_in_with_form("secretariat@demo.test", "a-new-pass-for-2026")
    expect(signed_in).to_have_url(live_server.url + "/dashboard/")
    old = sign_in_with_form("secretariat@demo.test", DEMO_PASSWORD)
    expect(old.get_by_role("alert")).to_be_visible()


def test_password_reset_for_an_unknown_address_looks_the_same(demo, live_server, page):
    page.goto(live_server.url + "/accounts/password-reset/")
    page.locator("#id_email").fill("nobody@demo.test")
    page.get_by_role("button", name="寄送連結").click()
    expect(page).to_have_url(live_server.url + "/accounts/password-reset/sent/")
    expect(page.get_by_role("heading", level=1)).to_have_text("請查收電子郵件")
    known = page.locator("main").inner_text()
    assert mail.outbox == []

    page.goto(live_server.url + "/accounts/password-reset/")
    page.locator("#id_email").fill("secretariat@demo.test")
    page.get_by_role("button", name="寄送連結").click()
    assert page.locator("main").inner_text() == known
    assert len(mail.outbox) == 1


def test_sign_out(demo, live_server, sign_in_with_form):
    page = sign_in_with_form("reviewer@demo.test")
    expect(page.locator(".site-header .who")).to_have_text("評審委員 張教授")
    page.get_by_role("button", name="登出").click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.get_by_role("button", name="登出")).to_have_count(0)
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/dashboard/")
