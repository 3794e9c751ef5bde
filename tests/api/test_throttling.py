"""Over the throttle: 429 with Retry-After, per client address without a token and per
user with one. The rates are made small and the clock frozen, so the test does not
depend on how fast it runs."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from .conftest import api_client

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 4, 0, tzinfo=datetime.UTC)  # 12:00 in Taipei


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(API_THROTTLE_RATES={"anon": "3/min", "user": "5/min"})
def test_anonymous_over_the_limit_gets_429_with_retry_after(world):
    url = reverse("api:schemes")
    client = api_client(lang="en")
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(3):
            assert client.get(url).status_code == 200
        refused = client.get(url)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "60"
        assert refused.json() == {
            "detail": "Too many requests. Try again in 60 seconds.",
            "code": "throttled",
        }
        # Another address is not held back by this one.
        assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200
        traveller.shift(datetime.timedelta(seconds=20))
        later = client.get(url)
        assert later.status_code == 429
        assert later["Retry-After"] == "40"
        traveller.shift(datetime.timedelta(seconds=41))
        assert client.get(url).status_code == 200


@override_settings(API_THROTTLE_RATES={"anon": "1/min", "user": "5/min"})
def test_a_token_has_its_own_rate(world):
    url = reverse("api:nominations")
    editor = api_client(world.keys["editor"])
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            assert editor.get(url).status_code == 200
        refused = editor.get(url)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "60"
        # Another user with the same address still has their own.
        assert api_client(world.keys["other_editor"]).get(url).status_code == 200
