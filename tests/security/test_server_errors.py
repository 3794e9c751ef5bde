"""The 500s the security audit found (issue 11, item 6), each now a clear answer:

- a review POST with no or a non-numeric `version`: a 409 with the typed scores kept;
- a superuser (no authority role) on the recommendation pages: 404, not an IndexError;
- an empty Dimension (and Rubric) add in the admin: the form's own errors."""

import pytest
from django.test import Client
from django.urls import reverse

from awards.enums import NominationState as S
from awards.enums import StageKind
from awards.models import Nomination
from rubrics.models import Dimension, Rubric
from scoring.models import Review, ReviewRevision
from scoring.services import review_open, rubric_indicators
from tests.conftest import html, texts
from tests.factories import UserFactory, open_cycle, open_stage, review_cycle
from tests.security.helpers import client_for, submitted_nomination

pytestmark = pytest.mark.django_db


# --- the review form's hidden version ----------------------------------------------------


@pytest.fixture
def review_setup():
    from scoring.models import Assignment

    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.reviewer = c.reviewers[1]
    c.assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nominations[0], reviewer=c.reviewer
    )
    review_open(c.assignment)
    return c


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1_0", "²", "99999999999999999999"])
def test_a_review_post_with_a_missing_or_bad_version_is_refused_not_a_500(review_setup, version):
    c = review_setup
    data = {"action": "save", "overall_comment": "整體"}
    if version is not None:
        data["version"] = version
    for indicator in c.indicators:
        data[f"points-{indicator.pk}"] = "10"
        data[f"comment-{indicator.pk}"] = "好"
    client = client_for(c.reviewer)
    client.raise_request_exception = True
    response = client.post(reverse("scoring:review", args=[c.assignment.pk]), data)
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//div[@id='review-errors']//li") == [
        "The form arrived incomplete, so nothing was saved. Your scores are shown below: "
        "check them and save again."
    ]
    # What was typed is in the boxes, with the current version to save again; nothing saved.
    assert tree.xpath(f"//input[@name='points-{c.indicators[0].pk}']/@value") == ["10"]
    assert texts(tree, "//textarea[@name='overall_comment']") == ["整體"]
    assert tree.xpath("//input[@name='version']/@value") == ["0"]
    review = Review.objects.get(assignment=c.assignment)
    assert (review.version, [s.points for s in review.scores.all()]) == (0, [None] * 5)
    assert not ReviewRevision.objects.filter(review=review).exists()


# --- a superuser on the competent authority's pages ---------------------------------------


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_superuser_without_an_authority_gets_404_on_the_recommendation_pages(superuser):
    cycle = open_cycle(quota=2)
    nomination = submitted_nomination(cycle)
    client = client_for(superuser)
    client.raise_request_exception = True
    for url in (
        reverse("awards:recommendations"),
        reverse("awards:recommendation_edit", args=[cycle.edition.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert texts(html(response), "//h1") == ["Page not found"]
    response = client.post(
        reverse("awards:recommendation_edit", args=[cycle.edition.pk]),
        {f"rank-{nomination.pk}": "1"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("awards:nomination_return", args=[nomination.pk]), {"reason": "請補件"}
    )
    assert response.status_code == 404
    assert Nomination.objects.get(pk=nomination.pk).state == S.SUBMITTED
    # The officer of the authority still returns it, inside the recommendation window.
    open_stage(cycle.edition, StageKind.RECOMMENDATION)
    response = client_for(cycle.officer).post(
        reverse("awards:nomination_return", args=[nomination.pk]), {"reason": "請補件"}
    )
    assert response.status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).state == S.RETURNED


def test_a_superuser_still_reaches_the_secretariat_pages(superuser):
    open_cycle()
    response = client_for(superuser).get(reverse("awards:eligibility_list"))
    assert response.status_code == 200
    assert texts(html(response), "//h1") == ["Eligibility check"]


# --- empty adds in the admin ---------------------------------------------------------------


def _inline_management(prefix):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize(
    ("model", "prefix", "required"),
    [
        ("dimension", "indicators", ["rubric", "order", "name_zh", "max_points"]),
        ("rubric", "dimensions", ["total_points"]),
    ],
)
def test_an_empty_add_in_the_admin_shows_the_required_fields(superuser, model, prefix, required):
    client = Client(raise_request_exception=True)
    client.cookies["lang"] = "en"
    client.force_login(superuser)
    url = f"/admin/rubrics/{model}/add/"
    assert client.get(url).status_code == 200
    response = client.post(url, _inline_management(prefix))
    assert response.status_code == 200
    tree = html(response)
    missing = [
        name
        for name in required
        if tree.xpath(f"//div[contains(@class,'field-{name}')]//ul[@class='errorlist']")
    ]
    assert missing == required
    assert Dimension.objects.count() == 0 and Rubric.objects.count() == 0
