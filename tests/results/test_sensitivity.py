"""Decision sensitivity (awards/results/sensitivity.py): each computation on a small
hand-computed case, the job on a compiled version, the refusals, the approval's record of
the run shown, and the version page with the panel (what each persona sees, a constant
query count)."""

from __future__ import annotations

import math

import pytest
from django.test import TestCase
from django.urls import reverse

from agencies.models import AuditEntry
from awards.enums import NominationState
from awards.results import sensitivity as sens
from awards.results import services
from awards.results.models import SensitivityRun
from scoring import aggregation as agg
from tests.conftest import html, squash, table_rows
from tests.results.helpers import TABLE, compile_version, disputed_cycle

# Three reviewers (1 = A, 2 = B, 3 = C) give three finalist dossiers (10, 20, 30):
#            A    B    C     mean   median (= trimmed mean of 3)
#   n10    900  500  520     640    520
#   n20    600  600  600     600    600
#   n30    400  450  500     450    450
# One winner. Mean: n10; median and trimmed mean: n20. Every reviewer has 3 reviews,
# under the z-score's minimum of 5: all kept raw, so the z-score is the mean (n10).
# Without A (mean): n10 (500 + 520) / 2 = 510 < n20 600, so n20 wins; without B or C
# n10 still wins (710, 700).
# Margin (mean): 640 − 600 = 40 points; n10's totals have σ = √(101600 / 3) = 184.03,
# spread 400; n20's σ = 0; pooled √((33866.67 + 0) / 2) = 130.13; 40 / 130.13 = 0.3074.


def hand_case(method=agg.Method.MEAN, *, min_reviews=5, winners=1) -> sens.CategoryInput:
    totals = {
        (r, n): float(x) for n, row in TABLE.items() for r, x in zip((1, 2, 3), row, strict=True)
    }
    return sens.CategoryInput(
        id=1,
        method=method,
        maximum=1000.0,
        min_reviews=min_reviews,
        winners=winners,
        min_score=None,
        finalists_only=True,
        stages=[(7, 100.0)],
        nominations=[10, 20, 30],
        state=dict.fromkeys(TABLE, NominationState.FINALIST),
        incomplete=dict.fromkeys(TABLE, False),
        totals={7: totals},
        names={1: "A", 2: "B", 3: "C"},
    )


def test_methods_side_by_side_on_the_hand_case():
    result = sens.category_sensitivity(hand_case(), draws=50, seed="t")
    by_method = {m["method"]: m for m in result["methods"]}
    assert by_method["mean"] == {
        "method": "mean",
        "in_use": True,
        "winners": [10],
        "added": [],
        "dropped": [],
    }
    assert by_method["median"]["winners"] == [20]
    assert (by_method["median"]["added"], by_method["median"]["dropped"]) == ([20], [10])
    assert by_method["trimmed_mean"]["winners"] == [20]
    assert by_method["zscore"]["winners"] == [10]  # all raw: the mean
    rows = {r["nomination_id"]: r for r in result["rows"]}
    assert rows[10]["scores"] == {
        "mean": 640.0,
        "trimmed_mean": 520.0,
        "median": 520.0,
        "zscore": 640.0,
    }
    assert rows[10]["ranks"] == {"mean": 1, "trimmed_mean": 2, "median": 2, "zscore": 1}
    assert rows[20]["wins"] == {
        "mean": False,
        "trimmed_mean": True,
        "median": True,
        "zscore": False,
    }
    assert [r["nomination_id"] for r in result["rows"]] == [10, 20, 30]  # method in use


def test_the_zscore_normalised_when_the_minimum_allows():
    # With no small-sample guard each reviewer is normalised: A (μ 633.3, σ 205.5)
    # puts n10 at z = 1.297 … ; the figures equal scoring.aggregation's own.
    inp = hand_case(agg.Method.ZSCORE, min_reviews=1)
    ranked, scores = sens.ranking(inp, agg.Method.ZSCORE)
    expected = agg.aggregate(inp.totals[7], method="zscore", maximum=1000, min_reviews=1)
    assert scores == pytest.approx(expected)
    assert [r.key for r in ranked] == sorted(expected, key=lambda n: -expected[n])


def test_leave_one_reviewer_out_on_the_hand_case():
    result = sens.category_sensitivity(hand_case(), draws=50, seed="t")
    assert [
        (r["name"], r["reviews"], r["added"], r["dropped"]) for r in result["leave_one_out"]
    ] == [
        ("A", 3, [20], [10]),
        ("B", 3, [], []),
        ("C", 3, [], []),
    ]


def test_few_reviews_for_the_zscore():
    result = sens.category_sensitivity(
        hand_case(), draws=10, seed="t", stage_names={7: ("初審", "Written")}
    )
    assert result["few_reviews"] == [
        {
            "reviewer_id": r,
            "name": name,
            "stage_zh": "初審",
            "stage_en": "Written",
            "reviews": 3,
            "raw": True,
        }
        for r, name in ((1, "A"), (2, "B"), (3, "C"))
    ]
    # A minimum of 3 normalises them, but from fewer than 5: still named, not raw.
    result = sens.category_sensitivity(hand_case(min_reviews=3), draws=10, seed="t")
    assert [(f["name"], f["raw"]) for f in result["few_reviews"]] == [
        ("A", False),
        ("B", False),
        ("C", False),
    ]


