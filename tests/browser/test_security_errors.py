"""In the browser (issue 11): a reviewer types scores, the stage closes before they save,
and the page comes back with what they typed and why; the error pages in both languages
with a way back; the CSRF refusal when the form's token is gone."""

import datetime

import pytest
from playwright.sync_api import expect

from scoring.models import Assignment, Review
from scoring.services import rubric_indicators
from tests.factories import review_cycle

pytestmark = pytest.mark.browser


def language(context, live_server, lang):
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])


def test_scores_typed_before_the_stage_closed_are_kept(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = review_cycle()
    indicators = rubric_indicators(cycle.rubric)
    reviewer = cycle.reviewers[1]
    assignment = Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nominations[0], reviewer=reviewer
    )
    language(context, live_server, "en")
    page = sign_in(reviewer, f"/cycle/reviews/{assignment.pk}/")
    values = ["150", "160", "80", "150", "250"]
    for indicator, value in zip(indicators, values, strict=True):
        page.locator(f"#points-{indicator.pk}").fill(value)
    page.locator(f"#comment-{indicators[0].pk}").fill("流程簡化明確，但缺少量化數據。")
    page.locator("#overall_comment").fill("整體表現良好。")
    expect(page.locator("#running-total")).to_have_text("790")
    # Meanwhile the secretariat ends the stage yesterday.
    closed_on = cycle.today - datetime.timedelta(days=1)
    cycle.written.ends_on = closed_on
    cycle.written.save()
    page.get_by_role("button", name="Save draft").click()

    alert = page.locator("#review-closed")
    expect(alert).to_be_visible()
    expect(alert.locator("h2")).to_have_text("Your scores were not saved")
    expect(alert).to_contain_text(
        f"Closed: this was allowed only during “Written review”, "
        f"{cycle.written.starts_on.isoformat()} to {closed_on.isoformat()}, Taipei time (Asia/Taipei)."
    )
    for indicator, value in zip(indicators, values, strict=True):
        expect(page.locator(f"#points-{indicator.pk}")).to_have_value(value)
    expect(page.locator(f"#comment-{indicators[0].pk}")).to_have_value(
        "流程簡化明確，但缺少量化數據。"
    )
    expect(page.locator("#overall_comment")).to_have_value("整體表現良好。")
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to My reviews")).to_be_visible()
    review = Review.objects.get(assignment=assignment)
    assert (review.version, review.overall_comment) == (0, "")
    shot(page, "01-saved-after-close")
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    ("lang", "title", "link"),
    [("zh-hant", "找不到頁面", "前往首頁"), ("en", "Page not found", "Go to the home page")],
)
def test_the_404_page_in_both_languages(
    live_server, context, shot, axe_violations, lang, title, link
):
    language(context, live_server, lang)
    page = context.new_page()
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert response.headers["permissions-policy"].startswith("camera=()")
    expect(page.locator("h1")).to_have_text(title)
    shot(page, f"02-not-found-{lang}")
    assert axe_violations(page) == []
    page.get_by_role("link", name=link).click()
    expect(page).to_have_url(live_server.url + "/results/")


def test_the_csrf_refusal_says_what_to_do(live_server, context, shot, axe_violations):
    language(context, live_server, "zh-hant")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    context.clear_cookies()  # the form's token no longer matches any cookie
    language(context, live_server, "zh-hant")
    page.locator("#id_username").fill("someone@example.test")
    page.locator("#id_password").fill("whatever")
    page.locator("form button[type=submit].button").click()
    expect(page.locator("h1")).to_have_text("表單無法送出")
    body = page.locator("main").inner_text()
    assert "DEBUG" not in body
    assert "請返回上一頁，重新整理後再送出一次。" in body
    shot(page, "03-csrf-zh")
    assert axe_violations(page) == []
