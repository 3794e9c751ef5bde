"""Decision sensitivity: how much a version's winners depend on the aggregation method,
on any single reviewer, and on which reviewers happened to sit on the panel.

Computed from the version's frozen inputs (its snapshot and its VersionRecord), never
from live scores, so a run belongs to its version and is frozen with it. For each
category decided by the final standings (`inputs_of`, below):

methods
    The final ranking under each aggregation method (mean, trimmed mean, median,
    z-score; scoring.aggregation), stage scores combined by the stages' weights as the
    final standings combine them (dossiers scored in more weighted stages first; equal
    scores ordered by the tie-break dimensions, then the chair's decisions), and the
    award rule's winners of each (compilation.rule_winners: the same rule, cut-off and
    top N as compiling). A method "changes a winner" where its winners differ from the
    method in use.
leave one reviewer out
    For each reviewer of the category: the winners under the method in use with that
    reviewer's scores removed (every stage), and which winners that adds or drops.
bootstrap
    `DRAWS` draws, seeded from the version's checksum and the category (the same
    version always gives the same figures): the category's reviewers are drawn with
    replacement, as many as there are; a reviewer drawn k times counts k times (for the
    z-score: in the panel's μ and σ, each reviewer's own μᵣ, σᵣ unchanged). A dossier
    none of whose reviewers was drawn in a stage keeps its score there. Each draw ranks
    the dossiers by score under the method in use (within how many weighted stages
    they were scored in; exactly equal scores share the rank: no tie-break dimensions
    or chair's decisions in a draw) and applies the award rule. Per dossier: the
    5th–95th percentile of its rank (nearest rank) and the share of draws it wins.
few reviews
    Reviewers with fewer than the review policy's `zscore_min_reviews` (kept raw by
    the z-score) or fewer than its default (5) totals in a stage (normalised from
    few), per stage.
margin
    Between the last winner and the first dossier ranked below it that does not win:
    the difference of their final scores, and for each the standard deviation (and
    max − min) of its reviewers' totals in the last weighted stage it was scored in; the
    margin in units of their pooled standard deviation.

The arithmetic is plain Python over precomputed columns (numpy is not a dependency):
a draw is one pass over the (reviewer, dossier) totals; bench/sensitivity.py times it.

Shape of SensitivityRun.data:

    {"version": id, "checksum": the version's, "draws": DRAWS, "percentiles": [5, 95],
     "categories": [
       {"id", "code", "name_zh", "name_en", "method", "maximum", "min_reviews",
        "winners" (rule's N|None), "reviewers" (how many), "reviews" (how many totals),
        "matches_version" (bool: the method in use gives the version's winners),
        "nominations": {id: [agency_zh, agency_en]},
        "methods": [{"method", "in_use", "winners": [id], "added": [id], "dropped": [id]}],
        "rows": [{"nomination_id", "rank", "winner", "scores": {method: score|None},
                  "ranks": {method: rank|None}, "wins": {method: bool},
                  "interval": [low, high]|None, "win_share": float|None}],
        "leave_one_out": [{"reviewer_id", "name", "reviews", "added": [id],
                           "dropped": [id]}],
        "few_reviews": [{"reviewer_id", "name", "stage_zh", "stage_en", "reviews",
                         "raw" (bool)}],
        "margin": null | {"last", "next" (ids), "points", "last_sd", "last_spread",
                          "last_n", "next_sd", "next_spread", "next_n",
                          "in_sd" (float|None)}}],
     "skipped": [{"id", "name_zh", "name_en", "basis"}]}   # not decided by scores
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from scoring import aggregation as agg

from .compilation import Candidate, rule_winners

DRAWS = 1000
PERCENTILES = (5, 95)
FEW_REVIEWS = 5  # the review policy's default zscore_min_reviews
METHODS = (agg.Method.MEAN, agg.Method.TRIMMED_MEAN, agg.Method.MEDIAN, agg.Method.ZSCORE)


@dataclass
class CategoryInput:
    """One category's frozen inputs, as plain values."""

    id: int
    method: str
    maximum: float
    min_reviews: int
    winners: int | None
    min_score: float | None
    finalists_only: bool
    stages: list[tuple[int, float]]  # (stage id, weight), weighted stages in order
    nominations: list[int]  # competing nominations, by id
    state: dict[int, str]
    incomplete: dict[int, bool]
    # stage id -> {(reviewer id, nomination id): total}
    totals: dict[int, dict[tuple[int, int], float]]
    # tie-break dimensions in tie-break order: (dimension id, maximum points), and per
    # stage {dimension id: {(reviewer, nomination): sum}}
    tie_breaks: list[tuple[int, float]] = field(default_factory=list)
    dimension_totals: dict[int, dict[int, dict[tuple[int, int], float]]] = field(
        default_factory=dict
    )
    decisions: dict[int, int] = field(default_factory=dict)  # chair's positions
    names: dict[int, str] = field(default_factory=dict)  # reviewer id -> name

    @property
    def reviewers(self) -> list[int]:
        found = {r for totals in self.totals.values() for r, _n in totals}
        return sorted(found, key=lambda r: (self.names.get(r, ""), r))


