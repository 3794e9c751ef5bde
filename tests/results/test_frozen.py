"""Issue 14, points 1–3: an approved version is frozen (its workbook and pages never read
live rows, and the version page says when the live inputs changed); publication is
continuous (a published version stays public until its successor's publication time);
a recompile carries forward what people wrote on the previous version."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agencies.enums import Role
from awards.results import services
from awards.results.enums import VersionStatus
from awards.results.models import Award
from awards.results.selectors import awards_of, public_version
from awards.results.workbook import build_workbook
from scoring.enums import ReviewState, SiteTestKind
from scoring.models import Assignment, Score, SiteTest
from scoring.services.reviews import review_sums_store
from tests.conftest import html, texts
from tests.factories import UserFactory
from tests.results.helpers import approved_version, compile_version, scored_cycle
from tests.scoring.standings_helpers import give, indicators, split

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 4, 20, 2, 0, tzinfo=datetime.UTC)  # 10:00 Taipei


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as t:
        yield t


def workbook_rows(version, sheet, language="en"):
    out = io.BytesIO()
    with translation.override(language):
        build_workbook(version, out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def first_written(cycle, i=0):
    return Assignment.objects.get(
        stage=cycle.written, nomination=cycle.nominations[i], reviewer=cycle.reviewers[0]
    ).review


def version_page(user, version):
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(user)
    return html(client.get(reverse("results:version", args=[version.pk])))


def visitor_get(url):
    client = Client()
    client.cookies["lang"] = "en"
    return client.get(url)


def public_winners(cycle):
    response = visitor_get(
        reverse("results:public_edition", args=[cycle.edition.scheme.code, cycle.edition.number])
    )
    if response.status_code == 404:
        return None
    return texts(html(response), "//li[contains(@class,'winner')]/h3")


def verify_text(serial):
    response = visitor_get(reverse("results:verify_serial", args=[serial]))
    tree = html(response)
    return response.status_code, texts(tree, "//*[@id='verify-result']//h2")[0]


# --- 1. frozen versions ---------------------------------------------------------------------


def test_the_workbook_shows_the_approved_scores_after_a_review_is_rescored(traveller):
    cycle = scored_cycle()
    version = approved_version(cycle)
    before = workbook_rows(version, "Reviewer scores")
    review = first_written(cycle)
    assert before[1][3:8] == [
        cycle.nominations[0].agency.name_en,
        "評審委員1",
        "Academia",
        "Service process",
        160,
    ]
    # Reopened, 160 → 170 on the first indicator, comment changed, submitted again.
    review.state = ReviewState.REOPENED
    review.save()
    Score.objects.filter(review=review, indicator=indicators(cycle)[0]).update(
        points=170, comment="改過"
    )
    review.state = ReviewState.SUBMITTED
    review.overall_comment = "改過的總評"
    review.save()
    review_sums_store([review])  # as review_transition keeps them on submission
    after = workbook_rows(version, "Reviewer scores")
    assert after == before
    assert after[1][7] == 160
    standings = workbook_rows(version, "First-line service a… standings")
    assert standings[1][7] == 870.0  # the frozen final score, as ranked


def test_site_tests_logged_after_approval_are_not_in_the_approved_workbook(traveller):
    cycle = scored_cycle()
    assignment = Assignment.objects.get(
        stage=cycle.site_visit, nomination=cycle.nominations[0], reviewer=cycle.reviewers[0]
    )
    SiteTest.objects.create(
        assignment=assignment,
        kind=SiteTestKind.TELEPHONE,
        tested_at=T0 - datetime.timedelta(days=3),
        subject="電話詢問",
        findings="迅速",
    )
    version = approved_version(cycle)
    SiteTest.objects.create(
        assignment=assignment,
        kind=SiteTestKind.WEBSITE,
        tested_at=T0,
        subject="後來補登",
        findings="不應出現",
    )
    SiteTest.objects.filter(subject="電話詢問").update(findings="改過")
    rows = workbook_rows(version, "Site-visit tests")
    assert [(r[4], r[6], r[7]) for r in rows[1:]] == [("Telephone test", "電話詢問", "迅速")]
    assert rows[1][5] == datetime.datetime(2026, 4, 17, 10, 0)  # Asia/Taipei


def test_the_poll_figures_and_suggestions_are_frozen(traveller):
    from surveys.models import Response
    from tests.results.test_workbook import poll_cycle

    cycle = scored_cycle()
    run = poll_cycle(cycle)
    version = approved_version(cycle)
    tally = workbook_rows(version, "Telephone poll tally")
    suggestions = workbook_rows(version, "Public suggestions")
    assert sorted(r[3] for r in suggestions[1:]) == ["=1+1"] * 2 + ["延長服務時間"] * 8
    # Live rows change after approval (a suggestion edited, the run's figures rewritten).
    Response.objects.filter(poll=run.poll).exclude(suggestion="").update(suggestion="後來改的")
    run.results = {**run.results, "deff": 9.99, "dispositions": {}}
    run.save(update_fields=["results"])
    assert workbook_rows(version, "Telephone poll tally") == tally
    assert workbook_rows(version, "Public suggestions") == suggestions
    page = version_page(cycle.secretariat, version)
    assert "The poll's published tally changed." in texts(
        page, "//ul[@id='inputs-changed-list']/li"
    )


def test_the_version_page_says_which_inputs_changed_since_approval(traveller):
    cycle = scored_cycle()
    version = approved_version(cycle)
    page = version_page(cycle.secretariat, version)
    assert page.xpath("//*[@id='inputs-changed']") == []

    rescored = first_written(cycle, 0)
    give(cycle, rescored.assignment, [170, 160, 80, 160, 240])
    reopened = first_written(cycle, 1)
    reopened.state = ReviewState.REOPENED
    reopened.save()
    page = version_page(cycle.approver, version)
    assert texts(page, "//*[@id='inputs-changed']/h2") == ["Inputs changed since approval"]
    a0, a1 = cycle.nominations[0].agency.name_en, cycle.nominations[1].agency.name_en
    assert texts(page, "//ul[@id='inputs-changed-list']/li") == sorted(
        [
            f"Scores changed: {a0} — 評審委員1 (Written review)",
            f"Review reopened: {a1} — 評審委員1 (Written review)",
        ],
        key=lambda t: t.split(": ", 1)[1],
    )
    # The version itself did not change: same checksum, same awards, same status.
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert [a.score for a in awards_of(version)] == [870.0, 770.0]
    # A new version carries the change (once the reopened review is submitted again).
    reopened.state = ReviewState.SUBMITTED
    reopened.save()
    newer = compile_version(cycle)
    assert newer.checksum != version.checksum
    assert version_page(cycle.secretariat, newer).xpath("//*[@id='inputs-changed']") == []


def test_a_change_of_the_award_rules_is_named_as_another_input(traveller):
    cycle = scored_cycle()
    version = approved_version(cycle)
    cycle.rule.winners = 3
    cycle.rule.save()
    page = version_page(cycle.secretariat, version)
    assert texts(page, "//ul[@id='inputs-changed-list']/li") == [
        "Other inputs changed: award rules, levels, special-award selections, tie "
        "decisions, the review policy, stage weights or nomination states."
    ]


# --- 2. publication is continuous --------------------------------------------------------


def approve(cycle, publish_at):
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    return services.version_approve(
        version=version, actor=cycle.approver, comment="", publish_at=publish_at
    )


def test_a_published_version_stays_public_until_its_successors_publication(traveller):
    cycle = scored_cycle(winners=2)
    first = approve(cycle, T0 - datetime.timedelta(hours=1))
    kept, dropped = awards_of(first)
    a0, a2 = cycle.nominations[0].agency.name_en, cycle.nominations[2].agency.name_en
    assert public_winners(cycle) == [f"1. {a0} Distinction", f"2. {a2} Merit"]
    cycle.rule.winners = 1
    cycle.rule.save()
    later = T0 + datetime.timedelta(days=2)
    second = approve(cycle, later)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED

    # Before the successor's date: the first version answers everywhere.
    assert public_version(cycle.edition) == first
    assert public_winners(cycle) == [f"1. {a0} Distinction", f"2. {a2} Merit"]
    assert verify_text(kept.serial) == (200, "Valid certificate")  # moved to `second`
    assert verify_text(dropped.serial) == (200, "Valid certificate")
    history = html(visitor_get(reverse("results:history", args=[cycle.edition.scheme.code])))
    assert "2" in texts(history, "//table//tbody/tr[1]/td")
    page = version_page(cycle.secretariat, second)
    assert texts(page, "//*[@id='predecessor-public-note']") == [
        "Until this version's publication time, version 1 stays the published one."
    ]

    # After it: the successor answers; the dropped award is no longer valid since then.
    traveller.move_to(later + datetime.timedelta(minutes=1))
    assert public_version(cycle.edition) == second
    assert public_winners(cycle) == [f"1. {a0} Distinction"]
    assert verify_text(kept.serial) == (200, "Valid certificate")
    assert verify_text(dropped.serial) == (200, "This certificate is no longer valid")
    response = visitor_get(reverse("results:verify_serial", args=[dropped.serial]))
    assert texts(html(response), "//*[@id='withdrawn-since']") == [
        "No longer valid since 2026-04-22: the results of this edition were approved again, "
        "and this award is not in them."
    ]


def test_a_successor_replaced_before_its_publication_never_shows(traveller):
    cycle = scored_cycle(winners=2)
    first = approve(cycle, T0 - datetime.timedelta(hours=1))
    cycle.rule.winners = 1
    cycle.rule.save()
    second = approve(cycle, T0 + datetime.timedelta(days=1))
    cycle.rule.winners = 3
    cycle.rule.save()
    third = approve(cycle, T0 + datetime.timedelta(days=3))
    traveller.move_to(T0 + datetime.timedelta(days=2))
    assert public_version(cycle.edition) == first  # not `second`: replaced unpublished
    traveller.move_to(T0 + datetime.timedelta(days=4))
    assert public_version(cycle.edition) == third
    assert second.pk != third.pk


def test_an_agency_downloads_its_certificate_while_the_successor_is_embargoed(traveller):
    cycle = scored_cycle(winners=2)
    first = approve(cycle, T0 - datetime.timedelta(hours=1))
    kept = awards_of(first)[0]
    approve(cycle, T0 + datetime.timedelta(days=2))  # same data: every award carried
    kept.refresh_from_db()
    assert kept.serial is None  # the serial moved on to the successor's award
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, kept.agency)])
    client = Client()
    client.force_login(editor)
    page = html(client.get(reverse("results:my_awards")))
    links = page.xpath("//a[contains(@href,'certificate.pdf')]/@href")
    assert links == [reverse("results:award_certificate", args=[kept.pk])]


# --- 3. recompile carries forward -----------------------------------------------------------


def test_summaries_written_on_a_returned_version_are_carried_to_the_next(traveller):
    cycle = scored_cycle(winners=3)
    first = compile_version(cycle)
    services.version_submit(version=first, actor=cycle.secretariat)
    n0, n2, n1 = awards_of(first)  # ranks 1, 2, 3
    assert [a.rank for a in (n0, n2, n1)] == [1, 2, 3]
    services.award_summary_update(
        award=n0, actor=cycle.secretariat, summary_zh="一站式服務", summary_en="One stop"
    )
    services.award_summary_update(
        award=n2, actor=cycle.secretariat, summary_zh="線上預約", summary_en=""
    )
    services.version_return(version=first, actor=cycle.approver, comment="請補充優良事蹟")
    # n1's site visit is rescored so that it passes n2: ranks change.
    for reviewer in cycle.reviewers[:2]:
        a = Assignment.objects.get(
            stage=cycle.site_visit, nomination=cycle.nominations[1], reviewer=reviewer
        )
        give(cycle, a, split(900))
    second = compile_version(cycle)
    by_agency = {a.agency_id: a for a in awards_of(second)}
    new_n0 = by_agency[n0.agency_id]
    new_n2 = by_agency[n2.agency_id]
    new_n1 = by_agency[n1.agency_id]
    assert (new_n0.summary_zh, new_n0.summary_en) == ("一站式服務", "One stop")
    assert new_n2.summary_zh == "線上預約"
    assert new_n1.summary_zh == cycle.nominations[1].title  # nothing written: the default
    assert new_n1.carried == {}
    assert new_n0.carried == {"version": 1, "fields": ["summary"], "changes": []}
    assert new_n2.carried == {"version": 1, "fields": ["summary"], "changes": [["rank", 2, 3]]}
    page = version_page(cycle.secretariat, second)
    notes = texts(page, "//table[@id='awards']//*[contains(@class,'carried-note')]")
    assert notes == [
        "Carried from version 1.",
        "Carried from version 1; the result changed: rank 2→3.",
    ]
    # Saving the summary again (checked by a person) clears the mark.
    services.award_summary_update(
        award=new_n2, actor=cycle.secretariat, summary_zh="線上預約（已更新）", summary_en=""
    )
    assert Award.objects.get(pk=new_n2.pk).carried == {}


def test_the_summary_page_warns_when_the_result_changed(traveller):
    cycle = scored_cycle(winners=3)
    first = compile_version(cycle)
    n2 = awards_of(first)[1]
    services.award_summary_update(
        award=n2, actor=cycle.secretariat, summary_zh="線上預約", summary_en=""
    )
    for reviewer in cycle.reviewers[:2]:
        a = Assignment.objects.get(
            stage=cycle.site_visit, nomination=cycle.nominations[1], reviewer=reviewer
        )
        give(cycle, a, split(900))
    second = compile_version(cycle)
    award = awards_of(second).get(agency=n2.agency)
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(cycle.secretariat)
    page = html(client.get(reverse("results:award_summary", args=[award.pk])))
    assert texts(page, "//*[@id='carried-note']") == [
        "Carried from version 1; the result changed: rank 2→3. "
        "Check that the text still fits the result."
    ]
    assert [t.strip() for t in page.xpath("//textarea[@name='summary_zh']/text()")] == ["線上預約"]


def test_a_certificate_keeps_the_names_the_version_froze(traveller):
    from awards.results import certificates as certs

    cycle = scored_cycle()
    award = awards_of(approved_version(cycle))[0]
    agency = award.agency
    frozen = (agency.name_zh, agency.name_en)
    agency.name_zh, agency.name_en = "改名後的機關", "Renamed office"
    agency.save()
    award = Award.objects.select_related("agency", "category", "version__edition__scheme").get(
        pk=award.pk
    )
    context = certs.certificate_context(award, certs.design_for(cycle.edition.scheme), "/")
    assert (context["agency_zh"], context["agency_en"]) == frozen
