"""Issue 17 parts 1 and 3 in a real browser.

Feedback: the secretariat prefills every participant's report, edits one, is refused
releasing before publication; the non-winning agency sees "not released yet" and a 404;
after publication the reports are released, and the agency reads its report and
downloads the PDF (pdftotext: bilingual headings, its strengths and opportunities).

Appeals: a window that ends after the publication is refused beside the field; the
agency of a non-winner appeals with an attachment; another agency gets 404; the appeal is
upheld; version 1 can no longer be published; a new version is compiled and approved,
with a publication time. Times are set relative to now, so the test holds at any hour."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.enums import Role
from agencies.models import User
from awards.results import services
from awards.results.models import ResultsSettings, ResultVersion
from scoring.models import Assignment, Score
from tests.results.helpers import compile_version, scored_cycle
from tests.scoring.standings_helpers import indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def editor_of(agency) -> User:
    return User.objects.get(
        role_assignments__role=Role.AGENCY_EDITOR, role_assignments__agency=agency
    )


def minutes(moment, tz) -> str:
    return timezone.localtime(moment, tz).strftime("%Y-%m-%dT%H:%M")


def test_a_non_winner_reads_its_feedback_report_after_publication_and_its_pdf(
    live_server, context, sign_in, shot, axe_violations, tmp_path
):
    cycle = scored_cycle(winners=2)
    english(context, live_server)
    tz = cycle.edition.tzinfo
    loser = cycle.nominations[3]  # 600 points: no award
    first = indicators(cycle)[0]
    review = Assignment.objects.get(
        stage=cycle.written, nomination=loser, reviewer=cycle.reviewers[0]
    ).review
    Score.objects.filter(review=review, indicator=first).update(comment="櫃臺等候時間仍長。")
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    services.version_approve(version=version, actor=cycle.approver)  # no publication time

    # The secretariat prefills every participant's draft.
    page = sign_in(cycle.secretariat, f"/cycle/results/editions/{cycle.edition.pk}/")
    page.locator("#feedback-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback reports")
    page.get_by_role("button", name="Prefill all").click()
    # The drafts are made by a background job, which the page follows.
    expect(page.locator(".messages li")).to_have_text(
        ["The drafts are being prefilled; this page follows the job."]
    )
    expect(page.locator("#job-feedback-done")).to_have_text(
        f"6 drafts were prefilled from version {version.number}. Show the reports"
    )
    page.get_by_role("link", name="Show the reports").click()
    expect(page.locator("#feedback-table tbody tr")).to_have_count(6)
    shot(page, "01-feedback-list-en")
    assert axe_violations(page) == []

    # Edits the non-winner's draft: prefilled, anonymous; release is not offered yet.
    page.get_by_role("link", name="Household Registration Office 4").click()
    expect(page.locator("#release-refusal")).to_have_text(
        "The results of this edition are not published yet: feedback reports are released "
        "only after publication."
    )
    opportunities = page.locator("textarea[name$='-opportunities']").first
    expect(opportunities).to_have_value("- 櫃臺等候時間仍長。")
    page.locator("textarea[name$='-strengths']").first.fill("服務態度親切，引導清楚。")
    page.get_by_label("Overall remarks (English)").fill("Friendly service; waiting times to cut.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages li")).to_have_text(["The feedback report was saved."])
    expect(page.locator("textarea[name$='-strengths']").first).to_have_value(
        "服務態度親切，引導清楚。"
    )
    shot(page, "02-feedback-edit-en")
    assert axe_violations(page) == []

    # Releasing before publication: refused with the reason, nothing released.
    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/feedback/")
    page.get_by_role("button", name="Release 6 drafts").click()
    expect(page.locator("#action-errors li")).to_have_text(
        [
            "The results of this edition are not published yet: feedback reports are "
            "released only after publication."
        ]
    )
    expect(page.locator("#feedback-table .badge.open")).to_have_count(0)

    # The agency: "not released yet", and the report's address is not found.
    report = loser.feedback_report
    agency = sign_in(editor_of(loser.agency), "/cycle/results/my-feedback/")
    expect(agency.locator("#my-feedback-table tbody tr")).to_have_count(1)
    expect(agency.locator(".feedback-pending")).to_have_text("Not released yet")
    response = agency.goto(live_server.url + f"/cycle/results/feedback/{report.pk}/")
    assert response.status == 404

    # Publication (a time that has come), then release.
    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{version.pk}/")
    page.get_by_label("Publish at").fill(
        minutes(timezone.now() - datetime.timedelta(minutes=5), tz)
    )
    page.get_by_role("button", name="Set the publication time").click()
    expect(page.locator("#version-status ~ .badge.open")).to_have_text("Published")
    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/feedback/")
    page.get_by_role("button", name="Release 6 drafts").click()
    expect(page.locator("#feedback-table .badge.open")).to_have_count(6)

    # The agency reads its report and downloads the PDF.
    agency = sign_in(editor_of(loser.agency), "/cycle/results/my-feedback/")
    agency.get_by_role("link", name="Read the report").click()
    expect(agency.get_by_role("heading", level=1)).to_contain_text("Feedback report")
    expect(agency.locator("#feedback-band")).to_have_text("600–699")
    expect(agency.locator(".feedback-strengths").first).to_have_text("服務態度親切，引導清楚。")
    expect(agency.locator(".feedback-opportunities").first).to_have_text("- 櫃臺等候時間仍長。")
    expect(agency.locator("#feedback-summary")).to_have_text(
        "Friendly service; waiting times to cut."
    )
    shot(agency, "03-feedback-report-agency-en")
    assert axe_violations(agency) == []
    with agency.expect_download() as info:
        agency.locator("#feedback-pdf-link").click()
    path = tmp_path / "feedback.pdf"
    info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "回饋報告",
        "Feedback report",
        "優點",
        "Strengths",
        "待改進事項",
        "Opportunities for improvement",
        "服務態度親切，引導清楚。",
        "櫃臺等候時間仍長。",
        "Friendly service; waiting times to cut.",
    ):
        assert words in text, words
    for reviewer in cycle.reviewers:
        assert reviewer.get_full_name() not in text


def test_an_upheld_appeal_forces_a_new_version_before_publication(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = scored_cycle(winners=2)
    english(context, live_server)
    tz = cycle.edition.tzinfo
    now = timezone.now()
    v1 = compile_version(cycle)
    services.version_submit(version=v1, actor=cycle.secretariat)
    publish_at = (now + datetime.timedelta(days=10)).replace(second=0, microsecond=0)
    services.version_approve(version=v1, actor=cycle.approver, publish_at=publish_at)
    # Approved an hour ago: the window may open from then.
    ResultVersion.objects.filter(pk=v1.pk).update(decided_at=now - datetime.timedelta(hours=1))

    page = sign_in(cycle.secretariat, f"/cycle/results/editions/{cycle.edition.pk}/")
    page.locator("#appeals-link").click()
    opens = minutes(now - datetime.timedelta(minutes=30), tz)
    page.get_by_label("Appeals open").fill(opens)
    page.get_by_label("Appeals close").fill(minutes(publish_at + datetime.timedelta(days=1), tz))
    page.get_by_role("button", name="Save the window").click()
    expect(page.locator("#id_appeal_closes_at ~ .errorlist li")).to_have_text(
        f"The window must close before the scheduled publication "
        f"({timezone.localtime(publish_at, tz):%Y-%m-%d %H:%M})."
    )
    expect(page.get_by_label("Appeals open")).to_have_value(opens)
    shot(page, "04-appeal-window-refused-en")
    assert axe_violations(page) == []
    assert not ResultsSettings.objects.filter(appeal_opens_at__isnull=False).exists()
    page.get_by_label("Appeals close").fill(minutes(now + datetime.timedelta(days=2), tz))
    page.get_by_role("button", name="Save the window").click()
    expect(page.locator("#appeal-window-now")).to_contain_text("Open from")

    # The agency of the finalist without an award appeals, with a PDF.
    loser = cycle.nominations[1]
    agency = sign_in(editor_of(loser.agency), "/cycle/results/my-feedback/")
    agency.get_by_role("link", name="File an appeal").click()
    agency.get_by_label("Reasons for the appeal").fill("實地審查之補充資料未列入評分。")
    agency.get_by_label("Attachments (optional)").set_input_files(
        [{"name": "補充資料.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot(agency, "05-appeal-form-en")
    assert axe_violations(agency) == []
    agency.get_by_role("button", name="File the appeal").click()
    expect(agency.locator("#appeal-status")).to_have_text("Filed, awaiting the panel's decision")
    expect(agency.locator("#appeal-attachments li a")).to_have_text("補充資料.pdf")
    appeal = loser.appeal

    # Another agency's editor: not found.
    other = sign_in(editor_of(cycle.agencies[4]))
    assert (
        other.goto(live_server.url + f"/cycle/results/nominations/{loser.pk}/appeal/").status == 404
    )
    assert other.goto(live_server.url + f"/cycle/results/appeals/{appeal.pk}/").status == 404

    # The secretariat records the panel's decision: upheld.
    page = sign_in(cycle.secretariat, f"/cycle/results/appeals/{appeal.pk}/")
    page.get_by_label("Upheld").check()
    page.get_by_label("Reasons for the decision").fill("補充資料確有漏列，應重新計分。")
    shot(page, "06-appeal-decision-en")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#appeal-status")).to_have_text("Upheld")

    # Version 1 cannot be published any more; the page says why and offers compiling.
    page.goto(live_server.url + f"/cycle/results/versions/{v1.pk}/")
    expect(page.locator("#publish-at")).to_have_text("Not scheduled: the results stay unpublished.")
    expect(page.locator("#version-appeals-table tbody tr")).to_have_count(1)
    expect(page.locator("#appeals-blocking")).to_contain_text("cannot be published")
    page.get_by_label("Publish at").fill(minutes(publish_at, tz))
    page.get_by_role("button", name="Set the publication time").click()
    expect(page.locator("#action-errors li")).to_have_text(
        [
            "Publication is blocked: the appeal of Household Registration Office 2 was upheld, "
            "and version 1 does not answer it. Compile a new version and have it approved."
        ]
    )
    shot(page, "07-version-blocked-by-appeal-en")
    assert axe_violations(page) == []

    # Compile a new version from the version page; submit; the approver approves it.
    page.get_by_role("button", name="Compile a new version").click()
    page.get_by_role("link", name="Open it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
    expect(page.locator("#appeals-blocking")).to_have_count(0)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#version-status")).to_have_text("Submitted for approval")
    v2 = ResultVersion.objects.get(edition=cycle.edition, number=2)
    approver = sign_in(cycle.approver, f"/cycle/results/versions/{v2.pk}/")
    expect(approver.locator("#version-appeals-table tbody tr td").nth(2)).to_have_text("Upheld")
    approver.get_by_label("Publish at").fill(minutes(publish_at, tz))
    approver.get_by_role("button", name="Approve these results").click()
    expect(approver.locator("#version-status")).to_have_text("Approved")
    expect(approver.locator("#publish-at")).to_contain_text(
        f"{timezone.localtime(publish_at, tz):%Y-%m-%d %H:%M}"
    )
    shot(approver, "08-new-version-approved-en")

    # After the window, an appeal is no longer accepted.
    ResultsSettings.objects.filter(edition=cycle.edition).update(
        appeal_closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    late = sign_in(
        editor_of(cycle.agencies[3]),
        f"/cycle/results/nominations/{cycle.nominations[3].pk}/appeal/",
    )
    expect(late.locator("#appeal-window-problem")).to_contain_text("appeals are no longer accepted")


def test_an_undecided_appeal_holds_publication_past_its_time(
    live_server, context, new_context, sign_in, shot, axe_violations
):
    """The panel has not decided by the publication time: the results stay out (the
    public page is not found), the version page says why, in both languages; the
    dismissal lets them out at once. Times relative to now, as above."""
    from awards.results import appeals

    cycle = scored_cycle(winners=2)
    english(context, live_server)
    now = timezone.now()
    v1 = compile_version(cycle)
    services.version_submit(version=v1, actor=cycle.secretariat)
    services.version_approve(
        version=v1, actor=cycle.approver, publish_at=now + datetime.timedelta(days=10)
    )
    ResultVersion.objects.filter(pk=v1.pk).update(decided_at=now - datetime.timedelta(hours=2))
    appeals.appeal_window_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=2),
    )
    appeal = appeals.appeal_file(
        nomination=cycle.nominations[1],
        actor=editor_of(cycle.nominations[1].agency),
        reasons="實地審查之補充資料未列入評分。",
        uploads=[],
    )
    # Days later: the window has closed and the publication time has passed, undecided.
    ResultsSettings.objects.filter(edition=cycle.edition).update(
        appeal_closes_at=now - datetime.timedelta(minutes=20)
    )
    ResultVersion.objects.filter(pk=v1.pk).update(publish_at=now - datetime.timedelta(minutes=10))
    public_url = f"{live_server.url}/results/{cycle.edition.scheme.code}/{cycle.edition.number}/"
    visitor_context = new_context()
    english(visitor_context, live_server)
    visitor = visitor_context.new_page()
    assert visitor.goto(public_url).status == 404

    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{v1.pk}/")
    expect(page.locator("#held-badge")).to_have_text("Held by appeals")
    expect(page.locator("#held-note")).to_contain_text("1 appeal still awaits the panel's decision")
    shot(page, "09-publication-held-by-appeal-en")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/cycle/results/editions/{cycle.edition.pk}/")
    expect(page.locator("table .badge.frozen")).to_have_text("Held by appeals")
    context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    page.goto(f"{live_server.url}/cycle/results/versions/{v1.pk}/")
    expect(page.locator("#held-badge")).to_have_text("申覆待決，暫緩公布")
    expect(page.locator("#held-note")).to_contain_text("尚有 1 件申覆待評審小組決定")
    shot(page, "10-publication-held-by-appeal-zh")
    assert axe_violations(page) == []

    # Dismissing without reasons is refused, and changes nothing; with reasons, the
    # results come out at once.
    english(context, live_server)
    page.goto(f"{live_server.url}/cycle/results/appeals/{appeal.pk}/")
    page.get_by_label("Dismissed").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#appeal-status")).to_have_text("Filed, awaiting the panel's decision")
    assert visitor.goto(public_url).status == 404
    page.get_by_label("Dismissed").check()
    page.get_by_label("Reasons for the decision").fill("所附資料已於書面審查時計入。")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#appeal-status")).to_have_text("Dismissed")
    assert visitor.goto(public_url).status == 200
    expect(visitor.locator(".result-category li.winner").first).to_contain_text(
        "Household Registration Office 1"
    )
    page.goto(f"{live_server.url}/cycle/results/versions/{v1.pk}/")
    expect(page.locator("#held-note")).to_have_count(0)
    expect(page.locator("#version-meta .badge.open")).to_have_text("Published")