# --- one ranking ------------------------------------------------------------------------


def _without(totals: dict, exclude: frozenset) -> dict:
    if not exclude:
        return totals
    return {k: v for k, v in totals.items() if k[0] not in exclude}


def ranking(
    inp: CategoryInput, method: str, exclude: frozenset = frozenset()
) -> tuple[list[agg.Ranked], dict[int, float | None]]:
    """The final ranking of the category under `method` without the reviewers in
    `exclude`, as scoring.selectors.standings.final_standings ranks (see the module
    docstring), and each nomination's final score."""
    per_stage = [
        agg.aggregate(
            _without(inp.totals.get(sid, {}), exclude),
            method=method,
            maximum=inp.maximum,
            min_reviews=inp.min_reviews,
        )
        for sid, _w in inp.stages
    ]
    combined = {
        n: agg.combine_stages(
            (w, s.get(n)) for (_sid, w), s in zip(inp.stages, per_stage, strict=True)
        )
        for n in inp.nominations
    }
    depth = {n: sum(1 for s in per_stage if n in s) for n in inp.nominations}
    breaks = _tie_breaks(inp, method, exclude, combined, depth)
    ranked, offset = [], 0
    for level in sorted(set(depth.values()), reverse=True):
        keys = [n for n in inp.nominations if depth[n] == level]
        for r in agg.rank(
            (agg.Entry(n, combined[n], breaks.get(n, ())) for n in keys), inp.decisions
        ):
            ranked.append(
                dataclasses.replace(
                    r,
                    rank=None if r.rank is None else r.rank + offset,
                    position=r.position + offset,
                )
            )
        offset += len(keys)
    return ranked, combined


def _tie_breaks(inp, method, exclude, combined, depth) -> dict[int, list]:
    """The combined tie-break dimension scores, worked out only when two dossiers of the
    same depth have equal (rounded) scores: otherwise they decide nothing."""
    if not inp.tie_breaks:
        return {}
    seen = set()
    for n in inp.nominations:
        if combined[n] is None:
            continue
        key = (depth[n], round(combined[n], agg.PRECISION))
        if key in seen:
            break
        seen.add(key)
    else:
        return {}
    per_dim = []
    for dim, top in inp.tie_breaks:
        stage_scores = [
            agg.aggregate(
                _without(inp.dimension_totals.get(sid, {}).get(dim, {}), exclude),
                method=method,
                maximum=top,
                min_reviews=inp.min_reviews,
            )
            for sid, _w in inp.stages
        ]
        per_dim.append(
            {
                n: agg.combine_stages(
                    (w, s.get(n)) for (_sid, w), s in zip(inp.stages, stage_scores, strict=True)
                )
                for n in inp.nominations
            }
        )
    return {n: [d[n] for d in per_dim] for n in inp.nominations}


