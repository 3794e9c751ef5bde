"""DRF's rate throttles, reading their rates from settings.API_THROTTLE_RATES when they
run (DRF's own read settings once, at import): the test settings and a deployment can
change them. Over the limit DRF answers 429 with a Retry-After header."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling

from agencies.client_ip import client_ip


class _SettingsRate:
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        # The client address behind TRUSTED_PROXY_COUNT proxies, as every rate limit here.
        return client_ip(request._request if hasattr(request, "_request") else request)


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    pass
