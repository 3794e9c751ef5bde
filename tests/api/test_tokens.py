"""API tokens: only a hash is kept, the key is shown once, revoking is for good; the page
(make, see once, revoke) with its bad inputs; every change audited."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import AuditEntry
from api.models import ApiToken
from api.services import token_create, token_revoke
from tests.conftest import html, squash, texts
from tests.factories import UserFactory

from .conftest import api_client

pytestmark = pytest.mark.django_db


def page_client(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    client.force_login(user)
    return client


def test_only_a_hash_is_kept():
    user = UserFactory()
    made = token_create(user=user, name="  Intranet   results ")
    token = ApiToken.objects.get()
    assert token.name == "Intranet results"
    assert token.key_hash == hashlib.sha256(made.key.encode()).hexdigest()
    assert token.prefix == made.key[:8]
    assert len(made.key) >= 43
    stored = [str(v) for v in ApiToken.objects.values_list().get()]
    assert made.key not in stored
    entry = AuditEntry.objects.get(action="api.token.create")
    assert entry.actor == user
    assert entry.object_id == str(token.pk)
    assert entry.data == {"name": "Intranet results", "prefix": token.prefix}
    assert made.key not in str(entry.data) + entry.object_repr


def test_token_and_bearer_authenticate_and_record_last_use(world):
    url = reverse("api:nominations")
    key = world.keys["editor"]
    token = ApiToken.objects.get(user=world.editor)
    assert token.last_used_at is None
    assert api_client(key).get(url).status_code == 200
    assert api_client(key, scheme="Bearer").get(url).status_code == 200
    assert api_client(key, scheme="bearer").get(url).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token not-a-real-token", "This API token is not valid."),
        ("Token", "The Authorization header must be “Token <key>” or “Bearer <key>”."),
        ("Token a b", "The Authorization header must be “Token <key>” or “Bearer <key>”."),
    ],
)
def test_bad_tokens_are_401(world, header, message):
    client = Client(HTTP_AUTHORIZATION=header)
    client.cookies["lang"] = "en"
    response = client.get(reverse("api:schemes"))  # even on a public endpoint
    assert response.status_code == 401
    assert response.json() == {"detail": message, "code": "authentication_failed"}


def test_revoked_token_and_closed_account(world):
    url = reverse("api:nominations")
    token = ApiToken.objects.get(user=world.editor)
    assert token_revoke(actor=world.editor, token=token) is True
    assert token_revoke(actor=world.editor, token=token) is False  # nothing changes
    assert AuditEntry.objects.filter(action="api.token.revoke").count() == 1
    response = api_client(world.keys["editor"], lang="en").get(url)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token was revoked."
    world.other_editor.is_active = False
    world.other_editor.save(update_fields=["is_active"])
    response = api_client(world.keys["other_editor"], lang="en").get(url)
    assert response.status_code == 401
    assert response.json()["detail"] == "The account of this API token is closed."


def test_tokens_page_make_see_once_revoke():
    user = UserFactory(full_name="承辦人")
    client = page_client(user)
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert texts(html(page), "//div[@class='empty']") == ["You have no API tokens yet."]
    response = client.post(reverse("api:tokens"), {"name": "Intranet"})
    assert response.status_code == 302
    shown = client.get(reverse("api:tokens"))
    tree = html(shown)
    [key] = tree.xpath("//input[@id='token-key']/@value")
    token = ApiToken.objects.get(user=user)
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert squash(texts(tree, "//h2[@id='token-new-heading']")[0]) == "Your new token “Intranet”"
    assert [squash(t) for t in texts(tree, "//table[@id='tokens']/tbody/tr/th")] == ["Intranet"]
    # Shown once: the next view of the page no longer has it.
    again = client.get(reverse("api:tokens"))
    assert key not in again.content.decode()
    assert html(again).xpath("//input[@id='token-key']") == []
    # It works, and the page then says when it was last used.
    assert api_client(key).get(reverse("api:nominations")).status_code == 200
    assert "Never" not in texts(html(client.get(reverse("api:tokens"))), "//table//td")
    # Revoke.
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    after = client.get(reverse("api:tokens"))
    assert "The token “Intranet” is revoked" in after.content.decode()
    assert html(after).xpath("//table[@id='tokens']//button") == []
    assert api_client(key).get(reverse("api:nominations")).status_code == 401


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the token a name, e.g. the system that will use it."),
        ("   ", "Give the token a name, e.g. the system that will use it."),
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
        ("Intranet", "You already have a token with this name. Choose another name."),
    ],
)
def test_tokens_page_bad_names(name, message):
    user = UserFactory()
    token_create(user=user, name="Intranet")
    before = AuditEntry.objects.count()
    client = page_client(user)
    response = client.post(reverse("api:tokens"), {"name": name})
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//ul[@id='name-errors']/li") == [message]
    [field] = tree.xpath("//input[@id='id_name']")
    assert field.get("aria-invalid") == "true"
    assert field.get("value", "") == name  # what was typed is kept
    assert ApiToken.objects.filter(user=user).count() == 1
    assert AuditEntry.objects.count() == before


def test_a_revoked_name_may_be_used_again():
    user = UserFactory()
    old = token_create(user=user, name="Intranet").token
    token_revoke(actor=user, token=old)
    assert token_create(user=user, name="Intranet").token.pk != old.pk


def test_another_users_token_is_404_and_unchanged():
    owner, other = UserFactory(), UserFactory()
    token = token_create(user=owner, name="Intranet").token
    response = page_client(other).post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Intranet" not in page_client(other).get(reverse("api:tokens")).content.decode()
    # GET is not a way to revoke.
    assert page_client(owner).get(reverse("api:token_revoke", args=[token.pk])).status_code == 405


def test_signed_out_visitor_is_sent_to_sign_in():
    response = Client().get(reverse("api:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
