"""The runnable HK 2002–03 demo (issue 16, parts 7 and 8): the 48 departments of the
exhibition, the department, team and individual awards reviewed by a panel of the four
constituencies the seed names, compiled and published; and `demo_replay`, which moves an
edition's dates around today."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from agencies.models import Agency
from awards import demo_data
from awards.models import Category, Edition, Nomination, Nominee
from awards.results.demo import load_results_demo
from awards.results.hk_demo import load_hk_demo
from awards.results.models import AwardRule, Obligation, ResultVersion
from scoring.models import Assignment, PanelMember, Review
from surveys.demo import load_poll_demo

pytestmark = pytest.mark.django_db


def _hk():
    return Edition.objects.get(scheme__code="hk-csca", number=2002)


@pytest.fixture
def hk_loaded(demo):
    load_poll_demo()
    assert load_hk_demo()
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
    assert load_hk_demo() is False
    assert load_results_demo() is False
    assert (
        Nomination.objects.count(),
        Review.objects.count(),
        PanelMember.objects.count(),
        ResultVersion.objects.count(),
        AwardRule.objects.count(),
        Obligation.objects.count(),
    ) == counts


def _dates(edition):
    return [(s.kind, s.starts_on, s.ends_on) for s in edition.stages.order_by("order", "pk")]


def _gaps(rows):
    first = rows[0][1]
    return [((start - first).days, (end - start).days) for _kind, start, end in rows]


@time_machine.travel(datetime.datetime(2026, 12, 3, 1, 30, tzinfo=datetime.UTC), tick=False)
def test_demo_replay_moves_the_hk_edition_around_today_keeping_the_gaps(demo):
    from awards.results.models import ProgrammeEvent
    from awards.results.programme_demo import load_programme_demo
    from awards.selectors import stages_current

    load_programme_demo()
    edition = _hk()
    poll = load_poll_demo()
    poll.fieldwork_starts_on, poll.fieldwork_ends_on = datetime.date(2002, 12, 2), None
    poll.save()
    before = _dates(edition)
    events = list(ProgrammeEvent.objects.filter(edition=edition).order_by("pk"))
    out = io.StringIO()
    call_command("demo_replay", stdout=out)  # default: hk-csca/2002, nomination
    after = _dates(edition)
    days = (datetime.date(2026, 12, 3) - datetime.date(2002, 9, 2)).days
    assert f"hk-csca/2002: dates moved by +{days} days." in out.getvalue()
    assert after[0] == ("nomination", datetime.date(2026, 12, 3), datetime.date(2027, 1, 31))
    assert _gaps(after) == _gaps(before)
    assert [k for k, *_d in after] == [k for k, *_d in before]
    assert [s.kind for s in stages_current(edition)] == ["nomination"]
    for event in events:
        moved = ProgrammeEvent.objects.get(pk=event.pk)
        assert moved.starts_at - event.starts_at == datetime.timedelta(days=days)
        assert moved.ends_at - moved.starts_at == event.ends_at - event.starts_at
    poll.refresh_from_db()
    assert (poll.fieldwork_starts_on, poll.fieldwork_ends_on) == (datetime.date(2027, 3, 4), None)
    # Again: nothing to do.
    out = io.StringIO()
    call_command("demo_replay", "--edition", "hk-csca/2002", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert _dates(edition) == after
    # Another phase: today (in Hong Kong, 3 Dec 2026 09:30) inside the panel presentation.
    call_command("demo_replay", "--phase", "panel_presentation", stdout=io.StringIO())
    current = {s.kind for s in stages_current(edition)}
    assert "panel_presentation" in current
    assert _gaps(_dates(edition)) == _gaps(before)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "hk-csca"], "“hk-csca” is not an edition"),
        (["--edition", "hk-csca/1999"], "No edition hk-csca/1999. Editions: hk-csca/2002"),
        (["--phase", "lunch"], "Unknown phase “lunch”. Phases: nomination, recommendation"),
        (["--phase", "recommendation"], "No “recommendation” stage in hk-csca/2002"),
    ],
)
def test_demo_replay_refuses_a_bad_argument_with_a_clear_message(demo, args, message):
    before = _dates(_hk())
    with pytest.raises(CommandError) as caught:
        call_command("demo_replay", *args, stdout=io.StringIO())
    assert message in str(caught.value)
    assert _dates(_hk()) == before


def test_hk_public_results_name_the_winners_and_a_nominee_only_with_consent(hk_loaded, client):
    from django.urls import reverse

    version = ResultVersion.objects.get(edition=hk_loaded)
    page = client.get(reverse("results:public_edition", args=["hk-csca", 2002]))
    assert page.status_code == 200
    body = page.content.decode()
    consents = set()
    for award in version.awards.select_related("agency", "nomination__nominee"):
        assert award.agency.name_zh in body
        nominee = getattr(award.nomination, "nominee", None)
        if nominee is not None:
            assert (nominee.name_zh in body) is nominee.public_consent
            consents.add(nominee.public_consent)
    # The team that won agreed to be named; the officer who won did not.
    assert consents == {True, False}
    assert "傑出顧客服務團隊獎" in body and "傑出顧客服務個人獎" in body


def test_hk_best_public_image_joins_in_a_second_version_once_the_poll_is_published(hk_loaded):
    """As docs/demo.md says: the poll's award waits for its tally; compiling again after
    the tally is published gives version 2 with all four awards, the others' serials kept."""
    from agencies.models import User
    from awards.results import services as results
    from surveys import services as poll_services
    from surveys.demo import firm_file_csv, firm_file_rows
    from surveys.enums import PollStatus
    from surveys.models import Poll

    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")
    poll = Poll.objects.get(edition=hk_loaded)
    upload, _duplicate = poll_services.import_upload(
        poll=poll,
        kind="responses",
        filename="firm-2003-01.csv",
        content=firm_file_csv(firm_file_rows(poll), "big5"),
        actor=secretariat,
    )
    # The import's job is queued after commit; Celery runs it eagerly in tests.
    with TestCase.captureOnCommitCallbacks(execute=True):
        poll_services.import_apply(imp=upload, mapping=upload.mapping, actor=secretariat)
    poll_services.poll_set_status(poll=poll, status=PollStatus.CLOSED, actor=secretariat)
    run = poll_services.poll_tally_start(poll=poll, actor=secretariat)
    run = poll_services.poll_tally_execute(run_id=run.pk)
    assert len(run.results["winners"]) == 3
    poll_services.poll_publish(poll=poll, run=run, actor=secretariat)
    first = ResultVersion.objects.get(edition=hk_loaded)
    serials = dict(first.awards.values_list("nomination_id", "serial"))

    job = results.job_execute(
        job_id=results.results_compile_start(edition=hk_loaded, actor=secretariat).pk
    )
    second = results.version_submit(version=results.job_version(job), actor=secretariat)
    second = results.version_approve(version=second, actor=approver)
    assert second.number == 2
    counts = {}
    for award in second.awards.select_related("category"):
        counts[award.category.code] = counts.get(award.category.code, 0) + 1
    assert counts == {"department": 4, "team": 1, "individual": 1, "best-public-image": 3}
    kept = dict(
        second.awards.filter(nomination__isnull=False).values_list("nomination_id", "serial")
    )
    assert kept == serials
    first.refresh_from_db()
    assert first.status == "superseded"
