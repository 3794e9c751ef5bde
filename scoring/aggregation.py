"""How reviewers' scores become one score per dossier, and dossiers become a ranking.

Pure functions on plain numbers: no Django, no database. scoring.selectors.standings
feeds them the totals read in one query; the tests feed them hand-computed cases.

All arithmetic is in floats. Points are stored with one decimal (Decimal(6,1)) and
converted with float() on the way in; scores are compared rounded to 4 decimals
(`PRECISION`), so representation noise (0.1 + 0.2) never decides a rank, and shown with
2 decimals.

A reviewer's *total* for a dossier is the sum of their points on its indicators (for a
dimension: on the dimension's indicators). A dossier's score in a stage is aggregated
from the totals of its reviewers whose reviews are submitted, by the edition's method:

mean
    Σ xᵢ / n.
trimmed mean
    With n ≥ 3 totals, drop one highest and one lowest, then the mean of the rest
    (n = 3 keeps the middle one). With n < 3, the plain mean.
median
    The middle total; with an even n, the mean of the two middle ones.
z-score normalisation (per reviewer, rescaled to the rubric)
    Corrects lenient and harsh reviewers. Over every total in the stage and category:
    μ, σ = mean and population standard deviation of all reviewers' totals.
    For each reviewer r: μᵣ, σᵣ = mean and population sd of r's own totals there.
    Each total x of r becomes
        z = (x − μᵣ) / σᵣ,   normalised = μ + z · σ                  if σᵣ > 0
        normalised = x − μᵣ + μ                                     if σᵣ = 0
    (σᵣ = 0 when r scored a single dossier, or gave every dossier the same total: their
    level is corrected, there is no spread to rescale), then clamped to [0, maximum].
    Small samples: a reviewer with fewer than `min_reviews` totals there (the review
    policy's minimum, 5 by default) is not normalised at all: their totals are used raw
    (clamped), since μᵣ and σᵣ of two or three totals say nothing about leniency (two
    reviews of 967 and 963 would otherwise become about 898 and 691). Their totals still
    count in the panel's μ and σ.
    The dossier's score is the mean of its normalised totals. So a reviewer who is 100
    points harsher than the panel on every dossier has that 100 points added back, and
    one who uses half the panel's spread has their spread doubled.
    Properties (tested): each reviewer's own order is kept (weakly: the map is
    increasing and clamping is monotone); removing one reviewer leaves every other
    reviewer's μᵣ, σᵣ and so their z unchanged, only the panel-wide μ and σ move, so the
    dossiers the removed reviewer did not score all move by the same affine map
    (μ' + σ'·z̄ instead of μ + σ·z̄) where their reviewers have σᵣ > 0 and nothing is
    clamped: their order among themselves is unchanged, but their numbers do change.
    With the other three methods removing a reviewer changes only the dossiers they
    scored.

Per-dimension breakdowns use the same method on the reviewers' dimension sums (for the
z-score, normalised among the dimension sums with the dimension's maximum). So under
the median, trimmed mean or z-score the breakdown need not add up to the score.

Disagreement: a dossier is flagged for moderation when max − min of its reviewers'
(raw) totals exceeds `percent` % of the rubric total.

Stages: final = Σ w_s · score_s / Σ w_s over the stages with weight w_s > 0 in which the
dossier has a score (e.g. 30 % written review + 70 % site visit; or site visit only).

Ranking: by score, descending. Equal scores are ordered by the higher score on the
dimension whose tie-break rank is 1, then 2, …; dossiers still equal are ordered by the
chair's recorded decision (a position among the tied) when every one of them has one,
otherwise they share the rank and are marked tied, for the chair to decide. Ranks are
"1, 2, 2, 4": a shared rank skips the places it takes.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PRECISION = 4  # decimals compared when ranking
EPSILON = 1e-9  # a standard deviation below this is zero


class Method:
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    ZSCORE = "zscore"


def mean(values: Sequence[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def trimmed_mean(values: Sequence[float]) -> float | None:
    """Drop one highest and one lowest when there are at least 3 values; else the mean."""
    values = sorted(values)
    if len(values) >= 3:
        values = values[1:-1]
    return mean(values)


def median(values: Sequence[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def pstdev(values: Sequence[float]) -> float:
    """Population standard deviation: √(Σ (x − x̄)² / n); 0 for fewer than two values."""
    values = list(values)
    if len(values) < 2:
        return 0.0
    m = sum(values) / len(values)
    return math.sqrt(sum((x - m) ** 2 for x in values) / len(values))


@dataclass(frozen=True)
class Scale:
    """A mean and a population standard deviation."""

    mean: float
    sd: float


def panel_scale(totals: Mapping[tuple[Hashable, Hashable], float]) -> Scale | None:
    """μ and σ of every (reviewer, dossier) total."""
    values = list(totals.values())
    if not values:
        return None
    return Scale(mean(values), pstdev(values))


def reviewer_scales(
    totals: Mapping[tuple[Hashable, Hashable], float],
) -> dict[Hashable, Scale]:
    """μᵣ and σᵣ of each reviewer's own totals. Keys of `totals` are (reviewer, dossier)."""
    by_reviewer: dict[Hashable, list[float]] = defaultdict(list)
    for (reviewer, _dossier), value in totals.items():
        by_reviewer[reviewer].append(value)
    return {r: Scale(mean(v), pstdev(v)) for r, v in by_reviewer.items()}


