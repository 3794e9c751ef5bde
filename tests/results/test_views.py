"""Staff results pages: who sees what, the approval steps through the forms, bad input."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from agencies.enums import Role
from awards.results.enums import VersionStatus
from awards.results.models import ResultVersion
from scoring.models import Assignment
from tests.conftest import html, squash, table_rows, texts
from tests.factories import EditionFactory, UserFactory, close_scoring
from tests.results.helpers import approved_version, compile_version, scored_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["lang"] = "en"


def _client(client, user):
    client.force_login(user)
    return client


def test_edition_page_per_persona(client):
    cycle = scored_cycle()
    compile_version(cycle)
    url = reverse("results:edition", args=[cycle.edition.pk])
    # The secretariat: rules, the compile button and the version.
    page = html(_client(client, cycle.secretariat).get(url))
    assert texts(page, "//table[@id='award-rules']//tbody//td[1]") == [
        "Government Service Quality Award"
    ]
    assert page.xpath("//button[@id='compile-button']")
    assert [r[:2] for r in table_rows(page, "//table[@id='versions']")] == [
        ["Version 1", "Compiled"]
    ]
    # The approver sees the versions but cannot compile.
    page = html(_client(client, cycle.approver).get(url))
    assert page.xpath("//table[@id='versions']")
    assert not page.xpath("//button[@id='compile-button']")
    # An agency editor and a reviewer: 404.
    for outsider in (cycle.outsider, UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_compile_refused_with_open_reviews_names_them(client):
    cycle = scored_cycle()
    close_scoring(cycle.edition)  # results compile once the scoring stages are over
    Assignment.objects.create(
        stage=cycle.site_visit, nomination=cycle.nominations[0], reviewer=cycle.reviewers[2]
    )
    client.force_login(cycle.secretariat)
    response = client.post(reverse("results:compile", args=[cycle.edition.pk]))
    assert response.status_code == 400
    report = squash(" ".join(html(response).xpath("//div[@id='compile-errors']//text()")))
    assert cycle.nominations[0].agency.name_en in report
    assert cycle.reviewers[2].full_name in report
    assert not ResultVersion.objects.exists()


def test_compile_then_submit_approve_and_schedule_through_the_pages(client):
    cycle = scored_cycle()
    close_scoring(cycle.edition)  # results compile once the scoring stages are over
    client.force_login(cycle.secretariat)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("results:compile", args=[cycle.edition.pk]))
    assert response.status_code == 302
    version = ResultVersion.objects.get()
    client.post(reverse("results:version_submit", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    # The secretariat cannot approve: 404.
    assert client.post(reverse("results:version_approve", args=[version.pk])).status_code == 404
    client.force_login(cycle.approver)
    page = html(client.get(reverse("results:version", args=[version.pk])))
    assert page.xpath("//form[@id='approve-form']") and page.xpath("//form[@id='return-form']")
    response = client.post(
        reverse("results:version_approve", args=[version.pk]),
        {"approve-comment": "同意", "approve-publish_at": "2030-05-20T10:00"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    # Typed in the edition's time zone (Asia/Taipei, UTC+8).
    assert version.publish_at.isoformat() == "2030-05-20T02:00:00+00:00"
    assert not version.is_published
    assert all(a.serial for a in version.awards.all())


def test_approver_returning_without_comments_changes_nothing(client):
    cycle = scored_cycle()
    version = compile_version(cycle)
    client.force_login(cycle.secretariat)
    client.post(reverse("results:version_submit", args=[version.pk]))
    client.force_login(cycle.approver)
    response = client.post(
        reverse("results:version_return", args=[version.pk]),
        {"return-comment": ""},
    )
    assert response.status_code == 400
    assert "This field is required." in texts(html(response), "//form[@id='return-form']//li")
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_approving_a_superseded_version_through_the_page_is_refused(client):
    cycle = scored_cycle()
    first = compile_version(cycle)
    client.force_login(cycle.secretariat)
    client.post(reverse("results:version_submit", args=[first.pk]))
    compile_version(cycle)
    client.force_login(cycle.approver)
    response = client.post(
        reverse("results:version_approve", args=[first.pk]),
        {"approve-comment": "", "approve-publish_at": ""},
    )
    assert response.status_code == 400
    assert texts(html(response), "//div[@id='action-errors']//li") == [
        "Version 1 has been superseded by version 2; it can no longer be approved."
    ]


def test_publishing_before_approval_through_the_page_is_refused(client):
    cycle = scored_cycle()
    version = compile_version(cycle)
    client.force_login(cycle.secretariat)
    response = client.post(
        reverse("results:version_schedule", args=[version.pk]),
        {"publish_at": "2030-01-01T09:00"},
    )
    assert response.status_code == 400
    assert texts(html(response), "//div[@id='action-errors']//li") == [
        "Version 1 is not approved: results are published only after approval."
    ]
    version.refresh_from_db()
    assert version.publish_at is None


def test_revoke_page_needs_a_reason(client):
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = version.awards.first()
    url = reverse("results:award_revoke", args=[award.pk])
    client.force_login(cycle.secretariat)
    response = client.post(url, {"reason": "", "revoked_on": "2020-01-01"})
    assert response.status_code == 400
    assert "This field is required." in texts(html(response), "//form[@id='revoke-form']//li")
    award.refresh_from_db()
    assert award.revoked_on is None
    # Before the award was issued: refused with a message.
    response = client.post(url, {"reason": "服務品質下降", "revoked_on": "2000-01-01"})
    assert response.status_code == 400
    award.refresh_from_db()
    assert award.revoked_on is None
    # The approver and an agency editor cannot revoke.
    for other in (cycle.approver, UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_version_page_shows_the_frozen_standings_to_staff_only(client):
    cycle = scored_cycle()
    version = compile_version(cycle)
    url = reverse("results:version", args=[version.pk])
    client.force_login(cycle.secretariat)
    page = html(client.get(url))
    rows = table_rows(page, f"//table[@id='standings-{cycle.category.code}']")
    assert [r[1] for r in rows[:2]] == [
        version.data["categories"][0]["rows"][0]["agency_en"],
        version.data["categories"][0]["rows"][1]["agency_en"],
    ]
    assert rows[0][-1].startswith("Winner")
    assert page.xpath("//button[@id='submit-button']")
    client.force_login(cycle.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_editions_list_query_count_is_constant(client, django_assert_num_queries):
    cycle = scored_cycle()
    compile_version(cycle)
    client.force_login(cycle.secretariat)
    url = reverse("results:editions")
    client.get(url)
    with django_assert_num_queries(5):
        few = client.get(url)
    from awards.results.models import AwardRule
    from tests.factories import CategoryFactory

    for _i in range(8):
        e = EditionFactory()
        AwardRule.objects.create(category=CategoryFactory(edition=e))
    with django_assert_num_queries(5):
        many = client.get(url)
    assert len(table_rows(html(few), "//table[@id='results-editions']")) == 1
    assert len(table_rows(html(many), "//table[@id='results-editions']")) == 9


@pytest.mark.parametrize("winners", [1, 3])
def test_version_page_query_count_does_not_grow_with_awards(
    client, django_assert_num_queries, winners
):
    cycle = scored_cycle(winners=winners)
    version = approved_version(cycle)
    assert version.awards.count() == winners
    client.force_login(cycle.secretariat)
    url = reverse("results:version", args=[version.pk])
    client.get(url)
    # 7: asking the rules alone (agencies.permissions.user_may) no longer loads the
    # user's model permissions when a rule says no (2 queries fewer than with has_perm);
    # + 2 for the public version (is this one it, which one is); + 9 for the checksum of
    # the live inputs (frozen.changes_since: policy, stages, rules, levels, selections,
    # nominations, scores, ties, poll), whatever the number of scores; + 1 for the
    # edition's appeals (results/_version_appeals.html); + 1 for the latest
    # decision-sensitivity run (tests/results/test_sensitivity.py: with a run shown).
    with django_assert_num_queries(20):
        page = html(client.get(url))
    assert len(table_rows(page, "//table[@id='awards']")) == winners


@pytest.mark.parametrize("compilations", [1, 4])
def test_edition_page_query_count_does_not_grow_with_versions(
    client, django_assert_num_queries, compilations
):
    cycle = scored_cycle()
    for _i in range(compilations):
        compile_version(cycle)
    client.force_login(cycle.secretariat)
    url = reverse("results:edition", args=[cycle.edition.pk])
    client.get(url)
    with django_assert_num_queries(9):
        page = html(client.get(url))
    assert len(table_rows(page, "//table[@id='versions']")) == compilations
