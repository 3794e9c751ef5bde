"""Issue 17 part 2's "Done when" in a real browser: the decision sensitivity before approval.

A submitted version whose one winner depends on the method (three reviewers; the mean
gives the first dossier 640 against 600, the median the second 600 against 520:
tests/results/helpers.TABLE) → the secretariat computes the decision sensitivity from the
version page (a background job; the page follows it) → the approver sees the panel, in
which the median and the trimmed mean change the winner and leaving out the first
reviewer does too, and approves → the approval's audit entry names the run shown. And the
bad input: on a version without scores the run is refused with a message, nothing started.

No time of day matters here: compiling needs the scoring stages over, which
close_scoring() sets relative to now; the publication time is left empty."""

import pytest
from playwright.sync_api import expect

from agencies.models import AuditEntry
from awards.results import services
from awards.results.models import SensitivityRun
from tests.results.helpers import compile_version, disputed_cycle
from workflow.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def test_the_approver_sees_a_method_change_a_winner_and_approves_with_the_panel_recorded(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = disputed_cycle()
    english(context, live_server)
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    code = cycle.category.code
    first, second, _third = (n.agency.name_en for n in cycle.nominations)

    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{version.pk}/")
    expect(page.locator("#sensitivity-none")).to_have_text("Not computed yet for this version.")
    page.get_by_role("button", name="Compute the decision sensitivity").click()
    # The job may finish before the page is shown (the panel is there) or after (the
    # progress partial then offers the link to it).
    shown = page.locator("#sensitivity-digest, #job-sensitivity a")
    expect(shown.first).to_be_visible(timeout=15000)
    if page.locator("#job-sensitivity a").count():
        page.locator("#job-sensitivity").get_by_role("link", name="Show it").click()
    expect(page.locator("#sensitivity-digest")).to_be_visible()
    shot(page, "01-sensitivity-secretariat-en")

    run = SensitivityRun.objects.get(version=version)
    approver = sign_in(cycle.approver, f"/cycle/results/versions/{version.pk}/")
    panel = approver.locator("#sensitivity")
    expect(panel.locator(f"#sensitivity-{code}-methods-warning")).to_have_text(
        "Another aggregation method changes a winner: "
        f"Trimmed mean (drop highest and lowest): {second} would win; {first} would not. "
        f"Median: {second} would win; {first} would not."
    )
    rows = panel.locator(f"#sensitivity-{code}-methods tbody tr")
    expect(rows.nth(0).locator("th")).to_have_text(first)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("1 · 640.00 Winner")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("2 · 520.00 changes the result")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("1 · 600.00 Winner changes the result")
    loo = panel.locator(f"#sensitivity-{code}-loo tbody tr")
    expect(
        loo.filter(has_text=cycle.reviewers[0].get_full_name()).locator("td").nth(1)
    ).to_have_text(f"{second} would win; {first} would not")
    expect(panel.locator(f"#sensitivity-{code}-few li")).to_have_count(3)
    expect(panel.locator(f"#sensitivity-{code}-margin")).to_contain_text(
        f"The last winner, {first}, leads the first non-winner, {second}, by 40.00 points."
    )
    expect(panel.locator("#sensitivity-digest")).to_contain_text(f"#{run.pk} · {run.digest[:12]}")
    expect(approver.locator("#sensitivity-button")).to_have_count(0)
    shot(approver, "02-sensitivity-approver-en")
    assert axe_violations(approver) == []
    # The same panel in Traditional Chinese, the default language (its new messages are
    # in i18n/sensitivity.json until the catalogue is merged).
    context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    approver.reload()
    expect(approver.locator("#sensitivity-digest")).to_be_visible()
    shot(approver, "02-sensitivity-approver-zh")
    english(context, live_server)
    approver.reload()

    approver.get_by_role("button", name="Approve these results").click()
    expect(approver.locator("#version-status")).to_have_text("Approved")
    entry = AuditEntry.objects.get(action="results.version.approved")
    assert entry.data == {"sensitivity": {"run": run.pk, "digest": run.digest}}
    # Frozen with the version: the secretariat is offered no new run.
    page.reload()
    expect(page.locator("#sensitivity-button")).to_have_count(0)
    expect(page.locator("#sensitivity-digest")).to_contain_text(f"#{run.pk}")


def test_a_run_on_a_version_without_scores_is_refused(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = disputed_cycle(scored=False)
    english(context, live_server)
    version = compile_version(cycle)
    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{version.pk}/")
    page.get_by_role("button", name="Compute the decision sensitivity").click()
    expect(page.locator("#sensitivity-errors")).to_have_text(
        "Not started Version 1 has no reviewers' scores in a category decided by the final "
        "standings, so there is no decision to test. Nothing was started.",
        use_inner_text=False,
    )
    expect(page.locator("#sensitivity-none")).to_be_visible()
    shot(page, "03-sensitivity-no-scores-en")
    assert axe_violations(page) == []
    assert not Job.objects.filter(kind="sensitivity").exists()
    assert not SensitivityRun.objects.exists()
