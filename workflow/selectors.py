"""Reads of the workflow layer."""

from __future__ import annotations

from django.db.models import Count

from .models import MailStatus, OutboundMail

# --- the mail outbox ---------------------------------------------------------------------


def outbound_mail_list(*, status: str = ""):
    """The outbox for the secretariat's list, newest first; one status or all."""
    qs = OutboundMail.objects.select_related("user")
    if status in MailStatus.values:
        qs = qs.filter(status=status)
    return qs


def outbound_mail_counts() -> dict[str, int]:
    """How many messages are in each status (every status present, 0 if none)."""
    found = dict(OutboundMail.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: found.get(status, 0) for status in MailStatus.values}
