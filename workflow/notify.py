"""Writes of in-app notifications (workflow.Notification; written by the outbox)."""

from __future__ import annotations

from django.utils import timezone

from .models import Notification


def notifications_mark_read(*, user, ids) -> int:
    """Mark the user's notifications `ids` read (those already read keep their time).
    Returns how many changed. Reading is not audited: it changes nothing anyone decides."""
    return Notification.objects.filter(user=user, pk__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
