"""The standings' shortcuts give exactly what they replace: the selector's per-dossier
column arithmetic equals scoring.aggregation.aggregate_column float for float, and the
page's number formatting and links equal the floatformat filter and reverse()."""

import random

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from scoring import aggregation as agg
from scoring.selectors.standings import _Column
from scoring.views.standings import two_decimals, url_maker

METHODS = [agg.Method.MEAN, agg.Method.TRIMMED_MEAN, agg.Method.MEDIAN, agg.Method.ZSCORE]


def field(seed, dossiers=40, reviewers=6):
    """Per-review sums with one decimal: lenient and harsh reviewers, one who gives every
    dossier the same total (sd 0), one who scored only two dossiers (kept raw below the
    minimum), some sums beyond the maximum (clamped)."""
    rng = random.Random(seed)
    keys, values = [], []
    for n in range(dossiers):
        for r in rng.sample(range(reviewers), 3):
            keys.append((r, n))
            values.append(round(rng.uniform(-20, 1050), 1) if r != 0 else 700.0)
    keys += [(99, 0), (99, 1)]
    values += [967.0, 963.5]
    return keys, values


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("min_reviews", [1, 5])
def test_the_column_gives_aggregate_columns_floats(method, seed, min_reviews):
    keys, values = field(seed)
    reviewer_of = [r for r, _n in keys]
    by_reviewer = agg.reviewer_groups(reviewer_of)
    by_dossier = agg.reviewer_groups([n for _r, n in keys])
    expected, normalised = agg.aggregate_column(
        values, by_reviewer, by_dossier, method=method, maximum=1000, min_reviews=min_reviews
    )
    column = _Column(
        values, reviewer_of, by_reviewer, method=method, maximum=1000, min_reviews=min_reviews
    )
    # Exact equality, not approx: ranks compare these numbers.
    assert {n: column.score(p) for n, p in by_dossier.items()} == expected
    if method == agg.Method.ZSCORE:
        assert [column.normalised(i) for i in range(len(values))] == normalised


VALUES = [0, 0.0, 0.005, 0.015, 0.125, 1.005, 2.675, 199.995, 683.3333333333334, 700, 1000.0]
VALUES += [random.Random(7).uniform(0, 1000) for _ in range(300)]


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_two_decimals_is_floatformat_2(language):
    with translation.override(language):
        two = two_decimals()
        assert [two(v) for v in VALUES] == [floatformat(v, 2) for v in VALUES]
        assert two(None) is None


def test_url_maker_is_reverse():
    detail = url_maker("scoring:standings_detail", 3, 4)
    review = url_maker("scoring:review_detail")
    for pk in (1, 12, 2147483647):
        assert detail(pk) == reverse("scoring:standings_detail", args=[3, 4, pk])
        assert review(pk) == reverse("scoring:review_detail", args=[pk])