def winners_of(inp: CategoryInput, ranked: list[agg.Ranked], scores: dict) -> list[int]:
    """The award rule's winners of a ranking, best first (compilation.rule_winners)."""
    return [
        key
        for key, _beyond in rule_winners(
            (
                Candidate(
                    r.key, scores[r.key], inp.incomplete[r.key], inp.state[r.key], r.tied, r.group
                )
                for r in ranked
            ),
            winners=inp.winners,
            min_score=inp.min_score,
            finalists_only=inp.finalists_only,
        )
    ]


# --- the bootstrap ----------------------------------------------------------------------


def _percentile(ordered: list[int], p: float) -> int:
    """Nearest rank: the p-th percentile of an ascending list."""
    index = (len(ordered) - 1) * p / 100
    return ordered[math.floor(index) if p <= 50 else math.ceil(index)]


@dataclass
class _Stage:
    """One stage's columns for the draws: per nomination its reviewer indexes and values
    (z-score: coefficients a, b, c of a + b·μ' + c·σ', clamped)."""

    weight: float
    full: dict[int, float]  # the full-data score (kept when no reviewer is drawn)
    members: dict[int, tuple[list[int], list]]
    # z-score: per reviewer index (count, sum, sum of squares) of their totals
    moments: list[tuple[int, float, float]] | None = None
    # the nominations scored in the stage, and per reviewer index the positions (in
    # `order`) of the dossiers they scored with the values (mean, z-score)
    order: list[int] = field(default_factory=list)
    by_reviewer: list[tuple[list[int], list]] = field(default_factory=list)


def _stage_columns(inp: CategoryInput, sid: int, weight: float, index: dict) -> _Stage:
    totals = inp.totals.get(sid, {})
    full = agg.aggregate(
        totals, method=inp.method, maximum=inp.maximum, min_reviews=inp.min_reviews
    )
    members: dict[int, tuple[list[int], list]] = {}
    if inp.method != agg.Method.ZSCORE:
        for (r, n), x in totals.items():
            members.setdefault(n, ([], []))
            members[n][0].append(index[r])
            members[n][1].append(x)
        return _by_reviewer(_Stage(weight, full, members), len(index))
    scales = agg.reviewer_scales(totals)
    counts = agg.review_counts(totals)
    moments = [(0, 0.0, 0.0)] * len(index)
    by_reviewer = defaultdict(list)
    for (r, _n), x in totals.items():
        by_reviewer[r].append(x)
    for r, values in by_reviewer.items():
        moments[index[r]] = (len(values), sum(values), sum(v * v for v in values))
    for (r, n), x in totals.items():
        own = scales[r]
        if counts[r] < inp.min_reviews:
            coefficients = (x, 0.0, 0.0)  # kept raw
        elif own.sd > agg.EPSILON:
            coefficients = (0.0, 1.0, (x - own.mean) / own.sd)
        else:
            coefficients = (x - own.mean, 1.0, 0.0)
        members.setdefault(n, ([], []))
        members[n][0].append(index[r])
        members[n][1].append(coefficients)
    return _by_reviewer(_Stage(weight, full, members, moments), len(index))


def _by_reviewer(stage: _Stage, k: int) -> _Stage:
    stage.order = sorted(stage.members)
    stage.by_reviewer = [([], []) for _ in range(k)]
    for p, n in enumerate(stage.order):
        for i, value in zip(*stage.members[n], strict=True):
            stage.by_reviewer[i][0].append(p)
            stage.by_reviewer[i][1].append(value)
    return stage


