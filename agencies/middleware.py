"""Two-factor sign-in, enforced for every page but the public ones.

After the password, a session is signed in but not yet *verified* (django-otp's
OTPMiddleware sets `request.user.is_verified()` once a code has been accepted). Until
then a user who has an authenticator app is sent to enter a code, and a staff user
without one is sent to set one up when REQUIRE_STAFF_2FA is on. Only the public pages
and the steps of signing in stay open.

Whether the user has an app is read once per session, at sign-in (`remember_device`,
connected to user_logged_in so it runs for every way of signing in, the admin's and the
test client's too), and kept in the session, so ordinary requests cost no query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import has_app_device, needs_two_factor

SESSION_KEY = "two_factor_has_device"

# (namespace, url name) of the views a signed-in but not yet verified user may reach.
OPEN_VIEWS = frozenset(
    {
        ("", "login"),
        ("", "logout"),
        ("", "password_reset"),
        ("", "password_reset_done"),
        ("", "password_reset_confirm"),
        ("", "password_reset_complete"),
        ("", "set_language"),
        ("", "two_factor_verify"),
        ("", "two_factor_setup"),
        ("results", "public_list"),
        ("results", "public_edition"),
        ("results", "history"),
        ("results", "verify"),
        ("results", "verify_serial"),
    }
)


# The JSON API's routes (api/urls.py: v1/), as Django's resolver spells them.
API_JSON_ROUTE = "api/v1/"


def remember_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = has_app_device(user)


def pending_step(request) -> str | None:
    """ "verify" or "setup" while the signed-in user still owes a second factor, else None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    session = getattr(request, "session", None)
    has_device = session.get(SESSION_KEY) if session is not None else None
    if has_device is None:  # a session from before two-factor sign-in existed
        has_device = has_app_device(user)
        if session is not None:
            session[SESSION_KEY] = has_device
    if has_device:
        return "verify"
    if settings.REQUIRE_STAFF_2FA and needs_two_factor(user):
        return "setup"
    return None


def step_url(step: str, next_url: str) -> str:
    name = "two_factor_verify" if step == "verify" else "two_factor_setup"
    return reverse(name) + "?" + urlencode({"next": next_url})


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or (match.namespace, match.url_name) in OPEN_VIEWS:
            return None
        step = pending_step(request)
        if step is None:
            return None
        if match.namespace == "api" and match.route.startswith(API_JSON_ROUTE):
            # The JSON API is not a page to send to the code step: there a session that
            # still owes its second factor is no sign-in at all (a token still works,
            # with no session; without one the answer is the API's JSON 401).
            request.user = AnonymousUser()
            return None
        return redirect(step_url(step, request.get_full_path()))
