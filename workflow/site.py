"""The site's one declared address (settings.SITE_URL), for every absolute link made
outside a request: links in e-mail, QR codes and addresses printed on certificates.

Production must set it (`check --deploy` fails otherwise, workflow.checks); `make run`
sets it to the address it serves on. Unset, making such a link is a configuration error
that says what to set, rather than a link to some guessed host."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def site_url(path: str = "") -> str:
    """The absolute URL of `path` ("/cycle/reviews/3/") on the declared site address;
    the address itself, without a trailing slash, for ""."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "SITE_URL is not set: links in mail and on certificates need the site's address "
            "(e.g. SITE_URL=https://awards.example.gov; `make run` sets it)."
        )
    base = settings.SITE_URL.rstrip("/")
    if not path:
        return base
    return base + ("" if path.startswith("/") else "/") + path


def site_url_or_request(request) -> str:
    """For links rendered while answering a request (previews, a job started from a
    page): the declared address when set, else the address this request came to, so a
    development server on another port still links to itself. No trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")
