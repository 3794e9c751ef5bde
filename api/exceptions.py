"""Errors as JSON, in the client's language: {"detail": "...", "code": "not_found"}.

DRF's messages come translated (it ships a zh-Hant catalogue); ours are wrapped for
translation. The language is the one api.views.ApiView activated for the request
(?lang=, Accept-Language, the `lang` cookie, else zh-Hant)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.views import exception_handler as drf_exception_handler


def _code(exc) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    return codes if isinstance(codes, str) else getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Everything the user may not see is a 404 too, so its existence does not leak.
        exc = exceptions.NotFound(
            _("Not found, or not open to you."),
        )
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.NotFound(_("Not found, or not open to you."))
    if isinstance(exc, exceptions.NotAuthenticated):
        header = getattr(exc, "auth_header", None)
        exc = exceptions.NotAuthenticated(
            _("Sign in, or send your API token in the header: Authorization: Token <key>.")
        )
        if header:
            exc.auth_header = header
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 0) or 1
        exc = exceptions.Throttled(wait=wait)
        exc.detail = ErrorDetail(
            ngettext(
                "Too many requests. Try again in %(seconds)d second.",
                "Too many requests. Try again in %(seconds)d seconds.",
                wait,
            )
            % {"seconds": wait},
            code="throttled",
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("The request has invalid parameters."),
            "code": "invalid",
            "errors": data,
        }
    else:
        response.data = {"detail": str(data.get("detail", "")), "code": _code(exc)}
    return response


def json_not_found(request):
    """The site's 404 for an unknown address under /api/v1/: JSON like every API error
    (config.errors.page_not_found hands it here)."""
    from django.http import JsonResponse
    from django.utils import translation

    from .views import request_language

    language = request_language(request)
    with translation.override(language):
        response = JsonResponse(
            {"detail": _("Not found, or not open to you."), "code": "not_found"}, status=404
        )
    response["Content-Language"] = language
    return response
