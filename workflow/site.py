"""The site's one declared address (settings.SITE_URL), for every absolute link made
outside a request: links in e-mail, QR codes and addresses printed on certificates.

Production must set it (`check --deploy` fails otherwise, config.checks); in development
it falls back to the address `make run` serves on (settings.SITE_URL_FALLBACK)."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "") -> str:
    """The absolute URL of `path` ("/cycle/reviews/3/") on the declared site address;
    the address itself, without a trailing slash, for ""."""
    base = (settings.SITE_URL or settings.SITE_URL_FALLBACK).rstrip("/")
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
