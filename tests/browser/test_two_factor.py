"""Two-factor sign-in in a real browser: a secretariat user sets up an authenticator app
once (QR code, key, recovery codes), signs out, and signs in again with the password and
a code computed here, after one wrong code. The clock is moved with time-machine so that
the second code falls in a later 30-second step than the one used at set-up."""

import datetime as dt
from base64 import b32decode

import pytest
import time_machine
from django_otp.oath import TOTP
from playwright.sync_api import expect

from agencies.models import AuditEntry

pytestmark = pytest.mark.browser


def totp_now(secret: str) -> str:
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_secretariat_sets_up_and_signs_in_with_a_totp_code(
    demo, live_server, settings, sign_in_with_form, shot, axe_violations
):
    settings.REQUIRE_STAFF_2FA = True
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, 3, tzinfo=dt.UTC)) as clock:
        page = sign_in_with_form("secretariat@demo.test")
        expect(page).to_have_url(
            live_server.url + "/accounts/two-factor/setup/?next=%2Fdashboard%2F"
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("設定兩步驟登入")
        expect(page.get_by_role("img", name="將服務品質獎加入驗證器 App 的 QR 碼")).to_be_visible()
        expect(page.get_by_role("navigation", name="主選單")).to_have_count(0)
        assert axe_violations(page) == []
        shot(page, "01-setup")

        # A wrong code first: refused beside the field, nothing turned on.
        page.get_by_label("App 顯示的代碼").fill("000000")
        page.get_by_role("button", name="啟用兩步驟登入").click()
        expect(page.locator("#code-error")).to_have_text("代碼不正確。請輸入 App 目前顯示的代碼。")
        expect(page.get_by_label("App 顯示的代碼")).to_have_attribute("aria-invalid", "true")
        assert axe_violations(page) == []
        shot(page, "02-setup-wrong-code")

        clock.shift(dt.timedelta(seconds=2))  # past the one-second throttle
        secret = page.locator("#setup-secret").inner_text()
        page.get_by_label("App 顯示的代碼").fill(totp_now(secret))
        page.get_by_role("button", name="啟用兩步驟登入").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("您的復原碼")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        assert axe_violations(page) == []
        shot(page, "03-recovery-codes")
        page.get_by_role("link", name="我已保存，繼續").click()
        expect(page).to_have_url(live_server.url + "/dashboard/")
        expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
        page.get_by_role("button", name="登出").click()
        expect(page).to_have_url(live_server.url + "/accounts/login/")

        # Next sign-in: password, then a code; a wrong one first.
        clock.shift(dt.timedelta(seconds=30))
        page = sign_in_with_form("secretariat@demo.test")
        expect(page).to_have_url(
            live_server.url + "/accounts/two-factor/verify/?next=%2Fdashboard%2F"
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("輸入登入驗證碼")
        assert axe_violations(page) == []
        shot(page, "04-verify")
        page.get_by_label("登入驗證碼").fill("111111")
        page.get_by_role("button", name="繼續登入").click()
        expect(page.locator("#code-error")).to_have_text("代碼不正確。請輸入 App 目前顯示的代碼。")
        assert axe_violations(page) == []
        shot(page, "05-verify-wrong-code")

        clock.shift(dt.timedelta(seconds=2))
        page.get_by_label("登入驗證碼").fill(totp_now(secret))
        page.get_by_role("button", name="繼續登入").click()
        expect(page).to_have_url(live_server.url + "/dashboard/")
        expect(page.get_by_role("navigation", name="主選單")).to_be_visible()
        shot(page, "06-dashboard")

        page.get_by_role("link", name="兩步驟登入").click()
        expect(page.locator("#two-factor-status")).to_have_text(
            "兩步驟登入已啟用：輸入密碼後，須再輸入驗證器 App 的代碼。"
        )
        assert axe_violations(page) == []
        shot(page, "07-two-factor-page")
    assert list(
        AuditEntry.objects.filter(action__startswith="two_factor").values_list("action", flat=True)
    ) == ["two_factor.recovery_codes_generate", "two_factor.device_confirm"]


def test_locked_out_page_and_the_secretariats_unlock(
    demo, live_server, context, sign_in_with_form, sign_in, shot, axe_violations
):
    for n in range(5):
        page = sign_in_with_form("editor@demo.test", f"wrong-{n}")
    expect(page.locator("#sign-in-locked")).to_contain_text("登入失敗次數過多")
    expect(page.locator("#id_username")).to_have_value("editor@demo.test")
    assert axe_violations(page) == []
    shot(page, "08-locked-out")

    from agencies.models import User

    staff = sign_in(User.objects.get(email="secretariat@demo.test"))
    staff.get_by_role("link", name="登入鎖定").click()
    row = staff.get_by_role("row", name="電子郵件地址 editor@demo.test")
    expect(row).to_contain_text("5")
    assert axe_violations(staff) == []
    shot(staff, "09-lockouts")
    row.get_by_role("button", name="解除鎖定 editor@demo.test").click()
    expect(staff.get_by_role("status")).to_have_text("editor@demo.test 已可重新登入。")
    shot(staff, "10-unlocked")

    page = sign_in_with_form("editor@demo.test")
    expect(page).to_have_url(live_server.url + "/dashboard/")