def _draw_scores(stage: _Stage, counts: list[int], method: str, top: float) -> dict[int, float]:
    if stage.moments is not None or method == agg.Method.MEAN:
        # The weighted mean of the drawn reviewers' (normalised) totals, reviewer by
        # reviewer: the undrawn ones cost nothing.
        num = [0.0] * len(stage.order)
        den = [0] * len(stage.order)
        if stage.moments is not None:  # z-score: the panel's μ' and σ' of this draw
            n_all = s_all = q_all = 0.0
            for m, (n, s, q) in zip(counts, stage.moments, strict=True):
                if m:
                    n_all += m * n
                    s_all += m * s
                    q_all += m * q
            mu = s_all / n_all if n_all else 0.0
            sd = math.sqrt(max(q_all / n_all - mu * mu, 0.0)) if n_all else 0.0
            for m, (positions, coefficients) in zip(counts, stage.by_reviewer, strict=True):
                if m:
                    for p, (a, b, c) in zip(positions, coefficients, strict=True):
                        v = a + b * mu + c * sd
                        if v < 0.0:
                            v = 0.0
                        elif v > top:
                            v = top
                        num[p] += m * v
                        den[p] += m
        else:
            for m, (positions, values) in zip(counts, stage.by_reviewer, strict=True):
                if m:
                    for p, x in zip(positions, values, strict=True):
                        num[p] += m * x
                        den[p] += m
        full = stage.full
        return {n: num[p] / den[p] if den[p] else full.get(n) for p, n in enumerate(stage.order)}
    out = {}
    combine = agg.median if method == agg.Method.MEDIAN else agg.trimmed_mean
    for nom, (who, values) in stage.members.items():
        drawn = []
        for i, x in zip(who, values, strict=True):
            if counts[i]:
                drawn.extend([x] * counts[i])
        out[nom] = combine(drawn) if drawn else stage.full.get(nom)
    return out


def bootstrap(
    inp: CategoryInput, *, draws: int = DRAWS, seed: str = "", beat: Callable | None = None
) -> dict[int, tuple[list[int] | None, float | None]]:
    """nomination id -> ([low, high] percentile rank, share of draws it wins), or
    (None, None) for a dossier without a score."""
    reviewers = inp.reviewers
    if not reviewers:
        return {n: (None, None) for n in inp.nominations}
    index = {r: i for i, r in enumerate(reviewers)}
    stages = [_stage_columns(inp, sid, w, index) for sid, w in inp.stages]
    depth = {n: sum(1 for s in stages if n in s.full) for n in inp.nominations}
    scored = [n for n in inp.nominations if any(n in s.full for s in stages)]
    rng = random.Random(seed)
    k = len(reviewers)
    ranks: dict[int, list[int]] = {n: [] for n in scored}
    wins: dict[int, int] = dict.fromkeys(scored, 0)
    total_weight = [s.weight for s in stages]
    for d in range(draws):
        counts = [0] * k
        for _ in range(k):
            counts[rng.randrange(k)] += 1
        per_stage = [_draw_scores(s, counts, inp.method, inp.maximum) for s in stages]
        final = {}
        for n in scored:
            num = den = 0.0
            for w, s in zip(total_weight, per_stage, strict=True):
                v = s.get(n)
                if v is not None and w > 0:
                    num += w * v
                    den += w
            final[n] = num / den
        keyed = sorted((-depth[n], -round(final[n], agg.PRECISION), n) for n in scored)
        groups: list[list[int]] = []
        previous, rank_now = None, 0
        for position, (d_key, s_key, n) in enumerate(keyed, start=1):
            if (d_key, s_key) != previous:
                rank_now, previous = position, (d_key, s_key)
                groups.append([])
            groups[-1].append(n)
            ranks[n].append(rank_now)

        def candidates(groups=groups, final=final):
            for group in groups:
                members = tuple(group) if len(group) > 1 else ()
                for n in group:
                    yield Candidate(
                        n, final[n], inp.incomplete[n], inp.state[n], bool(members), members
                    )

        for n, _beyond in rule_winners(
            candidates(),
            winners=inp.winners,
            min_score=inp.min_score,
            finalists_only=inp.finalists_only,
        ):
            wins[n] += 1
        if beat is not None and d % 100 == 99:
            beat(d + 1, draws)
    out = {}
    for n in inp.nominations:
        if n not in ranks:
            out[n] = (None, None)
            continue
        ordered = sorted(ranks[n])
        out[n] = (
            [_percentile(ordered, PERCENTILES[0]), _percentile(ordered, PERCENTILES[1])],
            wins[n] / draws,
        )
    return out


