"""The mail outbox (workflow.outbox): an SMTP outage never turns a committed action into
an error page; the message waits in the outbox and is sent once SMTP is back, exactly
once; each recipient reads it in their own language."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from awards.enums import NominationState as S
from awards.models import Nomination
from awards.services import nomination_start, nomination_submit
from tests.factories import UserFactory, fill_dossier, open_cycle
from tests.workflow.smtp import SMTPServer, closed_port
from workflow.models import AuditEntry, MailStatus, OutboundMail
from workflow.outbox import (
    MAIL_WORKFLOW,
    MAX_ATTEMPTS,
    mail_queue,
    mail_resend,
    mail_retry_due,
    mail_send,
)
from workflow.transitions import TransitionError


def smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp():
    server = SMTPServer()
    yield server
    server.stop()


# --- the "Done when" of issue 12 ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_dossier_submit_succeeds_with_smtp_down_and_its_mail_is_sent_once_smtp_is_back(
    settings, smtp
):
    """Real commits (transaction=True), so the after-commit send runs inside the request,
    as in production, against a port where nothing listens."""
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(nomination, cycle.editor)
    smtp_settings(settings, closed_port())
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(cycle.editor)

    response = client.post(reverse("awards:dossier_submit", args=[nomination.pk]))

    assert (response.status_code, response["Location"]) == (
        302,
        f"/cycle/nominations/{nomination.pk}/#submissions",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Submitted as version 1." in page
    assert Nomination.objects.get(pk=nomination.pk).state == S.SUBMITTED
    recipients = sorted([cycle.editor.email, cycle.editor2.email, cycle.officer.email])
    rows = list(OutboundMail.objects.order_by("to_address"))
    assert [r.to_address for r in rows] == recipients
    for row in rows:
        # The first attempt failed; the message waits in the outbox for its retry.
        assert (row.status, row.attempts, row.kind) == (
            MailStatus.QUEUED,
            1,
            "nomination_changed",
        )
        assert row.last_error.startswith("ConnectionRefusedError: ")
        assert (row.object_type, row.object_id) == ("awards.nomination", str(nomination.pk))
    assert smtp.received == []

    # SMTP is back: the periodic retry sends each message; each arrives once.
    smtp_settings(settings, smtp.port)
    assert mail_retry_due(now=timezone.now() + datetime.timedelta(minutes=15)) == 3
    assert sorted(r for m in smtp.received for r in m.recipients) == recipients
    assert {str(m.message["Subject"]).strip() for m in smtp.received} == {
        f"{cycle.agency.name_zh}自薦書：已送出"
    }
    assert set(OutboundMail.objects.values_list("status", "attempts")) == {(MailStatus.SENT, 2)}
    # Running the sender again sends nothing twice.
    for row in rows:
        assert mail_send(mail_id=row.pk) == MailStatus.SENT
    assert mail_retry_due(now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert len(smtp.received) == 3
    sent = AuditEntry.objects.filter(action="mail.transition", to_state="sent")
    assert [(e.actor, e.from_state) for e in sent] == [(None, "queued")] * 3


@pytest.mark.django_db
def test_a_message_waits_while_smtp_is_down_and_the_periodic_retry_sends_it_once(settings, smtp):
    user = UserFactory(email="reader@example.test", language="en")
    smtp_settings(settings, closed_port())
    with TestCase.captureOnCommitCallbacks(execute=False):
        row = mail_queue(to=user.email, subject="Hello", body="Body text", kind="test", user=user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with pytest.raises(ConnectionRefusedError):
            mail_send(mail_id=row.pk)  # the task's first try; Celery retries later
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert row.last_error.startswith("ConnectionRefusedError: ")
    assert row.next_attempt_at == start + datetime.timedelta(seconds=60)
    # Its retry is not yet overdue: nothing is queued again.
    assert mail_retry_due(now=start + datetime.timedelta(minutes=5)) == 0

    # The task was lost; SMTP is back. The periodic retry finds the row and sends it.
    smtp_settings(settings, smtp.port)
    assert mail_retry_due(now=start + datetime.timedelta(minutes=12)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 2, "")
    assert row.sent_at is not None and row.next_attempt_at is None
    (received,) = smtp.received
    assert received.recipients == ["reader@example.test"]
    assert received.message["Subject"] == "Hello"
    assert received.message.get_content().strip() == "Body text"
    assert mail_retry_due(now=start + datetime.timedelta(hours=2)) == 0
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_the_last_failed_attempt_marks_the_row_failed_and_only_failed_mail_is_resent(settings):
    smtp_settings(settings, closed_port())
    with TestCase.captureOnCommitCallbacks(execute=False):
        row = mail_queue(to="x@example.test", subject="S", body="B", kind="test")
    OutboundMail.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert mail_send(mail_id=row.pk) == MailStatus.FAILED  # no exception: nothing to retry
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (
        MailStatus.FAILED,
        MAX_ATTEMPTS,
        None,
    )
    entry = AuditEntry.objects.get(action="mail.transition")
    assert (entry.actor, entry.from_state, entry.to_state) == (None, "queued", "failed")
    assert entry.reason.startswith("ConnectionRefusedError: ")
    assert MAIL_WORKFLOW.targets("sent") == set()

    secretariat = UserFactory()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        mail_resend(actor=secretariat, mail=row)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["x@example.test"]]
    with translation.override("en"):
        with pytest.raises(TransitionError) as refused:
            mail_resend(actor=secretariat, mail=row)
        assert [str(m) for m in refused.value.messages] == [
            "Only a message that failed can be sent again; this one is “Sent”."
        ]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_mail_is_written_in_the_transaction_and_dropped_with_it():
    user = UserFactory()
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with __import__("django").db.transaction.atomic():
                mail_queue(to=user.email, subject="S", body="B", kind="test", user=user)
                raise RuntimeError("the change fails")
    assert callbacks == [] and OutboundMail.objects.count() == 0 and mail.outbox == []


# --- the recipient's language ---------------------------------------------------------


@pytest.mark.django_db
def test_each_recipient_reads_the_same_notification_in_their_own_language():
    cycle = open_cycle()
    cycle.editor.language = "en"
    cycle.editor.save(update_fields=["language"])
    assert cycle.editor2.language == "zh-hant"  # the default
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(nomination, cycle.editor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        nomination_submit(actor=cycle.editor, nomination=nomination)
    by_to = {m.to[0]: m for m in mail.outbox}
    english, chinese = by_to[cycle.editor.email], by_to[cycle.editor2.email]
    assert english.subject == f"Dossier of {cycle.agency.name_en}: Submitted"
    assert chinese.subject == f"{cycle.agency.name_zh}自薦書：已送出"
    assert english.body.startswith(
        f"The self-nomination dossier of {cycle.agency.name_en} in “{cycle.category.name_en}”"
    )
    assert "From: Draft\nTo: Submitted" in english.body
    assert cycle.agency.name_zh in chinese.body and "dossier" not in chinese.body
    url = f"/cycle/nominations/{nomination.pk}/"
    assert english.body.rstrip().endswith(url) and chinese.body.rstrip().endswith(url)
    languages = dict(OutboundMail.objects.values_list("to_address", "language"))
    assert (languages[cycle.editor.email], languages[cycle.editor2.email]) == ("en", "zh-hant")


@pytest.mark.django_db
def test_a_person_chooses_the_language_of_their_mail():
    user = UserFactory()
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(user)
    url = reverse("mail_language")
    page = client.get(url).content.decode()
    assert "<h1>Language for e-mail</h1>" in page
    assert 'value="zh-hant" id="id_language_0" required checked' in page

    refused = client.post(url, {"language": "fr"})
    assert refused.status_code == 200
    assert "Select a valid choice. fr is not one of the available choices." in (
        refused.content.decode()
    )
    user.refresh_from_db()
    assert user.language == "zh-hant"
    empty = client.post(url, {})
    assert "Choose the language of your e-mail." in empty.content.decode()

    response = client.post(url, {"language": "en"}, follow=True)
    assert "Your e-mail will be in English." in response.content.decode()
    user.refresh_from_db()
    assert user.language == "en"

    # Switching the site's language sets it too.
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/dashboard/"})
    user.refresh_from_db()
    assert user.language == "zh-hant"


# --- the secretariat's page -------------------------------------------------------------


def _rows(n, status=MailStatus.FAILED):
    return [
        OutboundMail.objects.create(
            to_address=f"r{i}@example.test",
            language="en",
            kind="test",
            subject=f"Message {i}",
            body="B",
            status=status,
            attempts=5 if status == MailStatus.FAILED else 1,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed"
            if status == MailStatus.FAILED
            else "",
        )
        for i in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 12])
def test_the_mail_list_filters_by_status_in_constant_queries(count, django_assert_num_queries):
    from tests.conftest import html, texts
    from tests.factories import secretariat_user

    _rows(count)
    _rows(2, MailStatus.SENT)
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(secretariat_user())
    with django_assert_num_queries(6):
        response = client.get("/mail/?status=failed")
    tree = html(response)
    assert texts(tree, "//table[@id='mail']/tbody/tr/th") == [
        f"Message {i}" for i in reversed(range(count))
    ]
    assert len(tree.xpath("//table[@id='mail']//button[starts-with(., 'Resend')]")) == count
    assert texts(tree, "//ul[@class='state-counts']//span[@class='stat']") == [
        "0",
        "2",
        str(count),
        str(count + 2),
    ]
    sent = html(client.get("/mail/?status=sent"))
    assert texts(sent, "//table[@id='mail']/tbody/tr/th") == ["Message 1", "Message 0"]
    assert sent.xpath("//table[@id='mail']//button") == []


@pytest.mark.django_db
def test_only_the_secretariat_sees_the_mail_and_resends_it():
    from agencies.enums import Role
    from tests.factories import AgencyFactory, secretariat_user

    (row,) = _rows(1)
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    reviewer = UserFactory(roles=[Role.REVIEWER])
    for outsider in (editor, reviewer):
        client = Client()
        client.force_login(outsider)
        assert client.get("/mail/").status_code == 404
        assert client.post(f"/mail/{row.pk}/resend/").status_code == 404
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.FAILED, 5)
    assert Client().get("/mail/")["Location"] == "/accounts/login/?next=/mail/"

    client = Client()
    client.cookies["lang"] = "en"
    secretariat = secretariat_user()
    client.force_login(secretariat)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/mail/{row.pk}/resend/", {"status": "failed"})
    assert response["Location"] == "/mail/?status=failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["r0@example.test"]]
    entry = AuditEntry.objects.get(action="mail.transition", to_state="queued")
    assert (entry.actor, entry.from_state, entry.data) == (
        secretariat,
        "failed",
        {"last_error": "SMTPServerDisconnected: Connection unexpectedly closed"},
    )
    again = client.post(f"/mail/{row.pk}/resend/", follow=True)
    assert "Only a message that failed can be sent again; this one is “Sent”." in (
        again.content.decode()
    )
    assert len(mail.outbox) == 1
