"""The public results pages in a real browser, signed out: the TW seed's history table and
chart, an edition's published winners in English and Chinese (with a revoked award), an
embargoed edition that stays hidden, and axe-core's WCAG checks on each page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from awards.results import services
from awards.results.models import Award
from tests.results.helpers import approved_version, scored_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TW_TABLE = [
    ["150", "46", "24", "16.0 %", "—"],
    ["147", "46", "28", "19.0 %", "—"],
    ["156", "50", "29", "18.6 %", "—"],
    ["168", "51", "32", "19.0 %", "—"],
    ["173", "53", "30", "17.3 %", "—"],
    ["175", "46", "30", "17.1 %", "—"],
    ["174", "50", "30", "17.2 %", "—"],
]


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def test_visitor_reads_the_tw_history_table_and_chart(
    demo, live_server, context, page, shot, axe_violations
):
    english(context, live_server)
    page.goto(live_server.url + "/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Published results")
    page.get_by_role("link", name="History statistics of Government Service Quality Award").click()
    expect(page).to_have_url(live_server.url + "/results/tw-gsqa/history/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("History statistics")

    rows = page.locator("#history-table tbody tr")
    expect(rows).to_have_count(7)
    for i, figures in enumerate(TW_TABLE):
        expect(rows.nth(i).locator("td")).to_have_text(figures)
    expect(rows.first.locator("th")).to_contain_text("1st Government Service Quality Award")
    expect(page.locator("#history-table tfoot tr")).to_have_count(1)
    expect(page.locator("#history-table tfoot tr td")).to_have_text(
        ["1143", "342", "203", "17.8 %", "—"]
    )

    chart = page.get_by_role("img", name="History of Government Service Quality Award")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar.winners")).to_have_count(1 + 7)
    expect(chart.locator("text.rate")).to_have_text([row[3] for row in TW_TABLE])
    # The chart fits the page at this width: no horizontal scrolling needed.
    box = chart.bounding_box()
    assert box["width"] <= 1280 - 2 * 20
    shot(page, "history-en")
    assert axe_violations(page) == []


def test_history_in_chinese_has_no_wcag_violations(
    demo, live_server, context, page, shot, axe_violations
):
    page.goto(live_server.url + "/results/tw-gsqa/history/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("#history-table tbody tr").first.locator("th")).to_contain_text(
        "第一屆政府服務品質獎"
    )
    expect(page.locator("#history-table tfoot tr td")).to_have_text(
        ["1143", "342", "203", "17.8 %", "—"]
    )
    shot(page, "history-zh")
    assert axe_violations(page) == []


def test_visitor_reads_the_winners_in_english_then_chinese(
    live_server, context, page, shot, axe_violations
):
    cycle = scored_cycle()
    version = approved_version(cycle)
    first = Award.objects.get(version=version, agency=cycle.agencies[0])
    services.award_summary_update(
        award=first,
        actor=cycle.secretariat,
        summary_zh="整合櫃檯服務，民眾一次辦好戶籍、地政及稅務案件。",
        summary_en="One counter for household, land and tax errands: one visit does it all.",
    )
    second = Award.objects.get(version=version, agency=cycle.agencies[2])
    services.award_revoke(award=second, actor=cycle.secretariat, reason="服務品質未能維持")
    second.refresh_from_db()
    english(context, live_server)

    page.goto(live_server.url + "/results/")
    page.get_by_role("link", name=cycle.edition.name_en).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(cycle.edition.name_en)
    winners = page.locator("li.winner")
    expect(winners.locator("h3")).to_have_text(
        [
            re.compile(r"^1\.\s+Household Registration Office 1\s+Distinction$"),
            re.compile(r"^2\.\s+Household Registration Office 3\s+Merit$"),
        ]
    )
    expect(winners.first.locator(".good-practice")).to_contain_text("One counter for household")
    expect(page.locator("li.winner.revoked .revocation")).to_have_text(
        f"Revoked on {second.revoked_on:%Y-%m-%d}: 服務品質未能維持"
    )
    expect(page.get_by_text("Household Registration Office 2")).to_have_count(0)
    shot(page, "winners-en")
    assert axe_violations(page) == []

    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(winners.locator("h3")).to_have_text(
        [
            re.compile(r"^1\.\s+第1戶政事務所\s+特優$"),
            re.compile(r"^2\.\s+第3戶政事務所\s+優等$"),
        ]
    )
    expect(winners.first.locator(".good-practice")).to_contain_text("民眾一次辦好")
    expect(page.locator("li.winner.revoked .revocation")).to_contain_text("服務品質未能維持")
    shot(page, "winners-zh")
    assert axe_violations(page) == []


def test_an_embargoed_edition_is_not_found(live_server, context, page):
    cycle = scored_cycle()
    version = approved_version(cycle, published=False)
    services.version_schedule_publication(
        version=version,
        actor=cycle.secretariat,
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    english(context, live_server)
    url = f"/results/{cycle.edition.scheme.code}/{cycle.edition.number}/"
    response = page.goto(live_server.url + url)
    assert response.status == 404
    expect(page.get_by_text("Household Registration Office 1")).to_have_count(0)
    page.goto(live_server.url + "/results/")
    expect(page.get_by_role("link", name=cycle.edition.name_en)).to_have_count(0)
    expect(page.locator(".public-scheme .empty")).to_have_text(
        "No results of this scheme have been published yet."
    )


def test_agency_editor_sees_its_award_on_my_awards(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = Award.objects.get(version=version, agency=cycle.agencies[0])
    editor = cycle.agencies[0].role_assignments.get().user
    english(context, live_server)
    page = sign_in(editor, "/cycle/results/my-awards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My awards")
    rows = page.locator("#my-awards-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.serial")).to_have_text(award.serial)
    expect(rows.first.locator("th")).to_contain_text("Government Service Quality Award")
    rows.first.get_by_role("link", name=cycle.edition.name_en, exact=True).click()
    expect(page.locator("li.winner h3").first).to_contain_text("Household Registration Office 1")
    page.go_back()
    shot(page, "my-awards-en")
    assert axe_violations(page) == []
