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


def _plain(value):
    """A value as JSON can keep it and a person can read it: dates and decimals as
    text, model instances as their primary key, enums as their value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of obj as plain values, for a before → after audit entry.
    A foreign key is kept as its id (name the field "x_id" or "x")."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def config_change_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    edition_id: int | None,
    before: dict | None,
    after: dict | None,
    reason: str = "",
) -> AuditEntry | None:
    """Record one configuration change with its before → after values (only the keys
    that changed; `before` None for something created, `after` None for something
    removed). `edition_id` files it under that edition's configuration history. Nothing
    is written when nothing changed."""
    before_plain = _plain(before) if before is not None else None
    after_plain = _plain(after) if after is not None else None
    if before_plain is not None and after_plain is not None:
        keys = sorted(
            k for k in {*before_plain, *after_plain} if before_plain.get(k) != after_plain.get(k)
        )
        if not keys:
            return None
        before_plain = {k: before_plain.get(k) for k in keys}
        after_plain = {k: after_plain.get(k) for k in keys}
    return audit_record(
        actor=actor,
        action=action,
        obj=obj,
        reason=reason,
        data={"config": True, "edition": edition_id, "before": before_plain, "after": after_plain},
    )
