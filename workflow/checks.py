"""System checks of the workflow layer (registered in WorkflowConfig.ready)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs):
    """`check --deploy` fails in production (DEBUG off) unless SITE_URL is an https
    address: every link in mail, every QR code and address on a certificate starts
    with it (workflow.site)."""
    if settings.DEBUG:
        return []
    value = settings.SITE_URL or ""
    parts = urlsplit(value)
    if not value:
        return [
            Error(
                "SITE_URL is not set.",
                hint="Set SITE_URL to the site's public https address, e.g. "
                "https://awards.example.gov.tw (docs/deploy.md). Links in e-mail and the "
                "QR codes on certificates start with it.",
                id="workflow.E001",
            )
        ]
    if parts.scheme != "https" or not parts.netloc:
        return [
            Error(
                f"SITE_URL is {value!r}, not an https address.",
                hint="Set SITE_URL to the site's public https address, e.g. "
                "https://awards.example.gov.tw (docs/deploy.md).",
                id="workflow.E002",
            )
        ]
    return []
