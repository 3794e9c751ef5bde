"""Standings from real rows: hand-computed figures per method, what counts (submitted
reviews of active assignments), flags, tie-breaks by dimension then the chair, final
standings across weighted stages, constant query counts, and the pages' permissions."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.enums import Role
from agencies.models import AuditEntry
from awards.enums import NominationState as S
from awards.models import Nomination
from rubrics.models import Dimension
from scoring.enums import Aggregation
from scoring.models import ReviewPolicy, TieDecision
from scoring.selectors import final_standings, stage_standings
from scoring.services import TieError, tie_decide
from tests.conftest import html, table_rows, texts
from tests.factories import UserFactory, review_cycle

from .standings_helpers import assign, give, many_dossiers, split

pytestmark = pytest.mark.django_db


def set_method(cycle, method, percent=20, min_reviews=5):
    ReviewPolicy.objects.update_or_create(
        edition=cycle.edition,
        defaults={
            "aggregation": method,
            "disagreement_percent": percent,
            "zscore_min_reviews": min_reviews,
        },
    )
    cycle.edition.refresh_from_db()
    cycle.edition.__dict__.pop("_review_policy_cache", None)


@pytest.fixture
def cycle():
    return review_cycle()


@pytest.fixture
def scored(cycle):
    """Four dossiers in written review, reviewers r1..r3 (r1 chairs):
    N1: r1 800, r2 750, r3 500     (submitted 3/3; spread 300 > 200: disagreement)
    N2: r1 700, r2 700, r3 draft   (submitted 2/3: incomplete)
    N3: r1 600, r2 600, r3 600
    N4: r1 500; r4 1000 but r4 was withdrawn for a conflict: only r1's 500 counts.
    """
    n1, n2, n3, n4 = cycle.nominations[:4]
    r1, r2, r3, r4 = cycle.reviewers
    give(cycle, assign(cycle, n1, r1), [160, 160, 80, 160, 240])  # 800
    give(cycle, assign(cycle, n1, r2), [150, 150, 70, 150, 230])  # 750
    give(cycle, assign(cycle, n1, r3), [100, 100, 50, 100, 150])  # 500
    give(cycle, assign(cycle, n2, r1), split(700))
    give(cycle, assign(cycle, n2, r2), split(700))
    give(cycle, assign(cycle, n2, r3), split(650), submit=False)
    for r in (r1, r2, r3):
        give(cycle, assign(cycle, n3, r), split(600))
    give(cycle, assign(cycle, n4, r1), split(500))
    withdrawn = assign(cycle, n4, r4)
    give(cycle, withdrawn, split(1000))
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.withdrawn_reason = "利益迴避"
    withdrawn.save()
    return n1, n2, n3, n4


def summary(standings):
    return [
        (
            row.nomination.pk,
            row.rank,
            None if row.score is None else round(row.score, 4),
            row.submitted,
            row.assigned,
            row.disagreement,
            row.incomplete,
            row.tied,
        )
        for row in standings.rows
    ]


def test_mean_standings_by_hand(cycle, scored):
    n1, n2, n3, n4 = scored
    standings = stage_standings(cycle.written, cycle.category)
    assert standings.method == Aggregation.MEAN
    assert standings.maximum == 1000
    assert standings.threshold_points == 200
    # N2 (700+700)/2 = 700; N1 (800+750+500)/3 = 683.3333; N3 600; N4 500 (r4's 1000
    # is withdrawn). Spreads: N1 800 − 500 = 300 > 200 flags disagreement.
    assert summary(standings) == [
        (n2.pk, 1, 700.0, 2, 3, False, True, False),
        (n1.pk, 2, 683.3333, 3, 3, True, False, False),
        (n3.pk, 3, 600.0, 3, 3, False, False, False),
        (n4.pk, 4, 500.0, 1, 1, False, False, False),
    ]
    row = standings.rows[1]
    # Dimension sums: D1 = i1 + i2: 320, 300, 200 -> 273.3333; D2 = i3 + i4: 240, 220,
    # 150 -> 203.3333; D3 = i5: 240, 230, 150 -> 206.6667.
    assert [(d.order, round(v, 4)) for d, v in row.dimensions] == [
        (1, 273.3333),
        (2, 203.3333),
        (3, 206.6667),
    ]
    assert [(t.reviewer.full_name, t.total) for t in row.reviewer_totals] == [
        ("評審委員1", 800.0),
        ("評審委員2", 750.0),
        ("評審委員3", 500.0),
    ]
    assert row.spread == 300
    # The histogram: 500 in band 5, 600 in band 6, 683.33 in band 6, 700 in band 7.
    assert [b["count"] for b in standings.histogram()] == [0, 0, 0, 0, 0, 1, 2, 1, 0, 0]


@pytest.mark.parametrize(
    ("method", "n1_score"),
    [
        # N1's totals 800, 750, 500: trimmed drops 800 and 500 -> 750; median 750.
        (Aggregation.TRIMMED_MEAN, 750.0),
        (Aggregation.MEDIAN, 750.0),
    ],
)
def test_trimmed_mean_and_median_standings(cycle, scored, method, n1_score):
    n1, n2, n3, n4 = scored
    set_method(cycle, method)
    standings = stage_standings(cycle.written, cycle.category)
    # N1 750 now leads N2 700; N3 600; N4 500.
    assert [(r.nomination.pk, r.rank, r.score) for r in standings.rows] == [
        (n1.pk, 1, n1_score),
        (n2.pk, 2, 700.0),
        (n3.pk, 3, 600.0),
        (n4.pk, 4, 500.0),
    ]
    # D1 under trimmed mean / median: sums 320, 300, 200 -> 300.
    assert standings.rows[0].dimensions[0][1] == 300


def test_zscore_standings_by_hand(cycle):
    """Two reviewers, two dossiers (the totals of test_aggregation's two-reviewer case
    times ten): r1 N1 800, N2 600 (μ 700, σ 100); r2 N1 750, N2 350 (μ 550, σ 200);
    all four: μ 625, σ 175. Each reviewer puts N1 at z = +1 and N2 at z = −1, so
    N1 = 625 + 175 = 800 and N2 = 625 − 175 = 450 (raw means 775 and 475)."""
    n1, n2 = cycle.nominations[:2]
    r1, r2 = cycle.reviewers[:2]
    give(cycle, assign(cycle, n1, r1), split(800))
    give(cycle, assign(cycle, n2, r1), split(600))
    give(cycle, assign(cycle, n1, r2), split(750))
    give(cycle, assign(cycle, n2, r2), split(350))
    set_method(cycle, Aggregation.ZSCORE, min_reviews=1)  # the maths, without the guard
    standings = stage_standings(cycle.written, cycle.category)
    assert [(r.nomination.pk, r.rank, round(r.score, 4)) for r in standings.rows] == [
        (n1.pk, 1, 800.0),
        (n2.pk, 2, 450.0),
    ]
    assert [(t.total, round(t.normalised, 4)) for t in standings.rows[0].reviewer_totals] == [
        (800.0, 800.0),
        (750.0, 800.0),
    ]
    # D3 (i5, 30 % of each total): the same shape scaled by 0.3 -> 240 and 135.
    assert round(standings.rows[0].dimensions[2][1], 4) == 240.0
    assert round(standings.rows[1].dimensions[2][1], 4) == 135.0


def test_zscore_guard_keeps_a_reviewer_with_few_reviews_raw(cycle):
    """r1 scored five dossiers, r2 only N1 and N2 (967 and 963): under the default
    minimum of 5 reviews r2's totals are used raw, r1's are normalised, and the page says
    so beside N1 and N2 only."""
    n = cycle.nominations
    r1, r2 = cycle.reviewers[:2]
    for nomination, total in zip(n[:5], [900, 800, 700, 600, 500], strict=True):
        give(cycle, assign(cycle, nomination, r1), split(total))
    give(cycle, assign(cycle, n[0], r2), split(967))
    give(cycle, assign(cycle, n[1], r2), split(963))
    set_method(cycle, Aggregation.ZSCORE)
    assert ReviewPolicy.objects.get(edition=cycle.edition).zscore_min_reviews == 5
    standings = stage_standings(cycle.written, cycle.category)
    by_pk = {r.nomination.pk: r for r in standings.rows}
    n1_totals = {t.reviewer.pk: t for t in by_pk[n[0].pk].reviewer_totals}
    assert (round(n1_totals[r2.pk].total, 4), n1_totals[r2.pk].normalised) == (967, None)
    assert n1_totals[r2.pk].raw_count == 2
    assert n1_totals[r1.pk].raw_count is None and n1_totals[r1.pk].normalised is not None
    assert [t.reviewer.pk for t in by_pk[n[1].pk].raw_totals] == [r2.pk]
    assert [r for r in standings.rows if r.raw_totals] == [by_pk[n[0].pk], by_pk[n[1].pk]]
    # N2: r1's 800 normalised, r2's 963 as given; the mean of the two.
    n2 = by_pk[n[1].pk]
    r1_n2 = next(t for t in n2.reviewer_totals if t.reviewer.pk == r1.pk)
    assert round(n2.score, 4) == round((r1_n2.normalised + 963) / 2, 4)

    tree = html(client_for(cycle.secretariat).get(standings_url(cycle)))
    assert texts(tree, "//*[@id='zscore-guard']") == [
        "A reviewer who scored fewer than 5 dossiers in this stage is not normalised: "
        "their scores are used raw."
    ]
    notes = {
        row.xpath("string(th)").split(" ")[3]: [
            " ".join(p.text_content().split())
            for p in row.xpath(".//p[@class='cell-note raw-note']")
        ]
        for row in tree.xpath("//table[contains(@class,'standings-table')]/tbody/tr")
    }
    assert notes == {
        "1": ["Raw scores: 評審委員2 scored only 2 dossiers"],
        "2": ["Raw scores: 評審委員2 scored only 2 dossiers"],
        "3": [],
        "4": [],
        "5": [],
    }
    # Below the minimum the policy can be lowered: then r2 is normalised too.
    set_method(cycle, Aggregation.ZSCORE, min_reviews=2)
    assert not any(r.raw_totals for r in stage_standings(cycle.written, cycle.category).rows)


def test_a_withdrawn_reviewers_scores_drop_out(cycle, scored):
    n1, n2, n3, n4 = scored
    before = {r.nomination.pk: r.score for r in stage_standings(cycle.written, cycle.category).rows}
    a = n1.assignments.get(reviewer=cycle.reviewers[2])
    a.withdrawn_at = timezone.now()
    a.save()
    after = {r.nomination.pk: r.score for r in stage_standings(cycle.written, cycle.category).rows}
    assert after[n1.pk] == 775  # (800 + 750) / 2
    assert {k: v for k, v in after.items() if k != n1.pk} == {
        k: v for k, v in before.items() if k != n1.pk
    }


def tie_setup(cycle):
    """Three dossiers at 800 from one reviewer each. Tie-break 1 is D3 (innovation),
    2 is D1: D3 is 200 for all; D1 N1 400 > N2 300 = N3 300. So N1 is first and N2, N3
    are still tied at rank 2."""
    Dimension.objects.filter(rubric=cycle.rubric, order=3).update(tie_break_rank=1)
    Dimension.objects.filter(rubric=cycle.rubric, order=1).update(tie_break_rank=2)
    n1, n2, n3 = cycle.nominations[:3]
    r1 = cycle.reviewers[1]
    give(cycle, assign(cycle, n1, r1), [200, 200, 50, 150, 200])  # D1 400 D2 200 D3 200
    give(cycle, assign(cycle, n2, r1), [150, 150, 100, 200, 200])  # D1 300 D2 300 D3 200
    give(cycle, assign(cycle, n3, r1), [200, 100, 100, 200, 200])  # D1 300 D2 300 D3 200
    return n1, n2, n3


def test_the_chairs_dashboard_shows_pending_ties(cycle):
    n1, n2, n3 = tie_setup(cycle)
    dashboard = reverse("dashboard")
    ties_link = "//*[@id='pending-ties']//a"
    # The chair: a link to the ties page, saying how many groups wait.
    tree = html(client_for(cycle.chair).get(dashboard))
    assert texts(tree, ties_link) == [
        f"First-line service agencies · {cycle.written.name_en}: 1 group of tied dossiers"
    ]
    assert tree.xpath(f"{ties_link}/@href") == [ties_url(cycle)]
    # Another reviewer of the panel and the secretariat: no chair's section.
    for user in (cycle.reviewers[1], cycle.secretariat):
        assert html(client_for(user).get(dashboard)).xpath("//*[@id='pending-ties']") == []
    # Once decided, nothing is pending.
    tie_decide(
        actor=cycle.chair,
        stage=cycle.written,
        category=cycle.category,
        ordered_nomination_ids=[n3.pk, n2.pk],
        reason="主席裁示",
    )
    assert html(client_for(cycle.chair).get(dashboard)).xpath("//*[@id='pending-ties']") == []


def test_ties_broken_by_dimension_then_by_the_chair(cycle):
    n1, n2, n3 = tie_setup(cycle)
    standings = stage_standings(cycle.written, cycle.category)
    assert [(r.nomination.pk, r.rank, r.tied, r.broken_by_dimension) for r in standings.rows] == [
        (n1.pk, 1, False, True),
        (n2.pk, 2, True, True),
        (n3.pk, 2, True, True),
    ]
    assert [[r.nomination.pk for r in g] for g in standings.tied_groups] == [[n2.pk, n3.pk]]

    tie_decide(
        actor=cycle.chair,
        stage=cycle.written,
        category=cycle.category,
        ordered_nomination_ids=[n3.pk, n2.pk],
        reason="實地訪查紀錄較完整",
    )
    standings = stage_standings(cycle.written, cycle.category)
    assert [(r.nomination.pk, r.rank, r.tied, r.decided) for r in standings.rows] == [
        (n1.pk, 1, False, False),
        (n3.pk, 2, False, True),
        (n2.pk, 3, False, True),
    ]
    assert dict(TieDecision.objects.values_list("nomination_id", "position")) == {
        n3.pk: 1,
        n2.pk: 2,
    }
    entry = AuditEntry.objects.get(action="tie.decide")
    assert (entry.actor, entry.reason, entry.data["order"], entry.data["for_chair"]) == (
        cycle.chair,
        "實地訪查紀錄較完整",
        [n3.pk, n2.pk],
        None,
    )


def test_tie_decide_refuses(cycle):
    n1, n2, n3 = tie_setup(cycle)
    common = {"stage": cycle.written, "category": cycle.category}
    with pytest.raises(TieError, match="Only the panel's chair"):
        tie_decide(
            actor=cycle.reviewers[1], ordered_nomination_ids=[n2.pk, n3.pk], reason="x", **common
        )
    with pytest.raises(TieError, match="Give the reason"):
        tie_decide(actor=cycle.chair, ordered_nomination_ids=[n2.pk, n3.pk], reason=" ", **common)
    with pytest.raises(TieError, match="not exactly one group"):
        tie_decide(actor=cycle.chair, ordered_nomination_ids=[n1.pk, n2.pk], reason="x", **common)
    with pytest.raises(TieError, match="not exactly one group"):
        tie_decide(actor=cycle.chair, ordered_nomination_ids=[n2.pk], reason="x", **common)
    with pytest.raises(TieError, match="appears twice"):
        tie_decide(
            actor=cycle.chair, ordered_nomination_ids=[n2.pk, n2.pk, n3.pk], reason="x", **common
        )
    assert not TieDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="tie.decide").exists()
    # The secretariat records for the chair; the audit says so.
    tie_decide(
        actor=cycle.secretariat, ordered_nomination_ids=[n2.pk, n3.pk], reason="主席裁示", **common
    )
    assert AuditEntry.objects.get(action="tie.decide").data["for_chair"] == cycle.chair.pk


def test_final_standings_combine_weighted_stages(cycle):
    """Written 30 %, site visit 70 %.
    N1: written 800, site 600 -> 0.3·800 + 0.7·600 = 240 + 420 = 660
    N2: written 700, site 650 -> 210 + 455 = 665
    N3: written 900, no site-visit score -> 900 alone (flagged: no score in site visit)."""
    n1, n2, n3 = cycle.nominations[:3]
    r1 = cycle.reviewers[1]
    assessor = cycle.assessors[0]
    give(cycle, assign(cycle, n1, r1), split(800))
    give(cycle, assign(cycle, n2, r1), split(700))
    give(cycle, assign(cycle, n3, r1), split(900))
    give(cycle, assign(cycle, n1, assessor, cycle.site_visit), split(600))
    give(cycle, assign(cycle, n2, assessor, cycle.site_visit), split(650))
    result = final_standings(cycle.edition, cycle.category)
    assert [s.pk for s in result.stages] == [cycle.written.pk, cycle.site_visit.pk]
    assert result.decision_stage == cycle.site_visit
    assert [
        (r.nomination.pk, r.rank, round(r.score, 4), [s.score for s in r.stages])
        for r in result.rows
    ] == [
        # Scored in both weighted stages ranks above scored in one only, whatever the
        # numbers: N3 (written only, 900) was not a finalist and comes after them.
        (n2.pk, 1, 665.0, [700.0, 650.0]),
        (n1.pk, 2, 660.0, [800.0, 600.0]),
        (n3.pk, 3, 900.0, [900.0, None]),
    ]
    assert [s.pk for s in result.rows[2].missing_stages] == [cycle.site_visit.pk]
    # D3 (30 % of each total): N2 0.3·210 + 0.7·195 = 63 + 136.5 = 199.5
    assert round(result.rows[0].dimensions[2][1], 4) == 199.5


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 500])
def test_stage_standings_query_count_is_constant(cycle, count, django_assert_num_queries):
    set_method(cycle, Aggregation.ZSCORE)
    many_dossiers(cycle, count)
    stage = cycle.written
    stage.edition = cycle.edition
    cycle.edition.__dict__.pop("_review_policy_cache", None)
    # policy, rubric, dimensions, assignments, their reviewers, the sums, tie decisions
    with django_assert_num_queries(7):
        standings = stage_standings(stage, cycle.category)
    assert len(standings.rows) == count
    assert all(r.submitted == 3 for r in standings.rows)
    # The nominations (with their agencies) are read when first asked for: every row's
    # in one query, or only those asked for ahead (a page's).
    with django_assert_num_queries(1):
        agencies = {r.agency.name for r in standings.rows}
    assert len(agencies) == count
    fresh = stage_standings(stage, cycle.category)
    page = fresh.rows[:3]
    with django_assert_num_queries(1):
        fresh.load_nominations([r.nomination_id for r in page])
        assert [r.nomination.pk for r in page] == [r.nomination_id for r in page]
        assert all(r.agency.name for r in page)
    assert len(fresh.nominations._rows) == 3


# --- pages: three personas ----------------------------------------------------------------


def client_for(user):
    client = Client()
    client.force_login(user)
    client.cookies["lang"] = "en"
    return client


def standings_url(cycle):
    return reverse("scoring:standings", args=[cycle.written.pk, cycle.category.pk])


def ties_url(cycle):
    return reverse("scoring:ties", args=[cycle.written.pk, cycle.category.pk])


def final_url(cycle):
    return reverse("scoring:final_standings", args=[cycle.edition.pk, cycle.category.pk])


def test_standings_page_for_the_secretariat(cycle, scored):
    response = client_for(cycle.secretariat).get(standings_url(cycle))
    tree = html(response)
    assert texts(tree, "//h1") == [
        f"Standings: First-line service agencies{cycle.written.name_en} · {cycle.edition.name_en}"
    ]
    assert texts(tree, "//dl[@id='standings-method']/dd")[:2] == [
        "Mean",
        "A spread of more than 20 % of 1000 points (200.00 points) between reviewers' "
        "totals is flagged for moderation.",
    ]
    rows = table_rows(tree, "//table[contains(@class,'standings-table')]")
    # rank, agency, score, D1
    assert [[r[1], r[2], r[3], r[5]] for r in rows] == [
        ["1", "Household Registration Office 2 " + cycle.agencies[1].code, "700.00", "280.00"],
        ["2", "Household Registration Office 1 " + cycle.agencies[0].code, "683.33", "273.33"],
        ["3", "Household Registration Office 3 " + cycle.agencies[2].code, "600.00", "240.00"],
        ["4", "Household Registration Office 4 " + cycle.agencies[3].code, "500.00", "200.00"],
    ]
    # flags, reviewers' totals, spread, submitted / assigned
    assert [rows[1][4], *rows[1][8:11]] == [
        "Reviewers disagree: moderate",
        "評審委員1 800.00 評審委員2 750.00 評審委員3 500.00",
        "300.00",
        "3 / 3",
    ]
    assert [rows[0][4], rows[0][10]] == ["Reviews incomplete", "2 / 3"]
    assert rows[3][8] == "評審委員1 500.00"  # the withdrawn reviewer's 1000 is not shown
    # Each reviewer's total links to the review's record (where it can be reopened).
    n1 = scored[0]
    assert tree.xpath("//tbody/tr[2]//a[@class='review-record-link']/@href") == [
        reverse("scoring:review_detail", args=[n1.assignments.get(reviewer=r).pk])
        for r in cycle.reviewers[:3]
    ]
    assert rows[0][0] == "Shortlist Household Registration Office 2"
    assert len(tree.xpath("//svg[@class='histogram']//rect[@class='bin']")) == 3
    assert texts(tree, "//svg[@class='histogram']//text[@class='bin-count']") == ["1", "2", "1"]


def test_standings_page_for_the_chair_and_an_outsider_is_404(cycle, scored):
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])
    for user in (cycle.chair, cycle.outsider, cycle.reviewers[1], editor):
        client = client_for(user)
        assert client.get(standings_url(cycle)).status_code == 404
        assert client.get(final_url(cycle)).status_code == 404
        assert client.post(standings_url(cycle), {"nomination": [scored[0].pk]}).status_code == 404
    assert set(n.state for n in cycle.nominations) == {S.ELIGIBLE}


def test_ties_page_chair_secretariat_and_others(cycle):
    n1, n2, n3 = tie_setup(cycle)
    # The chair sees the tied dossiers' names and scores, nothing about reviewers.
    response = client_for(cycle.chair).get(ties_url(cycle))
    tree = html(response)
    assert texts(tree, "//section[contains(@class,'tie-group')]/h2") == [
        "2 dossiers tied at rank 2"
    ]
    assert table_rows(tree, "//table[@class='tie-table']") == [
        ["Household Registration Office 2", "800.00", "Place of Household Registration Office 2"],
        ["Household Registration Office 3", "800.00", "Place of Household Registration Office 3"],
    ]
    assert "評審委員" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert tree.xpath("//*[@id='for-chair']") == []
    # The chair's breadcrumbs lead to their tasks, not to the secretariat's pages (404).
    crumbs = "//nav[@class='breadcrumbs']//li"
    edition = cycle.category.edition
    assert texts(tree, crumbs) == ["My tasks", edition.name, "Ties for the chair"]
    assert tree.xpath(f"{crumbs}/a/@href") == [reverse("dashboard")]
    # Bad places: a clear message, nothing recorded.
    response = client_for(cycle.chair).post(
        ties_url(cycle),
        {"group": [n2.pk, n3.pk], f"place-{n2.pk}": "1", f"place-{n3.pk}": "1", "reason": "x"},
    )
    assert texts(html(response), "//*[@id='tie-errors']//li") == [
        "Places: give each tied dossier a different place, from 1 to 2."
    ]
    response = client_for(cycle.chair).post(
        ties_url(cycle),
        {"group": [n2.pk, n3.pk], f"place-{n2.pk}": "2", f"place-{n3.pk}": "1", "reason": ""},
    )
    assert texts(html(response), "//*[@id='tie-errors']//li") == [
        "Give the reason for the chair's decision."
    ]
    assert not TieDecision.objects.exists()
    # The secretariat records for the chair.
    client = client_for(cycle.secretariat)
    tree = html(client.get(ties_url(cycle)))
    assert texts(tree, "//*[@id='for-chair']") == [
        "You are recording the decision of the panel's chair, 評審委員1."
    ]
    assert tree.xpath(f"{crumbs}/a/@href") == [
        reverse("awards:scheme_list"),
        reverse("awards:edition_detail", args=[edition.pk]),
    ]
    response = client.post(
        ties_url(cycle),
        {
            "group": [n2.pk, n3.pk],
            f"place-{n2.pk}": "2",
            f"place-{n3.pk}": "1",
            "reason": "主席裁示",
        },
        follow=True,
    )
    tree = html(response)
    assert texts(tree, "//ul[@class='messages']/li") == ["The chair's order is recorded."]
    assert texts(tree, "//*[@id='no-ties']") == [
        "No dossiers are tied: nothing for the chair to decide."
    ]
    assert dict(TieDecision.objects.values_list("nomination_id", "position")) == {
        n3.pk: 1,
        n2.pk: 2,
    }
    # Another reviewer of the panel and an outsider: 404.
    for user in (cycle.reviewers[1], cycle.outsider):
        assert client_for(user).get(ties_url(cycle)).status_code == 404


def test_shortlisting_through_the_page(cycle, scored):
    n1, n2, n3, n4 = scored
    client = client_for(cycle.secretariat)
    # Preview top 2 by count: ticks N2 and N1, and says N2's reviews are incomplete.
    tree = html(client.get(standings_url(cycle), {"by": "count", "value": "2"}))
    assert texts(tree, "//*[@id='preview-result']/p") == [
        "This rule selects 2 dossiers.",
        "Before these can be shortlisted:",
    ]
    assert texts(tree, "//*[@id='preview-result']//li") == [
        "Household Registration Office 2: reviews incomplete (2 of 3 submitted)."
    ]
    assert tree.xpath("//input[@name='nomination' and @checked]/@value") == [
        str(n2.pk),
        str(n1.pk),
    ]
    # Bad inputs.
    tree = html(client.get(standings_url(cycle), {"by": "threshold", "value": "abc"}))
    assert texts(tree, "//*[@id='rule-errors']/li") == [
        "Threshold: enter a number of points, e.g. 750."
    ]
    tree = html(client.post(standings_url(cycle), {"reason": ""}))
    assert texts(tree, "//*[@id='shortlist-errors']//li") == [
        "Select at least one dossier to shortlist."
    ]
    tree = html(client.post(standings_url(cycle), {"nomination": [n2.pk]}))
    assert texts(tree, "//*[@id='shortlist-errors']//li") == [
        "Household Registration Office 2: reviews incomplete (2 of 3 submitted)."
    ]
    assert tree.xpath("//input[@name='nomination' and @checked]/@value") == [str(n2.pk)]
    # N2 submits its third review; then the two can be shortlisted.
    # (700 + 700 + 600) / 3 = 666.67: N1 683.33 first, N2 second.
    give(cycle, n2.assignments.get(reviewer=cycle.reviewers[2]), split(600))
    # First the check: who becomes a finalist, who is assigned to them in the site
    # visit. Nothing changes yet.
    response = client.post(standings_url(cycle), {"nomination": [n2.pk, n1.pk], "reason": "前二名"})
    tree = html(response)
    assert texts(tree, "//h1") == [
        f"Confirm the shortlistFirst-line service agencies · {cycle.written.name_en} · "
        f"{cycle.edition.name_en}"
    ]
    assert texts(tree, "//ol[@class='finalist-list']/li") == [
        "Household Registration Office 1 rank 1 · 683.33 points",
        "Household Registration Office 2 rank 2 · 666.67 points",
    ]
    assert texts(tree, "//*[@id='shortlist-note']") == [
        "Note (Internal: for the record only): 前二名"
    ]
    assert texts(tree, "//*[@id='assignments-heading']") == [
        "6 assignments will be created in Site visit"
    ]
    planned = table_rows(tree, "//table[contains(@class,'planned-assignments')]")
    assert [row[0] for row in planned] == [
        "Household Registration Office 1",
        "Household Registration Office 2",
    ]
    assert [row[1] for row in planned] == [
        "評審委員1 評審委員3 實地查核員1 site assessor",
        "評審委員2 評審委員4 實地查核員1 site assessor",
    ]
    assert [n.state for n in (n1, n2) if not n.refresh_from_db()] == [S.ELIGIBLE, S.ELIGIBLE]
    assert not cycle.site_visit.assignments.exists()
    form = {
        "nomination": tree.xpath(
            "//form[@id='shortlist-confirm']//input[@name='nomination']/@value"
        ),
        **{
            name: tree.xpath(f"//form[@id='shortlist-confirm']//input[@name='{name}']/@value")[0]
            for name in ("reason", "visibility", "plan", "confirm")
        },
    }
    assert texts(tree, "//form[@id='shortlist-confirm']//button") == [
        "Confirm: make 2 finalists and create 6 assignments"
    ]
    response = client.post(standings_url(cycle), form, follow=True)
    tree = html(response)
    assert texts(tree, "//ul[@class='messages']/li") == [
        "2 dossiers are now finalists: Household Registration Office 1, "
        "Household Registration Office 2. 6 assignments were created in Site visit."
    ]
    assert cycle.site_visit.assignments.count() == 6
    assert set(
        tree.xpath(
            "//tr[contains(@class,'finalist-row')]//span[@class='badge state-finalist']/text()"
        )
    ) == {"Finalist"}
    assert [n.state for n in (n1, n2, n3, n4) if not n.refresh_from_db()] == [
        S.FINALIST,
        S.FINALIST,
        S.ELIGIBLE,
        S.ELIGIBLE,
    ]


def test_the_shortlist_confirmation_for_other_roles_is_404_and_a_stale_one_is_refused(
    cycle, scored
):
    n1, n2, n3, n4 = scored
    give(cycle, n2.assignments.get(reviewer=cycle.reviewers[2]), split(600))
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])
    client = client_for(cycle.secretariat)
    tree = html(client.post(standings_url(cycle), {"nomination": [n1.pk]}))
    fingerprint = tree.xpath("//input[@name='plan']/@value")[0]
    form = {"nomination": [n1.pk], "plan": fingerprint, "confirm": "1", "visibility": "internal"}
    # The chair, a reviewer and the agency's editor: 404 for the check and the confirm.
    for user in (cycle.chair, cycle.reviewers[1], editor):
        assert (
            client_for(user).post(standings_url(cycle), {"nomination": [n1.pk]}).status_code == 404
        )
        assert client_for(user).post(standings_url(cycle), form).status_code == 404
    assert Nomination.objects.get(pk=n1.pk).state == S.ELIGIBLE
    # Someone shortlists N2 meanwhile: the reviewers' loads change, so N1's plan does.
    tree = html(client.post(standings_url(cycle), {"nomination": [n2.pk]}))
    client.post(
        standings_url(cycle),
        {
            "nomination": [n2.pk],
            "plan": tree.xpath("//input[@name='plan']/@value")[0],
            "confirm": "1",
            "visibility": "internal",
        },
    )
    tree = html(client.post(standings_url(cycle), form))
    assert texts(tree, "//*[@id='shortlist-errors']/h2") == ["Nothing was shortlisted"]
    assert texts(tree, "//*[@id='shortlist-errors']//li") == [
        "The standings or the panel changed since the preview: check the finalists and the "
        "assignments again before confirming."
    ]
    assert Nomination.objects.get(pk=n1.pk).state == S.ELIGIBLE
    # A refused site-visit assignment says so before anything is confirmed.
    cycle.site_visit.reviewers_per_dossier = 9
    cycle.site_visit.save()
    tree = html(client.post(standings_url(cycle), {"nomination": [n1.pk]}))
    assert texts(tree, "//*[@id='shortlist-errors']//li")[:2] == [
        "The finalists could not be assigned for Site visit:",
        "Automatic assignment stopped: 1 dossier cannot get enough reviewers. "
        "Nothing was assigned.",
    ]
    assert tree.xpath("//input[@name='nomination' and @checked]/@value") == [str(n1.pk)]


def test_the_shortlisting_note_reaches_the_agency_only_when_marked_for_it(cycle, scored):
    from awards.enums import NoteVisibility
    from scoring.services import finalists_select

    n1, n2, n3, n4 = scored
    give(cycle, n2.assignments.get(reviewer=cycle.reviewers[2]), split(600))
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    finalists_select(nomination_ids=[n1.pk], reason="委員會內部討論：險勝", **kwargs)
    finalists_select(
        nomination_ids=[n2.pk],
        reason="請於決審準備簡報",
        reason_visibility=NoteVisibility.AGENCY,
        **kwargs,
    )
    editor1 = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])
    editor2 = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[1])])

    def note(user, nomination):
        response = client_for(user).get(reverse("awards:dossier", args=[nomination.pk]))
        if response.status_code == 404:
            return 404
        return texts(html(response), "//div[contains(@class,'state-reason')]//strong")

    # The agency's editor: an internal note is not shown; one for the agency is.
    assert note(editor1, n1) == []
    assert note(editor2, n2) == ["Note: 請於決審準備簡報"]
    # The secretariat reads the internal note, labelled as such.
    assert note(cycle.secretariat, n1) == [
        "Internal note (not shown to the agency): 委員會內部討論：險勝"
    ]
    # Another agency's editor: 404.
    assert note(editor2, n1) == 404


def test_final_standings_page(cycle):
    n1 = cycle.nominations[0]
    give(cycle, assign(cycle, n1, cycle.reviewers[1]), split(800))
    give(cycle, assign(cycle, n1, cycle.assessors[0], cycle.site_visit), split(600))
    tree = html(client_for(cycle.secretariat).get(final_url(cycle)))
    assert texts(tree, "//table[@id='final-table']/thead/tr/th")[:5] == [
        "Rank",
        "Agency",
        "Written review weight 30 %",
        "Site visit weight 70 %",
        "Final score",
    ]
    assert table_rows(tree, "//table[@id='final-table']")[0][:5] == [
        "1",
        "Household Registration Office 1 " + cycle.agencies[0].code,
        "800.00",
        "600.00",
        "660.00",
    ]


@pytest.mark.parametrize("count", [10, 1000])
def test_standings_page_query_count_is_constant(cycle, count, django_assert_num_queries):
    set_method(cycle, Aggregation.ZSCORE)
    many_dossiers(cycle, count)
    client = client_for(cycle.secretariat)
    client.get(standings_url(cycle))  # warm the session
    # session, user, roles; category, stage; policy, rubric, dimensions, assignments,
    # reviewers, the sums, tie decisions; the page's nominations (with their agencies)
    with django_assert_num_queries(13):
        response = client.get(standings_url(cycle), {"by": "count", "value": "5"})
    tree = html(response)
    rows = table_rows(tree, "//table[contains(@class,'standings-table')]")
    # One page of rows (scoring.views.standings.PER_PAGE), whatever the field's size.
    assert len(rows) == min(count, 50)
    assert texts(tree, "//*[@id='list-summary']") == [f"Showing 1–{min(count, 50)} of {count}"]
