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
from collections.abc import Callable, Mapping
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
    nomination_id: int
    rank: int | None
    position: int
    score: float | None
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
    # Make the nomination (with its agency), the dimension scores and reviewer_totals
    # when first asked: a page shows one page of rows, not all.
    nomination_of: Callable | None = field(default=None, repr=False, compare=False)
    dimensions_of: Callable | None = field(default=None, repr=False, compare=False)
    totals_of: Callable | None = field(default=None, repr=False, compare=False)

    @cached_property
    def nomination(self):
        return self.nomination_of(self.nomination_id)

    @cached_property
    def dimensions(self) -> list[tuple[Dimension, float | None]]:
        """(dimension, the dossier's aggregated score on it), in the rubric's order."""
        return self.dimensions_of(self.nomination_id) if self.dimensions_of else []

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
        return next((r for r in self.rows if r.nomination_id == nomination_id), None)

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
    by_key = {row.nomination_id: row for row in rows}
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

    nominations: _Nominations  # nomination id -> Nomination, in a stable order
    assigned: dict  # nomination id -> active assignments
    submitted: dict  # nomination id -> submitted reviews of active assignments
    totals: dict  # (reviewer id, nomination id) -> raw total
    dimension_totals: dict  # dimension id -> {(reviewer id, nomination id): sum}
    reviewers: dict  # reviewer id -> User
    scored_indicators: dict  # (reviewer id, nomination id) -> indicators with points
    scores: dict  # nomination id -> aggregated score
    dimension_scores: _DimensionScores  # nomination id -> {dimension id: aggregated}
    normalised: dict  # (reviewer id, nomination id) -> normalised (z-score)
    assignment_ids: dict  # (reviewer id, nomination id) -> assignment id
    raw: dict  # z-score: reviewer id -> number of reviews, for those kept raw


