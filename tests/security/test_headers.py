"""Response headers (issue 11): `Cache-Control: no-store, private` on every download and
a `Permissions-Policy` on every response (config.middleware.SecurityHeadersMiddleware).

DOWNLOADS names every URL pattern that answers with a file; a guard test finds the views
that build a file response and fails when one is missing from the list."""

import datetime
import hashlib
import inspect

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from awards.models import Attachment
from awards.results.enums import JobKind
from awards.results.models import Award
from scoring.enums import SiteTestKind
from scoring.models import Assignment, SiteTest, SiteTestEvidence
from surveys.models import PollImport
from tests.factories import UserFactory, review_cycle, submitted_snapshot
from tests.results.helpers import approved_version, poll_cycle, scored_cycle
from workflow.models import Job

pytestmark = pytest.mark.django_db

POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
NO_STORE = "no-store, private"
PNG = b"\x89PNG\r\n\x1a\nabcd"

DOWNLOADS = {
    "awards:attachment_download",
    "awards:submission_pdf",
    "awards:nominee_export",
    "scoring:review_pdf",
    "scoring:review_attachment",
    "scoring:site_test_evidence",
    "results:award_certificate",
    "results:certificate_preview_pdf",
    "results:job_file",
    "results:job_zip",
    "results:feedback_pdf",
    "results:appeal_attachment",
    "surveys:import_errors_csv",
    "surveys:results_csv",
    "surveys:suggestions_xlsx",
}
MARKERS = ("FileResponse(", "Content-Disposition", "_pdf_response(", "_job_download(")


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if hasattr(p, "url_patterns"):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from _patterns(p, prefix + ns)
        elif p.name:
            yield prefix + p.name, p.callback


def test_every_view_that_answers_with_a_file_is_in_the_list():
    found = set()
    for name, callback in _patterns(get_resolver()):
        if name.startswith("admin:"):
            continue
        source = inspect.getsource(inspect.unwrap(callback))
        if any(marker in source for marker in MARKERS):
            found.add(name)
    assert found == DOWNLOADS


def _client(user):
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(user)
    return client


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _check(urls):
    """{url name: (user, url)}: each answers 200 with the headers."""
    seen = {}
    for name, (user, url) in urls.items():
        response = _client(user).get(url)
        assert response.status_code == 200, name
        assert _body(response), name
        assert "Content-Disposition" in response, name
        seen[name] = (response["Cache-Control"], response["Permissions-Policy"])
    assert seen == {name: (NO_STORE, POLICY) for name in urls}