def clamp(value: float, maximum: float) -> float:
    return min(max(value, 0.0), float(maximum))


def review_counts(totals: Mapping[tuple[Hashable, Hashable], float]) -> dict[Hashable, int]:
    """How many totals each reviewer has. Keys of `totals` are (reviewer, dossier)."""
    counts: dict[Hashable, int] = defaultdict(int)
    for reviewer, _dossier in totals:
        counts[reviewer] += 1
    return dict(counts)


def raw_reviewers(
    totals: Mapping[tuple[Hashable, Hashable], float], *, min_reviews: int
) -> dict[Hashable, int]:
    """The reviewers the z-score leaves raw (fewer than `min_reviews` totals), each with
    their number of totals."""
    return {r: n for r, n in review_counts(totals).items() if n < min_reviews}


def zscore_normalise(
    totals: Mapping[tuple[Hashable, Hashable], float],
    *,
    maximum: float,
    min_reviews: int = 1,
) -> dict[tuple[Hashable, Hashable], float]:
    """Each (reviewer, dossier) total normalised per reviewer and rescaled to the panel
    (see the module docstring), clamped to [0, maximum]. A reviewer with fewer than
    `min_reviews` totals keeps their raw totals."""
    panel = panel_scale(totals)
    if panel is None:
        return {}
    scales = reviewer_scales(totals)
    raw = raw_reviewers(totals, min_reviews=min_reviews)
    out = {}
    for (reviewer, dossier), x in totals.items():
        own = scales[reviewer]
        if reviewer in raw:
            value = x
        elif own.sd > EPSILON:
            value = panel.mean + (x - own.mean) / own.sd * panel.sd
        else:
            value = x - own.mean + panel.mean
        out[reviewer, dossier] = clamp(value, maximum)
    return out


def aggregate(
    totals: Mapping[tuple[Hashable, Hashable], float],
    *,
    method: str,
    maximum: float,
    min_reviews: int = 1,
) -> dict[Hashable, float]:
    """One score per dossier from {(reviewer, dossier): total}. Dossiers without any
    total are absent from the result. `min_reviews`: the z-score's small-sample guard."""
    if method == Method.ZSCORE:
        totals = zscore_normalise(totals, maximum=maximum, min_reviews=min_reviews)
    elif method not in (Method.MEAN, Method.TRIMMED_MEAN, Method.MEDIAN):
        raise ValueError(f"unknown aggregation method {method!r}")
    by_dossier: dict[Hashable, list[float]] = defaultdict(list)
    for (_reviewer, dossier), value in totals.items():
        by_dossier[dossier].append(float(value))
    combine = {
        Method.MEAN: mean,
        Method.ZSCORE: mean,
        Method.TRIMMED_MEAN: trimmed_mean,
        Method.MEDIAN: median,
    }[method]
    return {dossier: combine(values) for dossier, values in by_dossier.items()}