def test_margin_at_the_cut_on_the_hand_case():
    margin = sens.category_sensitivity(hand_case(), draws=10, seed="t")["margin"]
    assert margin["last"] == 10 and margin["next"] == 20
    assert margin["points"] == pytest.approx(40)
    assert margin["last_sd"] == pytest.approx(math.sqrt(101600 / 3))
    assert (margin["last_spread"], margin["last_n"]) == (400, 3)
    assert (margin["next_sd"], margin["next_spread"], margin["next_n"]) == (0, 0, 3)
    assert margin["in_sd"] == pytest.approx(40 / math.sqrt(101600 / 6))


def test_bootstrap_of_two_reviewers():
    # n1: A 800, B 400; n2: 600, 600. Two reviewers drawn with replacement: AA (¼) n1
    # 800 wins alone; AB (½) both 600, tied for the one place: both win; BB (¼) n1 400:
    # n2 wins. So each wins in about ¾ of the draws; n1 ranks 1 or 2 (5–95 %: 1–2), n2
    # ranks 1 (AB, BB) or 2 (AA).
    inp = hand_case()
    inp.nominations = [1, 2]
    inp.state = dict.fromkeys((1, 2), NominationState.FINALIST)
    inp.incomplete = dict.fromkeys((1, 2), False)
    inp.totals = {7: {(1, 1): 800.0, (2, 1): 400.0, (1, 2): 600.0, (2, 2): 600.0}}
    out = sens.bootstrap(inp, draws=2000, seed="two")
    assert out[1][0] == [1, 2] and out[2][0] == [1, 2]
    assert 0.72 < out[1][1] < 0.78
    assert 0.72 < out[2][1] < 0.78
    assert sens.bootstrap(inp, draws=2000, seed="two") == out  # seeded: reproducible


def test_bootstrap_without_disagreement_is_certain():
    inp = hand_case()
    inp.totals = {7: {(r, n): float(n * 10) for n in TABLE for r in (1, 2, 3)}}
    out = sens.bootstrap(inp, draws=200, seed="x")
    assert out == {30: ([1, 1], 1.0), 20: ([2, 2], 0.0), 10: ([3, 3], 0.0)}


@pytest.mark.parametrize("method", ["mean", "median", "trimmed_mean", "zscore"])
def test_a_draw_of_everyone_once_or_twice_is_the_reference_arithmetic(method):
    """The draws' columns give what scoring.aggregation gives for the same reviewers (a
    reviewer drawn twice counts as two identical reviewers)."""
    inp = hand_case(method, min_reviews=2)
    index = {1: 0, 2: 1, 3: 2}
    stage = sens._stage_columns(inp, 7, 100.0, index)
    once = sens._draw_scores(stage, [1, 1, 1], method, 1000.0)
    reference = agg.aggregate(inp.totals[7], method=method, maximum=1000, min_reviews=2)
    assert once == pytest.approx(reference)
    twice_a = sens._draw_scores(stage, [2, 0, 1], method, 1000.0)
    doubled = {(r, n): x for (r, n), x in inp.totals[7].items() if r != 2}
    doubled.update({(9, n): x for (r, n), x in inp.totals[7].items() if r == 1})
    expected = agg.aggregate(doubled, method=method, maximum=1000, min_reviews=2)
    assert twice_a == pytest.approx(expected)


def test_the_award_rule_is_the_compiled_one():
    # Two places, a minimum of 500: median winners n20 (600) and n10 (520); under the
    # mean n30 (450) is under the minimum, so n10 and n20 win both ways.
    inp = hand_case(winners=2)
    inp.min_score = 500.0
    methods = {
        m["method"]: m for m in sens.category_sensitivity(inp, draws=10, seed="t")["methods"]
    }
    assert methods["mean"]["winners"] == [10, 20]
    assert methods["median"]["winners"] == [20, 10]
    assert methods["median"]["added"] == methods["median"]["dropped"] == []
    # Not finalists: nobody wins.
    inp.state = dict.fromkeys(TABLE, NominationState.ELIGIBLE)
    assert sens.category_sensitivity(inp, draws=10, seed="t")["methods"][0]["winners"] == []


# --- on a compiled version --------------------------------------------------------------


def run_sensitivity(cycle, version):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.sensitivity_start(version=version, actor=cycle.secretariat)
    job.refresh_from_db()
    assert job.status == "done", job.error
    return SensitivityRun.objects.get(pk=job.result["run"])


