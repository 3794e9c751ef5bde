"""The "API tokens" page of one's account: make a token (shown once), see when each was
last used, revoke one. Each change goes through api.services (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm

from .forms import TokenForm
from .models import ApiToken
from .selectors import tokens_of
from .services import TokenError, token_create, token_revoke

NEW_TOKEN_KEY = "api_new_token"


def _page(request, form, status=200, new=None):
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": list(tokens_of(request.user)), "new": new},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_perm("api.manage_tokens")
def tokens(request):
    """GET: the list (and a token just made, once). POST: make one."""
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                made = token_create(user=request.user, name=form.cleaned_data["name"])
            except TokenError as exc:
                form.add_error("name", str(exc.args[0]))
            else:
                request.session[NEW_TOKEN_KEY] = {"id": made.token.pk, "key": made.key}
                return redirect("api:tokens")
        return _page(request, form, status=400)
    new = request.session.pop(NEW_TOKEN_KEY, None)
    if new:
        new["token"] = ApiToken.objects.filter(pk=new["id"], user=request.user).first()
    return _page(request, TokenForm(), new=new if new and new["token"] else None)


def _own_token(request, pk):
    return get_object_or_404(ApiToken, pk=pk)


@require_POST
@require_perm("api.revoke_token", _own_token)
def token_revoke_view(request, pk, obj):
    if token_revoke(actor=request.user, token=obj):
        messages.success(
            request,
            _("The token “%(name)s” is revoked: requests with it are refused from now on.")
            % {"name": obj.name},
        )
    else:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": obj.name})
    return redirect("api:tokens")
