"""scoring.aggregation: every method against values worked out by hand (the arithmetic
is in the comments), and the properties the issue asks for, with Hypothesis."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import aggregation as agg
from scoring.aggregation import Entry, Method

# --- the plain methods -----------------------------------------------------------------


def test_mean_trimmed_mean_median_by_hand():
    values = [10, 20, 30, 100]
    assert agg.mean(values) == 40  # (10 + 20 + 30 + 100) / 4 = 160 / 4
    assert agg.trimmed_mean(values) == 25  # drop 10 and 100: (20 + 30) / 2
    assert agg.median(values) == 25  # even count: (20 + 30) / 2
    assert agg.trimmed_mean([10, 20, 90]) == 20  # three values: the middle one is left
    assert agg.median([10, 20, 90]) == 20
    assert agg.mean([10, 20, 90]) == 40  # 120 / 3
    assert agg.trimmed_mean([10, 20]) == 15  # fewer than three: the plain mean
    assert agg.trimmed_mean([70]) == 70
    assert agg.mean([]) is None
    assert agg.trimmed_mean([]) is None
    assert agg.median([]) is None


def test_aggregate_per_dossier_for_each_plain_method():
    totals = {
        ("r1", "A"): 800,
        ("r2", "A"): 600,
        ("r3", "A"): 700,
        ("r4", "A"): 300,
        ("r1", "B"): 500,
        ("r2", "B"): 900,
    }
    # A: mean (800+600+700+300)/4 = 600; trimmed drops 300 and 800: (600+700)/2 = 650;
    #    median of 300, 600, 700, 800 = (600+700)/2 = 650.
    # B: two totals, every method gives (500+900)/2 = 700.
    assert agg.aggregate(totals, method=Method.MEAN, maximum=1000) == {"A": 600, "B": 700}
    assert agg.aggregate(totals, method=Method.TRIMMED_MEAN, maximum=1000) == {"A": 650, "B": 700}
    assert agg.aggregate(totals, method=Method.MEDIAN, maximum=1000) == {"A": 650, "B": 700}
    with pytest.raises(ValueError):
        agg.aggregate(totals, method="mode", maximum=1000)


# --- z-score normalisation ----------------------------------------------------------------


def test_zscore_two_reviewers_by_hand():
    # Reviewer a is lenient and narrow, b harsh and wide:
    #   a: d1 80, d2 60   -> μa = 70, σa = 10      (deviations ±10)
    #   b: d1 75, d2 35   -> μb = 55, σb = 20      (deviations ±20)
    # All four totals 80, 60, 75, 35: μ = 250 / 4 = 62.5;
    #   deviations 17.5, −2.5, 12.5, −27.5 -> squares 306.25 + 6.25 + 156.25 + 756.25
    #   = 1225; / 4 = 306.25 -> σ = 17.5.
    # a's d1: z = (80 − 70) / 10 = +1 -> 62.5 + 17.5 = 80;  a's d2: z = −1 -> 45
    # b's d1: z = (75 − 55) / 20 = +1 -> 80;                b's d2: z = −1 -> 45
    # Both reviewers put d1 one of their own sd above their mean: d1 = 80, d2 = 45,
    # where the raw means are 77.5 and 47.5.
    totals = {("a", "d1"): 80, ("a", "d2"): 60, ("b", "d1"): 75, ("b", "d2"): 35}
    assert agg.panel_scale(totals) == agg.Scale(62.5, 17.5)
    assert agg.reviewer_scales(totals) == {"a": agg.Scale(70, 10), "b": agg.Scale(55, 20)}
    assert agg.zscore_normalise(totals, maximum=100) == {
        ("a", "d1"): 80,
        ("a", "d2"): 45,
        ("b", "d1"): 80,
        ("b", "d2"): 45,
    }
    assert agg.aggregate(totals, method=Method.ZSCORE, maximum=100) == {"d1": 80, "d2": 45}
    assert agg.aggregate(totals, method=Method.MEAN, maximum=100) == {"d1": 77.5, "d2": 47.5}


def test_zscore_reviewer_with_one_dossier_is_shifted_not_scaled():
    # a: d1 90, d2 70 -> μa = 80, σa = 10;  b scored only d1: 50 -> μb = 50, σb = 0.
    # All totals 90, 70, 50: μ = 70; deviations 20, 0, −20 -> 800 / 3 -> σ = √266.67
    # = 16.3299.
    # a's d1: 70 + 1 · 16.3299 = 86.3299;  a's d2: 70 − 16.3299 = 53.6701
    # b's d1 (σb = 0): x − μb + μ = 50 − 50 + 70 = 70
    # d1 = (86.3299 + 70) / 2 = 78.1650;   d2 = 53.6701
    totals = {("a", "d1"): 90, ("a", "d2"): 70, ("b", "d1"): 50}
    sigma = math.sqrt(800 / 3)
    normalised = agg.zscore_normalise(totals, maximum=100)
    assert normalised[("b", "d1")] == 70
    assert normalised[("a", "d1")] == pytest.approx(70 + sigma)
    assert normalised[("a", "d2")] == pytest.approx(70 - sigma)
    scores = agg.aggregate(totals, method=Method.ZSCORE, maximum=100)
    assert round(scores["d1"], 4) == 78.1650
    assert round(scores["d2"], 4) == 53.6701


def test_zscore_small_sample_guard_keeps_a_reviewer_with_few_reviews_raw():
    # The case: r scored two dossiers, 967 and 963 (μr 965, σr 2). Without a
    # guard a 4-point gap is stretched to the panel's whole spread.
    totals = {("r", "d1"): 967, ("r", "d2"): 963}
    for i in range(3, 8):  # q scored five dossiers, 500 .. 900
        totals["q", f"d{i}"] = 400 + 100 * (i - 2)
    unguarded = agg.zscore_normalise(totals, maximum=1000)
    assert unguarded["r", "d1"] - unguarded["r", "d2"] > 300
    guarded = agg.zscore_normalise(totals, maximum=1000, min_reviews=5)
    assert (guarded["r", "d1"], guarded["r", "d2"]) == (967, 963)
    # q has five reviews: still normalised (μq 700, σq √20000; μ, σ of all seven).
    assert {k: v for k, v in guarded.items() if k[0] == "q"} == {
        k: v for k, v in unguarded.items() if k[0] == "q"
    }
    assert agg.raw_reviewers(totals, min_reviews=5) == {"r": 2}
    assert agg.raw_reviewers(totals, min_reviews=6) == {"r": 2, "q": 5}
    assert agg.raw_reviewers(totals, min_reviews=1) == {}
    scores = agg.aggregate(totals, method=Method.ZSCORE, maximum=1000, min_reviews=5)
    assert (scores["d1"], scores["d2"]) == (967, 963)


def test_zscore_clamps_to_the_rubric():
    # a: d1 100, d2 0 -> μa = 50, σa = 50;  b: d1 100, d2 90 -> μb = 95, σb = 5.
    # All: 100, 0, 100, 90 -> μ = 72.5; squares of deviations 756.25 + 5256.25 + 756.25
    # + 306.25 = 7075; / 4 = 1768.75 -> σ = 42.0565.
    # d1 for both: 72.5 + 42.0565 = 114.5565 -> clamped to 100.
    # d2 for both: 72.5 − 42.0565 = 30.4435.
    totals = {("a", "d1"): 100, ("a", "d2"): 0, ("b", "d1"): 100, ("b", "d2"): 90}
    scores = agg.aggregate(totals, method=Method.ZSCORE, maximum=100)
    assert scores["d1"] == 100
    assert round(scores["d2"], 4) == round(72.5 - math.sqrt(1768.75), 4) == 30.4435


def test_zscore_all_equal_gives_the_common_value():
    totals = {("a", "d1"): 60, ("b", "d1"): 60, ("a", "d2"): 60}
    assert agg.aggregate(totals, method=Method.ZSCORE, maximum=100) == {"d1": 60, "d2": 60}
    assert agg.zscore_normalise({}, maximum=100) == {}


# --- disagreement and stages ---------------------------------------------------------------


def test_disagreement_is_strictly_more_than_the_threshold():
    # 20 % of 1000 = 200 points.
    assert agg.disagrees([700, 900], maximum=1000, percent=20) is False  # spread 200
    assert agg.disagrees([700, 900.5, 800], maximum=1000, percent=20) is True  # 200.5
    assert agg.disagrees([700], maximum=1000, percent=20) is False
    assert agg.disagrees([], maximum=1000, percent=20) is False
    assert agg.spread([700, 900.5, 800]) == 200.5


def test_combining_stages():
    # 30 % written 800 + 70 % site visit 600: (0.3·800 + 0.7·600) = 240 + 420 = 660.
    assert agg.combine_stages([(30, 800), (70, 600)]) == 660
    # No site-visit score: the written score alone, (30·800) / 30.
    assert agg.combine_stages([(30, 800), (70, None)]) == 800
    # Site visit only: weight 0 does not count.
    assert agg.combine_stages([(0, 500), (100, 600)]) == 600
    assert agg.combine_stages([(30, None), (70, None)]) is None


# --- ranking ------------------------------------------------------------------------------


def test_rank_breaks_ties_by_dimension_then_shares_the_rank():
    # B, C, D all score 85. Tie-break dimension 1: C 45 > B 40 = D 40, so C is 2nd;
    # B and D are still equal on dimension 1 and 2: they share rank 3, E is 5th.
    entries = [
        Entry("A", 90, [30, 10]),
        Entry("B", 85, [40, 20]),
        Entry("C", 85.00001, [45, 0]),  # equal to 4 decimals
        Entry("D", 85, [40, 20]),
        Entry("E", 70, [50, 50]),
        Entry("F", None, []),
    ]
    ranked = agg.rank(entries)
    assert [(r.key, r.rank, r.tied) for r in ranked] == [
        ("A", 1, False),
        ("C", 2, False),
        ("B", 3, True),
        ("D", 3, True),
        ("E", 5, False),
        ("F", None, False),
    ]
    assert [r.broken_by_dimension for r in ranked] == [False, True, True, True, False, False]
    assert agg.tied_groups(ranked) == [("B", "D")]


def test_rank_uses_the_chairs_decision_when_every_tied_one_has_one():
    entries = [Entry("B", 85, [40]), Entry("D", 85, [40]), Entry("E", 70, [0])]
    ranked = agg.rank(entries, {"D": 1, "B": 2})
    assert [(r.key, r.rank, r.tied, r.decided) for r in ranked] == [
        ("D", 1, False, True),
        ("B", 2, False, True),
        ("E", 3, False, False),
    ]
    # A decision for only one of them decides nothing.
    ranked = agg.rank(entries, {"D": 1})
    assert [(r.key, r.rank, r.tied) for r in ranked] == [
        ("B", 1, True),
        ("D", 1, True),
        ("E", 3, False),
    ]


def test_histogram_bins():
    bins = agg.histogram([0, 99.9, 100, 550, 1000], maximum=1000, bins=10)
    assert [b["count"] for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert (bins[0]["low"], bins[0]["high"], bins[-1]["high"]) == (0, 100, 1000)


# --- properties (Hypothesis) ----------------------------------------------------------------

METHODS = [Method.MEAN, Method.TRIMMED_MEAN, Method.MEDIAN, Method.ZSCORE]
REVIEWERS = [f"r{i}" for i in range(5)]
DOSSIERS = [f"d{i}" for i in range(6)]


def score_tables(maximum=1000, low=0):
    """{(reviewer, dossier): total} with totals in [low, maximum], one decimal."""
    key = st.tuples(st.sampled_from(REVIEWERS), st.sampled_from(DOSSIERS))
    value = st.integers(min_value=low * 10, max_value=maximum * 10).map(lambda n: n / 10)
    return st.dictionaries(key, value, min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(score_tables(), st.sampled_from(METHODS))
def test_scores_never_exceed_the_rubric_maximum(totals, method):
    for score in agg.aggregate(totals, method=method, maximum=1000).values():
        assert 0 <= score <= 1000


@settings(max_examples=200, deadline=None)
@given(score_tables())
def test_normalisation_keeps_each_reviewers_own_order(totals):
    normalised = agg.zscore_normalise(totals, maximum=1000)
    for (r1, d1), x1 in totals.items():
        for (r2, d2), x2 in totals.items():
            if r1 == r2 and x1 < x2:
                assert normalised[r1, d1] <= normalised[r2, d2]


def _without(totals, reviewer):
    return {k: v for k, v in totals.items() if k[0] != reviewer}


@settings(max_examples=200, deadline=None)
@given(score_tables(), st.sampled_from([Method.MEAN, Method.TRIMMED_MEAN, Method.MEDIAN]))
def test_removing_a_reviewer_changes_only_their_dossiers(totals, method):
    removed = next(iter(totals))[0]
    before = agg.aggregate(totals, method=method, maximum=1000)
    after = agg.aggregate(_without(totals, removed), method=method, maximum=1000)
    theirs = {d for (r, d) in totals if r == removed}
    for dossier, score in before.items():
        if dossier not in theirs:
            assert after[dossier] == score


@settings(max_examples=200, deadline=None)
@given(score_tables(maximum=60, low=40))
def test_removing_a_reviewer_under_zscore(totals):
    """What holds for the z-score: every other reviewer's own scale (μr, σr, so their z)
    is unchanged; only the panel's μ and σ move. For a dossier the removed reviewer did
    not score, whose reviewers all have σr > 0, the score moves by the one affine map
    μ' + σ'·z̄ (nothing is clamped: totals in [40, 60] of 100 and at most six dossiers
    per reviewer keep |z| ≤ √5 and μ ± √5·σ inside [0, 100]); so (score − μ) / σ is the
    same before and after, and such dossiers keep their order among themselves."""
    removed = next(iter(totals))[0]
    rest = _without(totals, removed)
    if not rest:
        return
    scales_before = agg.reviewer_scales(totals)
    scales_after = agg.reviewer_scales(rest)
    for reviewer, scale in scales_after.items():
        assert scale == scales_before[reviewer]
    before = agg.aggregate(totals, method=Method.ZSCORE, maximum=100)
    after = agg.aggregate(rest, method=Method.ZSCORE, maximum=100)
    panel, panel_after = agg.panel_scale(totals), agg.panel_scale(rest)
    theirs = {d for (r, d) in totals if r == removed}
    comparable = [
        d
        for d in after
        if d not in theirs and all(scales_after[r].sd > agg.EPSILON for (r, dd) in rest if dd == d)
    ]
    if panel.sd <= agg.EPSILON or panel_after.sd <= agg.EPSILON:
        return
    for d in comparable:
        z_before = (before[d] - panel.mean) / panel.sd
        z_after = (after[d] - panel_after.mean) / panel_after.sd
        assert z_after == pytest.approx(z_before, abs=1e-9)
    order_before = sorted(comparable, key=lambda d: (round(before[d], 6), d))
    order_after = sorted(comparable, key=lambda d: (round(after[d], 6), d))
    assert order_before == order_after
