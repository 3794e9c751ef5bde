"""The site's error pages: 400, 403, 404, 500 and the CSRF refusal, in the site's layout
and the visitor's language (config.middleware.LanguageMiddleware has activated it by the
time these run), each with a title, what happened and a way back.

The project answers 404 for anything a user may not see, so the 404 page does not say
whether the page exists. Nothing here mentions DEBUG or shows an exception's text.

The 500 page is rendered without the request: no context processors run (they read the
session, the user and their roles from the database, which may be what failed), and the
header shows the signed-out navigation. If even that template fails, a plain bilingual
page is returned."""

from django.http import HttpResponse
from django.template import TemplateDoesNotExist, loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

TEMPLATE = "errors/error.html"


def _render(request, status, title, message, *, hint=""):
    context = {"status": status, "title": title, "message": message, "hint": hint}
    body = loader.render_to_string(TEMPLATE, context, request=request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(
        request,
        400,
        _("The request could not be handled"),
        _("The page could not make sense of what your browser sent, so nothing was done."),
        hint=_("Go back, reload the page and try again."),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(
        request,
        403,
        _("Access denied"),
        _("You do not have permission to open this page."),
        hint=_("If you think you should, ask the secretariat to check your role."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    if request.path.startswith("/api/v1/"):  # the JSON API answers in JSON
        from api.exceptions import json_not_found

        return json_not_found(request)
    return _render(
        request,
        404,
        _("Page not found"),
        _("This page does not exist, or it is not open to you."),
        hint=_("Check the address, or start again from the links below."),
    )


def csrf_failure(request, reason=""):
    # `reason` is Django's technical English (and may name settings): never shown.
    return _render(
        request,
        403,
        _("The form could not be sent"),
        _(
            "For your protection the form was refused: the page was open for too long, "
            "or you signed in or out in another tab, or your browser blocks cookies."
        ),
        hint=_("Go back, reload the page and send the form again. Nothing was saved."),
    )


FALLBACK_500 = (
    "<!DOCTYPE html><html lang='zh-Hant'><head><meta charset='utf-8'>"
    "<title>系統發生錯誤 · Server error</title></head><body><main>"
    "<h1>系統發生錯誤</h1><p>伺服器無法完成您的要求，請稍後再試。</p>"
    "<h1 lang='en'>Server error</h1><p lang='en'>The server could not finish your request. "
    "Please try again in a few minutes.</p><p><a href='/'>首頁 · Home page</a></p>"
    "</main></body></html>"
)


def server_error(request):
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "message": _(
            "The server hit an error and could not finish your request. The error has been "
            "logged for the system's administrators."
        ),
        "hint": _("Please try again in a few minutes. If it happens again, tell the secretariat."),
        "bare": True,
    }
    try:
        body = loader.render_to_string(TEMPLATE, context)  # no request: no context processors
    except TemplateDoesNotExist:
        body = FALLBACK_500
    return HttpResponse(body, status=500)
