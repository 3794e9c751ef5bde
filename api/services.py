"""Writes of the API app: making and revoking tokens, each audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.audit import audit_record

from .models import ApiToken

NAME_MAX = 100
PREFIX_LENGTH = 8


class TokenError(ValueError):
    """What was wrong with the request, as a translated message for the page."""


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    key: str  # shown once, never stored


def token_create(*, user, name: str) -> NewToken:
    """Make a token for `user`; the returned key is the only copy of it."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Give the token a name, e.g. the system that will use it."))
    if len(name) > NAME_MAX:
        raise TokenError(_("The name is too long: at most %(max)d characters.") % {"max": NAME_MAX})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise TokenError(_("You already have a token with this name. Choose another name."))
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=token_hash(key)
        )
        audit_record(
            actor=user,
            action="api.token.create",
            obj=token,
            to_state="active",
            data={"name": name, "prefix": token.prefix},
        )
    return NewToken(token=token, key=key)


def token_revoke(*, actor, token: ApiToken, now=None) -> bool:
    """Revoke `token` for good. Returns False when it was already revoked (nothing
    changes then)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = now or timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api.token.revoke",
            obj=locked,
            from_state="active",
            to_state="revoked",
            data={"name": locked.name, "prefix": locked.prefix},
        )
    token.revoked_at = locked.revoked_at
    return True


def token_touch(token: ApiToken, now=None) -> None:
    """Record that the token was just used (one UPDATE, no audit entry)."""
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