class _Nominations(Mapping):
    """{nomination id: Nomination with its agency}, read in one query as tuples and each
    made a model instance when first asked: a page shows 50 dossiers of 1,000, and
    1,000 instances (and their agencies) cost more than the whole aggregate."""

    def __init__(self, queryset):
        self._fields = [f.attname for f in Nomination._meta.concrete_fields]
        agency = Nomination._meta.get_field("agency").related_model
        self._agency_model = agency
        self._agency_fields = [f.attname for f in agency._meta.concrete_fields]
        self._db = queryset.db
        width = len(self._fields)
        self._width = width
        self._rows = {
            row[0]: row
            for row in queryset.values_list(
                *self._fields, *(f"agency__{name}" for name in self._agency_fields)
            )
        }
        self._made: dict = {}

    def ordered(self, ids) -> _Nominations:
        """The same nominations, only `ids` and in their order."""
        rows = self._rows
        self._rows = {pk: rows[pk] for pk in ids if pk in rows}
        return self

    def __getitem__(self, pk):
        made = self._made.get(pk)
        if made is None:
            row = self._rows[pk]
            made = Nomination.from_db(self._db, self._fields, row[: self._width])
            agency = self._agency_model.from_db(self._db, self._agency_fields, row[self._width :])
            Nomination._meta.get_field("agency").set_cached_value(made, agency)
            self._made[pk] = made
        return made

    def __contains__(self, pk) -> bool:
        return pk in self._rows

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class _DimensionScores(Mapping):
    """{nomination id: {dimension id: aggregated score}}, each dossier's computed when
    first asked, with exactly agg.aggregate_column's arithmetic (the same operations in
    the same order, so the same floats). Each reviewer's mean and deviation on each
    dimension need every review and are computed at once; a dossier's normalised sums
    and their aggregate only when its row is shown or a tie is broken by dimension."""

    def __init__(
        self, dimensions, columns, reviewer_of, by_reviewer, by_dossier, *, method, min_reviews
    ):
        self._dimensions = dimensions
        self._columns = columns
        self._reviewer_of = reviewer_of
        self._by_dossier = by_dossier
        self._method = method
        self._made: dict = {}
        if method not in (agg.Method.MEAN, agg.Method.ZSCORE):
            self._combine = {
                agg.Method.TRIMMED_MEAN: agg.trimmed_mean,
                agg.Method.MEDIAN: agg.median,
            }.get(method)
            if self._combine is None:
                raise ValueError(f"unknown aggregation method {method!r}")
        # z-score: per dimension (panel mean, panel sd, {reviewer: (mean, sd) or None
        # when kept raw}), as agg.zscore_column computes them.
        self._scales = []
        if method == agg.Method.ZSCORE:
            for column in columns:
                if not column:
                    self._scales.append(None)
                    continue
                own = {}
                for reviewer, positions in by_reviewer.items():
                    values = [column[i] for i in positions]
                    own[reviewer] = None if len(values) < min_reviews else agg._scale_of(values)
                self._scales.append((*agg._scale_of(column), own))

    def _value(self, d: int, positions) -> float:
        column = self._columns[d]
        if self._method == agg.Method.ZSCORE:
            top = float(self._dimensions[d].max_points)
            panel_mean, panel_sd, own = self._scales[d]
            values = []
            for i in positions:
                x, scale = column[i], own[self._reviewer_of[i]]
                if scale is None:  # kept raw
                    values.append(min(max(x, 0.0), top))
                elif scale[1] > agg.EPSILON:
                    values.append(
                        min(max(panel_mean + (x - scale[0]) / scale[1] * panel_sd, 0.0), top)
                    )
                else:
                    values.append(min(max(x - scale[0] + panel_mean, 0.0), top))
            return sum(v for v in values) / len(values)
        if self._method == agg.Method.MEAN:
            return sum(column[i] for i in positions) / len(positions)
        return self._combine([column[i] for i in positions])

    def __getitem__(self, pk) -> dict:
        made = self._made.get(pk)
        if made is None:
            positions = self._by_dossier[pk]
            made = {
                dimension.pk: self._value(d, positions)
                for d, dimension in enumerate(self._dimensions)
            }
            self._made[pk] = made
        return made

    def __iter__(self):
        return iter(self._by_dossier)

    def __len__(self) -> int:
        return len(self._by_dossier)


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
    loaded = _Nominations(
        Nomination.objects.filter(pk__in=active_assignments.values("nomination_id"))
    )
    reviewers = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=active_assignments.values("reviewer_id"))
    }
    nominations, assigned, active = {}, defaultdict(int), {}
    for pk, nomination_id, reviewer_id in assignments:
        if nomination_id in loaded:  # absent only if it changed between the queries
            nominations[nomination_id] = None
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
    dimension_totals: dict = {}
    for dimension, column in zip(info.dimensions, columns, strict=True):
        dimension_totals[dimension.pk] = dict(zip(keys, column, strict=True))
    dimension_scores = _DimensionScores(
        info.dimensions,
        columns,
        [r for r, _n in keys],
        by_reviewer,
        by_dossier,
        method=method,
        min_reviews=min_reviews,
    )
    submitted = {n: len(p) for n, p in by_dossier.items()}
    return _StageData(
        nominations=loaded.ordered(nominations),
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
    dimension_scores = data.dimension_scores
    ranked = agg.rank(
        (
            agg.Entry(
                pk,
                data.scores.get(pk),
                [dimension_scores.get(pk, {}).get(d.pk) for d in breakers] if breakers else (),
            )
            for pk in data.nominations
        ),
        _decisions(stage),
    )
    by_nomination = defaultdict(list)
    for (reviewer_id, nomination_id), total in data.totals.items():
        by_nomination[nomination_id].append((reviewer_id, total))
    names = {pk: user.get_full_name() for pk, user in data.reviewers.items()}
    reviewers, raw, normalised = data.reviewers, data.raw, data.normalised
    assignment_ids, scored = data.assignment_ids, data.scored_indicators
    dimensions = info.dimensions

    def totals_of(row) -> list[ReviewerTotal]:
        pk = row.nomination_id
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

    def dimensions_of(pk) -> list[tuple[Dimension, float | None]]:
        own = dimension_scores.get(pk, {})
        return [(d, own.get(d.pk)) for d in dimensions]

    # agg.spread and agg.disagrees, inlined: the same comparison, once per dossier.
    threshold = round(standings.maximum * policy.disagreement_percent / 100, agg.PRECISION)
    indicators = info.indicators
    nomination_of = data.nominations.__getitem__
    scores, assigned_of = data.scores, data.assigned
    empty: list = []
    for r in ranked:
        pk = r.key
        own = by_nomination.get(pk, empty)
        submitted = len(own)
        assigned = assigned_of[pk]
        if own:
            values = [t for _a, t in own]
            spread = max(values) - min(values)
            incomplete = submitted < assigned or any(
                scored.get((a, pk), 0) < indicators for a, _t in own
            )
        else:
            spread, incomplete = None, True
        standings.rows.append(
            StandingRow(
                nomination_id=pk,
                rank=r.rank,
                position=r.position,
                score=scores.get(pk),
                totals=own,
                spread=spread,
                submitted=submitted,
                assigned=assigned,
                disagreement=spread is not None and round(spread, agg.PRECISION) > threshold,
                incomplete=incomplete,
                tied=r.tied,
                decided=r.decided,
                broken_by_dimension=r.broken_by_dimension,
                tie_group=r.group,
                nomination_of=nomination_of,
                dimensions_of=dimensions_of,
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
    def nomination_id(self) -> int:
        return self.nomination.pk

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