# --- the other parts -----------------------------------------------------------------------


def few_reviews(inp: CategoryInput, stage_names: dict) -> list[dict]:
    """Reviewers whose z-score rests on few totals in a stage (see the module docstring)."""
    threshold = max(inp.min_reviews, FEW_REVIEWS)
    out = []
    for sid, _w in inp.stages:
        counts = agg.review_counts(inp.totals.get(sid, {}))
        for r in sorted(counts, key=lambda r: (inp.names.get(r, ""), r)):
            if counts[r] < threshold:
                zh, en = stage_names.get(sid, ("", ""))
                out.append(
                    {
                        "reviewer_id": r,
                        "name": inp.names.get(r, ""),
                        "stage_zh": zh,
                        "stage_en": en,
                        "reviews": counts[r],
                        "raw": counts[r] < inp.min_reviews,
                    }
                )
    return out


def _disagreement(inp: CategoryInput, n: int) -> tuple[float | None, float | None, int]:
    """(population sd, max − min, how many) of n's reviewers' totals in the last weighted
    stage it was scored in."""
    for sid, _w in reversed(inp.stages):
        values = [x for (_r, nom), x in inp.totals.get(sid, {}).items() if nom == n]
        if values:
            return agg.pstdev(values), agg.spread(values), len(values)
    return None, None, 0


def margin(inp: CategoryInput, ranked, scores, winners: list[int]) -> dict | None:
    if not winners:
        return None
    chosen = set(winners)
    order = [r.key for r in ranked]
    last = max(winners, key=order.index)
    after = order[order.index(last) + 1 :]
    following = next((n for n in after if n not in chosen and scores[n] is not None), None)
    if following is None:
        return None
    last_sd, last_spread, last_n = _disagreement(inp, last)
    next_sd, next_spread, next_n = _disagreement(inp, following)
    points = scores[last] - scores[following]
    sds = [s for s in (last_sd, next_sd) if s is not None]
    pooled = math.sqrt(sum(s * s for s in sds) / len(sds)) if sds else 0.0
    return {
        "last": last,
        "next": following,
        "points": points,
        "last_sd": last_sd,
        "last_spread": last_spread,
        "last_n": last_n,
        "next_sd": next_sd,
        "next_spread": next_spread,
        "next_n": next_n,
        "in_sd": points / pooled if pooled > agg.EPSILON else None,
    }


def _changes(baseline: list[int], other: list[int]) -> tuple[list[int], list[int]]:
    """(added, dropped): winners of `other` not in `baseline`, and the reverse."""
    return [n for n in other if n not in baseline], [n for n in baseline if n not in other]


