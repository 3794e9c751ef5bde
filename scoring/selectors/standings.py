"""Standings: each stage's ranked dossiers per category, and the final combined ranking.

Read plan (constant in the number of dossiers, asserted in tests/scoring/test_standings.py):
the edition's review policy, the rubric and its dimensions (with indicator counts), the
active assignments with their reviewer, nomination, agency and review, ONE aggregate
query of SUM(points) per (assignment, dimension) grouped in the database, and the
chair's tie decisions. Everything else is arithmetic in scoring.aggregation.

Only submitted reviews of active assignments count: a withdrawn (e.g. conflicted)
reviewer's scores drop out of every figure, although the review rows stay."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Round

from awards.enums import NominationState
from awards.models import Nomination, Stage
from rubrics.models import Dimension, Rubric

from .. import aggregation as agg
from ..enums import Aggregation, ReviewState
from ..models import Assignment, Score, TieDecision
from ..services.conflicts import review_policy

# Nominations that no longer compete drop out of the standings.
NOT_COMPETING = (NominationState.INELIGIBLE, NominationState.WITHDRAWN)


@dataclass
class ReviewerTotal:
    reviewer: object  # the User
    total: float
    normalised: float | None = None  # z-score method only
    assignment_id: int | None = None  # for the link to the review's record
    raw_count: int | None = None  # z-score: kept raw, the reviewer scored only this many


@dataclass
class StandingRow:
    nomination: object
    rank: int | None
    position: int
    score: float | None
    dimensions: list[tuple[Dimension, float | None]]
    totals: list[tuple[int, float]]  # (reviewer id, raw total) of each submitted review
    spread: float | None
    submitted: int
    assigned: int
    disagreement: bool = False
    incomplete: bool = False
    tied: bool = False
    decided: bool = False
    broken_by_dimension: bool = False
    tie_group: tuple = ()
    # Makes reviewer_totals when first asked (a page shows one page of rows, not all).
    totals_of: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def agency(self):
        return self.nomination.agency

    @cached_property
    def reviewer_totals(self) -> list[ReviewerTotal]:
        """Each submitted review's total, by reviewer name."""
        return self.totals_of(self) if self.totals_of else []

    @property
    def raw_totals(self) -> list[ReviewerTotal]:
        """The z-score's small-sample guard: reviewers whose scores here are used raw."""
        return [t for t in self.reviewer_totals if t.raw_count is not None]

    @property
    def flagged(self) -> bool:
        return self.disagreement or self.incomplete or self.tied


@dataclass
class Standings:
    stage: Stage
    category: object
    rubric: Rubric | None
    dimensions: list[Dimension]
    method: str
    disagreement_percent: int
    zscore_min_reviews: int = 1
    rows: list[StandingRow] = field(default_factory=list)
    # For one dossier's detail: each reviewer's sum per dimension, {dimension id:
    # {(reviewer id, nomination id): sum}}, and how many indicators each review scored
    # of the rubric's `indicators`.
    dimension_totals: dict = field(default_factory=dict, repr=False)
    scored_indicators: dict = field(default_factory=dict, repr=False)
    indicators: int = 0

    @property
    def method_label(self) -> str:
        return Aggregation(self.method).label

    def row_for(self, nomination_id) -> StandingRow | None:
        return next((r for r in self.rows if r.nomination.pk == nomination_id), None)

    def reviewer_dimensions(self, row: StandingRow, total: ReviewerTotal) -> list:
        """(dimension, that reviewer's sum on it) for one reviewer's total in a row."""
        key = (total.reviewer.pk, row.nomination.pk)
        return [(d, self.dimension_totals.get(d.pk, {}).get(key)) for d in self.dimensions]

    @property
    def maximum(self) -> int:
        return self.rubric.total_points if self.rubric else 0

    @property
    def threshold_points(self) -> float:
        return self.maximum * self.disagreement_percent / 100

    @property
    def tied_groups(self) -> list[list[StandingRow]]:
        return _tied_groups(self.rows)

    @property
    def scores(self) -> list[float]:
        return [r.score for r in self.rows if r.score is not None]

    def histogram(self, bins: int = 10) -> list[dict]:
        return agg.histogram(self.scores, maximum=self.maximum or 1, bins=bins)


def _tied_groups(rows) -> list[list]:
    """The rows still tied (undecided), grouped, in rank order."""
    by_key = {row.nomination.pk: row for row in rows}
    groups, seen = [], set()
    for row in rows:
        if row.tied and row.tie_group not in seen:
            seen.add(row.tie_group)
            groups.append([by_key[k] for k in row.tie_group])
    return groups


@dataclass
class _RubricInfo:
    rubric: Rubric | None
    dimensions: list[Dimension]
    indicators: int


