"""The reviewer's side in the browser: declare conflicts, open the scoring form beside the
dossier, watch the running total, get a bad value refused by the server, save a draft,
submit; and a site assessor logs a telephone test with a PNG as evidence and scores."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from scoring.enums import ReviewState
from scoring.models import Assignment, ConflictDeclaration, Review, SiteTest
from scoring.services import rubric_indicators
from tests.browser.test_dossier import tiny_png
from tests.factories import review_cycle

pytestmark = pytest.mark.browser


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def test_a_reviewer_declares_scores_and_submits(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = review_cycle()
    indicators = rubric_indicators(cycle.rubric)
    reviewer = cycle.reviewers[1]
    ConflictDeclaration.objects.filter(reviewer=reviewer).delete()
    assignment = Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nominations[0], reviewer=reviewer
    )
    Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nominations[1], reviewer=reviewer
    )
    english(context, live_server)

    page = sign_in(reviewer, "/cycle/reviews/")
    expect(page.locator(".reviews-table")).to_contain_text("Locked")
    shot(page, "01-list-locked")
    page.get_by_role("link", name=re.compile("Declare conflicts of interest")).click()
    expect(page.locator("h1")).to_contain_text("Conflicts of interest")
    page.get_by_role("button", name="Save my declaration").click()
    expect(page.locator("#declare-errors")).to_contain_text(
        "Tick the agencies you have a conflict of interest with, or declare that you have none."
    )
    page.get_by_label("I have no conflict of interest with any agency").check()
    shot(page, "02-declare")
    page.get_by_role("button", name="Save my declaration").click()
    expect(page.locator(".messages")).to_contain_text("Declared: no conflict of interest.")

    page.get_by_role("link", name=re.compile(r"^Score\W+Household Registration Office 1$")).click()
    expect(page).to_have_url(re.compile(rf"/cycle/reviews/{assignment.pk}/$"))
    expect(page.locator(".review-dossier")).to_contain_text("第1所的服務成果。")
    total = page.locator("#running-total")
    expect(total).to_have_text("0")
    first = page.locator(f"#points-{indicators[0].pk}")
    first.fill("150")
    page.locator(f"#points-{indicators[1].pk}").fill("160")
    expect(total).to_have_text("310")
    # Out of range: the page says so at once, and the server refuses it.
    first.fill("250")
    expect(page.locator(f"#points-{indicators[0].pk}-hint")).to_be_visible()
    expect(total).to_have_text("160")
    page.locator(f"#comment-{indicators[0].pk}").fill("流程簡化明確，但缺少量化數據。")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#review-errors")).to_contain_text(
        "“Service process”: at most 200 points; you gave 250."
    )
    expect(page.locator(f"#points-{indicators[0].pk}-error")).to_contain_text("at most 200")
    expect(page.locator(f"#comment-{indicators[0].pk}")).to_have_value(
        "流程簡化明確，但缺少量化數據。"
    )
    assert Review.objects.get(assignment=assignment).version == 0
    shot(page, "03-bad-value")
    first.fill("150")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft saved at")
    expect(total).to_have_text("310")
    for indicator, value in zip(indicators[2:], ["80", "150", "250"], strict=True):
        page.locator(f"#points-{indicator.pk}").fill(value)
    page.get_by_label("Overall comment").fill("整體服務品質良好，創新項目具標竿價值。")
    expect(total).to_have_text("790")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shot(page, "04-scoring-form").replace(".png", "-viewport.png"))
    assert axe_violations(page) == []
    # Submitting asks first; dismissing keeps the draft.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(f"#points-{indicators[4].pk}")).to_have_value("250")
    assert Review.objects.get(assignment=assignment).state == ReviewState.DRAFT
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Review submitted: 790 of 1000 points.")
    expect(page.locator(".review-readonly .notice")).to_contain_text("The review is locked")
    shot(page, "05-submitted")
    assert Review.objects.get(assignment=assignment).state == ReviewState.SUBMITTED

    # The list shows it submitted with its total.
    page.goto(live_server.url + "/cycle/reviews/")
    expect(
        page.get_by_role("row", name=re.compile("Household Registration Office 1"))
    ).to_contain_text("Submitted")
    expect(
        page.get_by_role("row", name=re.compile("Household Registration Office 1"))
    ).to_contain_text("790 / 1000")


def test_the_scoring_form_in_chinese(live_server, context, sign_in, shot, axe_violations):
    cycle = review_cycle()
    reviewer = cycle.reviewers[1]
    assignment = Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nominations[0], reviewer=reviewer
    )
    context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    page = sign_in(reviewer, f"/cycle/reviews/{assignment.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator(".review-form")).to_contain_text("服務流程")
    page.locator("input[data-points]").first.fill("180")
    expect(page.locator("#running-total")).to_have_text("180")
    shot(page, "10-scoring-form-zh")
    page.set_viewport_size({"width": 800, "height": 900})
    shot(page, "11-scoring-form-narrow")
    assert axe_violations(page) == []


def test_a_site_assessor_logs_a_telephone_test_and_scores(live_server, context, sign_in, shot):
    cycle = review_cycle()
    indicators = rubric_indicators(cycle.rubric)
    cycle.site_visit.starts_on = cycle.today - datetime.timedelta(days=1)
    cycle.site_visit.save()
    assessor = cycle.assessors[0]
    visit = Assignment.objects.create(
        stage=cycle.site_visit,
        nomination=cycle.nominations[0],
        reviewer=assessor,
        kind="site_assessor",
    )
    english(context, live_server)
    page = sign_in(assessor, "/cycle/reviews/")
    page.get_by_role("link", name=re.compile(r"^Score\W+Household Registration Office 1$")).click()
    panel = page.locator("#site-tests")
    expect(panel).to_contain_text("No test logged yet.")
    panel.get_by_label("Test", exact=True).select_option(label="Telephone test")
    when = (datetime.datetime.now(cycle.edition.tzinfo) - datetime.timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    panel.get_by_label("Date and time of the test").fill(when)
    panel.get_by_label("What was tested").fill("撥打總機詢問戶籍謄本申請方式")
    panel.get_by_label("Findings").fill("第三聲接聽，說明清楚，主動告知線上申請管道。")
    panel.get_by_label("Service process").check()
    panel.get_by_label("Evidence files").set_input_files(
        files=[{"name": "通話紀錄.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    panel.get_by_role("button", name="Log the test").click()
    expect(page.locator(".messages")).to_contain_text("Logged: Telephone test on")
    item = page.locator(".site-test").first
    expect(item).to_contain_text("撥打總機詢問戶籍謄本申請方式")
    expect(item).to_contain_text("Indicators: Service process")
    expect(item.get_by_role("link", name="通話紀錄.png")).to_be_visible()
    test = SiteTest.objects.get(assignment=visit)
    assert test.evidence.get().file_type == "png"

    for indicator, value in zip(indicators, ["180", "170", "90", "160", "240"], strict=True):
        page.locator(f"#points-{indicator.pk}").fill(value)
    expect(page.locator("#running-total")).to_have_text("840")
    shot(page, "20-site-visit")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Review submitted: 840 of 1000 points.")
    assert Review.objects.get(assignment=visit).state == ReviewState.SUBMITTED
