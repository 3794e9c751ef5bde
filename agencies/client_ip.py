"""The client's address, for every rate limit (sign-in throttling, certificate lookups).

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address, so every visitor
would share one limit. Each proxy appends the address it received the request from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT = N the client is the N-th entry from the
right; entries further left were written by the client and can be anything. With 0
(no proxy) the header is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        # The request did not come through all the proxies (or one of them is not
        # configured to append): the only address nobody could forge is the peer's.
        return remote
    return _address(hops[-count]) or remote