def test_dossier_review_and_evidence_downloads_are_not_stored():
    c = review_cycle()
    reviewer = c.reviewers[1]
    nomination = c.nominations[0]
    editor = UserFactory(roles=[("agency_editor", c.agencies[0])])
    attachment = Attachment(
        nomination=nomination,
        original_name="流程圖.png",
        file_type="png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    attachment.file.save("x.png", ContentFile(PNG), save=False)
    attachment.save()
    submission = submitted_snapshot(nomination, editor)
    assignment = Assignment.objects.create(
        stage=c.written, nomination=nomination, reviewer=reviewer
    )
    test = SiteTest.objects.create(
        assignment=assignment,
        kind=SiteTestKind.choices[0][0],
        tested_at=timezone.now() - datetime.timedelta(hours=1),
        subject="電話測試",
        findings="接聽迅速",
    )
    evidence = SiteTestEvidence(
        site_test=test,
        original_name="截圖.png",
        file_type="png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    evidence.file.save("e.png", ContentFile(PNG), save=False)
    evidence.save()
    _check(
        {
            "awards:attachment_download": (
                editor,
                reverse("awards:attachment_download", args=[nomination.pk, attachment.pk]),
            ),
            "awards:submission_pdf": (
                editor,
                reverse("awards:submission_pdf", args=[nomination.pk, submission.version]),
            ),
            "scoring:review_pdf": (reviewer, reverse("scoring:review_pdf", args=[assignment.pk])),
            "scoring:review_attachment": (
                reviewer,
                reverse("scoring:review_attachment", args=[assignment.pk, attachment.pk]),
            ),
            "scoring:site_test_evidence": (
                c.secretariat,
                reverse("scoring:site_test_evidence", args=[assignment.pk, evidence.pk]),
            ),
        }
    )


def test_results_downloads_are_not_stored():
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = Award.objects.filter(version=version).first()
    job = Job.objects.create(
        kind=JobKind.WORKBOOK,
        target_type="awards.edition",
        target_id=cycle.edition.pk,
        params={"version": version.pk},
        status="done",
        requested_by=cycle.secretariat,
    )
    job.file.save("results.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=False)
    job.archive.save("certificates.zip", ContentFile(b"PK\x03\x04 zip"), save=False)
    job.save()
    _check(
        {
            "results:award_certificate": (
                cycle.secretariat,
                reverse("results:award_certificate", args=[award.pk]),
            ),
            "results:certificate_preview_pdf": (
                cycle.secretariat,
                reverse("results:certificate_preview_pdf", args=[cycle.edition.scheme.pk]),
            ),
            "results:job_file": (cycle.secretariat, reverse("results:job_file", args=[job.pk])),
            "results:job_zip": (cycle.secretariat, reverse("results:job_zip", args=[job.pk])),
        }
    )


def test_feedback_and_appeal_downloads_are_not_stored():
    """An appeal's attachment (during the window) and a released feedback report's PDF
    (after publication): the scenario of tests/results/test_appeals.py, clock frozen."""
    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile

    from awards.results import appeals, feedback, services
    from awards.results.models import FeedbackReport
    from tests.results import test_appeals as scenario
    from tests.results.helpers import compile_version

    with time_machine.travel(scenario.T0, tick=False) as clock:
        c = scored_cycle()
        version = compile_version(c)
        services.version_submit(version=version, actor=c.secretariat)
        services.version_approve(version=version, actor=c.approver, publish_at=scenario.PUBLISH)
        scenario.window(c)
        clock.move_to(scenario.OPENS + datetime.timedelta(hours=2))
        nomination = c.nominations[1]
        appeal = scenario.file_appeal(
            c, nomination, files=[SimpleUploadedFile("補充說明.pdf", scenario.PDF)]
        )
        editor = scenario.editor_of(nomination.agency)
        _check(
            {
                "results:appeal_attachment": (
                    editor,
                    reverse("results:appeal_attachment", args=[appeal.attachments.get().pk]),
                )
            }
        )
        # Decided before the publication time: an appeal still awaiting its decision
        # would hold the publication, and reports are released after it.
        appeals.appeal_decide(
            appeal=appeal, actor=c.secretariat, upheld=False, reasons="無新事證。"
        )
        clock.move_to(scenario.PUBLISH + datetime.timedelta(hours=1))
        feedback.feedback_prefill_all(edition=c.edition, actor=c.secretariat)
        report = FeedbackReport.objects.get(nomination=nomination)
        feedback.feedback_release(report=report, actor=c.secretariat)
        _check(
            {
                "results:feedback_pdf": (
                    editor,
                    reverse("results:feedback_pdf", args=[report.pk]),
                )
            }
        )


def test_poll_downloads_are_not_stored():
    cycle = poll_cycle()
    poll = cycle.poll
    imp = PollImport.objects.create(
        poll=poll,
        kind="responses",
        filename="calls.csv",
        sha256="0" * 64,
        content=b"ref\n",
        file_format="csv",
        errors=[{"row": 2, "column": "ref", "value": "", "message": "Missing household."}],
        uploaded_by=cycle.secretariat,
    )
    _check(
        {
            "surveys:import_errors_csv": (
                cycle.secretariat,
                reverse("surveys:import_errors_csv", args=[poll.pk, imp.pk]),
            ),
            "surveys:results_csv": (
                cycle.secretariat,
                reverse("surveys:results_csv", args=[poll.pk]),
            ),
            "surveys:suggestions_xlsx": (
                cycle.secretariat,
                reverse("surveys:suggestions_xlsx", args=[poll.pk]),
            ),
        }
    )


def test_pages_have_the_permissions_policy_and_keep_their_caching():
    client = Client()
    for url in ("/results/", "/accounts/login/", "/no-such-page/"):
        response = client.get(url)
        assert response["Permissions-Policy"] == POLICY, url
        assert response.get("Cache-Control") != NO_STORE, url
    # Static files (served by WhiteNoise before the rest of the stack) too.
    response = client.get("/static/css/app.css")
    assert b".error-page" in b"".join(response.streaming_content)  # read to the end: closed
    assert response["Permissions-Policy"] == POLICY
    response.close()


def test_a_nominee_s_export_is_not_stored():
    """What is kept about a nominated officer (personal data) is never cached."""
    from awards.enums import CategoryKind
    from awards.nominees import nominee_save
    from awards.services import nomination_start
    from tests.factories import CategoryFactory, open_cycle

    c = open_cycle()
    category = CategoryFactory(edition=c.edition, kind=CategoryKind.INDIVIDUAL, code="person")
    nomination = nomination_start(actor=c.editor, agency=c.agency, category=category)
    nominee_save(actor=c.editor, nomination=nomination, name_zh="陳大文", post="高級戶籍員")
    _check(
        {
            "awards:nominee_export": (
                c.editor,
                reverse("awards:nominee_export", args=[nomination.pk]),
            )
        }
    )