def spread(values: Iterable[float]) -> float | None:
    values = list(values)
    return max(values) - min(values) if values else None


def disagrees(values: Iterable[float], *, maximum: float, percent: float) -> bool:
    """max − min of the reviewers' totals is more than `percent` % of `maximum`."""
    gap = spread(values)
    return gap is not None and round(gap, PRECISION) > round(maximum * percent / 100, PRECISION)


def combine_stages(weighted: Iterable[tuple[float, float | None]]) -> float | None:
    """Σ w·s / Σ w over the (weight, score) pairs with w > 0 and a score."""
    pairs = [(w, s) for w, s in weighted if w and w > 0 and s is not None]
    if not pairs:
        return None
    return sum(w * s for w, s in pairs) / sum(w for w, _s in pairs)


# --- ranking ---------------------------------------------------------------------------


@dataclass
class Entry:
    """A dossier to rank: its score and its scores on the tie-break dimensions, in
    tie-break order (1, 2, …)."""

    key: Hashable
    score: float | None
    tie_breaks: Sequence[float | None] = ()


@dataclass
class Ranked:
    key: Hashable
    rank: int | None  # None: no score, not ranked
    position: int  # 1-based place in the ordered list
    tied: bool = False  # still tied: shares its rank, for the chair to decide
    decided: bool = False  # ordered among equals by the chair's recorded decision
    broken_by_dimension: bool = False  # equal score, ordered by a tie-break dimension
    group: tuple = field(default_factory=tuple)  # the keys tied with it (incl. itself)


def _rounded(value: float | None) -> float:
    return -math.inf if value is None else round(value, PRECISION)


def rank(entries: Iterable[Entry], decisions: Mapping[Hashable, int] | None = None) -> list[Ranked]:
    """Order entries (see the module docstring). `decisions` maps key -> the chair's
    position among the tied. Unscored entries come last, unranked. Among entries that
    are fully equal, the input order is kept (give them in a stable order, e.g. by id)."""
    decisions = decisions or {}
    entries = list(entries)
    scored = [e for e in entries if e.score is not None]
    unscored = [e for e in entries if e.score is None]

    keys_of = {id(e): (_rounded(e.score), *(_rounded(t) for t in e.tie_breaks)) for e in scored}

    def full_key(e: Entry):
        return keys_of[id(e)]

    scored.sort(key=lambda e: tuple(-v for v in full_key(e)))
    out: list[Ranked] = []
    i = 0
    while i < len(scored):
        j = i
        while j < len(scored) and full_key(scored[j]) == full_key(scored[i]):
            j += 1
        group = scored[i:j]
        same_score_before = i > 0 and _rounded(scored[i - 1].score) == _rounded(group[0].score)
        same_score_after = j < len(scored) and _rounded(scored[j].score) == _rounded(group[0].score)
        by_dimension = same_score_before or same_score_after
        if len(group) == 1:
            out.append(
                Ranked(group[0].key, rank=i + 1, position=i + 1, broken_by_dimension=by_dimension)
            )
        else:
            keys = tuple(e.key for e in group)
            positions = [decisions.get(k) for k in keys]
            decided = all(p is not None for p in positions) and len(set(positions)) == len(keys)
            if decided:
                group = sorted(group, key=lambda e: decisions[e.key])
                for n, e in enumerate(group):
                    out.append(
                        Ranked(
                            e.key,
                            rank=i + n + 1,
                            position=i + n + 1,
                            decided=True,
                            broken_by_dimension=by_dimension,
                            group=keys,
                        )
                    )
            else:
                for n, e in enumerate(group):
                    out.append(
                        Ranked(
                            e.key,
                            rank=i + 1,
                            position=i + n + 1,
                            tied=True,
                            broken_by_dimension=by_dimension,
                            group=keys,
                        )
                    )
        i = j
    for n, e in enumerate(unscored, start=len(scored) + 1):
        out.append(Ranked(e.key, rank=None, position=n))
    return out


def tied_groups(ranked: Iterable[Ranked]) -> list[tuple]:
    """The groups still tied (undecided), in rank order, each a tuple of keys."""
    seen, groups = set(), []
    for r in ranked:
        if r.tied and r.group not in seen:
            seen.add(r.group)
            groups.append(r.group)
    return groups


