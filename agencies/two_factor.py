"""Two-factor sign-in (TOTP, RFC 6238) with recovery codes, on django-otp.

Writes and reads only; nothing here knows of requests or sessions (the views and
agencies.middleware do). A user has at most one confirmed TOTPDevice (the
authenticator app) and one StaticDevice whose tokens are the recovery codes.

A code is checked by django-otp's own `verify_token`, which
- refuses a TOTP code whose time step is not after the last accepted one (`last_t`),
  so a code cannot be used twice, even within its 30-second window;
- counts wrong codes per device and then refuses every code for 1, 2, 4, 8 ... seconds
  (OTP_TOTP_THROTTLE_FACTOR); a right code resets the count;
- deletes a recovery code when it is used.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .enums import Role
from .models import User
from .selectors import has_role
from .services import audit_record

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def needs_two_factor(user) -> bool:
    """Staff roles, for whom REQUIRE_STAFF_2FA makes two-factor sign-in compulsory: the
    secretariat, the approver, and anyone who may use the admin site."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.is_staff
        or has_role(user, Role.SECRETARIAT)
        or has_role(user, Role.APPROVER)
    )


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_app_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def app_device_pending(user: User) -> TOTPDevice:
    """The not yet confirmed device a user is setting up (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: `device` if accepted, else `refusal` is one of
    "empty", "wrong", "reused" or "throttled" (then `until` says when to try again)."""

    device: object | None = None
    refusal: str = ""
    until: dt.datetime | None = None
    codes: tuple[str, ...] = ()  # new recovery codes, when a device was just confirmed

    @property
    def ok(self) -> bool:
        return self.device is not None


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _is_reused(device: TOTPDevice, token: str) -> bool:
    """Would the code be right if it had not been used already?"""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp.verify(int(token), device.tolerance)


def _check(device, token: str, *, totp: bool) -> CodeCheck:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(refusal="throttled", until=(info or {}).get("locked_until"))
    if device.verify_token(token):
        return CodeCheck(device=device)
    if totp and token.isdigit() and _is_reused(device, token):
        return CodeCheck(refusal="reused")
    return CodeCheck(refusal="wrong")


def code_verify(*, user: User, code: str) -> CodeCheck:
    """Check a sign-in code: six digits from the app, or one of the recovery codes."""
    token = _clean(code)
    if not token:
        return CodeCheck(refusal="empty")
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", token):
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("pk")
                .first()
            )
            if device is None:
                return CodeCheck(refusal="wrong")
            return _check(device, token, totp=True)
        device = (
            StaticDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            return CodeCheck(refusal="wrong")
        result = _check(device, token, totp=False)
        if result.ok:
            audit_record(
                actor=user,
                action="two_factor.recovery_code_use",
                obj=user,
                data={"left": device.token_set.count()},
            )
        return result


def app_device_confirm(*, user: User, device: TOTPDevice, code: str) -> CodeCheck:
    """Confirm a device being set up with a code it shows. On success the device is the
    user's authenticator from now on (any other is removed) and ten recovery codes are
    made (in `codes`)."""
    token = _clean(code)
    if not token:
        return CodeCheck(refusal="empty")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device.pk, user=user, confirmed=False
        )
        if not re.fullmatch(r"\d{6}", token):
            device.throttle_increment(commit=True)
            return CodeCheck(refusal="wrong")
        result = _check(device, token, totp=True)
        if not result.ok:
            return result
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            actor=user,
            action="two_factor.device_confirm",
            obj=user,
            to_state="on",
            data={"device": device.pk},
        )
        codes = recovery_codes_generate(user=user)
    return CodeCheck(device=device, codes=tuple(codes))


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new recovery codes, replacing any earlier ones. Shown to the user once; only
    django-otp's rows keep them (each is deleted when used)."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
    audit_record(
        actor=user,
        action="two_factor.recovery_codes_generate",
        obj=user,
        data={"count": len(codes)},
    )
    return codes
