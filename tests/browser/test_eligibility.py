"""The secretariat's eligibility check in a real browser: filter the list by state,
mark one nomination eligible and one ineligible with a reason, staying on the filtered
list; in both languages."""

import re

import pytest
from playwright.sync_api import expect

from awards.enums import NominationState as S
from awards.models import Nomination
from tests.awards.test_oversight_views import more_agencies, submitted
from tests.factories import open_cycle, open_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_filters_by_state_and_marks_eligible_and_ineligible(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = open_cycle(quota=2)
    first, second = more_agencies(cycle, 2)
    zhongshan = submitted(cycle, state=S.RECOMMENDED, rank=1)
    office1 = submitted(cycle, first, state=S.RECOMMENDED, rank=2)
    submitted(cycle, second)  # not recommended yet
    submitted(cycle, cycle.other_agency, state=S.RECOMMENDED, rank=1)
    open_stage(cycle.edition, "eligibility_check")

    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.secretariat, "/cycle/eligibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility check")
    counts = page.locator(".state-counts li")
    expect(counts).to_have_text(
        [
            "0 Draft",
            "1 Submitted",
            "0 Returned for correction",
            "3 Recommended",
            "0 Eligible",
            "0 Ineligible",
            "0 Finalist",
            "0 Withdrawn",
            "4 All states",
        ],
        use_inner_text=True,
    )
    rows = page.get_by_role("table", name="Nominations").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("Waits for its competent authority's recommendation.")
    shot(page, "01-all-en")
    assert axe_violations(page) == []

    page.get_by_label("State", exact=True).select_option(label="Recommended")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]state=recommended"))
    expect(rows).to_have_count(3)
    expect(rows.locator(".badge")).to_have_text(["Recommended"] * 3)
    expect(page.locator(".state-counts a[aria-current=true]")).to_contain_text("Recommended")
    shot(page, "02-filtered-recommended-en")

    # Eligible: one click, back on the same filtered list.
    row = page.get_by_role("row", name=re.compile("Zhongshan District"))
    row.get_by_role("button", name=re.compile("^Eligible")).click()
    expect(page.locator(".messages")).to_have_text(
        "Zhongshan District Household Registration Office · Service planning agencies: "
        "marked eligible."
    )
    expect(page).to_have_url(re.compile(r"[?&]state=recommended"))
    expect(rows).to_have_count(2)
    zhongshan.refresh_from_db()
    assert zhongshan.state == S.ELIGIBLE

    # Ineligible: open the details, give the reason, confirm.
    row = page.get_by_role("row", name=re.compile("Taipei Service Office 1"))
    row.locator("summary").click()
    row.get_by_label("Reason").fill("自薦書未附主管機關推薦函。")
    shot(page, "03-ineligible-reason-en")
    row.get_by_role("button", name="Mark ineligible").click()
    expect(page.locator(".messages")).to_have_text(
        "Taipei Service Office 1 · Service planning agencies: marked ineligible."
    )
    expect(page).to_have_url(re.compile(r"[?&]state=recommended"))
    expect(rows).to_have_count(1)
    office1.refresh_from_db()
    assert (office1.state, office1.state_reason) == (S.INELIGIBLE, "自薦書未附主管機關推薦函。")
    shot(page, "04-after-marking-en")

    # The whole list in Chinese: the two decisions are there, with the reason.
    page.get_by_role("button", name="繁體中文").click()
    page.goto(live_server.url + "/cycle/eligibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text("資格審查")
    expect(page.locator(".state-counts li")).to_have_text(
        [
            "0 草稿",
            "1 已送出",
            "0 已退回修正",
            "1 已推薦",
            "1 符合資格",
            "1 不符資格",
            "0 入圍",
            "0 已撤回",
            "4 全部狀態",
        ],
        use_inner_text=True,
    )
    ineligible = page.get_by_role("row", name=re.compile("臺北市第1服務處"))
    expect(ineligible.locator(".badge")).to_have_text("不符資格")
    expect(ineligible.locator(".reason")).to_have_text("自薦書未附主管機關推薦函。")
    shot(page, "05-all-zh")
    assert axe_violations(page) == []
    assert Nomination.objects.filter(state=S.RECOMMENDED).count() == 1


def test_ineligible_without_a_reason_is_refused_with_nothing_changed(
    live_server, context, sign_in, shot
):
    cycle = open_cycle()
    nomination = submitted(cycle, state=S.RECOMMENDED, rank=1)
    open_stage(cycle.edition, "eligibility_check")
    page = sign_in(cycle.secretariat, "/cycle/eligibility/?state=recommended")
    row = page.get_by_role("row", name=re.compile("臺北市中山區戶政事務所"))
    row.locator("summary").click()
    reason = row.get_by_label("理由")
    reason.fill("   ")  # spaces pass the browser's `required`; the server refuses them
    row.get_by_role("button", name="確認不符資格").click()
    expect(page.locator(".messages")).to_have_text(
        "臺北市中山區戶政事務所 · 服務規劃機關：請填寫理由，機關將會看到。"
    )
    expect(page).to_have_url(re.compile(r"[?&]state=recommended"))
    nomination.refresh_from_db()
    assert (nomination.state, nomination.state_reason) == (S.RECOMMENDED, "")
    shot(page, "01-no-reason-zh")
