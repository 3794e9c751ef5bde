"""Helpers for the standings, ties and shortlisting tests (and the browser test): assign
and score directly, and build many scored dossiers in bulk."""

from django.utils import timezone

from agencies.models import Agency
from awards.enums import NominationState
from awards.models import Nomination
from rubrics.models import Indicator
from scoring.enums import ReviewState
from scoring.models import Assignment, Review, Score
from scoring.services.reviews import review_sums_store
from tests.factories import score_directly

# TW 8th first-line rubric: indicator maxima 200, 200 | 100, 200 | 300, in three dimensions
# D1 convenient quality service (400) = i1 + i2, D2 online (300) = i3 + i4, D3 innovation
# (300) = i5.


def indicators(cycle) -> list[Indicator]:
    return list(
        Indicator.objects.filter(dimension__rubric=cycle.rubric).order_by(
            "dimension__order", "order"
        )
    )


def assign(cycle, nomination, reviewer, stage=None) -> Assignment:
    return Assignment.objects.create(
        stage=stage or cycle.written, nomination=nomination, reviewer=reviewer
    )


def give(cycle, assignment, points, *, submit=True):
    """Score an assignment: `points` per indicator in rubric order."""
    return score_directly(
        assignment, dict(zip(indicators(cycle), points, strict=True)), submit=submit
    )


def split(total) -> list:
    """A total spread over the five indicators in proportion to their maxima."""
    return [total * m / 1000 for m in (200, 200, 100, 200, 300)]


def many_dossiers(cycle, count, *, reviewers=3, stage=None, base=500):
    """`count` more eligible nominations, each assigned to `reviewers` panel reviewers
    with submitted reviews, made in bulk. Totals vary with the dossier and reviewer."""
    stage = stage or cycle.written
    parent = cycle.authorities[0]
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"BULK{i:05d}",
            name_zh=f"大量機關{i}",
            name_en=f"Bulk agency {i}",
            parent=parent,
            depth=parent.depth + 1,
            path=f"{parent.path}{i:010d}/",
        )
        for i in range(count)
    )
    nominations = Nomination.objects.bulk_create(
        Nomination(
            edition=cycle.edition,
            category=cycle.category,
            agency=agency,
            created_by=cycle.secretariat,
            state=NominationState.ELIGIBLE,
        )
        for agency in agencies
    )
    panel = cycle.reviewers[:reviewers]
    assignments = Assignment.objects.bulk_create(
        Assignment(stage=stage, nomination=n, reviewer=r) for n in nominations for r in panel
    )
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        Review(assignment=a, state=ReviewState.SUBMITTED, submitted_at=now) for a in assignments
    )
    inds = indicators(cycle)
    Score.objects.bulk_create(
        Score(
            review=review,
            indicator=ind,
            points=min(
                ind.max_points, round(ind.max_points * (base + (i * 37 + j * 11) % 400) / 1000)
            ),
        )
        for i, review in enumerate(reviews)
        for j, ind in enumerate(inds)
    )
    review_sums_store(reviews)
    return nominations
