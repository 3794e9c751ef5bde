"""The column functions of scoring.aggregation give exactly what the mapping functions
give (the standings selector uses the columns; the mapping functions are the spec)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import aggregation as agg

# (reviewer, dossier) -> total with one decimal, as the database gives them
totals_strategy = st.dictionaries(
    st.tuples(st.integers(1, 6), st.integers(1, 12)),
    st.integers(0, 10000).map(lambda tenths: tenths / 10),
    max_size=60,
)


def columns(totals):
    keys = list(totals)
    values = [totals[k] for k in keys]
    return (
        keys,
        values,
        agg.reviewer_groups([r for r, _d in keys]),
        agg.reviewer_groups([d for _r, d in keys]),
    )


@settings(max_examples=200, deadline=None)
@given(totals=totals_strategy, min_reviews=st.integers(1, 6))
def test_zscore_column_is_zscore_normalise(totals, min_reviews):
    keys, values, by_reviewer, _by_dossier = columns(totals)
    expected = agg.zscore_normalise(totals, maximum=1000, min_reviews=min_reviews)
    got = agg.zscore_column(values, by_reviewer, maximum=1000, min_reviews=min_reviews)
    assert dict(zip(keys, got, strict=True)) == expected


@settings(max_examples=200, deadline=None)
@given(
    totals=totals_strategy,
    method=st.sampled_from(
        [agg.Method.MEAN, agg.Method.TRIMMED_MEAN, agg.Method.MEDIAN, agg.Method.ZSCORE]
    ),
    min_reviews=st.integers(1, 6),
)
def test_aggregate_column_is_aggregate(totals, method, min_reviews):
    keys, values, by_reviewer, by_dossier = columns(totals)
    scores, normalised = agg.aggregate_column(
        values, by_reviewer, by_dossier, method=method, maximum=1000, min_reviews=min_reviews
    )
    assert scores == agg.aggregate(totals, method=method, maximum=1000, min_reviews=min_reviews)
    if method == agg.Method.ZSCORE:
        assert len(normalised) == len(keys)
    else:
        assert normalised is None


def test_a_reviewer_with_equal_totals_is_shifted_not_scaled():
    """r1 gave both dossiers 600 (σ 0): moved by the panel mean minus theirs."""
    totals = {(1, 1): 600.0, (1, 2): 600.0, (2, 1): 800.0, (2, 2): 400.0}
    keys, values, by_reviewer, _ = columns(totals)
    # panel μ = 600: r1's 600 stays 600; r2 (μ 600, σ 200, panel σ ≈ 141.42) 741.42, 458.58
    got = agg.zscore_column(values, by_reviewer, maximum=1000)
    assert [round(v, 2) for v in got] == [600.0, 600.0, 741.42, 458.58]
