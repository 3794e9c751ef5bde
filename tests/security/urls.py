"""The site's URLs plus views that fail on purpose, to render each error page."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403 (the handlers too)
from config.urls import urlpatterns as site_urlpatterns


def fails_with_400(request):
    raise SuspiciousOperation("crafted")


def fails_with_403(request):
    raise PermissionDenied


def fails_with_500(request):
    raise RuntimeError("boom: a bug")


def plain(request):
    """Does nothing: what the middleware alone costs in queries, to compare the 500 with."""
    return HttpResponse("plain")


urlpatterns = [
    path("test-errors/400/", fails_with_400),
    path("test-errors/403/", fails_with_403),
    path("test-errors/500/", fails_with_500),
    path("test-errors/plain/", plain),
    *site_urlpatterns,
]
