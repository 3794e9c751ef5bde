"""A review saved after its stage closed (issue 11): the form comes back with what the
reviewer typed and why nothing was saved, instead of a bare 404 that loses the work.
The clock is frozen: the stage closes at the end of its last day in the edition's time
zone (Asia/Taipei)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from scoring.models import Assignment, Review, ReviewRevision
from scoring.services import conflict_add, review_open, rubric_indicators
from tests.conftest import html, texts
from tests.factories import UserFactory, review_cycle
from tests.security.helpers import client_for

pytestmark = pytest.mark.django_db

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")
# 2026-03-10 23:50 in Taipei: the written review's last day (set below).
LAST_EVENING = datetime.datetime(2026, 3, 10, 23, 50, tzinfo=TAIPEI)
NEXT_MORNING = datetime.datetime(2026, 3, 11, 0, 5, tzinfo=TAIPEI)


@pytest.fixture
def clock():
    with time_machine.travel(LAST_EVENING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(clock):
    c = review_cycle()
    c.written.ends_on = LAST_EVENING.date()
    c.written.save()
    c.indicators = rubric_indicators(c.rubric)
    c.reviewer = c.reviewers[1]
    c.nomination = c.nominations[0]
    c.assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nomination, reviewer=c.reviewer
    )
    c.other = Assignment.objects.create(
        stage=c.written, nomination=c.nomination, reviewer=c.reviewers[2]
    )
    return c


def typed(cycle, points, version=0, action="save"):
    data = {"version": str(version), "action": action, "overall_comment": "整體而言良好"}
    for i, (indicator, value) in enumerate(zip(cycle.indicators, points, strict=True)):
        data[f"points-{indicator.pk}"] = value
        data[f"comment-{indicator.pk}"] = f"意見 {i + 1}"
    return data


def saved(assignment):
    review = Review.objects.get(assignment=assignment)
    return review.version, [s.points for s in review.scores.all()], review.overall_comment


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_save_after_the_close_keeps_what_was_typed_and_says_why(cycle, clock, action, lang):
    client = client_for(cycle.reviewer, lang)
    page = reverse("scoring:review", args=[cycle.assignment.pk])
    assert client.get(page).status_code == 200  # the form, on the last evening
    clock.move_to(NEXT_MORNING)
    response = client.post(page, typed(cycle, ["150", "160", "80", "150", "250"], action=action))
    assert response.status_code == 409
    tree = html(response)
    expected = {
        "en": [
            "Your scores were not saved",
            "Closed: this was allowed only during “Written review”, 2026-03-09 to 2026-03-10, "
            "Taipei time (Asia/Taipei).",
        ],
        "zh-hant": [
            "您的分數未儲存",
            "已截止：此項作業僅限於「初審（書面審查）」（2026-03-09 至 2026-03-10，"
            "臺北時間（Asia/Taipei））期間進行。",
        ],
    }[lang]
    assert texts(tree, "//div[@id='review-closed']/h2") == expected[:1]
    assert texts(tree, "//div[@id='review-closed']/p[@class='closed-reason']") == expected[1:]
    assert tree.xpath("//div[@id='review-closed']/@role") == ["alert"]
    # Every typed value and comment is in its box; the boxes cannot be sent.
    for indicator, value in zip(cycle.indicators, ["150", "160", "80", "150", "250"], strict=True):
        (box,) = tree.xpath(f"//input[@name='points-{indicator.pk}']")
        assert (box.get("value"), box.get("readonly")) == (value, "readonly")
    assert texts(tree, f"//textarea[@name='comment-{cycle.indicators[4].pk}']") == ["意見 5"]
    assert texts(tree, "//textarea[@name='overall_comment']") == ["整體而言良好"]
    assert not tree.xpath("//form[@id='review-form']") and not tree.xpath(
        "//button[@type='submit' and @name='action']"
    )
    # The dossier is not shown again after its stage.
    assert not tree.xpath("//article[contains(@class,'review-dossier')]")
    # Nothing was saved or recorded.
    assert saved(cycle.assignment) == (0, [None] * 5, "")
    assert not ReviewRevision.objects.filter(review__assignment=cycle.assignment).exists()


def test_a_save_after_the_close_over_a_saved_draft_keeps_the_draft(cycle, clock):
    client = client_for(cycle.reviewer)
    page = reverse("scoring:review", args=[cycle.assignment.pk])
    client.get(page)
    assert client.post(page, typed(cycle, ["100", "", "", "", ""])).status_code == 302
    clock.move_to(NEXT_MORNING)
    response = client.post(page, typed(cycle, ["120", "130", "", "", ""], version=1))
    assert response.status_code == 409
    tree = html(response)
    assert tree.xpath(f"//input[@name='points-{cycle.indicators[0].pk}']/@value") == ["120"]
    version, points, _overall = saved(cycle.assignment)
    assert (version, points[:2]) == (1, [100, None])


def test_after_the_close_the_page_itself_and_others_posts_are_404(cycle, clock):
    review_open(cycle.assignment)
    page = reverse("scoring:review", args=[cycle.assignment.pk])
    clock.move_to(NEXT_MORNING)
    # Opening the page anew after the close: the 404 page (in the site's layout).
    response = client_for(cycle.reviewer).get(page)
    assert response.status_code == 404
    assert texts(html(response), "//h1") == ["Page not found"]
    # Another reviewer, an editor, a reviewer off the panel: 404 on a post too.
    editor = UserFactory()
    for user in (cycle.reviewers[2], cycle.outsider, editor):
        assert client_for(user).post(page, typed(cycle, ["1"] * 5)).status_code == 404
    # A conflict declared since: 404, not the typed values.
    conflict_add(
        actor=cycle.secretariat,
        edition=cycle.edition,
        reviewer=cycle.reviewer,
        agency=cycle.nomination.agency,
        source="secretariat",
        reason="利益迴避",
    )
    assert client_for(cycle.reviewer).post(page, typed(cycle, ["1"] * 5)).status_code == 404
    # The secretariat is still sent to the record.
    response = client_for(cycle.secretariat).post(page, typed(cycle, ["1"] * 5))
    assert response.status_code == 302
    assert response.url == reverse("scoring:review_detail", args=[cycle.assignment.pk])
    assert saved(cycle.assignment) == (0, [None] * 5, "")


def test_a_reviewer_who_never_opened_the_form_gets_404_after_the_close(cycle, clock):
    clock.move_to(NEXT_MORNING)
    page = reverse("scoring:review", args=[cycle.assignment.pk])
    assert client_for(cycle.reviewer).post(page, typed(cycle, ["1"] * 5)).status_code == 404
    assert not Review.objects.filter(assignment=cycle.assignment).exists()
