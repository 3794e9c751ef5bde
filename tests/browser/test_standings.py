"""The secretariat's standings in a real browser: eight dossiers scored by a panel with a
harsh and a lenient reviewer, ranked with per-reviewer z-score normalisation, the score
chart, a shortlist preview of the top five, the confirmation that makes them finalists,
and the bad inputs (a non-numeric threshold, an empty selection)."""

import re

import pytest
from playwright.sync_api import expect

from awards.enums import NominationState as S
from awards.models import Nomination
from scoring.enums import Aggregation
from scoring.models import ReviewPolicy
from tests.factories import review_cycle
from tests.scoring.standings_helpers import assign, give, split

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Dossier quality 900, 850, … 550; reviewer 2 is 150 points harsher, reviewer 3 is 60
# more lenient, reviewer 4 is 40 harsher. Dossier i is read by reviewers i, i+1, i+2
# (mod 4), so raw means mix harsh and lenient panels; the z-score corrects that.
QUALITY = [900, 850, 800, 750, 700, 650, 600, 550]
OFFSET = [0, -150, 60, -40]


def scored_cycle():
    cycle = review_cycle(agencies=8, reviewers=4)
    ReviewPolicy.objects.update_or_create(
        edition=cycle.edition, defaults={"aggregation": Aggregation.ZSCORE}
    )
    for i, nomination in enumerate(cycle.nominations):
        for j in (i % 4, (i + 1) % 4, (i + 2) % 4):
            total = QUALITY[i] + OFFSET[j] + (7 * i * j) % 23
            give(cycle, assign(cycle, nomination, cycle.reviewers[j]), split(total))
    return cycle


def test_secretariat_ranks_charts_and_shortlists_five(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = scored_cycle()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    url = f"/cycle/review/stages/{cycle.written.pk}/categories/{cycle.category.pk}/standings/"
    page = sign_in(cycle.secretariat, url)

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Standings: First-line service agencies"
    )
    expect(page.locator("#standings-method dd").first).to_have_text(
        "Per-reviewer z-score normalisation"
    )
    rows = page.locator("table.standings-table tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.locator("td.rank")).to_have_text([str(n) for n in range(1, 9)])
    # Normalised ranks follow the dossiers' quality, whatever their panel's leniency.
    expect(rows.locator("th[scope=row]")).to_have_text(
        [re.compile(f"^Household Registration Office {i} ") for i in range(1, 9)]
    )
    expect(rows.first.locator(".normalised")).to_have_count(3)
    chart = page.locator("#score-chart")
    expect(chart.locator("figcaption")).to_have_text(
        "Score distribution: 8 dossiers scored, in bands of a tenth of 1000 points"
    )
    expect(chart.locator("rect.bin")).not_to_have_count(0)
    shot(page, "01-standings-en")
    assert axe_violations(page) == []

    # A bad threshold: a clear message, nothing ticked.
    page.get_by_role("radio", name="Score of at least (points)").check()
    page.get_by_label("Value").fill("abc")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#rule-errors")).to_have_text(
        "Threshold: enter a number of points, e.g. 750."
    )
    expect(page.locator("input[name=nomination]:checked")).to_have_count(0)
    shot(page, "02-bad-threshold-en")

    # Preview the top five by count, then confirm.
    page.get_by_role("radio", name="Number of dossiers").check()
    page.get_by_label("Value").fill("5")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-result")).to_have_text("This rule selects 5 dossiers.")
    expect(page.locator("input[name=nomination]:checked")).to_have_count(5)
    shot(page, "03-preview-top-five-en")
    page.get_by_label("Note on the finalists (optional)").fill("初審前五名入圍")
    expect(page.get_by_role("radio", name="Internal: for the record only")).to_be_checked()
    page.get_by_role("button", name="Continue: check the finalists and their assignments").click()
    # The check: five finalists and the site visit's fifteen assignments; nothing yet.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the shortlist")
    expect(page.locator("ol.finalist-list li")).to_have_count(5)
    expect(page.locator("#assignments-heading")).to_have_text(
        "15 assignments will be created in Site visit"
    )
    planned = page.locator("table.planned-assignments tbody tr")
    expect(planned).to_have_count(5)
    expect(planned.locator("li")).to_have_count(15)
    expect(page.locator("#shortlist-note")).to_have_text(
        "Note (Internal: for the record only): 初審前五名入圍"
    )
    shot(page, "04a-confirm-shortlist-en")
    assert axe_violations(page) == []
    assert set(Nomination.objects.values_list("state", flat=True)) == {S.ELIGIBLE}
    page.get_by_role("button", name="Confirm: make 5 finalists and create 15 assignments").click()
    expect(page.locator(".messages")).to_contain_text("5 dossiers are now finalists:")
    expect(page.locator(".messages")).to_contain_text("15 assignments were created in Site visit.")
    expect(page.locator("tr.finalist-row")).to_have_count(5)
    expect(page.locator("tr.finalist-row .badge.state-finalist")).to_have_text(["Finalist"] * 5)
    shot(page, "04-finalists-en")
    states = dict(Nomination.objects.values_list("pk", "state"))
    assert [states[n.pk] for n in cycle.nominations] == [S.FINALIST] * 5 + [S.ELIGIBLE] * 3

    # Nothing ticked: a clear message.
    expect(page.locator("input[name=nomination]:checked")).to_have_count(0)
    page.get_by_role("button", name="Continue: check the finalists and their assignments").click()
    expect(page.locator("#shortlist-errors li")).to_have_text(
        "Select at least one dossier to shortlist."
    )
    shot(page, "05-empty-selection-en")
    assert axe_violations(page) == []


