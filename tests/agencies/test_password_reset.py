"""Password reset answers alike for known and unknown addresses; the mail goes through
the background queue after the request's transaction commits."""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def body(response):
    """The page without its CSRF token, which is new on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def ask(client, email, callbacks):
    with callbacks(execute=False) as queued:
        response = client.post("/accounts/password-reset/", {"email": email})
    return response, queued


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="editor@example.test")
    known, known_queue = ask(client, user.email, django_capture_on_commit_callbacks)
    unknown, unknown_queue = ask(client, "nobody@example.test", django_capture_on_commit_callbacks)
    assert (known.status_code, known["Location"]) == (302, "/accounts/password-reset/sent/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/accounts/password-reset/sent/")
    assert known.content == unknown.content
    # Each request only queued one task; nothing was looked up or sent in it.
    assert (len(known_queue), len(unknown_queue)) == (1, 1)
    assert mail.outbox == []
    assert body(client.get(known["Location"])) == body(client.get(unknown["Location"]))

    # The task queues the mail in the outbox, which sends it after that commits.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in unknown_queue:
            callback()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in known_queue:
            callback()
    assert [m.to for m in mail.outbox] == [["editor@example.test"]]


def test_the_queued_mail_has_a_working_link_in_the_visitors_language(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="editor@example.test")
    client.cookies["lang"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": user.email})
    (message,) = mail.outbox
    assert message.subject == "Reset your password for the Service Quality Award"
    # The test settings' site address (config.settings_test), not the request's.
    site = re.escape(settings.SITE_URL)
    link = re.search(site + r"(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert b'name="new_password1"' in form.content


def test_the_link_uses_the_declared_site_address(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://awards.example.gov/"
    UserFactory(email="editor@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password-reset/", {"email": "editor@example.test"}, HTTP_HOST="evil.test"
        )
    (message,) = mail.outbox
    assert "https://awards.example.gov/accounts/reset/" in message.body
    assert "evil.test" not in message.body


def test_inactive_accounts_get_no_mail(client, django_capture_on_commit_callbacks):
    UserFactory(email="gone@example.test", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "gone@example.test"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_malformed_address_is_refused_beside_the_field(
    client, django_capture_on_commit_callbacks
):
    from tests.conftest import html, texts

    client.cookies["lang"] = "en"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post("/accounts/password-reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert texts(html(response), "//ul[@class='errorlist']/li") == ["Enter a valid email address."]
    assert queued == [] and mail.outbox == []
