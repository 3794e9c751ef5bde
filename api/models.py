"""Per-user API tokens. Only a hash of a token is kept: the token itself is shown once,
when it is made (api.services.token_create), and cannot be read again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token, to tell tokens apart on the page (not a secret:
    # 8 of 43 characters; the rest has 210 bits).
    prefix = models.CharField(_("starts with"), max_length=12)
    # SHA-256 of the whole token, hex. A token has 256 random bits, so a fast hash is
    # enough: nobody can guess one to try against the hashes.
    key_hash = models.CharField(_("hash of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
