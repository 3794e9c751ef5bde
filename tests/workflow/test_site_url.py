"""One declared site address (settings.SITE_URL): every absolute URL in every mail the
site sends starts with it, and `check --deploy` fails in production without an https
one."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, TestCase
from django.urls import reverse

from agencies.enums import AffiliationType
from awards.enums import StageKind
from awards.services import nomination_return, nomination_start, nomination_submit
from scoring.enums import MemberKind
from scoring.models import Assignment
from scoring.services import reminders_send, review_reopen, reviewer_invite
from tests.factories import fill_dossier, open_cycle, open_stage, review_cycle, score_directly
from workflow.checks import site_url_check
from workflow.models import OutboundMail
from workflow.site import site_url

SITE = "https://awards.example.test"
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I)


def sent_urls():
    return [url for message in mail.outbox for url in URL.findall(message.body)]


@pytest.mark.django_db
def test_every_absolute_url_in_every_mail_starts_with_site_url(settings):
    settings.SITE_URL = SITE
    # Nomination submitted, then returned by the competent authority.
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(nomination, cycle.editor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        nomination_submit(actor=cycle.editor, nomination=nomination)
    open_stage(cycle.edition, StageKind.RECOMMENDATION)  # returned inside its window
    with TestCase.captureOnCommitCallbacks(execute=True):
        nomination_return(
            actor=cycle.officer, nomination=nomination, authority=cycle.authority, reason="請補件"
        )
    # A reviewer invited to a panel; a review reopened; a reminder before the stage ends.
    c = review_cycle(agencies=1, reviewers=1, k=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        reviewer_invite(
            actor=c.secretariat,
            panel=c.panel,
            email="new.reviewer@example.test",
            full_name="新委員",
            affiliation_type=AffiliationType.ACADEMIA,
            affiliation="大學",
            kind=MemberKind.REVIEWER,
        )
    assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    review = score_directly(assignment, {}, submit=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        review_reopen(actor=c.secretariat, review=review, reason="請再確認")
    c.written.ends_on = c.day(1)
    c.written.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reminders_send() == 1
    # A password reset asked from another host name.
    with TestCase.captureOnCommitCallbacks(execute=True):
        Client().post(
            "/accounts/password-reset/", {"email": cycle.editor.email}, HTTP_HOST="evil.test"
        )

    kinds = set(OutboundMail.objects.values_list("kind", flat=True))
    assert kinds == {
        "nomination_changed",
        "reviewer_invited",
        "review_reopened",
        "review_reminder",
        "password_reset",
    }
    urls = sent_urls()
    assert len(urls) >= 8
    assert [u for u in urls if not u.startswith(SITE + "/")] == []
    # The links are the pages they name.
    assert f"{SITE}/cycle/nominations/{nomination.pk}/" in urls
    assert f"{SITE}/cycle/reviews/{assignment.pk}/" in urls
    assert f"{SITE}/dashboard/" in urls
    assert f"{SITE}/accounts/login/" not in urls  # a new reviewer has no password yet
    assert sum(u.startswith(f"{SITE}/accounts/reset/") for u in urls) == 2


def test_site_url_joins_paths_without_doubling_slashes(settings):
    settings.SITE_URL = "https://awards.example.test/"
    assert site_url() == "https://awards.example.test"
    assert site_url("/verify/X/") == "https://awards.example.test/verify/X/"
    assert site_url("dashboard/") == "https://awards.example.test/dashboard/"
    # Unset, no link is guessed: the error says what to set.
    settings.SITE_URL = ""
    with pytest.raises(ImproperlyConfigured, match="SITE_URL is not set"):
        site_url("/x/")


@pytest.mark.parametrize(
    ("value", "debug", "errors"),
    [
        ("", False, ["workflow.E001"]),
        ("http://awards.example.test", False, ["workflow.E002"]),
        ("https://", False, ["workflow.E002"]),
        ("https://awards.example.test", False, []),
        ("", True, []),  # development: the fallback is fine
    ],
)
def test_the_deploy_check_wants_an_https_site_url_in_production(settings, value, debug, errors):
    settings.SITE_URL, settings.DEBUG = value, debug
    assert [e.id for e in site_url_check()] == errors


@pytest.mark.parametrize(
    ("value", "fails"), [("", True), ("http://a.example", True), ("https://a.example", False)]
)
def test_check_deploy_fails_without_an_https_site_url(settings, value, fails):
    settings.SITE_URL, settings.DEBUG = value, False
    if fails:
        with pytest.raises(SystemCheckError, match=r"workflow\.E00[12]\) SITE_URL"):
            call_command("check", "--deploy", "--tag", "security")
    else:
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")


@pytest.mark.django_db
def test_a_certificate_batch_started_from_the_page_prints_site_url(settings):
    """The batch's QR codes and printed address: the declared address, not the Host the
    secretariat's browser happened to use."""
    import subprocess
    import tempfile

    from awards.results.models import Award
    from tests.results.helpers import approved_version, scored_cycle
    from workflow.models import Job

    settings.SITE_URL = SITE
    cycle = scored_cycle(agencies=3, winners=1)
    version = approved_version(cycle)
    client = Client()
    client.force_login(cycle.secretariat)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("results:certificates", args=[version.pk]), HTTP_HOST="127.0.0.1:8123")
    job = Job.objects.get(kind="certificates")
    serial = Award.objects.filter(version=version).exclude(serial="").first().serial
    with job.file.open("rb") as f, tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        out.write(f.read())
        out.flush()
        text = subprocess.run(
            ["pdftotext", out.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    squashed = "".join(text.split())
    assert f"{SITE}/verify/{serial}/" in squashed
    assert "127.0.0.1:8123" not in squashed