def _rubric_info(category) -> _RubricInfo:
    rubric = Rubric.objects.filter(category=category).first()
    if rubric is None:
        return _RubricInfo(None, [], 0)
    dimensions = list(
        Dimension.objects.filter(rubric=rubric)
        .annotate(indicator_count=Count("indicators"))
        .order_by("order", "id")
    )
    return _RubricInfo(rubric, dimensions, sum(d.indicator_count for d in dimensions))


def _tie_break_dimensions(dimensions: list[Dimension]) -> list[Dimension]:
    return sorted(
        (d for d in dimensions if d.tie_break_rank is not None),
        key=lambda d: (d.tie_break_rank, d.order, d.pk),
    )


def _decisions(stage) -> dict[int, int]:
    return dict(TieDecision.objects.filter(stage=stage).values_list("nomination_id", "position"))


@dataclass
class _StageData:
    """What one stage's queries give, before ranking."""

    nominations: dict  # nomination id -> Nomination, in a stable order
    assigned: dict  # nomination id -> active assignments
    submitted: dict  # nomination id -> submitted reviews of active assignments
    totals: dict  # (reviewer id, nomination id) -> raw total
    dimension_totals: dict  # dimension id -> {(reviewer id, nomination id): sum}
    reviewers: dict  # reviewer id -> User
    scored_indicators: dict  # (reviewer id, nomination id) -> indicators with points
    scores: dict  # nomination id -> aggregated score
    dimension_scores: dict  # nomination id -> {dimension id: aggregated}
    normalised: dict  # (reviewer id, nomination id) -> normalised (z-score)
    assignment_ids: dict  # (reviewer id, nomination id) -> assignment id
    raw: dict  # z-score: reviewer id -> number of reviews, for those kept raw


