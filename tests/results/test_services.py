"""Compile, approval, publication and revocation services (awards.results.services)."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone, translation

from agencies.models import AuditEntry
from awards.results import services
from awards.results.compilation import input_digest
from awards.results.enums import VersionStatus
from awards.results.models import Award, AwardSelection, ResultVersion
from awards.results.selectors import published_version
from scoring.models import Assignment
from scoring.selectors.standings import final_standings
from tests.factories import AgencyFactory, close_scoring
from tests.results.helpers import approved_version, compile_version, poll_cycle, scored_cycle
from tests.scoring.standings_helpers import give, split

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_compile_freezes_the_final_standings_winners_and_levels():
    cycle = scored_cycle()
    version = compile_version(cycle)
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    [category] = version.data["categories"]
    standings = final_standings(cycle.edition, cycle.category)
    assert [r["score"] for r in category["rows"]] == [r.score for r in standings.rows]
    assert [r["agency_code"] for r in category["rows"]] == [r.agency.code for r in standings.rows]
    # 870 (特優, ≥ 800) and 770 (優等, ≥ 700) win: two winners, finalists only.
    assert [(r["score"], r["winner"], r["level_zh"]) for r in category["rows"][:4]] == [
        (870.0, True, "特優"),
        (770.0, True, "優等"),
        (718.0, False, ""),
        (600.0, False, ""),
    ]
    awards = list(Award.objects.filter(version=version).order_by("order"))
    assert [(a.agency.code, a.level_en, a.serial) for a in awards] == [
        (category["rows"][0]["agency_code"], "Distinction", None),
        (category["rows"][1]["agency_code"], "Merit", None),
    ]
    # The dimension breakdown and the raw indicator means are frozen too.
    assert len(category["rows"][0]["dimension_scores"]) == 3
    assert category["rows"][0]["indicator_scores"] == pytest.approx(
        [0.3 * a + 0.7 * b for a, b in zip(split(800), split(900), strict=True)]
    )
    entry = AuditEntry.objects.get(action="results.version.compile")
    assert entry.data["checksum"] == version.checksum
    assert entry.to_state == "draft"


def test_compiling_twice_on_the_same_data_gives_the_same_checksum_and_a_new_version():
    cycle = scored_cycle()
    first = compile_version(cycle)
    second = compile_version(cycle)
    assert second.number == 2
    assert first.checksum == second.checksum == input_digest(cycle.edition)[0]
    assert first.data == second.data
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED


def test_a_changed_score_changes_the_checksum():
    cycle = scored_cycle()
    before = input_digest(cycle.edition)[0]
    a = Assignment.objects.filter(stage=cycle.written).first()
    give(cycle, a, split(100))
    assert input_digest(cycle.edition)[0] != before


def test_compiling_is_refused_while_reviews_are_open_and_names_them():
    cycle = scored_cycle()
    close_scoring(cycle.edition)  # results compile once the scoring stages are over
    open_one = Assignment.objects.create(
        stage=cycle.site_visit, nomination=cycle.nominations[0], reviewer=cycle.reviewers[2]
    )
    with pytest.raises(services.ResultsError) as error:
        services.results_compile_start(edition=cycle.edition, actor=cycle.secretariat)
    assert error.value.messages[0].startswith("1 review is still open, so its scores")
    assert error.value.messages[1] == (
        f"{open_one.nomination.agency.name_en} — {cycle.reviewers[2].full_name} "
        f"({cycle.site_visit.name_en})"
    )
    assert not ResultVersion.objects.exists()


def test_approval_gives_serials_and_publication_waits_for_the_embargo():
    cycle = scored_cycle()
    version = approved_version(cycle, published=False)
    assert version.status == VersionStatus.APPROVED
    serials = list(version.awards.values_list("serial", flat=True))
    assert len(serials) == 2 and all(services.serial_normalise(s) == s for s in serials)
    assert published_version(cycle.edition) is None
    later = timezone.now() + datetime.timedelta(days=1)
    services.version_schedule_publication(
        version=version, actor=cycle.secretariat, publish_at=later
    )
    assert published_version(cycle.edition) is None
    assert published_version(cycle.edition, now=later) == version
    steps = list(
        AuditEntry.objects.filter(object_type="results.resultversion")
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    )
    assert [s[0] for s in steps] == [
        "results.version.compile",
        "results.version.submitted",
        "results.version.approved",
        "results.version.schedule",
    ]
    assert steps[2][1:] == ("submitted", "approved")


def test_approving_a_superseded_version_is_refused():
    cycle = scored_cycle()
    first = compile_version(cycle)
    services.version_submit(version=first, actor=cycle.secretariat)
    compile_version(cycle)
    with pytest.raises(services.ResultsError) as error:
        services.version_approve(version=first, actor=cycle.approver)
    assert error.value.messages == [
        "Version 1 has been superseded by version 2; it can no longer be approved."
    ]
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert not first.awards.filter(serial__isnull=False).exists()


def test_publishing_before_approval_is_refused():
    cycle = scored_cycle()
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    with pytest.raises(services.ResultsError) as error:
        services.version_schedule_publication(
            version=version, actor=cycle.secretariat, publish_at=timezone.now()
        )
    assert "results are published only after approval" in error.value.messages[0]
    version.refresh_from_db()
    assert version.publish_at is None


def test_returning_needs_comments_and_a_returned_version_can_be_resubmitted():
    cycle = scored_cycle()
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    with pytest.raises(services.ResultsError):
        services.version_return(version=version, actor=cycle.approver, comment="  ")
    services.version_return(version=version, actor=cycle.approver, comment="請補充說明")
    version.refresh_from_db()
    assert (version.status, version.decision_comment) == ("returned", "請補充說明")
    services.version_submit(version=version, actor=cycle.secretariat)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_a_newer_approval_supersedes_the_old_and_keeps_a_kept_awards_serial():
    cycle = scored_cycle()
    first = approved_version(cycle)
    kept = {a.agency_id: a.serial for a in first.awards.all()}
    second = approved_version(cycle)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert {a.agency_id: a.serial for a in second.awards.all()} == kept
    assert not first.awards.filter(serial__isnull=False).exists()
    assert published_version(cycle.edition) == second


def test_revocation_needs_a_reason_and_is_audited():
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = version.awards.first()
    with pytest.raises(services.ResultsError) as error:
        services.award_revoke(award=award, actor=cycle.secretariat, reason=" ")
    assert error.value.messages == ["Give the reason for revoking this award."]
    award.refresh_from_db()
    assert award.revoked_on is None
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質未能維持")
    award.refresh_from_db()
    assert award.is_revoked and award.revocation_reason == "服務品質未能維持"
    entry = AuditEntry.objects.get(action="results.award.revoke")
    assert (entry.from_state, entry.to_state, entry.reason) == (
        "awarded",
        "revoked",
        "服務品質未能維持",
    )
    with pytest.raises(services.ResultsError):
        services.award_revoke(award=award, actor=cycle.secretariat, reason="again")


def test_an_unapproved_award_cannot_be_revoked():
    cycle = scored_cycle()
    award = compile_version(cycle).awards.first()
    with pytest.raises(services.ResultsError):
        services.award_revoke(award=award, actor=cycle.secretariat, reason="x")


def test_a_tie_across_the_last_winning_place_gives_both_and_warns():
    cycle = scored_cycle(winners=1, levels=False)
    # The second finalist scores exactly as the first, in both stages: a full tie.
    for a in Assignment.objects.filter(stage=cycle.written, nomination=cycle.nominations[1]):
        give(cycle, a, split(800))
    for a in Assignment.objects.filter(stage=cycle.site_visit, nomination=cycle.nominations[1]):
        give(cycle, a, split(900))
    version = compile_version(cycle)
    [category] = version.data["categories"]
    assert [r["winner"] for r in category["rows"][:3]] == [True, True, False]
    assert len(category["warnings"]) == 1
    assert "shares the last winning place" in category["warnings"][0]


def test_special_awards_come_from_the_panels_selection():
    from awards.enums import CategoryKind
    from awards.results.models import AwardRule
    from tests.factories import CategoryFactory

    cycle = scored_cycle()
    special = CategoryFactory(edition=cycle.edition, kind=CategoryKind.SPECIAL, code="special")
    AwardRule.objects.create(category=special, basis="selection", award_name_zh="特別獎")
    agency = AgencyFactory(name_zh="特別機關")
    AwardSelection.objects.create(
        category=special, agency=agency, citation_zh="推動數位服務有成", created_by=None
    )
    version = compile_version(cycle)
    award = version.awards.get(category=special)
    assert (award.agency, award.name_zh, award.citation_zh) == (
        agency,
        "特別獎",
        "推動數位服務有成",
    )


def test_the_job_runs_once_even_if_the_task_is_delivered_twice():
    cycle = scored_cycle()
    close_scoring(cycle.edition)  # results compile once the scoring stages are over
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.results_compile_start(edition=cycle.edition, actor=cycle.secretariat)
    again = services.job_execute(job_id=job.pk)
    assert again.status == "done"
    assert ResultVersion.objects.count() == 1


def test_serials_are_normalised_and_malformed_ones_refused():
    serial = services.serial_new()
    assert services.serial_normalise(serial.lower().replace("-", " ")) == serial
    assert services.serial_normalise("O000-0000-0000-000I") == "0000-0000-0000-0001"
    assert services.serial_normalise("ABCD") is None
    assert services.serial_normalise("UUUU-UUUU-UUUU-UUUU") is None  # U is not base32
    assert services.serial_normalise("") is None


def test_the_best_public_image_award_goes_to_the_polls_three_winners():
    cycle = poll_cycle()
    version = approved_version(cycle)
    awards = list(version.awards.order_by("order"))
    assert [(a.agency.code, a.name_en, a.rank) for a in awards] == [
        ("DEP1", "Best Public Image Award", 1),
        ("DEP2", "Best Public Image Award", 2),
        ("DEP3", "Best Public Image Award", 3),
    ]
    [category] = version.data["categories"]
    assert [(r["agency_code"], r["votes"], r["winner"]) for r in category["rows"]] == [
        ("DEP1", 50, True),
        ("DEP2", 40, True),
        ("DEP3", 30, True),
        ("DEP4", 20, False),
        ("DEP5", 10, False),
    ]
    assert version.data["poll"]["n_votes"] == 150
    assert version.inputs["poll_run"] == cycle.run.pk


def test_a_poll_award_is_not_compiled_before_the_tally_is_published():
    cycle = poll_cycle()
    from surveys.models import Poll

    Poll.objects.filter(pk=cycle.poll.pk).update(published_run=None, status="closed")
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.results_compile_start(edition=cycle.edition, actor=cycle.secretariat)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.result["messages"] == [
        "“Best Public Image Award” is decided by the telephone poll, whose results are not "
        "published yet. Publish the poll's tally first."
    ]
    assert not ResultVersion.objects.exists()
