"""The demo's reviewed TW 8th first-line category (`load_review_demo`), read through the
same selectors the secretariat's pages use."""

import pytest

from awards.enums import NominationState, StageKind
from awards.models import Category, Edition, Nomination
from scoring.demo import load_review_demo
from scoring.models import Assignment, Review, SiteTest
from scoring.selectors.standings import final_standings, stage_standings

pytestmark = pytest.mark.django_db


def test_review_demo_loads_once_and_gives_defensible_standings(demo):
    assert load_review_demo() is True
    assert load_review_demo() is False  # idempotent
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    category = Category.objects.get(edition=edition, code="first-line")
    written = edition.stages.get(kind=StageKind.WRITTEN_REVIEW)
    standings = stage_standings(written, category)
    assert standings.method == "zscore"
    assert len(standings.rows) == 12
    assert all(len(r.reviewer_totals) == 3 and r.submitted == 3 for r in standings.rows)
    # The declared conflict kept 周董事長 off the Taipei land office (and, by the
    # edition's rule, off every agency under Taipei City Government).
    assert not Assignment.objects.filter(
        reviewer__email="reviewer2@demo.test", nomination__agency__code__startswith="TW-TPE"
    ).exists()
    finalists = Nomination.objects.filter(category=category, state=NominationState.FINALIST)
    assert finalists.count() == 5
    final = final_standings(edition, category)
    assert {r.nomination.pk for r in final.rows[:5]} == set(finalists.values_list("pk", flat=True))
    assert all(r.score <= 1000 for r in final.rows)
    assert Review.objects.filter(assignment__stage__edition=edition).count() == 12 * 3 + 5 * 3
    assert SiteTest.objects.count() == 5


def test_review_overview_counts_the_site_assessor_in_what_a_site_visit_expects(demo):
    from scoring.selectors import review_overview

    load_review_demo()
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    item = next(i for i in review_overview() if i["edition"].pk == edition.pk)
    first_line = next(r for r in item["rows"] if r["category"].code == "first-line")
    assert [
        (c["stage"].kind, c["dossiers"], c["expected"], c["assigned"], c["submitted"])
        for c in first_line["cells"]
    ] == [
        (StageKind.WRITTEN_REVIEW, 12, 36, 36, 36),
        (StageKind.SITE_VISIT, 5, 15, 15, 15),  # two reviewers and the assessor each
    ]


def test_review_demo_replays_its_history_through_the_transition_services(demo):
    """No state is written directly: each nomination went draft → submitted →
    recommended → eligible (→ finalist) and each review draft → submitted, every step
    audited, and no e-mail was sent for the invented past."""
    from django.core import mail

    from workflow.models import AuditEntry

    load_review_demo()
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    nominations = Nomination.objects.filter(edition=edition)
    steps = {}
    for entry in AuditEntry.objects.filter(
        action="nomination.transition", object_id__in=[str(n.pk) for n in nominations]
    ).order_by("pk"):
        steps.setdefault(entry.object_id, []).append((entry.from_state, entry.to_state))
    path = [("draft", "submitted"), ("submitted", "recommended"), ("recommended", "eligible")]
    finalists = {str(n.pk) for n in nominations if n.state == NominationState.FINALIST}
    assert len(finalists) == 5
    assert {pk: (s if pk not in finalists else s[:-1]) for pk, s in steps.items()} == {
        str(n.pk): path for n in nominations
    }
    assert all(steps[pk][-1] == ("eligible", "finalist") for pk in finalists)
    reviews = Review.objects.filter(assignment__stage__edition=edition)
    assert (
        AuditEntry.objects.filter(
            action="review.submit", object_id__in=[str(r.pk) for r in reviews]
        ).count()
        == reviews.count()
    )
    assert mail.outbox == []


def test_review_demo_comments_follow_the_points_given(demo):
    """A reviewer's comment on an indicator says what the points say: praise where the
    share of the maximum is high, what is missing where it is low; and the comments vary."""
    from scoring.demo import INDICATOR_COMMENTS, OVERALL_COMMENTS
    from scoring.models import Score

    load_review_demo()
    band_of = {phrase: floor for floor, phrases in INDICATOR_COMMENTS for phrase in phrases}
    scores = list(Score.objects.select_related("indicator").filter(review__state="submitted"))
    assert scores
    for score in scores:
        share = float(score.points) / float(score.indicator.max_points)
        floor = band_of[score.comment]
        # Points are the share rounded to whole points: allow half a point either side.
        slack = 0.5 / float(score.indicator.max_points)
        assert share + slack >= floor, (score.comment, share)
        higher = [f for f, _p in INDICATOR_COMMENTS if f > floor]
        assert not higher or share - slack < min(higher), (score.comment, share)
    assert len({s.comment for s in scores}) >= 6
    overall = {phrase for _f, phrases in OVERALL_COMMENTS for phrase in phrases}
    reviews = Review.objects.filter(state="submitted")
    assert {r.overall_comment for r in reviews} <= overall
    assert len({r.overall_comment for r in reviews}) >= 3