def category_sensitivity(
    inp: CategoryInput,
    *,
    draws: int = DRAWS,
    seed: str = "",
    stage_names: dict | None = None,
    beat: Callable | None = None,
) -> dict:
    """Everything the panel shows for one category (the keys of the module docstring's
    category, less its names)."""
    results = {}
    for method in METHODS:
        ranked, scores = ranking(inp, method)
        results[method] = (ranked, scores, winners_of(inp, ranked, scores))
    ranked, scores, baseline = results[inp.method]
    methods = []
    for method in METHODS:
        added, dropped = _changes(baseline, results[method][2])
        methods.append(
            {
                "method": method,
                "in_use": method == inp.method,
                "winners": results[method][2],
                "added": added,
                "dropped": dropped,
            }
        )
    loo = []
    counts = defaultdict(int)
    for totals in inp.totals.values():
        for r, _n in totals:
            counts[r] += 1
    for reviewer in inp.reviewers:
        r_ranked, r_scores = ranking(inp, inp.method, frozenset([reviewer]))
        added, dropped = _changes(baseline, winners_of(inp, r_ranked, r_scores))
        loo.append(
            {
                "reviewer_id": reviewer,
                "name": inp.names.get(reviewer, ""),
                "reviews": counts[reviewer],
                "added": added,
                "dropped": dropped,
            }
        )
    boot = bootstrap(inp, draws=draws, seed=seed, beat=beat)
    positions = {m: {r.key: r.rank for r in results[m][0]} for m in METHODS}
    winners_under = {m: set(results[m][2]) for m in METHODS}
    rows = []
    for r in ranked:
        interval, share = boot[r.key]
        rows.append(
            {
                "nomination_id": r.key,
                "rank": r.rank,
                "winner": r.key in winners_under[inp.method],
                "scores": {m: results[m][1][r.key] for m in METHODS},
                "ranks": {m: positions[m][r.key] for m in METHODS},
                "wins": {m: r.key in winners_under[m] for m in METHODS},
                "interval": interval,
                "win_share": share,
            }
        )
    return {
        "method": inp.method,
        "maximum": inp.maximum,
        "min_reviews": inp.min_reviews,
        "winners": inp.winners,
        "reviewers": len(inp.reviewers),
        "reviews": sum(counts.values()),
        "methods": methods,
        "rows": rows,
        "leave_one_out": loo,
        "few_reviews": few_reviews(inp, stage_names or {}),
        "margin": margin(inp, ranked, scores, baseline),
        "baseline": baseline,
    }


def digest_of(data: dict) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


# --- from a version's frozen inputs ---------------------------------------------------------


