"""Two-factor sign-in for staff: set-up with recovery codes, the code step after the
password, reuse and wrong codes, throttling, and what stays open while a code is owed."""

import datetime as dt
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import two_factor as tf
from agencies.enums import Role
from agencies.models import AuditEntry
from tests.conftest import html, texts
from tests.factories import UserFactory, secretariat_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
T0 = dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=ZoneInfo("Asia/Taipei"))
ERROR = "//ul[@id='code-error']/li"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def required(settings):
    settings.REQUIRE_STAFF_2FA = True


def code_of(device, *, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def with_app(user):
    """A user who has set up an authenticator app (and so has recovery codes)."""
    device = tf.app_device_pending(user)
    result = tf.app_device_confirm(user=user, device=device, code=code_of(device))
    assert result.ok
    # That code is used now; tests sign in at later time steps.
    return TOTPDevice.objects.get(pk=device.pk), list(result.codes)


def password_step(client, user, next_url=None):
    url = "/accounts/login/" + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(url, {"username": user.email, "password": PASSWORD})


# --- set-up ------------------------------------------------------------------------------


def test_staff_without_an_app_set_one_up_before_any_page(client, clock, required):
    user = secretariat_user(email="chen@example.test")
    response = password_step(client, user)
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fdashboard%2F"
    # Every other page sends them back to the set-up.
    assert client.get("/dashboard/")["Location"] == (
        "/accounts/two-factor/setup/?next=%2Fdashboard%2F"
    )
    assert client.get("/agencies/")["Location"] == "/accounts/two-factor/setup/?next=%2Fagencies%2F"
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"

    client.cookies["lang"] = "en"
    page = client.get(response["Location"])
    tree = html(page)
    secret = texts(tree, "//code[@id='setup-secret']")[0].replace(" ", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    from base64 import b32encode

    assert secret == b32encode(device.bin_key).decode()
    (qr,) = tree.xpath("//img[@class='setup-qr']")
    assert qr.get("src").startswith("data:image/svg+xml")
    assert qr.get("alt") == "QR code to add the Service Quality Award to your authenticator app"
    # No navigation into pages that would only send the user back.
    assert tree.xpath("//nav[contains(@class, 'site-nav')]") == []

    done = client.post(response["Location"], {"code": code_of(device)})
    assert done["Location"] == "/accounts/two-factor/recovery-codes/?next=%2Fdashboard%2F"
    codes_page = client.get(done["Location"])
    assert codes_page["Cache-Control"] == "no-store"
    codes = texts(html(codes_page), "//ul[@class='recovery-codes']/li")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    assert html(codes_page).xpath("//main//a[@class='button']/@href") == ["/dashboard/"]
    # Shown once only.
    again = client.get(done["Location"], follow=True)
    assert texts(html(again), "//ul[@class='messages']/li") == [
        "Recovery codes are shown only once. If you have lost yours, make new ones."
    ]
    assert client.get("/dashboard/").status_code == 200
    assert [e.action for e in AuditEntry.objects.filter(actor=user).order_by("id")] == [
        "two_factor.device_confirm",
        "two_factor.recovery_codes_generate",
    ]


def test_a_wrong_code_at_set_up_is_refused_and_the_app_stays_off(client, clock, required):
    user = secretariat_user()
    password_step(client, user)
    client.cookies["lang"] = "en"
    response = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert response.status_code == 200
    assert texts(html(response), ERROR) == [
        "This code is not right. Enter the code your app shows now."
    ]
    assert html(response).xpath("//input[@id='id_code']/@aria-invalid") == ["true"]
    empty = client.post("/accounts/two-factor/setup/", {"code": " "})
    assert texts(html(empty), ERROR) == ["Enter the 6-digit code from your authenticator app."]
    assert not tf.has_app_device(user)
    assert client.get("/dashboard/").status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="two_factor").exists()


@pytest.mark.parametrize("role", [Role.APPROVER])
def test_approvers_and_superusers_must_set_up_too(client, required, role):
    for user in (UserFactory(roles=[role]), UserFactory(is_superuser=True, is_staff=True)):
        client.logout()
        assert password_step(client, user)["Location"].startswith("/accounts/two-factor/setup/")


@pytest.mark.parametrize("role", [Role.AGENCY_EDITOR, Role.REVIEWER, Role.POLL_INTERVIEWER])
def test_other_roles_sign_in_with_the_password_alone(client, required, role):
    from tests.factories import AgencyFactory

    user = UserFactory(roles=[(role, AgencyFactory()) if role == Role.AGENCY_EDITOR else role])
    assert password_step(client, user)["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_without_the_setting_staff_sign_in_with_the_password_alone(client, settings):
    settings.REQUIRE_STAFF_2FA = False
    user = secretariat_user()
    assert password_step(client, user)["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_public_pages_stay_open_while_a_code_is_owed(client, required):
    password_step(client, secretariat_user())
    for url in ("/results/", "/verify/", "/accounts/password-reset/"):
        assert client.get(url).status_code == 200, url
    # The sign-in page itself goes on to the step that is owed.
    assert client.get("/accounts/login/")["Location"] == (
        "/accounts/two-factor/setup/?next=%2Fdashboard%2F"
    )
    assert client.post("/language/", {"language": "en", "next": "/results/"})["Location"] == (
        "/results/"
    )
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_set_up_is_refused_to_someone_who_has_an_app_but_no_code_yet(client, clock):
    """Else a stolen password could replace the owner's app."""
    user = secretariat_user()
    device, _codes = with_app(user)
    password_step(client, user)
    response = client.get("/accounts/two-factor/setup/")
    assert response["Location"] == "/accounts/two-factor/"
    assert client.get("/accounts/two-factor/")["Location"] == (
        "/accounts/two-factor/verify/?next=%2Faccounts%2Ftwo-factor%2F"
    )
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_anyone_may_turn_it_on_from_the_two_factor_page(client, clock):
    user = UserFactory(roles=[Role.REVIEWER])
    client.force_login(user)
    client.cookies["lang"] = "en"
    tree = html(client.get("/accounts/two-factor/"))
    assert texts(tree, "//p[@id='two-factor-status']") == [
        "Two-factor sign-in is off: your password alone signs you in."
    ]
    setup = tree.xpath("//main//a[@class='button']/@href")[0]
    client.get(setup)
    device = TOTPDevice.objects.get(user=user)
    done = client.post(setup, {"code": code_of(device)})
    assert done["Location"] == (
        "/accounts/two-factor/recovery-codes/?next=%2Faccounts%2Ftwo-factor%2F"
    )
    client.get(done["Location"])
    tree = html(client.get("/accounts/two-factor/"))
    assert texts(tree, "//main//p")[:2] == [
        "Two-factor sign-in is on: after your password you enter a code from your "
        "authenticator app.",
        "You have 10 unused recovery codes.",
    ]


# --- the code step ------------------------------------------------------------------------


def test_a_user_with_an_app_enters_a_code_after_the_password(client, clock, settings):
    settings.REQUIRE_STAFF_2FA = False  # having an app is enough
    user = secretariat_user()
    device, _codes = with_app(user)
    clock.shift(dt.timedelta(seconds=30))
    response = password_step(client, user, next_url="/agencies/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fagencies%2F"
    assert client.get("/agencies/")["Location"] == response["Location"]
    old_key = client.session.session_key
    done = client.post(response["Location"], {"code": code_of(device), "next": "/agencies/"})
    assert done["Location"] == "/agencies/"
    assert client.get("/agencies/").status_code == 200
    assert client.session.session_key != old_key


def test_a_wrong_code_is_refused_in_both_languages(client, clock):
    user = secretariat_user()
    with_app(user)
    clock.shift(dt.timedelta(seconds=30))
    password_step(client, user)
    response = client.post("/accounts/two-factor/verify/", {"code": "123456"})
    assert texts(html(response), ERROR) == ["代碼不正確。請輸入 App 目前顯示的代碼。"]
    clock.shift(dt.timedelta(seconds=2))
    client.cookies["lang"] = "en"
    response = client.post("/accounts/two-factor/verify/", {"code": "12345x"})
    assert texts(html(response), ERROR) == [
        "This code is not right. Enter the code your app shows now."
    ]
    assert client.get("/dashboard/").status_code == 302


def test_a_code_used_once_is_refused_within_its_window(client, clock):
    user = secretariat_user()
    device, _codes = with_app(user)
    clock.shift(dt.timedelta(seconds=30))
    code = code_of(device)
    password_step(client, user)
    assert client.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    # Someone who saw the code (and knows the password) tries it 10 seconds later.
    clock.shift(dt.timedelta(seconds=10))
    other = type(client)()
    other.cookies["lang"] = "en"
    password_step(other, user)
    response = other.post("/accounts/two-factor/verify/", {"code": code})
    assert texts(html(response), ERROR) == [
        "This code has already been used. Wait until your app shows a new code, then enter that one."
    ]
    assert other.get("/dashboard/").status_code == 302
    # The next code works.
    clock.shift(dt.timedelta(seconds=30))
    assert other.post("/accounts/two-factor/verify/", {"code": code_of(device)}).status_code == 302


def test_wrong_codes_are_throttled_even_before_a_right_one(client, clock):
    user = secretariat_user()
    device, _codes = with_app(user)
    clock.shift(dt.timedelta(seconds=30))
    password_step(client, user)
    client.cookies["lang"] = "en"
    for _ in range(3):  # the 2nd and 3rd come too soon: only the 1st counts as a try
        client.post("/accounts/two-factor/verify/", {"code": "000000"})
    response = client.post("/accounts/two-factor/verify/", {"code": code_of(device)})
    assert texts(html(response), ERROR) == [
        "Too many wrong codes. Wait until 10:00:36, then try again."
    ]
    clock.shift(dt.timedelta(seconds=1))
    assert client.post("/accounts/two-factor/verify/", {"code": code_of(device)}).status_code == 302


def test_a_recovery_code_signs_in_once(client, clock):
    user = secretariat_user()
    _device, codes = with_app(user)
    password_step(client, user)
    client.cookies["lang"] = "en"
    response = client.post("/accounts/two-factor/verify/", {"code": codes[3].upper()}, follow=True)
    assert texts(html(response), "//ul[@class='messages']/li") == [
        "You signed in with a recovery code; 9 are left. "
        "Make new ones on the Two-factor sign-in page if you are running out."
    ]
    assert response.redirect_chain[-1][0] == "/dashboard/"
    entry = AuditEntry.objects.get(action="two_factor.recovery_code_use")
    assert (entry.actor, entry.data) == (user, {"left": 9})

    clock.shift(dt.timedelta(minutes=1))
    other = type(client)()
    other.cookies["lang"] = "en"
    password_step(other, user)
    again = other.post("/accounts/two-factor/verify/", {"code": codes[3]})
    assert texts(html(again), ERROR) == [
        "This code is not right. Enter the code your app shows now."
    ]
    assert other.get("/dashboard/").status_code == 302
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_use").count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, clock):
    user = secretariat_user()
    _device, old = with_app(user)
    password_step(client, user)
    client.post("/accounts/two-factor/verify/", {"code": old[0]})
    response = client.post("/accounts/two-factor/recovery-codes/", follow=True)
    new = texts(html(response), "//ul[@class='recovery-codes']/li")
    assert len(new) == 10 and not set(new) & set(old)
    assert tf.code_verify(user=user, code=old[1]).refusal == "wrong"
    clock.shift(dt.timedelta(seconds=1))  # past the throttle the wrong code caused
    assert tf.code_verify(user=user, code=new[0]).ok
    assert AuditEntry.objects.filter(action="two_factor.recovery_codes_generate").count() == 2


def test_a_session_from_before_two_factor_asks_for_the_code(client, clock):
    """A session whose sign-in predates the app (no flag in it) is checked once."""
    user = secretariat_user()
    with_app(user)
    client.force_login(user)
    session = client.session
    del session["two_factor_has_device"]
    session.save()
    assert client.get("/dashboard/")["Location"] == (
        "/accounts/two-factor/verify/?next=%2Fdashboard%2F"
    )


def test_the_json_api_treats_a_session_owing_its_code_as_signed_out(client, clock, required):
    """Not a redirect to the code step (an API client cannot follow it): the API's JSON
    401, as without a session; a token still works beside such a session. The API's own
    pages (the docs, the tokens page) still send the person to the code step."""
    from api.services import token_create

    user = secretariat_user(email="api-2fa@example.test")
    password_step(client, user)
    client.cookies["lang"] = "en"
    response = client.get("/api/v1/nominations/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Sign in, or send your API token in the header: Authorization: Token <key>.",
        "code": "not_authenticated",
    }
    # Public endpoints answer as to anyone.
    assert client.get("/api/v1/schemes/").status_code == 200
    key = token_create(user=user, name="整合").key
    response = client.get("/api/v1/nominations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and "results" in response.json()
    assert client.get("/api/tokens/")["Location"] == (
        "/accounts/two-factor/setup/?next=%2Fapi%2Ftokens%2F"
    )
