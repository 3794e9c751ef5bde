"""Sign-in throttling (django-axes): per account, per client address, the lock-out page
in both languages, the audit trail and the secretariat's unlock page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt

from agencies.enums import Role
from agencies.models import AuditEntry
from tests.conftest import html, texts
from tests.factories import UserFactory, secretariat_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
# 10:00 in Taipei (the site's time zone); locks last 15 minutes.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
LOCKED = "//div[@id='sign-in-locked']"
WRONG = "//div[@role='alert']"


def sign_in(client, email, password, ip="192.0.2.1"):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client, clock):
    user = UserFactory(email="editor@example.test")
    codes = [sign_in(client, user.email, f"wrong-{n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    tree = html(response)
    assert texts(tree, LOCKED) == [
        "此電子郵件地址或您的網路登入失敗次數過多。請於 2026年3月2日 10:15 後再試。"
        " 若需要提早登入，請洽秘書處解除鎖定。"
    ]
    # The typed address stays in the form; the password does not.
    assert tree.xpath("//input[@id='id_username']/@value") == [user.email]
    assert tree.xpath("//input[@id='id_password']/@value") == []


def test_lock_out_message_in_english(client, clock):
    client.cookies["lang"] = "en"
    for n in range(5):
        response = sign_in(client, "editor@example.test", f"wrong-{n}")
    assert texts(html(response), LOCKED) == [
        "Too many failed sign-ins with this e-mail address or from your network. "
        "After March 2, 2026, 10:15 a.m. you can try again. "
        "If you need to sign in sooner, ask the secretariat to unlock it."
    ]


def test_twenty_wrong_passwords_from_twenty_addresses_lock_the_one_account(client, clock):
    user = UserFactory(email="approver@example.test")
    codes = [
        sign_in(client, user.email, "guess", ip=f"198.51.100.{n}").status_code for n in range(1, 21)
    ]
    assert codes == [200] * 4 + [429] * 16
    # The right password, from yet another address, is refused too.
    assert sign_in(client, user.email, PASSWORD, ip="203.0.113.50").status_code == 429
    assert not signed_in(client)


def test_an_address_locks_after_twenty_failures_against_different_accounts(client, clock):
    victims = [f"person{n}@example.test" for n in range(20)]
    codes = [sign_in(client, email, "Spring2026!").status_code for email in victims]
    assert codes == [200] * 19 + [429]
    # A real user on that address cannot sign in for now; from elsewhere they can.
    user = UserFactory()
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    assert sign_in(client, user.email, PASSWORD, ip="203.0.113.9").status_code == 302
    assert signed_in(client)


def test_an_unknown_address_locks_exactly_like_a_known_one(client, clock):
    known = UserFactory(email="known@example.test")
    for n in range(5):
        known_response = sign_in(client, known.email, f"wrong-{n}", ip="192.0.2.1")
        unknown_response = sign_in(client, "nobody@example.test", f"wrong-{n}", ip="192.0.2.2")
    assert known_response.status_code == unknown_response.status_code == 429
    assert texts(html(known_response), LOCKED) == texts(html(unknown_response), LOCKED)


def test_the_lock_ends_after_the_cool_off(client, clock):
    user = UserFactory()
    for n in range(5):
        sign_in(client, user.email, f"wrong-{n}")
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    clock.shift(dt.timedelta(seconds=2))  # "after 10:15"
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_tries_while_locked_do_not_prolong_the_lock(client, clock):
    user = UserFactory()
    for n in range(5):
        sign_in(client, user.email, f"wrong-{n}")
    clock.shift(dt.timedelta(minutes=10))
    assert sign_in(client, user.email, "again").status_code == 429
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_the_accounts_failures(client, clock):
    user = UserFactory()
    for n in range(4):
        sign_in(client, user.email, f"typo-{n}")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.logout()
    codes = [sign_in(client, user.email, f"typo-{n}").status_code for n in range(4)]
    assert codes == [200] * 4


def test_each_lock_out_is_audited_once(client, clock):
    user = UserFactory(email="editor@example.test")
    for n in range(7):
        sign_in(client, user.email, f"wrong-{n}", ip="192.0.2.77")
    entries = AuditEntry.objects.filter(action="sign_in.lock")
    assert [(e.actor, e.object_type, e.data) for e in entries] == [
        (
            None,
            "axes.accessattempt",
            {
                "username": "editor@example.test",
                "ip_address": "192.0.2.77",
                "locks": ["account"],
                "until": "2026-03-02T02:15:00+00:00",
            },
        )
    ]


def test_inactive_account_with_the_right_password_gets_the_ordinary_message(client):
    user = UserFactory(is_active=False)
    inactive = sign_in(client, user.email, PASSWORD)
    wrong = sign_in(client, UserFactory().email, "wrong")
    unknown = sign_in(client, "nobody@example.test", "wrong")
    assert inactive.status_code == wrong.status_code == unknown.status_code == 200
    expected = ["登入失敗：電子郵件地址或密碼不正確，請檢查後再試一次。"]
    assert texts(html(inactive), WRONG) == texts(html(wrong), WRONG) == expected
    assert texts(html(unknown), WRONG) == expected
    assert not signed_in(client)


# --- the secretariat unlocks --------------------------------------------------------------


def lock(client, email, ip="192.0.2.1"):
    for n in range(5):
        sign_in(client, email, f"wrong-{n}", ip=ip)


def test_secretariat_sees_locked_accounts_and_addresses(client, clock):
    lock(client, "editor@example.test")
    for n in range(20):
        sign_in(client, f"spray{n}@example.test", "guess", ip="203.0.113.66")
    client.force_login(secretariat_user())
    client.cookies["lang"] = "en"
    tree = html(client.get("/accounts/lockouts/"))
    rows = [texts(row, "./th|./td") for row in tree.xpath("//table[@id='lockouts']/tbody/tr")]
    assert rows == [
        ["Client address 203.0.113.66", "20", "March 2, 2026, 10:15 a.m.", "Unlock 203.0.113.66"],
        [
            "E-mail address editor@example.test",
            "5",
            "March 2, 2026, 10:15 a.m.",
            "Unlock editor@example.test",
        ],
    ]


def test_secretariat_unlocks_an_account_and_the_user_signs_in_again(client, clock):
    user = UserFactory(email="editor@example.test")
    lock(client, user.email)
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    secretariat = secretariat_user()
    staff = type(client)()
    staff.force_login(secretariat)
    response = staff.post(
        "/accounts/lockouts/unlock/", {"kind": "account", "value": user.email}, follow=True
    )
    assert texts(html(response), "//ul[@class='messages']/li") == [
        "editor@example.test 已可重新登入。"
    ]
    assert texts(html(response), "//main//div[@class='empty']") == [
        "目前沒有被鎖定的電子郵件地址或用戶端位址。"
    ]
    entry = AuditEntry.objects.get(action="sign_in.unlock")
    assert (entry.actor, entry.data) == (
        secretariat,
        {"kind": "account", "username": user.email, "failures": 5},
    )
    assert AccessAttempt.objects.count() == 0
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_unlocking_something_not_locked_says_so_and_changes_nothing(client):
    client.force_login(secretariat_user())
    client.cookies["lang"] = "en"
    response = client.post(
        "/accounts/lockouts/unlock/", {"kind": "address", "value": "192.0.2.1"}, follow=True
    )
    assert texts(html(response), "//ul[@class='messages']/li") == ["192.0.2.1 was not locked."]
    bad = client.post("/accounts/lockouts/unlock/", {"kind": "everyone", "value": "x"}, follow=True)
    assert texts(html(bad), "//ul[@class='messages']/li") == [
        "Choose an account or an address to unlock."
    ]
    assert not AuditEntry.objects.filter(action="sign_in.unlock").exists()


@pytest.mark.parametrize("role", [Role.APPROVER, Role.REVIEWER, Role.POLL_INTERVIEWER])
def test_other_roles_cannot_reach_the_unlock_page(client, role):
    lock(client, "editor@example.test")
    client.force_login(UserFactory(roles=[role]))
    assert client.get("/accounts/lockouts/").status_code == 404
    response = client.post(
        "/accounts/lockouts/unlock/", {"kind": "account", "value": "editor@example.test"}
    )
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username="editor@example.test").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/accounts/lockouts/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/lockouts/",
    )


def test_the_secretariat_dashboard_links_to_the_locked_sign_ins(client):
    client.force_login(secretariat_user())
    tree = html(client.get("/dashboard/"))
    assert tree.xpath("//main//a[@href='/accounts/lockouts/']/text()") == ["登入鎖定"]