def histogram(values: Iterable[float], *, maximum: float, bins: int = 10) -> list[dict]:
    """Counts of values in `bins` equal bins over [0, maximum]; the last bin includes
    the maximum. Each: {"low", "high", "count"}."""
    width = maximum / bins
    counts = [0] * bins
    for v in values:
        index = min(int(v // width), bins - 1) if width else 0
        counts[max(index, 0)] += 1
    return [
        {"low": round(b * width, 2), "high": round((b + 1) * width, 2), "count": c}
        for b, c in enumerate(counts)
    ]


# --- the same arithmetic over columns ---------------------------------------------------
#
# The standings read one row per submitted review (reviewer, dossier, total, dimension
# sums) and hold them as parallel lists. These functions give exactly what the mapping
# functions above give for {(reviewers[i], dossiers[i]): values[i]}, in one pass per
# column with no per-value function calls (tested against them in
# tests/scoring/test_aggregation_columns.py).


def reviewer_groups(reviewers: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    """The positions of each reviewer's values, in order."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, reviewer in enumerate(reviewers):
        groups[reviewer].append(i)
    return dict(groups)


def _scale_of(values: list[float]) -> tuple[float, float]:
    """(mean, population sd) as `mean` and `pstdev` compute them."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, 0.0
    return m, math.sqrt(sum((x - m) ** 2 for x in values) / n)


def zscore_column(
    values: Sequence[float],
    groups: Mapping[Hashable, Sequence[int]],
    *,
    maximum: float,
    min_reviews: int = 1,
) -> list[float]:
    """`zscore_normalise` over a column: values[i] belongs to the reviewer whose group
    holds i (`reviewer_groups`). Returns the normalised, clamped values in input order."""
    values = [float(v) for v in values]
    if not values:
        return []
    panel_mean, panel_sd = _scale_of(values)
    top = float(maximum)
    out = [0.0] * len(values)
    for positions in groups.values():
        own = [values[i] for i in positions]
        if len(own) < min_reviews:  # kept raw
            for i, x in zip(positions, own, strict=True):
                out[i] = min(max(x, 0.0), top)
            continue
        own_mean, own_sd = _scale_of(own)
        if own_sd > EPSILON:
            for i, x in zip(positions, own, strict=True):
                out[i] = min(max(panel_mean + (x - own_mean) / own_sd * panel_sd, 0.0), top)
        else:
            for i, x in zip(positions, own, strict=True):
                out[i] = min(max(x - own_mean + panel_mean, 0.0), top)
    return out


def combine_column(
    values: Sequence[float], dossier_groups: Mapping[Hashable, Sequence[int]], *, method: str
) -> dict[Hashable, float]:
    """One score per dossier from a column already normalised (or raw): the mean (also
    for the z-score), trimmed mean or median of each dossier's values, as `aggregate`."""
    if method in (Method.MEAN, Method.ZSCORE):
        out = {}
        for dossier, positions in dossier_groups.items():
            out[dossier] = sum(values[i] for i in positions) / len(positions)
        return out
    combine = {Method.TRIMMED_MEAN: trimmed_mean, Method.MEDIAN: median}.get(method)
    if combine is None:
        raise ValueError(f"unknown aggregation method {method!r}")
    return {d: combine([values[i] for i in p]) for d, p in dossier_groups.items()}


def aggregate_column(
    values: Sequence[float],
    reviewer_groups: Mapping[Hashable, Sequence[int]],
    dossier_groups: Mapping[Hashable, Sequence[int]],
    *,
    method: str,
    maximum: float,
    min_reviews: int = 1,
) -> tuple[dict[Hashable, float], list[float] | None]:
    """`aggregate` over a column; with the z-score, also the normalised column."""
    if method == Method.ZSCORE:
        normalised = zscore_column(
            values, reviewer_groups, maximum=maximum, min_reviews=min_reviews
        )
        return combine_column(normalised, dossier_groups, method=method), normalised
    values = [float(v) for v in values]
    return combine_column(values, dossier_groups, method=method), None
