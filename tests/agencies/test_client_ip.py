"""The client address behind reverse proxies, and the rate limits that key on it."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from agencies.client_ip import client_ip

PROXY = "10.0.0.2"  # the address the app sees: the nearest proxy's


def request(xff=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request()) == PROXY
    assert client_ip(request("203.0.113.7")) == PROXY


def test_one_proxy_takes_the_last_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


def test_one_proxy_ignores_entries_the_client_wrote_itself(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 198.51.100.1, 192.0.2.9"; nginx appended its peer.
    assert client_ip(request("198.51.100.1, 192.0.2.9, 203.0.113.7")) == "203.0.113.7"


def test_two_proxies_take_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # load balancer appended the client, nginx appended the load balancer
    assert client_ip(request("203.0.113.7, 10.0.0.1")) == "203.0.113.7"
    assert client_ip(request("198.51.100.1,203.0.113.7,10.0.0.1")) == "203.0.113.7"


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("2001:DB8:0:0::1")) == "2001:db8::1"


@pytest.mark.parametrize(
    ("count", "xff"),
    [
        (1, None),  # reached the app without passing the proxy
        (1, ""),
        (2, "203.0.113.7"),  # fewer entries than proxies
        (1, "not-an-address"),
        (1, "203.0.113.7, 203.0.113.8:443"),
    ],
)
def test_a_short_or_malformed_header_falls_back_to_the_peer(settings, count, xff):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(xff)) == PROXY


# --- the rate limits use it ---------------------------------------------------------------


def verify(client, xff):
    url = reverse("results:verify_serial", args=["7K3M-Q9TB-X2WD-H4NP"])
    return client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff).status_code


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_an_own_verification_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RESULTS_VERIFY_PER_MINUTE = 2
    first = [verify(client, "203.0.113.7") for _ in range(3)]
    # A second visitor behind the same proxy is not locked out by the first ...
    second = verify(client, "203.0.113.8")
    # ... and the first cannot escape the limit by writing its own header entries.
    spoofed = verify(client, "198.51.100.99, 203.0.113.7")
    assert (first, second, spoofed) == ([404, 404, 429], 404, 429)


@pytest.mark.django_db
def test_without_the_setting_all_visitors_behind_a_proxy_share_one_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RESULTS_VERIFY_PER_MINUTE = 2
    codes = [verify(client, f"203.0.113.{n}") for n in range(1, 4)]
    assert codes == [404, 404, 429]


@pytest.mark.django_db
def test_failed_sign_ins_are_counted_for_the_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/accounts/login/",
        {"username": "someone@example.test", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("someone@example.test", "203.0.113.7")
    ]
