"""The secretariat's review pages in a real browser: from the overview, record a
conflict of interest, assign automatically and see the table (no conflicted pair), then
ask for more reviewers than the conflicts allow and read the report; the panel and
progress pages; bad input on the forms."""

import re

import pytest
from playwright.sync_api import expect

from scoring.models import Assignment
from tests.factories import review_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_adds_a_conflict_assigns_automatically_and_reads_the_report(
    live_server, context, sign_in, shot, axe_violations
):
    c = review_cycle(agencies=6, reviewers=4, k=3)
    agency0 = c.agencies[0].name_en
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])

    page = sign_in(c.secretariat, "/cycle/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    overview = page.get_by_role("table", name=re.compile(c.edition.name_en))
    expect(overview.locator("tbody tr")).to_have_count(1)
    expect(overview.locator("tbody tr td").nth(1)).to_contain_text("0 of 18 assigned")
    shot(page, "01-overview-en")
    assert axe_violations(page) == []

    # Conflicts: a reason is required; then the conflict is recorded.
    page.get_by_role("link", name=re.compile("^Conflicts of interest")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conflicts of interest")
    page.get_by_label("Reviewer").select_option(label=f"評審委員1 <{c.reviewers[0].email}>")
    page.get_by_label("Agency", exact=True).select_option(value=str(c.agencies[0].pk))
    page.get_by_role("button", name="Record the conflict").click()
    expect(page.locator("#id_conflict-reason + ul.errorlist, .errorlist").first).to_have_text(
        "Give a reason."
    )
    page.get_by_label("Reason").fill("曾任該所顧問")
    page.get_by_role("button", name="Record the conflict").click()
    expect(page.locator(".messages")).to_have_text(f"Conflict recorded: 評審委員1 ✕ {agency0}.")
    conflicts = page.get_by_role("table", name="Conflicts")
    expect(conflicts.locator("tbody tr")).to_have_count(1)
    expect(conflicts.locator("tbody tr").first).to_contain_text("Added by the secretariat")
    shot(page, "02-conflict-added-en")
    assert axe_violations(page) == []

    # Assignments: automatic assignment, then the table.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    page.get_by_role("link", name=re.compile("^Assignments · .* · Written review")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assignments:")
    page.get_by_role("button", name="Assign automatically").click()
    expect(page.locator(".messages")).to_have_text("Automatic assignment made 18 assignments.")
    table = page.get_by_role("table", name="Dossiers and their reviewers")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(6)
    for i in range(6):
        expect(rows.nth(i).locator(".assignee-name")).to_have_count(3)
    # The conflicted reviewer is on none of the dossiers under the same authority.
    # Rows are in agency-tree order: the three under the first authority come first.
    expect(rows.locator("th")).to_have_text(
        [re.compile(c.agencies[i].name_en) for i in (0, 2, 4, 1, 3, 5)]
    )
    for i in range(3):
        expect(rows.nth(i).locator(".assignee-name")).to_have_text(
            ["評審委員2", "評審委員3", "評審委員4"]
        )
    expect(rows.nth(0).locator(".badge.review-not_started")).to_have_count(3)
    shot(page, "03-assigned-en")
    assert axe_violations(page) == []

    # Withdraw without a reason is refused (the browser asks first; a crafted empty
    # reason is tested in the view tests); with a reason it goes.
    row = rows.nth(3)  # agencies[1]
    first = row.locator(".assignee-list li").first
    name = first.locator(".assignee-name").inner_text()
    first.locator("summary").click()
    first.get_by_label("Reason").fill("委員請假")
    shot(page, "04-withdraw-en")
    first.get_by_role("button", name="Withdraw the assignment").click()
    expect(page.locator(".messages")).to_have_text(
        f"Assignment withdrawn: {name} · {c.agencies[1].name_en}."
    )
    expect(row.locator(".assignee-name")).to_have_count(2)
    expect(row).to_have_class(re.compile("row-short"))

    # Ask for four reviewers per dossier: the three dossiers the conflict covers have
    # only three possible. Nothing is written; the report says why.
    c.written.reviewers_per_dossier = 4
    c.written.save()
    before = Assignment.objects.filter(withdrawn_at__isnull=True).count()
    page.get_by_role("button", name="Assign automatically").click()
    expect(page.locator(".messages")).to_have_text(
        "Automatic assignment stopped: 3 dossiers cannot get enough reviewers. "
        "Nothing was assigned."
    )
    report = page.locator(".auto-report table tbody tr")
    expect(report).to_have_count(3)
    expect(report.first).to_have_text(
        re.compile(
            rf"{agency0}\s*1\s*0\s*"
            "1 more reviewer needed besides the 3 assigned, 0 others not conflicted"
        )
    )
    assert Assignment.objects.filter(withdrawn_at__isnull=True).count() == before
    shot(page, "05-auto-report-en")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress:")
    expect(page.locator(".days-left")).to_have_text("20 days left")
    expect(page.get_by_role("table", name="Reviewers").locator("tbody tr")).to_have_count(4)
    shot(page, "06-progress-en")
    assert axe_violations(page) == []


def test_panel_page_invites_and_refuses_bad_input(
    live_server, context, sign_in, shot, axe_violations
):
    c = review_cycle(agencies=2, reviewers=3, k=2)
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(c.secretariat, f"/cycle/review/categories/{c.category.pk}/panel/")
    members = page.get_by_role("table", name="Members").locator("tbody tr")
    expect(members).to_have_count(4)
    expect(members.first).to_contain_text("Chair")
    shot(page, "01-panel-en")
    assert axe_violations(page) == []

    invite = page.locator("section", has=page.get_by_role("heading", name="Invite by e-mail"))
    invite.get_by_label("E-mail address").fill("new.reviewer@example.test")
    invite.get_by_label("Full name").fill("新委員")
    invite.get_by_label("Affiliated agency code").fill("NO-SUCH")
    invite.get_by_role("button", name="Send the invitation").click()
    invite = page.locator("section", has=page.get_by_role("heading", name="Invite by e-mail"))
    expect(invite.locator(".errorlist")).to_have_text(
        ["This field is required.", "No agency has the code “NO-SUCH”."]
    )
    shot(page, "02-invite-errors-en")
    assert axe_violations(page) == []
    invite.get_by_label("Affiliation type").select_option(label="Academia")
    invite.get_by_label("Affiliated agency code").fill("")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".messages")).to_have_text(
        "新委員 was invited: an e-mail with a link to choose a password is on its way to "
        "new.reviewer@example.test."
    )
    expect(members).to_have_count(5)
    page.get_by_role("button", name="Make chair 評審委員2").click()
    expect(page.locator(".messages")).to_have_text("評審委員2 now chairs the panel.")
    expect(page.locator(".badge.chair")).to_have_count(1)
    shot(page, "03-panel-after-en")

    # In Chinese too.
    context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    page.reload()
    shot(page, "04-panel-zh")
    assert axe_violations(page) == []