def inputs_of(version) -> tuple[list[tuple[dict, CategoryInput]], list[dict], dict]:
    """([(snapshot category, its CategoryInput)] for the categories decided by the final
    standings, [the other categories], {stage id: (name_zh, name_en)}), from the
    version's snapshot and frozen record. Read live, as compiling read them: the review
    policy's z-score minimum, the rubric's tie-break dimensions and the chair's decisions
    (all counted in the version's checksum or frozen with the rubric's scores)."""
    from rubrics.models import Dimension, Indicator
    from scoring.models import TieDecision
    from scoring.services.conflicts import review_policy

    from .enums import AwardBasis
    from .frozen import record_of
    from .models import AwardRule

    record = record_of(version)
    policy = review_policy(version.edition)
    categories = version.data.get("categories", [])
    standings = [c for c in categories if c["basis"] == AwardBasis.STANDINGS]
    others = [
        {"id": c["id"], "name_zh": c["name_zh"], "name_en": c["name_en"], "basis": c["basis"]}
        for c in categories
        if c["basis"] != AwardBasis.STANDINGS
    ]
    stage_names = {int(k): tuple(v) for k, v in (record.get("stages") or {}).items()}
    if not standings:
        return [], others, stage_names
    finalists_only = dict(
        AwardRule.objects.filter(category_id__in=[c["id"] for c in standings]).values_list(
            "category_id", "finalists_only"
        )
    )
    indicator_dimension = dict(
        Indicator.objects.filter(
            dimension__rubric__category__in=[c["id"] for c in standings]
        ).values_list("pk", "dimension_id")
    )
    breakers = defaultdict(list)
    for category_id, pk, top in (
        Dimension.objects.filter(
            rubric__category__in=[c["id"] for c in standings], tie_break_rank__isnull=False
        )
        .order_by("tie_break_rank", "order", "pk")
        .values_list("rubric__category", "pk", "max_points")
    ):
        breakers[category_id].append((pk, float(top)))
    last_stage = {}
    for c in standings:
        if c["stages"]:
            last_stage[c["id"]] = c["stages"][-1]["id"]
    decisions = defaultdict(dict)
    for stage_id, nomination_id, position in TieDecision.objects.filter(
        stage_id__in=set(last_stage.values())
    ).values_list("stage_id", "nomination_id", "position"):
        decisions[stage_id][nomination_id] = position

    # Each submitted review's total and its sums on the dimensions, in whole tenths (as
    # the standings sum them in the database).
    reviews = record.get("reviews") or {}
    tenths = defaultdict(int)
    dim_tenths = defaultdict(int)
    for review_id, indicator_id, points, _comment in record.get("scores") or []:
        if points is None or str(review_id) not in reviews:
            continue
        t = round(points * 10)
        tenths[review_id] += t
        dimension = indicator_dimension.get(indicator_id)
        if dimension is not None:
            dim_tenths[review_id, dimension] += t
    by_category = {c["id"]: c for c in standings}
    nomination_category = {}
    for c in standings:
        for row in c["rows"]:
            if row["nomination_id"] is not None:
                nomination_category[row["nomination_id"]] = c["id"]
    totals = defaultdict(lambda: defaultdict(dict))  # category -> stage -> {(r, n): x}
    dims = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    names = defaultdict(dict)
    for key, (stage_id, nomination_id, reviewer_id, name, *_rest) in reviews.items():
        category_id = nomination_category.get(nomination_id)
        if category_id is None:
            continue
        review_id = int(key)
        totals[category_id][stage_id][reviewer_id, nomination_id] = tenths.get(review_id, 0) / 10
        for dim, _top in breakers.get(category_id, []):
            dims[category_id][stage_id][dim][reviewer_id, nomination_id] = (
                dim_tenths.get((review_id, dim), 0) / 10
            )
        names[category_id][reviewer_id] = name or ""
    out = []
    for category_id, c in by_category.items():
        rows = [r for r in c["rows"] if r["nomination_id"] is not None]
        out.append(
            (
                c,
                CategoryInput(
                    id=category_id,
                    method=c["method"] or agg.Method.MEAN,
                    maximum=float(c["maximum"] or 0),
                    min_reviews=policy.zscore_min_reviews,
                    winners=c["winners"],
                    min_score=c["min_score"],
                    finalists_only=c.get("finalists_only", finalists_only.get(category_id, True)),
                    stages=[(s["id"], float(s["weight"])) for s in c["stages"]],
                    nominations=sorted(r["nomination_id"] for r in rows),
                    state={r["nomination_id"]: r["state"] for r in rows},
                    incomplete={r["nomination_id"]: r["incomplete"] for r in rows},
                    totals={sid: dict(v) for sid, v in totals[category_id].items()},
                    tie_breaks=breakers.get(category_id, []),
                    dimension_totals={
                        sid: {d: dict(v) for d, v in per.items()}
                        for sid, per in dims[category_id].items()
                    },
                    decisions=decisions.get(last_stage.get(category_id), {}),
                    names=names[category_id],
                ),
            )
        )
    return out, others, stage_names


def has_scores(version) -> bool:
    """Whether the version counted any score of a category decided by the standings."""
    if not (version.inputs or {}).get("scores"):
        return False
    inputs, _others, _names = inputs_of(version)
    return any(inp.totals and any(inp.totals.values()) for _c, inp in inputs)


