"""The review policy page in the browser, as the secretariat: z-score with weights 30/70
saved; weights of 99 refused with the message beside the weights, what was typed kept;
axe on both."""

import datetime

import pytest
from playwright.sync_api import expect

from awards.enums import StageKind
from scoring.models import ReviewPolicy
from scoring.services import policy_stages
from tests.factories import CategoryFactory, EditionFactory, StageFactory, secretariat_user

pytestmark = pytest.mark.browser


def test_the_secretariat_sets_the_review_policy(
    live_server, context, sign_in, shot, axe_violations
):
    edition = EditionFactory()
    CategoryFactory(edition=edition)
    written = StageFactory(
        edition=edition,
        order=1,
        kind=StageKind.WRITTEN_REVIEW,
        name_en="Written review",
        allows_scoring=True,
    )
    site = StageFactory(
        edition=edition,
        order=2,
        kind=StageKind.SITE_VISIT,
        name_en="Site visit",
        allows_scoring=True,
        starts_on=datetime.date(2016, 3, 1),
        ends_on=datetime.date(2016, 4, 15),
    )
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(secretariat_user(), f"/cycle/editions/{edition.pk}/configuration/review-policy/")
    expect(page.locator("h1")).to_contain_text("Review policy")
    expect(page.locator("#zscore_min_reviews_helptext")).to_contain_text(
        "Below this minimum the raw mean is used"
    )
    assert axe_violations(page) == []

    page.get_by_label("Per-reviewer z-score normalisation").check()
    page.locator("#zscore_min_reviews").fill("3")
    page.get_by_label("Weight of Written review (%)").fill("30")
    page.get_by_label("Weight of Site visit (%)").fill("69")
    page.get_by_role("button", name="Save the review policy").click()
    expect(page.locator("#weights-error")).to_have_text(
        "The stage weights add up to 99 %; they must add up to 100 % (e.g. 30 and 70)."
    )
    expect(page.get_by_label("Weight of Site visit (%)")).to_have_value("69")
    expect(page.get_by_label("Per-reviewer z-score normalisation")).to_be_checked()
    expect(page.locator("#zscore_min_reviews")).to_have_value("3")
    shot(page, "01-refused")
    assert axe_violations(page) == []
    assert ReviewPolicy.objects.get(edition=edition).aggregation == "mean"

    page.get_by_label("Weight of Site visit (%)").fill("70")
    page.get_by_role("button", name="Save the review policy").click()
    expect(page.locator(".messages")).to_contain_text("The review policy was saved.")
    policy = ReviewPolicy.objects.get(edition=edition)
    assert (policy.aggregation, policy.zscore_min_reviews) == ("zscore", 3)
    assert [s.score_weight for s in policy_stages(edition)] == [30, 70]
    assert (written.pk, site.pk) == tuple(s.pk for s in policy_stages(edition))
    shot(page, "02-saved")
