"""Standings: each stage's ranked dossiers per category, and the final combined ranking.

Read plan (constant in the number of dossiers, asserted in tests/scoring/test_standings.py):
the edition's review policy, the rubric and its dimensions (with indicator counts), the
active assignments (as tuples), their nominations with agencies (tuples, each made a
model instance only when its row is shown), their reviewers, ONE query of each
submitted review's sums (overall and per dimension: stored on the review when it was
submitted, or summed from its scores in the same query where they were not stored; a
semi-join on the active assignments), and the chair's tie decisions. Everything else is
scoring.aggregation's arithmetic, done over columns: what ranking needs (each dossier's
score, its tie-break dimensions) for every dossier, the rest (dimension scores, each
reviewer's normalised total) for the rows asked about, with the same floats.

Only submitted reviews of active assignments count: a withdrawn (e.g. conflicted)
reviewer's scores drop out of every figure, although the review rows stay."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Round

from awards.enums import NominationState
from awards.models import Nomination, Stage
from rubrics.models import Dimension, Rubric

from .. import aggregation as agg
from ..enums import Aggregation, ReviewState
from ..models import Assignment, Review, Score, TieDecision
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
    spread: float | None
    submitted: int
    assigned: int
    disagreement: bool = False
    incomplete: bool = False
    tied: bool = False
    decided: bool = False
    broken_by_dimension: bool = False
    tie_group: tuple = ()
    # Positions of the dossier's submitted reviews in `review_totals` (the stage's
    # columns), and their reviewers.
    positions: list = field(default_factory=list, repr=False, compare=False)
    review_totals: list = field(default_factory=list, repr=False, compare=False)
    reviewer_of: list = field(default_factory=list, repr=False, compare=False)
    # Make the nomination (with its agency), the dimension scores and reviewer_totals
    # when first asked: a page shows one page of rows, not all.
    nomination_of: Callable | None = field(default=None, repr=False, compare=False)
    dimensions_of: Callable | None = field(default=None, repr=False, compare=False)
    totals_of: Callable | None = field(default=None, repr=False, compare=False)

    @cached_property
    def nomination(self):
        return self.nomination_of(self.nomination_id)

    @cached_property
    def totals(self) -> list[tuple[int, float]]:
        """(reviewer id, raw total) of each submitted review."""
        return [(self.reviewer_of[i], self.review_totals[i]) for i in self.positions]

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
    nominations: Mapping = field(default_factory=dict, repr=False)

    @property
    def method_label(self) -> str:
        return Aggregation(self.method).label

    def row_for(self, nomination_id) -> StandingRow | None:
        row = next((r for r in self.rows if r.nomination_id == nomination_id), None)
        if row is not None:
            self.load_nominations([row.nomination_id])
        return row

    def load_nominations(self, ids) -> None:
        """Read these rows' nominations (with their agencies) in one query, ahead of
        showing them; a row's nomination otherwise reads every row's at once."""
        load = getattr(self.nominations, "load", None)
        if load is not None:
            load(ids)

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
    by_dossier: dict  # nomination id -> positions of its submitted reviews
    reviewer_of: list  # position -> reviewer id
    values: list  # position -> raw total
    scored_of: list  # position -> indicators with points


class _Nominations(Mapping):
    """{nomination id: Nomination with its agency}, for the ids the assignments gave,
    in their order. Read when first asked, as tuples in one query, and each made a model
    instance when first asked: a page shows 50 dossiers of 1,000, so it reads only
    those (`load`); anything else that asks for one reads all of them at once."""

    def __init__(self, ids):
        self._ids = dict.fromkeys(ids)
        self._fields = [f.attname for f in Nomination._meta.concrete_fields]
        agency = Nomination._meta.get_field("agency").related_model
        self._agency_model = agency
        self._agency_fields = [f.attname for f in agency._meta.concrete_fields]
        self._width = len(self._fields)
        self._rows: dict = {}
        self._made: dict = {}
        self._db = None

    @property
    def ids(self):
        """The nominations' ids (a set-like view)."""
        return self._ids.keys()

    def load(self, ids) -> None:
        """Read the nominations among `ids` not yet read, in one query."""
        wanted = [pk for pk in ids if pk in self._ids and pk not in self._rows]
        if not wanted:
            return
        queryset = Nomination.objects.filter(pk__in=wanted)
        self._db = queryset.db
        self._rows.update(
            (row[0], row)
            for row in queryset.values_list(
                *self._fields, *(f"agency__{name}" for name in self._agency_fields)
            )
        )

    def __getitem__(self, pk):
        made = self._made.get(pk)
        if made is None:
            if pk not in self._ids:
                raise KeyError(pk)
            if pk not in self._rows:
                self.load(self._ids)
            row = self._rows[pk]
            made = Nomination.from_db(self._db, self._fields, row[: self._width])
            agency = self._agency_model.from_db(self._db, self._agency_fields, row[self._width :])
            Nomination._meta.get_field("agency").set_cached_value(made, agency)
            self._made[pk] = made
        return made

    def __contains__(self, pk) -> bool:
        return pk in self._ids

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def _scale_of(values: list[float]) -> tuple[float, float]:
    """agg._scale_of's (mean, population sd): the same operations in the same order."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, 0.0
    return m, math.sqrt(sum([(x - m) ** 2 for x in values]) / n)


class _Column:
    """One column of the per-review sums (the totals, or one dimension's sums) with
    exactly agg.aggregate_column's arithmetic (the same operations in the same order,
    so the same floats), each value computed when asked. Each reviewer's mean and
    deviation need every review and are computed at once; a review's normalised value
    and a dossier's aggregate only for the dossiers asked about."""

    def __init__(self, values, reviewer_of, by_reviewer, *, method, maximum, min_reviews):
        self.values = values
        self._reviewer_of = reviewer_of
        self._by_reviewer = by_reviewer
        self._min_reviews = min_reviews
        self._method = method
        self._top = float(maximum)
        if method in (agg.Method.ZSCORE, agg.Method.MEAN):
            self._combine = None
        else:
            self._combine = {
                agg.Method.TRIMMED_MEAN: agg.trimmed_mean,
                agg.Method.MEDIAN: agg.median,
            }.get(method)
            if self._combine is None:
                raise ValueError(f"unknown aggregation method {method!r}")

    # The z-score's scales, computed when the column is first used (a dimension's column
    # only for a shown row or a tie broken by dimension).
    @cached_property
    def _panel(self) -> tuple[float, float]:
        return _scale_of(self.values) if self.values else (0.0, 0.0)

    @cached_property
    def _own(self) -> dict:
        """reviewer -> (mean, sd), or None when their sums are used raw."""
        values = self.values
        return {
            reviewer: None
            if len(positions) < self._min_reviews
            else _scale_of([values[i] for i in positions])
            for reviewer, positions in self._by_reviewer.items()
        }

    def normalised(self, i: int) -> float:
        """The z-score's value of review i (agg.zscore_column)."""
        x, own, top = self.values[i], self._own[self._reviewer_of[i]], self._top
        if own is None:  # kept raw
            return min(max(x, 0.0), top)
        panel_mean, panel_sd = self._panel
        if own[1] > agg.EPSILON:
            return min(max(panel_mean + (x - own[0]) / own[1] * panel_sd, 0.0), top)
        return min(max(x - own[0] + panel_mean, 0.0), top)

    @cached_property
    def all_normalised(self) -> list[float]:
        """`normalised(i)` of every review, in one pass: the same operations in the same
        order (so the same floats), for a column every dossier's score needs."""
        values, top, epsilon = self.values, self._top, agg.EPSILON
        panel_mean, panel_sd = self._panel
        own = self._own
        out = []
        append = out.append
        for x, reviewer in zip(values, self._reviewer_of, strict=True):
            scale = own[reviewer]
            if scale is None:
                append(min(max(x, 0.0), top))
            elif scale[1] > epsilon:
                append(min(max(panel_mean + (x - scale[0]) / scale[1] * panel_sd, 0.0), top))
            else:
                append(min(max(x - scale[0] + panel_mean, 0.0), top))
        return out

    def scores(self, by_dossier: dict) -> dict:
        """{dossier: the aggregate of its reviews}, for every dossier (the totals)."""
        if self._method == agg.Method.ZSCORE:
            normalised = self.all_normalised
            return {
                n: sum([normalised[i] for i in positions]) / len(positions)
                for n, positions in by_dossier.items()
            }
        return {n: self.score(positions) for n, positions in by_dossier.items()}

    def score(self, positions) -> float:
        """The aggregate of the reviews at `positions` (one dossier's: agg.combine_column)."""
        if self._method == agg.Method.ZSCORE:
            normalised = self.normalised
            return sum(normalised(i) for i in positions) / len(positions)
        values = self.values
        if self._combine is None:
            return sum(values[i] for i in positions) / len(positions)
        return self._combine([values[i] for i in positions])