def version_sensitivity(version, *, draws: int = DRAWS, beat: Callable | None = None) -> dict:
    """SensitivityRun.data for `version` (shape in the module docstring)."""
    inputs, others, stage_names = inputs_of(version)
    categories = []
    total = max(1, len(inputs))
    for i, (c, inp) in enumerate(inputs):

        def progress(done, of, i=i):
            if beat is not None:
                beat(int(10 + 85 * (i + done / of) / total))

        result = category_sensitivity(
            inp,
            draws=draws,
            seed=f"{version.checksum}:{inp.id}",
            stage_names=stage_names,
            beat=progress,
        )
        version_winners = [r["nomination_id"] for r in c["rows"] if r["winner"]]
        result["matches_version"] = sorted(result.pop("baseline")) == sorted(version_winners)
        categories.append(
            {
                "id": c["id"],
                "code": c["code"],
                "name_zh": c["name_zh"],
                "name_en": c["name_en"],
                "nominations": {
                    str(r["nomination_id"]): [r["agency_zh"], r["agency_en"]]
                    for r in c["rows"]
                    if r["nomination_id"] is not None
                },
                **result,
            }
        )
    return {
        "version": version.pk,
        "checksum": version.checksum,
        "draws": draws,
        "percentiles": list(PERCENTILES),
        "categories": categories,
        "skipped": others,
    }


# --- for the version page ---------------------------------------------------------------------


def present(data: dict, *, lang_en: bool) -> list[dict]:
    """The run's categories as the panel shows them: names in the page's language,
    winners and changes as agency names, and the rows worth showing (every dossier that
    wins under some method, in some draw or without some reviewer, and the first one
    below the last winner)."""
    from scoring.enums import Aggregation

    def label(method):
        return str(Aggregation(method).label)

    out = []
    for c in data.get("categories", []):
        names = {int(k): (v[1] or v[0]) if lang_en else v[0] for k, v in c["nominations"].items()}

        def agencies(ids, names=names):
            return [names.get(n, str(n)) for n in ids]

        in_use = c["method"]
        margin_ = c.get("margin")
        interesting = set()
        for m in c["methods"]:
            interesting.update(m["winners"])
        for r in c["leave_one_out"]:
            interesting.update(r["added"])
        if margin_:
            interesting.add(margin_["next"])
        rows = []
        for r in c["rows"]:
            if not (r["nomination_id"] in interesting or (r["win_share"] or 0) > 0):
                continue
            rows.append(
                {
                    "agency": names.get(r["nomination_id"], ""),
                    "winner": r["winner"],
                    "rank": r["rank"],
                    "cells": [
                        {
                            "method": m,
                            "score": r["scores"][m],
                            "rank": r["ranks"][m],
                            "wins": r["wins"][m],
                            "changed": r["wins"][m] != r["wins"][in_use],
                        }
                        for m in METHODS
                    ],
                    "interval": r["interval"],
                    "win_share": None if r["win_share"] is None else round(100 * r["win_share"]),
                }
            )
        out.append(
            {
                "id": c["id"],
                "code": c["code"],
                "name": (c["name_en"] or c["name_zh"]) if lang_en else c["name_zh"],
                "method": in_use,
                "method_label": label(in_use),
                "reviewers": c["reviewers"],
                "reviews": c["reviews"],
                "min_reviews": c["min_reviews"],
                "matches_version": c["matches_version"],
                "methods": [
                    {
                        "method": m["method"],
                        "label": label(m["method"]),
                        "in_use": m["in_use"],
                        "winners": agencies(m["winners"]),
                        "added": agencies(m["added"]),
                        "dropped": agencies(m["dropped"]),
                        "changes": bool(m["added"] or m["dropped"]),
                    }
                    for m in c["methods"]
                ],
                "method_changes": any(m["added"] or m["dropped"] for m in c["methods"]),
                "rows": rows,
                "leave_one_out": [
                    {
                        **r,
                        "added": agencies(r["added"]),
                        "dropped": agencies(r["dropped"]),
                        "changes": bool(r["added"] or r["dropped"]),
                    }
                    for r in c["leave_one_out"]
                ],
                "few_reviews": [
                    {**f, "stage": (f["stage_en"] or f["stage_zh"]) if lang_en else f["stage_zh"]}
                    for f in c["few_reviews"]
                ],
                "margin": None
                if not margin_
                else {
                    **margin_,
                    "last_agency": names.get(margin_["last"], ""),
                    "next_agency": names.get(margin_["next"], ""),
                },
            }
        )
    return out
