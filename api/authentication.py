"""Token authentication for the API: `Authorization: Token <key>` or `Bearer <key>`.

The key is looked up by its SHA-256 (api.models.ApiToken keeps nothing else). A revoked
token, an unknown one and one whose user is deactivated are refused with 401."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .selectors import token_by_hash
from .services import token_hash, token_touch

KEYWORDS = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Token <key>” or “Bearer <key>”.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("This API token is not valid.")) from exc
        token = token_by_hash(token_hash(key))
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API token was revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account of this API token is closed."))
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