class _DimensionScores(Mapping):
    """{nomination id: {dimension id: aggregated score}}, each dossier's computed when
    first asked (its row is shown, or a tie is broken by dimension)."""

    def __init__(self, dimensions, columns, by_dossier):
        self._pairs = list(zip((d.pk for d in dimensions), columns, strict=True))
        self._by_dossier = by_dossier
        self._made: dict = {}

    def __getitem__(self, pk) -> dict:
        made = self._made.get(pk)
        if made is None:
            positions = self._by_dossier[pk]
            made = {d: column.score(positions) for d, column in self._pairs}
            self._made[pk] = made
        return made

    def __iter__(self):
        return iter(self._by_dossier)

    def __len__(self) -> int:
        return len(self._by_dossier)


class _Positions:
    """{(reviewer id, nomination id): position of its review in the columns}, made when
    first asked (for one dossier's detail or a page's rows, not to rank)."""

    def __init__(self, keys: list):
        self._keys = keys

    @cached_property
    def of(self) -> dict:
        return {key: i for i, key in enumerate(self._keys)}


class _ByReview(Mapping):
    """{(reviewer id, nomination id): a review's value}, a view of one column."""

    def __init__(self, positions: _Positions, value_of: Callable):
        self._positions = positions
        self._value_of = value_of

    def __getitem__(self, key):
        return self._value_of(self._positions.of[key])

    def __iter__(self):
        return iter(self._positions.of)

    def __len__(self) -> int:
        return len(self._positions.of)


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
    # Plain tuples for the 7 × 1,000 assignments; the reviewers as objects in one query,
    # the nominations when first asked for (model instances per assignment cost more
    # than the whole aggregate).
    assignments = _tuples(
        active_assignments.order_by("nomination_id", "id").values_list(
            "pk", "nomination_id", "reviewer_id"
        )
    )
    reviewers = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=active_assignments.values("reviewer_id"))
    }
    nominations, assigned, active = {}, defaultdict(int), {}
    for pk, nomination_id, reviewer_id in assignments:
        nominations[nomination_id] = None
        assigned[nomination_id] += 1
        active[pk] = (reviewer_id, nomination_id)

    # One row per submitted review: its total, how many indicators it scored and its sum
    # on each dimension (0 when it gave nothing there), in whole tenths of a point
    # (points have one decimal, Decimal(6,1)), divided by ten here, which gives the same
    # floats as float() of the exact decimal sums. The sums stored on the review when it
    # was submitted (review_transition) are read as they are; a submitted review without
    # them (not stored by its writer) has its scores summed here, in the same query.
    dimension_ids = [d.pk for d in info.dimensions]
    names = [f"d{pk}" for pk in dimension_ids]
    active_ids = active_assignments.values("pk")
    stored = (
        Review.objects.filter(
            state=ReviewState.SUBMITTED,
            assignment__in=active_ids,
            total_tenths__isnull=False,
        )
        .annotate(
            **{
                name: Cast(KeyTextTransform(name, "dimension_tenths"), IntegerField())
                for name, pk in zip(names, dimension_ids, strict=True)
            }
        )
        .order_by()
        .values_list("assignment_id", "total_tenths", "scored_count", *names)
    )
    tenths = Cast(Round(F("points") * 10), IntegerField())
    summed = (
        # The active assignments as a subquery (a semi-join): PostgreSQL then joins
        # the scores with their reviews only, not with assignments and nominations.
        Score.objects.filter(
            review__state=ReviewState.SUBMITTED,
            review__assignment__in=active_ids,
            review__total_tenths__isnull=True,
        )
        .values("review__assignment_id")
        .annotate(
            points_sum=Sum(tenths),
            scored=Count("points"),
            **{
                name: Sum(tenths, filter=Q(indicator__dimension_id=pk))
                for name, pk in zip(names, dimension_ids, strict=True)
            },
        )
        .order_by()
        .values_list("review__assignment_id", "points_sum", "scored", *names)
    )
    rows = _tuples(stored.union(summed, all=True))
    rows.sort()  # by assignment id (unique): the order the floats are summed in
    # Parallel columns, one entry per submitted review of an active assignment (a review
    # of an assignment made since the first read is left out).
    rows = [row for row in rows if row[0] in active]
    ids, sums_in_tenths, scored, *per_dimension_tenths = (
        zip(*rows, strict=True) if rows else ((),) * (3 + len(dimension_ids))
    )
    # One active assignment per (stage, nomination, reviewer): this key is unique, and
    # the reviewer is who the z-score normalises.
    keys = [active[pk] for pk in ids]
    position = _Positions(keys)
    values = [(v or 0) / 10 for v in sums_in_tenths]
    columns = [[(v or 0) / 10 for v in column] for column in per_dimension_tenths]
    reviewer_of = [r for r, _n in keys]
    by_reviewer = agg.reviewer_groups(reviewer_of)
    by_dossier = agg.reviewer_groups([n for _r, n in keys])
    maximum = info.rubric.total_points if info.rubric else 0
    zscore = method == agg.Method.ZSCORE
    common = {"method": method, "min_reviews": min_reviews}
    total = _Column(values, reviewer_of, by_reviewer, maximum=maximum, **common)
    scores = total.scores(by_dossier)
    raw = {r: len(p) for r, p in by_reviewer.items() if len(p) < min_reviews} if zscore else {}
    dimension_columns = [
        _Column(column, reviewer_of, by_reviewer, maximum=d.max_points, **common)
        for d, column in zip(info.dimensions, columns, strict=True)
    ]
    submitted = {n: len(p) for n, p in by_dossier.items()}
    return _StageData(
        nominations=_Nominations(nominations),
        assigned=assigned,
        submitted=submitted,
        totals=_ByReview(position, values.__getitem__),
        dimension_totals={
            d.pk: _ByReview(position, column.__getitem__)
            for d, column in zip(info.dimensions, columns, strict=True)
        },
        reviewers=reviewers,
        scored_indicators=_ByReview(position, scored.__getitem__),
        scores=scores,
        dimension_scores=_DimensionScores(info.dimensions, dimension_columns, by_dossier),
        normalised=_ByReview(position, total.normalised) if zscore else {},
        assignment_ids=_ByReview(position, ids.__getitem__),
        raw=raw,
        by_dossier=by_dossier,
        reviewer_of=reviewer_of,
        values=values,
        scored_of=scored,
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
    standings.nominations = data.nominations
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
    reviewer_of, values, scored_of = data.reviewer_of, data.values, data.scored_of
    by_dossier = data.by_dossier
    names = {pk: user.get_full_name() for pk, user in data.reviewers.items()}
    reviewers, raw, normalised = data.reviewers, data.raw, data.normalised
    assignment_ids = data.assignment_ids
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
        positions = by_dossier.get(pk, empty)
        submitted = len(positions)
        assigned = assigned_of[pk]
        if positions:
            given = [values[i] for i in positions]
            spread = max(given) - min(given)
            incomplete = submitted < assigned or any(scored_of[i] < indicators for i in positions)
        else:
            spread, incomplete = None, True
        standings.rows.append(
            StandingRow(
                nomination_id=pk,
                rank=r.rank,
                position=r.position,
                score=scores.get(pk),
                positions=positions,
                review_totals=values,
                reviewer_of=reviewer_of,
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
