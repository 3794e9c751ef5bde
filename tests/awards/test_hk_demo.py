"""The runnable HK 2002–03 demo (issue 16, parts 7 and 8): the 48 departments of the
exhibition, the department, team and individual awards reviewed by a panel of the four
constituencies the seed names, compiled and published; and `demo_replay`, which moves an
edition's dates around today."""

import datetime

import pytest

from agencies.models import Agency
from awards import demo_data
from awards.models import Category, Edition, Nomination, Nominee
from awards.results.demo import load_results_demo
from awards.results.models import AwardRule, Obligation, ResultVersion
from scoring.demo import load_review_demo
from scoring.models import Assignment, PanelMember, Review
from surveys.demo import load_poll_demo

pytestmark = pytest.mark.django_db


def _hk():
    return Edition.objects.get(scheme__code="hk-csca", number=2002)


@pytest.fixture
def hk_loaded(demo):
    load_poll_demo()
    assert load_review_demo()
    assert load_results_demo()
    return _hk()


def test_hk_demo_has_the_48_departments_and_three_reviewed_awards(demo):
    government = Agency.objects.get(code="HK-GOV")
    assert government.children.count() == 48
    entrants = [code for code, *_rest in demo_data.HK_DEPARTMENTS]
    assert len(entrants) == 23
    edition = _hk()
    assert list(edition.categories.order_by("order").values_list("code", "kind")) == [
        ("department", "department"),
        ("best-public-image", "special"),
        ("team", "team"),
        ("individual", "individual"),
    ]
    for code in ("team", "individual"):
        rubric = Category.objects.get(edition=edition, code=code).rubric
        assert rubric.total_points == 100
        assert sum(d.max_points for d in rubric.dimensions.all()) == 100


def test_hk_review_and_results_demo(hk_loaded):
    edition = hk_loaded
    assert edition.is_demo
    nominations = Nomination.objects.filter(edition=edition)
    department = nominations.filter(category__code="department")
    assert department.count() == 23
    assert set(department.values_list("agency__code", flat=True)) == {
        code for code, *_rest in demo_data.HK_DEPARTMENTS
    }
    assert department.filter(state="finalist").count() == 8
    assert set(department.values_list("state", flat=True)) == {"eligible", "finalist"}
    # Team and individual nominees, with and without consent to be named in public.
    teams = Nominee.objects.filter(nomination__edition=edition, kind="team")
    people = Nominee.objects.filter(nomination__edition=edition, kind="individual")
    assert teams.count() >= 2 and people.count() >= 2
    assert {n.public_consent for n in teams} == {True, False}
    assert {n.public_consent for n in people} == {True, False}
    assert all(t.members.count() >= 2 for t in teams)
    assert all(p.post for p in people)
    # The panel: the legislature, the private sector, professional bodies, the staff side.
    for code in ("department", "team", "individual"):
        members = PanelMember.objects.filter(
            panel__category__edition=edition, panel__category__code=code
        )
        assert set(members.filter(kind="reviewer").values_list("affiliation_type", flat=True)) == {
            "legislature",
            "private_sector",
            "professional_body",
            "staff_side",
        }
        assert members.filter(is_chair=True).count() == 1
        assert all(
            m.user.role_assignments.filter(role="reviewer").exists()
            for m in members.filter(kind="reviewer")
        )
    # Scores in the three scoring stages, with weights that are not 0.
    stages = {s.kind: s for s in edition.stages.filter(allows_scoring=True)}
    assert {k: s.score_weight for k, s in stages.items()} == {
        "written_review": 40,
        "site_visit": 30,
        "panel_presentation": 30,
    }
    for stage in stages.values():
        reviews = Review.objects.filter(assignment__stage=stage)
        assert reviews.exists() and not reviews.exclude(state="submitted").exists()
    assert Assignment.objects.filter(stage=stages["written_review"]).count() == 29 * 3
    assert Assignment.objects.filter(stage=stages["site_visit"]).count() == 23
    assert Assignment.objects.filter(stage=stages["panel_presentation"]).count() == 14 * 6
    # Award rules and the published results, winners in each of the three categories.
    rules = dict(
        AwardRule.objects.filter(category__edition=edition).values_list("category__code", "basis")
    )
    assert rules == {
        "department": "standings",
        "team": "standings",
        "individual": "standings",
        "best-public-image": "poll",
    }
    version = ResultVersion.objects.get(edition=edition)
    assert (version.number, version.status, version.is_published) == (1, "approved", True)
    won = {}
    for award in version.awards.select_related("category", "nomination"):
        won.setdefault(award.category.code, []).append(award)
    assert {code: len(awards) for code, awards in won.items()} == {
        "department": 4,
        "team": 1,
        "individual": 1,
    }
    assert all(a.nomination.state == "finalist" for a in won["department"])
    assert all(a.serial for awards in won.values() for a in awards)
    assert {a.issued_on for awards in won.values() for a in awards} == {datetime.date(2003, 2, 24)}
    # The exhibition asks all 48 departments; the seminar, the six winners.
    exhibits = Obligation.objects.filter(event__edition=edition, event__kind="exhibition")
    assert exhibits.count() == 48
    talks = Obligation.objects.filter(event__edition=edition, event__kind="seminar", kind="talk")
    assert talks.count() == 6


def test_hk_demo_is_idempotent(hk_loaded):
    counts = (
        Nomination.objects.count(),
        Review.objects.count(),
        PanelMember.objects.count(),
        ResultVersion.objects.count(),
        AwardRule.objects.count(),
        Obligation.objects.count(),
    )
    assert load_review_demo() is False
    assert load_results_demo() is False
    assert (
        Nomination.objects.count(),
        Review.objects.count(),
        PanelMember.objects.count(),
        ResultVersion.objects.count(),
        AwardRule.objects.count(),
        Obligation.objects.count(),
    ) == counts
