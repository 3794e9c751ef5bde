"""Issue 14's "Done when" in a real browser: an approved version is frozen and its
publication is continuous.

Approve → reopen a review and change a score (140 → 150) → the approved version's
workbook (downloaded, opened with openpyxl) and the public page still show the approved
figures, and the version page says the inputs changed → compile and approve a successor
with a later publication date → the old version stays public until that date; then the
successor answers and the dropped award's certificate is no longer valid since then.

The successor's date is set relative to now (two days on) and then moved into the past in
the database, so the test holds at any hour."""

import datetime
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from awards.results.models import Award, ResultVersion
from scoring.enums import ReviewState
from scoring.models import Assignment, Score
from scoring.services.reviews import review_sums_store
from tests.results.helpers import compile_version, scored_cycle
from tests.scoring.standings_helpers import indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def approve_in_browser(page, live_server, version, publish_at_local: str):
    page.goto(live_server.url + f"/cycle/results/versions/{version.pk}/")
    page.get_by_label("Publish at").fill(publish_at_local)
    page.get_by_role("button", name="Approve these results").click()
    expect(page.locator("#version-status")).to_have_text("Approved")


def winners(page):
    return page.locator("li.winner h3")


def test_an_approved_version_is_frozen_and_stays_public_until_its_successor(
    live_server, context, sign_in, shot, axe_violations, tmp_path
):
    from awards.results import services

    cycle = scored_cycle(winners=2)
    english(context, live_server)
    tz = cycle.edition.tzinfo
    first = compile_version(cycle)
    services.version_submit(version=first, actor=cycle.secretariat)
    approver = sign_in(cycle.approver)
    now_local = timezone.localtime(timezone.now(), tz)
    approve_in_browser(
        approver,
        live_server,
        first,
        (now_local - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
    )
    dropped = Award.objects.get(version=first, agency=cycle.agencies[2])

    # After approval a site-visit review is reopened and one score goes 140 → 150.
    review = Assignment.objects.get(
        stage=cycle.site_visit, nomination=cycle.nominations[1], reviewer=cycle.reviewers[0]
    ).review
    review.state = ReviewState.REOPENED
    review.save()
    score = Score.objects.get(review=review, indicator=indicators(cycle)[0])
    assert score.points == 140
    score.points = 150
    score.save()
    review.state = ReviewState.SUBMITTED
    review.save()
    review_sums_store([review])  # as review_transition keeps them on submission

    # The version page says the inputs changed, and names the review.
    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{first.pk}/")
    notice = page.locator("#inputs-changed")
    expect(notice.get_by_role("heading")).to_have_text("Inputs changed since approval")
    expect(page.locator("#inputs-changed-list li")).to_have_text(
        ["Scores changed: Household Registration Office 2 — 評審委員1 (Site visit)"]
    )
    shot(page, "01-version-inputs-changed-en")
    assert axe_violations(page) == []

    # The approved version's workbook still has 140 in the reviewer sheet.
    page.get_by_role("button", name="Make the workbook").click()
    link = page.locator("#job-workbook-file")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "workbook.xlsx"
    info.value.save_as(path)
    # Sheet 3 (summary, the category's standings, reviewer scores), in either language.
    sheet = load_workbook(path).worksheets[2]
    site_names = {cycle.site_visit.name_zh, cycle.site_visit.name_en}
    site = [
        r
        for r in sheet.iter_rows(values_only=True)
        if r[2] == cycle.agencies[1].code and r[4] == "評審委員1" and r[0] in site_names
    ]
    assert [r[7] for r in site] == [140, 140, 70, 140, 210]

    # The public page still shows the approved winners.
    public = context.new_page()
    edition_url = live_server.url + f"/results/{cycle.edition.scheme.code}/{cycle.edition.number}/"
    public.goto(edition_url)
    expect(winners(public)).to_have_text(
        [
            re.compile(r"^1\.\s+Household Registration Office 1\s+Distinction$"),
            re.compile(r"^2\.\s+Household Registration Office 3\s+Merit$"),
        ]
    )

    # A successor with one winner, to be published in two days.
    cycle.rule.winners = 1
    cycle.rule.save()
    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/")
    page.get_by_role("button", name="Compile results").click()
    page.get_by_role("link", name="Open it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
    expect(page.locator("#inputs-changed")).to_have_count(0)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#version-status")).to_have_text("Submitted for approval")
    second = ResultVersion.objects.get(edition=cycle.edition, number=2)
    later = (now_local + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    approver = sign_in(cycle.approver)  # one browser context: the approver's session again
    approve_in_browser(approver, live_server, second, later.strftime("%Y-%m-%dT%H:%M"))
    expect(approver.locator("#predecessor-public-note")).to_have_text(
        "Until this version's publication time, version 1 stays the published one."
    )
    shot(approver, "02-successor-approved-embargoed-en")
    assert axe_violations(approver) == []

    # Until then the first version answers: two winners, the dropped certificate valid.
    public.goto(edition_url)
    expect(winners(public)).to_have_count(2)
    public.goto(live_server.url + f"/verify/{dropped.serial}/")
    expect(public.locator("#verify-result h2")).to_have_text("Valid certificate")
    shot(public, "03-verify-before-successor-date-en")

    # The successor's date comes (moved into the past in the database).
    published = timezone.now() - datetime.timedelta(minutes=1)
    ResultVersion.objects.filter(pk=second.pk).update(publish_at=published)
    public.goto(edition_url)
    expect(winners(public)).to_have_text(
        [re.compile(r"^1\.\s+Household Registration Office 1\s+Distinction$")]
    )
    public.goto(live_server.url + f"/verify/{dropped.serial}/")
    expect(public.locator("#verify-result h2")).to_have_text("This certificate is no longer valid")
    day = timezone.localtime(published, tz).date()
    expect(public.locator("#withdrawn-since")).to_contain_text(
        f"No longer valid since {day:%Y-%m-%d}"
    )
    shot(public, "04-verify-after-successor-date-en")
    assert axe_violations(public) == []
