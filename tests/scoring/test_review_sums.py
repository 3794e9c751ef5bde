"""The sums a submitted review keeps (Review.total_tenths, scored_count,
dimension_tenths): written by review_transition when the review is submitted, cleared
when it is reopened, and read by the standings instead of summing every score. A
submitted review without them (a writer that did not store them) is summed from its
scores in the same query, with the same figures to the last bit."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from scoring.demo import load_review_demo
from scoring.enums import Aggregation, ReviewState
from scoring.models import Assignment, Review, Score
from scoring.selectors import final_standings, stage_standings
from scoring.services import review_open, review_reopen, review_save, rubric_indicators
from scoring.services.reviews import review_sums
from tests.factories import review_cycle

from .standings_helpers import assign, give, split
from .test_standings import set_method

pytestmark = pytest.mark.django_db

NO_SUMS = (None, None, None)


def stored(review):
    review = Review.objects.get(pk=review.pk)
    return review.total_tenths, review.scored_count, review.dimension_tenths


@pytest.fixture
def cycle():
    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.dimensions = [d.pk for d in c.rubric.dimensions.order_by("order")]
    return c


def test_submitting_stores_the_sums_and_reopening_clears_them(cycle):
    reviewer = cycle.reviewers[1]
    assignment = Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nominations[0], reviewer=reviewer
    )
    review = review_open(assignment)
    points = ("150", "160", "80", "150", "250")
    typed = {i.pk: (p, "") for i, p in zip(cycle.indicators, points, strict=True)}
    with translation.override("en"):
        review_save(
            actor=reviewer,
            review=review,
            scores=typed,
            overall_comment="",
            based_on_version=0,
            submit=False,
        )
        assert stored(review) == NO_SUMS  # a draft keeps none
        review = review_save(
            actor=reviewer,
            review=review,
            scores=typed,
            overall_comment="",
            based_on_version=1,
            submit=True,
        )
    d1, d2, d3 = cycle.dimensions
    # D1 = 150 + 160, D2 = 80 + 150, D3 = 250, in tenths of a point.
    assert stored(review) == (
        7900,
        5,
        {f"d{d1}": 3100, f"d{d2}": 2300, f"d{d3}": 2500},
    )
    review = review_reopen(actor=cycle.secretariat, review=review, reason="請再確認創新指標")
    assert stored(review) == NO_SUMS
    typed[cycle.indicators[4].pk] = ("280", "")
    review = review_save(
        actor=reviewer,
        review=review,
        scores=typed,
        overall_comment="",
        based_on_version=review.version,
        submit=True,
    )
    assert stored(review) == (8200, 5, {f"d{d1}": 3100, f"d{d2}": 2300, f"d{d3}": 2800})


def figures(standings):
    """Every figure of the standings, unrounded: a stored sum and a summed one must give
    the same floats, not only close ones."""
    return [
        (
            row.nomination_id,
            row.rank,
            row.score,
            row.spread,
            row.submitted,
            row.incomplete,
            row.disagreement,
            [(t.reviewer.pk, t.total, t.normalised) for t in row.reviewer_totals],
            [(d.pk, value) for d, value in row.dimensions],
        )
        for row in standings.rows
    ]


@pytest.mark.parametrize("method", [Aggregation.ZSCORE, Aggregation.MEAN, Aggregation.MEDIAN])
def test_standings_are_the_same_from_stored_sums_and_from_the_scores(cycle, method):
    r1, r2, r3, _r4 = cycle.reviewers
    for n, offset in zip(cycle.nominations[:5], (0, 35, 70, 105, 140), strict=True):
        give(cycle, assign(cycle, n, r1), split(800 - offset))
        give(cycle, assign(cycle, n, r2), split(650 + offset / 2))
        give(cycle, assign(cycle, n, r3), split(590.5 + (offset % 3)))
    # One review that left a dimension empty (scored 4 of 5 indicators).
    partly = assign(cycle, cycle.nominations[5], r1)
    give(cycle, partly, [120, 130, 60, 150, None])
    set_method(cycle, method, min_reviews=3)
    with_sums = figures(stage_standings(cycle.written, cycle.category))
    final = [
        (r.nomination_id, r.score) for r in final_standings(cycle.edition, cycle.category).rows
    ]
    assert Review.objects.filter(total_tenths__isnull=True).count() == 0

    # Half of the reviews without their sums, then all of them.
    half = Review.objects.order_by("pk").values_list("pk", flat=True)[::2]
    Review.objects.filter(pk__in=list(half)).update(
        total_tenths=None, scored_count=None, dimension_tenths=None
    )
    assert figures(stage_standings(cycle.written, cycle.category)) == with_sums
    Review.objects.update(total_tenths=None, scored_count=None, dimension_tenths=None)
    assert figures(stage_standings(cycle.written, cycle.category)) == with_sums
    assert [
        (r.nomination_id, r.score) for r in final_standings(cycle.edition, cycle.category).rows
    ] == final
    row = next(
        r
        for r in stage_standings(cycle.written, cycle.category).rows
        if r.nomination_id == cycle.nominations[5].pk
    )
    assert row.incomplete and row.submitted == 1


def test_every_submitted_review_of_the_demo_has_its_sums_and_the_migration_gives_the_same(demo):
    load_review_demo()
    submitted = list(Review.objects.filter(state=ReviewState.SUBMITTED).order_by("pk"))
    assert len(submitted) == 51
    scores = {}
    for score in Score.objects.select_related("indicator"):
        scores.setdefault(score.review_id, []).append((score.points, score.indicator.dimension_id))
    expected = {r.pk: tuple(review_sums(scores[r.pk]).values()) for r in submitted}
    assert {r.pk: stored(r) for r in submitted} == expected
    indicators = {
        r.pk: len(scores[r.pk]) for r in submitted
    }  # every indicator scored: a submitted review has them all
    assert all(t > 0 and n == indicators[pk] for pk, (t, n, _d) in expected.items())
    assert not Review.objects.exclude(state=ReviewState.SUBMITTED).exclude(total_tenths=None)

    # The migration that added the fields fills them for reviews submitted before it.
    Review.objects.update(total_tenths=None, scored_count=None, dimension_tenths=None)
    migration = importlib.import_module("scoring.migrations.0007_review_sums")
    migration.store_sums(apps, None)
    assert {r.pk: stored(r) for r in submitted} == expected