def test_a_submitted_review_is_reopened_from_the_standings(
    live_server, context, sign_in, shot, axe_violations, mailoutbox
):
    """The way in to reopening: a reviewer's total in the standings links to the review's
    record, which has the reopening form (before, reached only by typing its URL)."""
    from scoring.enums import ReviewState
    from scoring.models import Review

    cycle = scored_cycle()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    url = f"/cycle/review/stages/{cycle.written.pk}/categories/{cycle.category.pk}/standings/"
    page = sign_in(cycle.secretariat, url)
    row = page.locator("table.standings-table tbody tr").nth(5)
    reviewer = cycle.reviewers[1]
    row.get_by_role("link", name=reviewer.get_full_name()).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review record")
    expect(page.locator(".review-header dd").first).to_contain_text(reviewer.get_full_name())
    # No reason: a clear message beside the field, nothing reopened.
    page.get_by_role("button", name="Reopen the review").click()
    expect(page.locator("#id_reason_error")).to_have_text(
        "Give a reason for reopening the review: the reviewer will read it."
    )
    shot(page, "07-reopen-no-reason-en")
    assert axe_violations(page) == []
    assert not Review.objects.filter(state=ReviewState.REOPENED).exists()
    page.get_by_label("Reason for reopening").fill("第二項指標分數請再確認")
    page.get_by_role("button", name="Reopen the review").click()
    expect(page.locator(".messages")).to_contain_text("The review was reopened;")
    shot(page, "08-reopened-en")
    reopened = Review.objects.get(state=ReviewState.REOPENED)
    assert reopened.assignment.reviewer == reviewer
    assert reopened.assignment.nomination == cycle.nominations[5]


def test_standings_in_chinese(live_server, sign_in, shot):
    cycle = scored_cycle()
    url = f"/cycle/review/stages/{cycle.written.pk}/categories/{cycle.category.pk}/standings/"
    page = sign_in(cycle.secretariat, url + "?by=threshold&value=700")
    expect(page.locator("table.standings-table tbody tr")).to_have_count(8)
    expect(page.locator("svg.histogram line.threshold")).to_have_count(1)
    shot(page, "06-standings-zh-threshold")
    page.get_by_role("button", name="繼續：檢視入圍者及其分派").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("確認入圍名單")
    expect(page.locator("#assignments-heading")).to_contain_text("筆分派")
    shot(page, "06b-confirm-shortlist-zh")
