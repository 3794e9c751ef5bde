"""The secretariat's outgoing mail through a real browser: from the dashboard to the
failed messages, the error of each, a resend that sends, and a resend from a stale page
refused with a message."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import UserFactory, secretariat_user
from workflow.models import MailStatus, OutboundMail

pytestmark = pytest.mark.browser

ERROR = "SMTPRecipientsRefused: {'a@agency.test': (550, b'Mailbox unavailable')}"


def failed(address, subject):
    return OutboundMail.objects.create(
        to_address=address,
        user=UserFactory(email=address),
        language="en",
        kind="nomination_changed",
        subject=subject,
        body="Body of " + subject,
        status=MailStatus.FAILED,
        attempts=5,
        last_error=ERROR,
    )


def test_secretariat_sees_failed_mail_and_resends_it(
    transactional_db, live_server, sign_in, shot, axe_violations
):
    first = failed("a@agency.test", "Dossier of Agency A: Submitted")
    second = failed("b@agency.test", "Dossier of Agency B: Returned")
    OutboundMail.objects.create(
        to_address="c@agency.test",
        language="zh-hant",
        kind="review_reminder",
        subject="Reminder sent long ago",
        body="x",
        status=MailStatus.SENT,
        attempts=1,
    )
    page = sign_in(secretariat_user(full_name="秘書處 陳怡君"))
    page.get_by_role("button", name="English").click()
    link = page.get_by_role("link", name=re.compile(r"^Outgoing mail"))
    expect(link).to_have_text(re.compile(r"Outgoing mail\s+2 failed"))
    link.click()

    expect(page).to_have_url(live_server.url + "/mail/?status=failed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outgoing mail")
    table = page.get_by_role("table", name="Messages")
    expect(table.locator("tbody tr")).to_have_count(2)
    row = table.get_by_role("row", name=re.compile("Agency A"))
    expect(row).to_contain_text("a@agency.test")
    expect(row).to_contain_text("Failed")
    expect(row.locator("code.mail-error")).to_have_text(ERROR)
    assert axe_violations(page) == []
    shot(page, "01-failed-mail")

    # A second tab resends the first message while this page still offers it.
    other = page.context.new_page()
    other.goto(live_server.url + "/mail/?status=failed")
    other.get_by_role("button", name="Resend to a@agency.test").click()
    expect(other.get_by_role("status")).to_have_text(
        "The message to a@agency.test is queued again."
    )
    expect(other.get_by_role("table", name="Messages").locator("tbody tr")).to_have_count(1)
    assert [m.to for m in mail.outbox] == [["a@agency.test"]]

    # This page is stale: resending the same message is refused, nothing is sent again.
    row.get_by_role("button", name="Resend to a@agency.test").click()
    expect(page.get_by_role("status")).to_have_text(
        "Only a message that failed can be sent again; this one is “Sent”."
    )
    assert len(mail.outbox) == 1
    shot(page, "02-stale-resend-refused")

    # The other one is resent from the list; the list of failed mail is then empty.
    page.get_by_role("button", name="Resend to b@agency.test").click()
    expect(page.get_by_role("status")).to_have_text("The message to b@agency.test is queued again.")
    expect(page.get_by_text("No message has this status.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["a@agency.test"], ["b@agency.test"]]
    assert mail.outbox[1].subject == "Dossier of Agency B: Returned"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MailStatus.SENT, MailStatus.SENT)

    page.get_by_role("link", name=re.compile(r"All messages")).click()
    table = page.get_by_role("table", name="Messages")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.get_by_role("button")).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "03-all-mail-sent")