def _tuples(queryset) -> list[tuple]:
    """The rows of a values_list() query of integers, read straight from the cursor:
    thousands of rows need none of the ORM's per-row converters."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stage_data(
    stage, category, info: _RubricInfo, method: str, min_reviews: int = 1
) -> _StageData:
    active_assignments = Assignment.objects.filter(
        stage=stage, nomination__category=category, withdrawn_at__isnull=True
    ).exclude(nomination__state__in=NOT_COMPETING)
    # Plain tuples for the 7 × 1,000 assignments; the nominations and reviewers as
    # objects, each in one query (model instances per assignment cost more than the
    # whole aggregate).
    assignments = _tuples(
        active_assignments.order_by("nomination_id", "id").values_list(
            "pk", "nomination_id", "reviewer_id"
        )
    )
    loaded = {
        n.pk: n
        for n in Nomination.objects.filter(
            pk__in=active_assignments.values("nomination_id")
        ).select_related("agency")
    }
    reviewers = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=active_assignments.values("reviewer_id"))
    }
    nominations, assigned, active = {}, defaultdict(int), {}
    for pk, nomination_id, reviewer_id in assignments:
        if nomination_id in loaded:  # absent only if it changed between the queries
            nominations.setdefault(nomination_id, loaded[nomination_id])
            assigned[nomination_id] += 1
            active[pk] = (reviewer_id, nomination_id)

    # The one aggregate, one row per submitted review: its total, how many indicators
    # it scored and its sum on each dimension (0 when it gave nothing there), summed in
    # the database. Points have one decimal (Decimal(6,1)): they are summed as whole
    # tenths in integers, exact and cheaper than numeric sums, and divided by ten here,
    # which gives the same floats as float() of the exact decimal sums.
    tenths = Cast(Round(F("points") * 10), IntegerField())
    dimension_ids = [d.pk for d in info.dimensions]
    per_dimension = {
        f"d{pk}": Sum(tenths, filter=Q(indicator__dimension_id=pk)) for pk in dimension_ids
    }
    sums = (
        Score.objects.filter(
            review__assignment__stage=stage,
            review__assignment__nomination__category=category,
            review__assignment__withdrawn_at__isnull=True,
            review__state=ReviewState.SUBMITTED,
        )
        .exclude(review__assignment__nomination__state__in=NOT_COMPETING)
        .values("review__assignment_id")
        .annotate(points_sum=Sum(tenths), scored=Count("points"), **per_dimension)
        .order_by("review__assignment_id")
        .values_list("review__assignment_id", "points_sum", "scored", *per_dimension)
    )
    rows = _tuples(sums)
    # Parallel columns, one entry per submitted review of an active assignment (a review
    # of an assignment made since the first read is left out).
    rows = [row for row in rows if row[0] in active]
    ids, sums_in_tenths, scored, *per_dimension_tenths = (
        zip(*rows, strict=True) if rows else ((),) * (3 + len(dimension_ids))
    )
    # One active assignment per (stage, nomination, reviewer): this key is unique, and
    # the reviewer is who the z-score normalises.
    keys = [active[pk] for pk in ids]
    values = [(v or 0) / 10 for v in sums_in_tenths]
    columns = [[(v or 0) / 10 for v in column] for column in per_dimension_tenths]
    scored_indicators = dict(zip(keys, scored, strict=True))
    assignment_ids = dict(zip(keys, ids, strict=True))
    by_reviewer = agg.reviewer_groups([r for r, _n in keys])
    by_dossier = agg.reviewer_groups([n for _r, n in keys])
    maximum = info.rubric.total_points if info.rubric else 0
    zscore = method == agg.Method.ZSCORE
    scores, normalised_column = agg.aggregate_column(
        values, by_reviewer, by_dossier, method=method, maximum=maximum, min_reviews=min_reviews
    )
    normalised = dict(zip(keys, normalised_column, strict=True)) if zscore else {}
    raw = {r: len(p) for r, p in by_reviewer.items() if len(p) < min_reviews} if zscore else {}
    dimension_scores: dict = defaultdict(dict)
    dimension_totals: dict = {}
    for dimension, column in zip(info.dimensions, columns, strict=True):
        dimension_totals[dimension.pk] = dict(zip(keys, column, strict=True))
        per, _normalised = agg.aggregate_column(
            column,
            by_reviewer,
            by_dossier,
            method=method,
            maximum=dimension.max_points,
            min_reviews=min_reviews,
        )
        for nomination_id, value in per.items():
            dimension_scores[nomination_id][dimension.pk] = value
    submitted = {n: len(p) for n, p in by_dossier.items()}
    return _StageData(
        nominations=nominations,
        assigned=assigned,
        submitted=submitted,
        totals=dict(zip(keys, values, strict=True)),
        dimension_totals=dimension_totals,
        reviewers=reviewers,
        scored_indicators=scored_indicators,
        scores=scores,
        dimension_scores=dimension_scores,
        normalised=normalised,
        assignment_ids=assignment_ids,
        raw=raw,
    )


def stage_standings(stage, category) -> Standings:
    """The ranked standings of one category in one stage (see the module docstring)."""
    policy = review_policy(stage.edition)
    info = _rubric_info(category)
    method = policy.aggregation
    standings = Standings(
        stage=stage,
        category=category,
        rubric=info.rubric,
        dimensions=info.dimensions,
        method=method,
        disagreement_percent=policy.disagreement_percent,
        zscore_min_reviews=policy.zscore_min_reviews,
    )
    data = _stage_data(stage, category, info, method, policy.zscore_min_reviews)
    standings.dimension_totals = data.dimension_totals
    standings.scored_indicators = data.scored_indicators
    standings.indicators = info.indicators
    breakers = _tie_break_dimensions(info.dimensions)
    ranked = agg.rank(
        (
            agg.Entry(
                pk,
                data.scores.get(pk),
                [data.dimension_scores.get(pk, {}).get(d.pk) for d in breakers],
            )
            for pk in data.nominations
        ),
        _decisions(stage),
    )
    by_nomination = defaultdict(list)
    for (reviewer_id, nomination_id), total in data.totals.items():
        by_nomination[nomination_id].append((reviewer_id, total))
    maximum = standings.maximum
    names = {pk: user.get_full_name() for pk, user in data.reviewers.items()}
    reviewers, raw, normalised = data.reviewers, data.raw, data.normalised
    assignment_ids, scored = data.assignment_ids, data.scored_indicators

    def totals_of(row) -> list[ReviewerTotal]:
        pk = row.nomination.pk
        return [
            ReviewerTotal(
                reviewers[a],
                t,
                None if a in raw else normalised.get((a, pk)),
                assignment_ids.get((a, pk)),
                raw.get(a),
            )
            for a, t in sorted(row.totals, key=lambda t: names[t[0]])
        ]

    for r in ranked:
        pk = r.key
        own = by_nomination.get(pk, [])
        values = [t for _a, t in own]
        submitted = len(own)
        assigned = data.assigned[pk]
        incomplete_review = any(scored.get((a, pk), 0) < info.indicators for a, _t in own)
        standings.rows.append(
            StandingRow(
                nomination=data.nominations[pk],
                rank=r.rank,
                position=r.position,
                score=data.scores.get(pk),
                dimensions=[
                    (d, data.dimension_scores.get(pk, {}).get(d.pk)) for d in info.dimensions
                ],
                totals=own,
                spread=agg.spread(values),
                submitted=submitted,
                assigned=assigned,
                disagreement=agg.disagrees(
                    values, maximum=maximum, percent=policy.disagreement_percent
                ),
                incomplete=submitted < assigned or incomplete_review or not submitted,
                tied=r.tied,
                decided=r.decided,
                broken_by_dimension=r.broken_by_dimension,
                tie_group=r.group,
                totals_of=totals_of,
            )
        )
    return standings


# --- final standings -----------------------------------------------------------------


@dataclass
class StageScore:
    stage: Stage
    weight: int
    score: float | None


@dataclass
class FinalRow:
    nomination: object
    rank: int | None
    position: int
    score: float | None
    stages: list[StageScore]
    dimensions: list[tuple[Dimension, float | None]]
    incomplete: bool = False
    tied: bool = False
    decided: bool = False
    broken_by_dimension: bool = False
    tie_group: tuple = ()

    @property
    def agency(self):
        return self.nomination.agency

    @property
    def missing_stages(self) -> list[Stage]:
        return [s.stage for s in self.stages if s.score is None]


@dataclass
class FinalStandings:
    edition: object
    category: object
    rubric: Rubric | None
    dimensions: list[Dimension]
    method: str
    stages: list[Stage]
    decision_stage: Stage | None
    rows: list[FinalRow] = field(default_factory=list)

    @property
    def method_label(self) -> str:
        return Aggregation(self.method).label

    @property
    def total_weight(self) -> int:
        return sum(s.score_weight for s in self.stages)

    @property
    def tied_groups(self) -> list[list[FinalRow]]:
        return _tied_groups(self.rows)


def weighted_stages(edition) -> list[Stage]:
    return list(
        Stage.objects.filter(edition=edition, score_weight__gt=0).order_by("order", "starts_on")
    )


def final_standings(edition, category) -> FinalStandings:
    """Each dossier's final score: Σ w·score / Σ w over the weighted stages in which it has
    a score. Ties: the edition's tie-break dimensions on the combined dimension scores,
    then the chair's decisions recorded for the last weighted stage."""
    policy = review_policy(edition)
    info = _rubric_info(category)
    stages = weighted_stages(edition)
    method = policy.aggregation
    result = FinalStandings(
        edition=edition,
        category=category,
        rubric=info.rubric,
        dimensions=info.dimensions,
        method=method,
        stages=stages,
        decision_stage=stages[-1] if stages else None,
    )
    per_stage = [
        (stage, _stage_data(stage, category, info, method, policy.zscore_min_reviews))
        for stage in stages
    ]
    nominations: dict = {}
    for _stage, data in per_stage:
        for pk, nomination in data.nominations.items():
            nominations.setdefault(pk, nomination)
    nominations = dict(sorted(nominations.items()))
    combined, combined_dims, stage_scores, incomplete = {}, {}, {}, {}
    for pk in nominations:
        stage_scores[pk] = [
            StageScore(stage, stage.score_weight, data.scores.get(pk)) for stage, data in per_stage
        ]
        combined[pk] = agg.combine_stages((s.weight, s.score) for s in stage_scores[pk])
        combined_dims[pk] = {
            d.pk: agg.combine_stages(
                (stage.score_weight, data.dimension_scores.get(pk, {}).get(d.pk))
                for stage, data in per_stage
            )
            for d in info.dimensions
        }
        incomplete[pk] = any(
            data.assigned.get(pk, 0) > data.submitted.get(pk, 0) for _stage, data in per_stage
        )
    breakers = _tie_break_dimensions(info.dimensions)
    decisions = _decisions(result.decision_stage) if result.decision_stage else {}
    # Dossiers are ranked within how far they went: those scored in more weighted stages
    # (the finalists, after a site visit) rank above those scored in fewer, whatever
    # their numbers, so a dossier that was not shortlisted never outranks a finalist.
    depth = {pk: sum(1 for s in stage_scores[pk] if s.score is not None) for pk in nominations}
    ranked = []
    offset = 0
    for level in sorted(set(depth.values()), reverse=True):
        keys = [pk for pk in nominations if depth[pk] == level]
        for r in agg.rank(
            (
                agg.Entry(pk, combined[pk], [combined_dims[pk].get(d.pk) for d in breakers])
                for pk in keys
            ),
            decisions,
        ):
            r = dataclasses.replace(
                r,
                rank=None if r.rank is None else r.rank + offset,
                position=r.position + offset,
            )
            ranked.append(r)
        offset += len(keys)
    for r in ranked:
        pk = r.key
        result.rows.append(
            FinalRow(
                nomination=nominations[pk],
                rank=r.rank,
                position=r.position,
                score=combined[pk],
                stages=stage_scores[pk],
                dimensions=[(d, combined_dims[pk].get(d.pk)) for d in info.dimensions],
                incomplete=incomplete[pk],
                tied=r.tied,
                decided=r.decided,
                broken_by_dimension=r.broken_by_dimension,
                tie_group=r.group,
            )
        )
    return result
