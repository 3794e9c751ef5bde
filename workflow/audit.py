"""The one writer of the audit log."""

from __future__ import annotations

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Record one state change or administrative act. Call inside the same transaction
    as the change itself, so an entry exists exactly when the change does."""
    return AuditEntry.objects.create(
        actor=actor if (actor is not None and actor.pk) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        data=data or {},
    )