@pytest.mark.django_db
def test_the_job_on_a_version_and_the_approval_records_the_run():
    cycle = disputed_cycle()
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    run = run_sensitivity(cycle, version)
    (category,) = run.data["categories"]
    n10, n20, _n30 = (n.pk for n in cycle.nominations)
    methods = {m["method"]: m["winners"] for m in category["methods"]}
    assert methods == {"mean": [n10], "trimmed_mean": [n20], "median": [n20], "zscore": [n10]}
    assert category["matches_version"] is True
    loo = {r["name"]: (r["dropped"], r["added"]) for r in category["leave_one_out"]}
    assert loo == {
        cycle.reviewers[0].get_full_name(): ([n10], [n20]),
        cycle.reviewers[1].get_full_name(): ([], []),
        cycle.reviewers[2].get_full_name(): ([], []),
    }
    assert run.digest == sens.digest_of(run.data)
    # The same inputs give the same figures (seeded from the checksum).
    again = run_sensitivity(cycle, version)
    assert again.digest == run.digest and again.pk != run.pk
    # Approving with the older run shown is refused: a newer one exists.
    with pytest.raises(services.ResultsError, match="computed again"):
        services.version_approve(version=version, actor=cycle.approver, sensitivity_shown=run.pk)
    services.version_approve(version=version, actor=cycle.approver, sensitivity_shown=again.pk)
    entry = AuditEntry.objects.get(action="results.version.approved")
    assert entry.data == {"sensitivity": {"run": again.pk, "digest": again.digest}}
    # Frozen with the approved version: no new run.
    version.refresh_from_db()
    with pytest.raises(services.ResultsError, match="frozen"):
        services.sensitivity_start(version=version, actor=cycle.secretariat)
    assert SensitivityRun.objects.filter(version=version).count() == 2


@pytest.mark.django_db
def test_no_run_on_a_version_without_scores(client):
    cycle = disputed_cycle(scored=False)
    version = compile_version(cycle)
    client.force_login(cycle.secretariat)
    client.cookies["lang"] = "en"
    response = client.post(reverse("results:sensitivity", args=[version.pk]))
    assert response.status_code == 400
    page = html(response)
    assert squash(page.xpath("string(//*[@id='sensitivity-errors'])")) == (
        "Not started Version 1 has no reviewers' scores in a category decided by the final "
        "standings, so there is no decision to test. Nothing was started."
    )
    from workflow.models import Job

    assert not Job.objects.filter(kind="sensitivity").exists()
    assert not SensitivityRun.objects.exists()


@pytest.mark.django_db
def test_the_panel_for_each_persona(client):
    cycle = disputed_cycle()
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    run = run_sensitivity(cycle, version)
    url = reverse("results:version", args=[version.pk])
    client.cookies["lang"] = "en"
    agencies = [n.agency.name_en or n.agency.name_zh for n in cycle.nominations]
    # The approver sees the panel, the method that changes the winner, and the run in
    # the approval form; no button to run it.
    client.force_login(cycle.approver)
    page = html(client.get(url))
    code = cycle.category.code
    warning = squash(page.xpath(f"string(//*[@id='sensitivity-{code}-methods-warning'])"))
    assert warning == (
        f"Another aggregation method changes a winner: Trimmed mean (drop highest and lowest): {agencies[1]} would win; "
        f"{agencies[0]} would not. Median: {agencies[1]} would win; {agencies[0]} would not."
    )
    rows = table_rows(page, f"//table[@id='sensitivity-{code}-methods']")
    assert [r[0] for r in rows] == agencies[:2]
    assert rows[0][1] == "1 · 640.00 Winner"
    assert rows[0][2] == "2 · 520.00 changes the result"
    loo = table_rows(page, f"//table[@id='sensitivity-{code}-loo']")
    assert [agencies[1] + " would win; " + agencies[0] + " would not"] == [
        r[2] for r in loo if r[0] == cycle.reviewers[0].get_full_name()
    ]
    assert page.xpath("//input[@name='approve-sensitivity_run']/@value") == [str(run.pk)]
    assert page.xpath("//*[@id='sensitivity-button']") == []
    # The secretariat may compute it again.
    client.force_login(cycle.secretariat)
    page = html(client.get(url))
    assert page.xpath("//*[@id='sensitivity-button']")
    # Anyone else: 404, for the page and the start.
    client.force_login(cycle.reviewers[0])
    assert client.get(url).status_code == 404
    assert client.post(reverse("results:sensitivity", args=[version.pk])).status_code == 404
    client.force_login(cycle.approver)
    assert client.post(reverse("results:sensitivity", args=[version.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 12])
def test_version_page_with_the_panel_query_count(client, django_assert_num_queries, extra):
    from tests.scoring.standings_helpers import many_dossiers

    cycle = disputed_cycle()
    if extra:
        many_dossiers(cycle, extra, reviewers=3)
    version = compile_version(cycle)
    run_sensitivity(cycle, version)
    client.force_login(cycle.secretariat)
    url = reverse("results:version", args=[version.pk])
    client.get(url)
    # As the page without a run (tests/results/test_views.py): the run is one query.
    with django_assert_num_queries(20):
        page = html(client.get(url))
    assert page.xpath("//*[@id='sensitivity-digest']")
