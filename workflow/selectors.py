"""Reads of the workflow layer."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import MailStatus, Notification, OutboundMail

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


# --- the message log: what was sent about an object, or to a user --------------------


def about(obj, *, to=None) -> Q:
    """The messages about `obj` (a model instance), or only those to `to` when given:
    a filter for `message_log`."""
    q = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return q & Q(user=to) if to is not None else q


def message_log(*filters: Q, recipient=None, limit: int | None = None):
    """The messages matching any of `filters` (see `about`), newest first, with their
    recipient; only those to `recipient` when given (a person who is not the
    secretariat sees the messages they received and no one else's). One query."""
    if not filters:
        return OutboundMail.objects.none()
    q = filters[0]
    for more in filters[1:]:
        q |= more
    qs = OutboundMail.objects.filter(q).select_related("user").defer("body", "html")
    if recipient is not None:
        qs = qs.filter(user=recipient)
    return qs[:limit] if limit else qs


def messages_to_user(user):
    """Every message the site sent (or tried to send) to `user`, newest first."""
    return OutboundMail.objects.filter(user=user).defer("body", "html")


# --- in-app notifications -----------------------------------------------------------------


def notifications_for(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user)


def notifications_unread_count(user) -> int:
    """How many of the user's notifications are unread (one query, on a partial index)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
