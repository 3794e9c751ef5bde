"""Sign-in pages beyond the password: the lock-out page, two-factor sign-in (set-up,
code, recovery codes) and the secretariat's list of locked sign-ins. Decisions are in
agencies.throttling, agencies.two_factor and agencies.services; this is HTTP."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import two_factor as tf
from .auth_forms import CodeForm, UnlockForm
from .middleware import SESSION_KEY, pending_step, step_url
from .permissions import require_perm
from .services import sign_in_unlock
from .throttling import lock_until, locks, username_of

NEW_CODES_KEY = "two_factor_new_codes"


def _when(moment, *, seconds=False) -> str:
    local = timezone.localtime(moment)
    if seconds:
        return formats.date_format(local, "H:i:s")
    return formats.date_format(local, "DATETIME_FORMAT")


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- lock-out ------------------------------------------------------------------------------


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying until when (AXES_LOCKOUT_CALLABLE). The same for an
    account and for an address, and for addresses with and without an account."""
    username = username_of(request, credentials)
    until = lock_until(username=username, ip_address=getattr(request, "axes_ip_address", None))
    until = until or timezone.now() + settings.SIGN_IN_COOLOFF
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "next": request.POST.get("next", ""), "locked_until": _when(until)}
    return render(request, "registration/login.html", context, status=429)


# --- two-factor sign-in --------------------------------------------------------------------


def _refusal(result) -> str:
    if result.refusal == "empty":
        return _("Enter the 6-digit code from your authenticator app.")
    if result.refusal == "reused":
        return _(
            "This code has already been used. Wait until your app shows a new code, "
            "then enter that one."
        )
    if result.refusal == "throttled":
        return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
            "time": _when(result.until, seconds=True)
        }
    return _("This code is not right. Enter the code your app shows now.")


def _verified(request, device):
    otp_login(request, device)
    request.session.cycle_key()  # a new session key for the now fully signed-in session
    request.session[SESSION_KEY] = True


@login_required
def two_factor(request):
    """The "Two-factor sign-in" page: on or off, recovery codes left, set-up link."""
    user = request.user
    device = tf.app_device(user)
    return render(
        request,
        "registration/two_factor.html",
        {
            "device": device,
            "codes_left": tf.recovery_codes_left(user) if device else 0,
            "required": settings.REQUIRE_STAFF_2FA and tf.needs_two_factor(user),
        },
    )


@login_required
def two_factor_setup(request):
    user = request.user
    next_url = _next(request)
    if tf.has_app_device(user):
        # One app per user; replacing it would need the second factor first.
        return redirect("two_factor")
    device = tf.app_device_pending(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = tf.app_device_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if result.ok:
            _verified(request, result.device)
            request.session[NEW_CODES_KEY] = list(result.codes)
            return redirect(
                reverse("two_factor_recovery_codes") + "?" + urlencode({"next": next_url})
            )
        form.add_error("code", _refusal(result))
    import segno

    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": settings.REQUIRE_STAFF_2FA and tf.needs_two_factor(user),
        },
    )


@login_required
def two_factor_verify(request):
    user = request.user
    next_url = _next(request)
    step = pending_step(request)
    if step == "verify" and not tf.has_app_device(user):  # the app was removed meanwhile
        request.session[SESSION_KEY] = False
        step = pending_step(request)
    if step is None:
        return redirect(next_url)
    if step == "setup":
        return redirect(step_url("setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = tf.code_verify(user=user, code=form.cleaned_data["code"])
        if result.ok:
            _verified(request, result.device)
            if not isinstance(result.device, tf.TOTPDevice):
                left = tf.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. "
                        "Make new ones on the Two-factor sign-in page if you are running out."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        form.add_error("code", _refusal(result))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def two_factor_recovery_codes(request):
    """GET: the codes just made, once. POST: make new ones, replacing the old."""
    user = request.user
    if request.method == "POST":
        if not tf.has_app_device(user):
            return redirect("two_factor")
        request.session[NEW_CODES_KEY] = tf.recovery_codes_generate(user=user)
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. If you have lost yours, make new ones."),
        )
        return redirect("two_factor")
    response = render(
        request,
        "registration/two_factor_recovery_codes.html",
        {"codes": codes, "next": _next(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- the secretariat: locked sign-ins ------------------------------------------------------


@require_perm("agencies.unlock_sign_in")
def sign_in_lockouts(request):
    return render(
        request,
        "registration/lockouts.html",
        {
            "locks": [(lock, _when(lock.until)) for lock in locks()],
            "per_account": settings.SIGN_IN_FAILURES_PER_ACCOUNT,
            "per_address": settings.SIGN_IN_FAILURES_PER_ADDRESS,
            "minutes": int(settings.SIGN_IN_COOLOFF.total_seconds() // 60),
        },
    )


@require_perm("agencies.unlock_sign_in")
@require_POST
def sign_in_unlock_view(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an account or an address to unlock."))
        return redirect("sign_in_lockouts")
    value = form.cleaned_data["value"]
    if sign_in_unlock(actor=request.user, kind=form.cleaned_data["kind"], value=value):
        messages.success(request, _("%(value)s can sign in again.") % {"value": value})
    else:
        messages.error(request, _("%(value)s was not locked.") % {"value": value})
    return redirect("sign_in_lockouts")
