"""Sign-in throttling on django-axes: per account and, separately, per client address.

Axes counts failed sign-ins in `AccessAttempt` rows, one per (typed e-mail, address,
user agent), and compares one number with one limit. We want two limits: an account
locks after SIGN_IN_FAILURES_PER_ACCOUNT failures from any number of addresses (so 20
addresses cannot try 20 passwords), an address after SIGN_IN_FAILURES_PER_ADDRESS
failures against any accounts (password spraying). `SignInThrottle.get_failures` folds
the two into the one number axes compares with AXES_FAILURE_LIMIT (the account limit).

A typed address that matches no account is counted and locked exactly like a real one,
so the lock-out message reveals nothing about which e-mail addresses exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def username_of(request, credentials) -> str | None:
    """The typed e-mail address, as axes keys it (AXES_USERNAME_CALLABLE)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    if value is None:
        return None
    return str(value).strip().lower()[:255]


def _failures(now: dt.datetime, **lookup) -> int:
    threshold = now - settings.SIGN_IN_COOLOFF
    rows = AccessAttempt.objects.filter(attempt_time__gte=threshold, **lookup)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


class SignInThrottle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        now = timezone.now()
        account = _failures(now, username=get_client_username(request, credentials))
        address = _failures(now, ip_address=request.axes_ip_address)
        if address >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        already = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not already and getattr(request, "axes_locked_out", False):
            from .services import sign_in_lock_record

            sign_in_lock_record(
                username=get_client_username(request, credentials) or "",
                ip_address=request.axes_ip_address or "",
            )

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in forget the account's failures only: signing in to
        one's own account must not reset the count of the address it came from."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


# --- reads: who is locked, until when -----------------------------------------------------


@dataclass(frozen=True)
class Lock:
    kind: str  # "account" or "address"
    value: str
    failures: int
    until: dt.datetime


def _until(rows, limit: int) -> dt.datetime | None:
    """Rows count in full while their latest failure is inside the cool-off, so the lock
    ends when the row at which the newest-first running total reaches the limit leaves it."""
    total = 0
    for at, n in sorted(rows, reverse=True):
        total += n
        if total >= limit:
            return at + settings.SIGN_IN_COOLOFF
    return None


def locks(now: dt.datetime | None = None) -> list[Lock]:
    """Every account and address locked now, the longest-locked first."""
    now = now or timezone.now()
    rows = AccessAttempt.objects.filter(
        attempt_time__gte=now - settings.SIGN_IN_COOLOFF
    ).values_list("username", "ip_address", "attempt_time", "failures_since_start")
    by = {"account": defaultdict(list), "address": defaultdict(list)}
    for username, ip, at, n in rows:
        by["account"][username or ""].append((at, n))
        by["address"][ip or ""].append((at, n))
    limits = {
        "account": settings.SIGN_IN_FAILURES_PER_ACCOUNT,
        "address": settings.SIGN_IN_FAILURES_PER_ADDRESS,
    }
    found = []
    for kind, groups in by.items():
        for value, group in groups.items():
            until = _until(group, limits[kind])
            if until is not None and until >= now:
                found.append(Lock(kind, value, sum(n for _at, n in group), until))
    return sorted(found, key=lambda lock: (lock.until, lock.kind, lock.value), reverse=True)


def lock_until(*, username: str | None, ip_address: str | None) -> dt.datetime | None:
    """When a sign-in with this e-mail from this address is allowed again (None: now)."""
    now = timezone.now()
    times = [
        lock.until
        for lock in locks(now)
        if (lock.kind == "account" and lock.value == (username or ""))
        or (lock.kind == "address" and lock.value == (ip_address or ""))
    ]
    return max(times, default=None)
