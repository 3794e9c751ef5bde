"""Feedback reports (issue 17 part 1): prefilled for every participant from the reviewers'
comments and the site-test findings, anonymous, with the score band; released only after
publication, then read by the nomination's agency (page and bilingual PDF) and nobody
else's; a draft may be withdrawn, a released report is final; audited; mail on release."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from agencies.enums import Role
from agencies.models import User
from awards.results import feedback
from awards.results.enums import FeedbackState
from awards.results.models import FeedbackItem, FeedbackReport
from scoring.models import Assignment, Score, SiteTest
from tests.conftest import html, table_rows, texts
from tests.factories import UserFactory
from tests.scoring.standings_helpers import indicators
from workflow.models import AuditEntry, Job, OutboundMail

from .helpers import approved_version, scored_cycle

pytestmark = pytest.mark.django_db


def signed_in(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    client.force_login(user)
    return client


def editor_of(agency) -> User:
    return User.objects.get(
        role_assignments__role=Role.AGENCY_EDITOR, role_assignments__agency=agency
    )


def comment(cycle, nomination, reviewer, indicator, text, stage=None):
    review = Assignment.objects.get(
        stage=stage or cycle.written, nomination=nomination, reviewer=reviewer
    ).review
    Score.objects.filter(review=review, indicator=indicator).update(comment=text)


@pytest.fixture
def cycle():
    """The scored cycle (n0 870 特優 and n2 770 win; n1 718 is a finalist without an award;
    n3 a non-finalist at 600), with comments: on n3's first indicator (written 600 of
    1000: 120 of 200, below 70 %: an opportunity, twice the same text) and on n1's
    (written 760: 152 of 200, 76 %: a strength), and a telephone test of n1 on its
    second indicator (a finding: an opportunity)."""
    c = scored_cycle()
    first, second = indicators(c)[:2]
    n1, n3 = c.nominations[1], c.nominations[3]
    comment(c, n3, c.reviewers[0], first, "櫃臺等候時間仍長。")
    comment(c, n3, c.reviewers[1], first, "  櫃臺等候時間仍長。 ")  # the same text: once
    comment(c, n1, c.reviewers[0], first, "流程簡化成效卓著。")
    site = Assignment.objects.get(stage=c.site_visit, nomination=n1, reviewer=c.reviewers[0])
    test = SiteTest.objects.create(
        assignment=site,
        kind="telephone",
        tested_at=timezone.now(),
        subject="戶籍謄本申請電話諮詢",
        findings="電話轉接三次才有人回答。",
    )
    test.indicators.add(second)
    c.first, c.second = first, second
    return c


def test_prefill_all_makes_an_anonymous_draft_for_every_participant(cycle):
    version = approved_version(cycle, published=False)
    counts = feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    assert counts == {"created": 6, "refilled": 0, "version": version.number}
    reports = {r.nomination_id: r for r in FeedbackReport.objects.all()}
    assert set(reports) == {n.pk for n in cycle.nominations}
    assert {r.state for r in reports.values()} == {FeedbackState.DRAFT}
    n0, n1, n3 = (reports[cycle.nominations[i].pk] for i in (0, 1, 3))
    # Bands: n0 870 (特優, a winner), n1 718 (no award: no level), n3 600.
    assert (n0.score_band, n0.level_zh, n0.level_en) == ("800–899", "特優", "Distinction")
    assert (n1.score_band, n1.level_zh) == ("700–799", "")
    assert (n3.score_band, n3.level_zh) == ("600–699", "")
    items = list(n3.items.order_by("order"))
    assert [i.indicator_id for i in items] == [i.pk for i in indicators(cycle)]
    assert [(i.strengths, i.opportunities) for i in items] == [
        ("", "- 櫃臺等候時間仍長。"),
        *[("", "")] * 4,
    ]
    first_n1, second_n1 = n1.items.order_by("order")[:2]
    assert (first_n1.strengths, first_n1.opportunities) == ("- 流程簡化成效卓著。", "")
    assert (second_n1.strengths, second_n1.opportunities) == (
        "",
        "- [電話測試] 電話轉接三次才有人回答。",
    )
    # Reviewers stay anonymous: no name anywhere in the texts.
    everything = " ".join(f"{i.strengths} {i.opportunities}" for i in FeedbackItem.objects.all())
    for reviewer in cycle.reviewers:
        assert reviewer.get_full_name() not in everything
    assert AuditEntry.objects.filter(action="results.feedback.prefilled").count() == 6
    # Prefilling again leaves the drafts alone.
    again = feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    assert (again["created"], again["refilled"]) == (0, 0)


def test_prefill_needs_a_compiled_version(cycle):
    with translation.override("en"), pytest.raises(feedback.ResultsError) as error:
        feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    assert error.value.messages == [
        "Compile the results first: the score bands come from a results version."
    ]
    assert FeedbackReport.objects.count() == 0


def test_prefill_all_runs_as_a_background_job_with_its_counts(cycle):
    version = approved_version(cycle, published=False)
    client = signed_in(cycle.secretariat)
    url = reverse("results:feedback_prefill", args=[cycle.edition.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url)
    list_url = reverse("results:feedback_list", args=[cycle.edition.pk])
    assert response.status_code == 302 and response["Location"] == list_url + "#job-feedback"
    job = Job.objects.get(kind="feedback")
    assert (job.status, job.requested_by, job.target_id) == (
        "done",
        cycle.secretariat,
        cycle.edition.pk,
    )
    assert job.result == {"created": 6, "refilled": 0, "version": version.number}
    assert FeedbackReport.objects.filter(state=FeedbackState.DRAFT).count() == 6
    # Each draft is audited as the requester's, as when prefilled in the request.
    entries = AuditEntry.objects.filter(action="results.feedback.prefilled")
    assert {e.actor_id for e in entries} == {cycle.secretariat.pk} and entries.count() == 6
    page = html(client.get(list_url))
    assert texts(page, "//*[@id='job-feedback-done']") == [
        f"6 drafts were prefilled from version {version.number}. Show the reports"
    ]
    assert texts(page, "//*[@id='job-feedback-status']") == ["Done"]
    assert len(table_rows(page, "//table[@id='feedback-table']")) == 6
    # The job's own address, outside htmx, leads back to the list.
    status = client.get(reverse("results:job", args=[job.pk]))
    assert status["Location"] == list_url
    # Again: a second job, nothing more to make.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url)
    latest = Job.objects.filter(kind="feedback").order_by("-pk").first()
    assert latest.pk != job.pk and latest.result["created"] == 0
    assert texts(html(client.get(list_url)), "//*[@id='job-feedback-done']") == [
        f"0 drafts were prefilled from version {version.number}. Show the reports"
    ]


def test_prefill_all_without_a_version_is_refused_before_any_job(cycle):
    client = signed_in(cycle.secretariat)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("results:feedback_prefill", args=[cycle.edition.pk]))
    assert response.status_code == 400
    assert texts(html(response), "//*[@id='action-errors']//li") == [
        "Compile the results first: the score bands come from a results version."
    ]
    assert not Job.objects.filter(kind="feedback").exists()
    assert FeedbackReport.objects.count() == 0


def test_prefill_all_while_its_job_runs_is_refused(cycle):
    approved_version(cycle, published=False)
    running = feedback.feedback_prefill_start(edition=cycle.edition, actor=cycle.secretariat)
    client = signed_in(cycle.secretariat)
    response = client.post(reverse("results:feedback_prefill", args=[cycle.edition.pk]))
    assert response.status_code == 400
    (message,) = texts(html(response), "//*[@id='action-errors']//li")
    assert message.startswith("A job of this kind is already running for this edition")
    assert list(Job.objects.filter(kind="feedback")) == [running]
    # The page shows the queued job, following it (htmx).
    page = html(client.get(reverse("results:feedback_list", args=[cycle.edition.pk])))
    assert texts(page, "//*[@id='job-feedback-status']") == ["Queued"]
    assert page.xpath("//*[@id='job-feedback']")[0].get("hx-get") == reverse(
        "results:job", args=[running.pk]
    )


def test_release_before_publication_is_refused_and_changes_nothing(cycle):
    approved_version(cycle, published=False)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    report = FeedbackReport.objects.get(nomination=cycle.nominations[3])
    client = signed_in(cycle.secretariat)
    response = client.post(reverse("results:feedback_release", args=[report.pk]))
    assert response.status_code == 400
    assert texts(html(response), "//*[@id='action-errors']//li") == [
        "The results of this edition are not published yet: feedback reports are released "
        "only after publication."
    ]
    response = client.post(reverse("results:feedback_release_all", args=[cycle.edition.pk]))
    assert response.status_code == 400
    report.refresh_from_db()
    assert (report.state, report.released_at) == (FeedbackState.DRAFT, None)
    assert not FeedbackReport.objects.filter(state=FeedbackState.RELEASED).exists()
    assert OutboundMail.objects.filter(kind="feedback_released").count() == 0
    # The agency does not see a draft.
    assert (
        signed_in(editor_of(cycle.agencies[3]))
        .get(reverse("results:feedback_report", args=[report.pk]))
        .status_code
        == 404
    )


def test_released_report_is_read_by_its_agency_only_and_mailed(cycle, tmp_path):
    approved_version(cycle, published=True)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    report = FeedbackReport.objects.get(nomination=cycle.nominations[3])
    other = FeedbackReport.objects.get(nomination=cycle.nominations[4])
    client = signed_in(cycle.secretariat)
    response = client.post(reverse("results:feedback_release", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == FeedbackState.RELEASED
    assert report.released_by == cycle.secretariat
    entry = AuditEntry.objects.get(action="results.feedback.released")
    assert (entry.from_state, entry.to_state, entry.actor) == (
        "draft",
        "released",
        cycle.secretariat,
    )
    editor = editor_of(cycle.agencies[3])
    mails = OutboundMail.objects.filter(kind="feedback_released")
    assert [(m.to_address, m.object_id) for m in mails if m.user == editor] == [
        (editor.email, str(report.pk))
    ]
    assert f"/cycle/results/feedback/{report.pk}/" in mails.get(user=editor).body

    # The owner reads the page; another agency's editor and a reviewer get 404.
    page = signed_in(editor).get(reverse("results:feedback_report", args=[report.pk]))
    assert page.status_code == 200
    tree = html(page)
    assert texts(tree, "//*[@id='feedback-band']") == ["600–699"]
    assert "- 櫃臺等候時間仍長。" in texts(tree, "//p[@class='feedback-opportunities']")
    for outsider in (editor_of(cycle.agencies[4]), cycle.reviewers[0]):
        for name in ("results:feedback_report", "results:feedback_pdf"):
            assert signed_in(outsider).get(reverse(name, args=[report.pk])).status_code == 404
    # Its own unreleased report is not shown to the other agency either.
    assert (
        signed_in(editor_of(cycle.agencies[4]))
        .get(reverse("results:feedback_report", args=[other.pk]))
        .status_code
        == 404
    )

    # The PDF: bilingual headings, the strengths and opportunities.
    pdf = signed_in(editor).get(reverse("results:feedback_pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "feedback.pdf"
    path.write_bytes(pdf.content)
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
        "櫃臺等候時間仍長",
        "600–699",
    ):
        assert words in text, words
    for reviewer in cycle.reviewers:
        assert reviewer.get_full_name() not in text


def test_a_released_report_is_final_and_a_draft_can_be_withdrawn_and_prefilled_again(cycle):
    approved_version(cycle, published=True)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    draft = FeedbackReport.objects.get(nomination=cycle.nominations[1])
    released = FeedbackReport.objects.get(nomination=cycle.nominations[2])
    feedback.feedback_release(report=released, actor=cycle.secretariat)
    client = signed_in(cycle.secretariat)
    assert client.post(reverse("results:feedback_withdraw", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.state == FeedbackState.WITHDRAWN
    with pytest.raises(feedback.ResultsError):
        feedback.feedback_withdraw(report=released, actor=cycle.secretariat)
    released.refresh_from_db()
    assert released.state == FeedbackState.RELEASED
    with pytest.raises(feedback.ResultsError):
        feedback.feedback_update(report=released, actor=cycle.secretariat, items={})
    counts = feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    assert (counts["created"], counts["refilled"]) == (0, 1)
    draft.refresh_from_db()
    assert draft.state == FeedbackState.DRAFT
    assert list(
        AuditEntry.objects.filter(object_id=str(draft.pk), object_type="results.feedbackreport")
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    ) == [
        ("results.feedback.prefilled", "", "draft"),
        ("results.feedback.withdrawn", "draft", "withdrawn"),
        ("results.feedback.prefilled", "withdrawn", "draft"),
    ]


def test_the_secretariat_edits_a_draft_audited_before_and_after(cycle):
    approved_version(cycle, published=False)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    report = FeedbackReport.objects.get(nomination=cycle.nominations[3])
    item = report.items.get(indicator=cycle.first)
    data = {
        "summary_zh": "整體表現穩定。",
        "summary_en": "Steady overall.",
    }
    for i in report.items.all():
        data[f"item-{i.pk}-strengths"] = i.strengths
        data[f"item-{i.pk}-opportunities"] = i.opportunities
    data[f"item-{item.pk}-strengths"] = "服務態度親切。"
    client = signed_in(cycle.secretariat)
    assert client.get(reverse("results:feedback_edit", args=[report.pk])).status_code == 200
    response = client.post(reverse("results:feedback_edit", args=[report.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    report.refresh_from_db()
    assert (item.strengths, item.opportunities) == ("服務態度親切。", "- 櫃臺等候時間仍長。")
    assert (report.summary_zh, report.summary_en) == ("整體表現穩定。", "Steady overall.")
    entry = AuditEntry.objects.get(action="results.feedback.edited")
    assert entry.data["changes"][str(cycle.first.pk)] == {
        "before": ["", "- 櫃臺等候時間仍長。"],
        "after": ["服務態度親切。", "- 櫃臺等候時間仍長。"],
    }
    # An agency's editor cannot open the editor (404).
    assert (
        signed_in(editor_of(cycle.agencies[3]))
        .get(reverse("results:feedback_edit", args=[report.pk]))
        .status_code
        == 404
    )


def test_my_feedback_lists_own_nominations_not_released_then_released(cycle):
    approved_version(cycle, published=True)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    editor = editor_of(cycle.agencies[3])
    url = reverse("results:my_feedback")
    rows = table_rows(html(signed_in(editor).get(url)), "//table[@id='my-feedback-table']")
    assert rows == [
        [
            "Household Registration Office 4",
            "First-line service agencies",
            cycle.edition.name_en or cycle.edition.name_zh,
            "Not released yet",
            "—",
        ]
    ]
    report = FeedbackReport.objects.get(nomination=cycle.nominations[3])
    feedback.feedback_release(report=report, actor=cycle.secretariat)
    tree = html(signed_in(editor).get(url))
    assert tree.xpath("//a[@class='feedback-link']/@href") == [
        reverse("results:feedback_report", args=[report.pk])
    ]


def test_list_pages_keep_a_constant_number_of_queries(cycle, django_assert_num_queries):
    approved_version(cycle, published=True)
    client = signed_in(cycle.secretariat)
    url = reverse("results:feedback_list", args=[cycle.edition.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_FEEDBACK_LIST):
        client.get(url)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    with django_assert_num_queries(QUERIES_FEEDBACK_LIST):
        response = client.get(url)
    assert len(table_rows(html(response), "//table[@id='feedback-table']")) == 6
    # The authority officer above three of the agencies: one nomination or three.
    officer = UserFactory(roles=[(Role.AUTHORITY_OFFICER, cycle.agencies[0].parent)])
    officer_client = signed_in(officer)
    mine = reverse("results:my_feedback")
    officer_client.get(mine)
    with django_assert_num_queries(QUERIES_MY_FEEDBACK):
        response = officer_client.get(mine)
    assert len(table_rows(html(response), "//table[@id='my-feedback-table']")) == 3
    both = UserFactory(
        roles=[(Role.AUTHORITY_OFFICER, a) for a in {x.parent for x in cycle.agencies}]
    )
    both_client = signed_in(both)
    both_client.get(mine)
    with django_assert_num_queries(QUERIES_MY_FEEDBACK):
        response = both_client.get(mine)
    assert len(table_rows(html(response), "//table[@id='my-feedback-table']")) == 6


QUERIES_FEEDBACK_LIST = 9  # with the latest prefill job (and its requester)
QUERIES_MY_FEEDBACK = 7


def test_score_band():
    assert feedback.score_band(718, 1000) == "700–799"
    assert feedback.score_band(1000, 1000) == "900–1000"
    assert feedback.score_band(84.5, 100) == "80–89"
    assert feedback.score_band(None, 1000) == ""
    assert feedback.score_band(0, 1000) == "0–99"
