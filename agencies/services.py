"""Writes for organisations, people and roles, (the audit service is workflow.audit)."""

from __future__ import annotations

from django.db import transaction

from workflow.audit import audit_record  # noqa: F401  (the one audit service; re-exported)
from workflow.models import AuditEntry

from .enums import AGENCY_ROLES, Role
from .models import Agency, RoleAssignment, User


def path_segment(agency_id: int) -> str:
    """One level of Agency.path. Ids are zero-padded so that ordering by path, as text,
    is tree order (parents before children, siblings by id) at any size."""
    return f"{agency_id:010d}/"


def _path_for(parent: Agency | None, agency_id: int) -> tuple[str, int]:
    if parent is None:
        return "/" + path_segment(agency_id), 0
    return parent.path + path_segment(agency_id), parent.depth + 1


def agency_refresh_paths(root: Agency) -> None:
    """Recompute `path` and `depth` for root and everything below it."""
    root.path, root.depth = _path_for(root.parent, root.pk)
    root.save(update_fields=["path", "depth"])
    level = [root]
    while level:
        by_parent = {a.pk: a for a in level}
        children = list(Agency.objects.filter(parent_id__in=by_parent))
        for child in children:
            child.path, child.depth = _path_for(by_parent[child.parent_id], child.pk)
        Agency.objects.bulk_update(children, ["path", "depth"])
        level = children


@transaction.atomic
def agency_create(*, actor: User | None = None, parent: Agency | None = None, **fields) -> Agency:
    agency = Agency.objects.create(parent=parent, **fields)
    agency.path, agency.depth = _path_for(parent, agency.pk)
    agency.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="agency.create", obj=agency)
    return agency


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    roles: list[tuple[str, Agency | None]] = (),
    actor: User | None = None,
    **fields,
) -> User:
    user = User.objects.create_user(email=email, password=password, **fields)
    for role, agency in roles:
        role_grant(user=user, role=role, agency=agency, actor=actor)
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, agency: Agency | None = None, actor=None):
    role = Role(role)
    if role in AGENCY_ROLES and agency is None:
        raise ValueError(f"The role {role.value} needs an agency.")
    if role not in AGENCY_ROLES:
        agency = None
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)
    if created:
        audit_record(
            actor=actor,
            action="role.grant",
            obj=user,
            to_state=role.value,
            data={"agency": agency.code if agency else None},
        )
    return assignment


# --- sign-in: throttling and password reset ----------------------------------------------


def sign_in_lock_record(*, username: str, ip_address: str) -> AuditEntry | None:
    """Audit one lock-out (called by agencies.throttling when a failure causes one)."""
    from axes.models import AccessAttempt

    from .throttling import locks

    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return None
    held = [
        lock
        for lock in locks()
        if (lock.kind, lock.value) in {("account", username), ("address", ip_address)}
    ]
    return audit_record(
        actor=None,
        action="sign_in.lock",
        obj=attempt,
        data={
            "username": username,
            "ip_address": ip_address,
            "locks": sorted(lock.kind for lock in held),
            "until": max((lock.until for lock in held), default=attempt.attempt_time).isoformat(),
        },
    )


@transaction.atomic
def sign_in_unlock(*, actor: User, kind: str, value: str) -> int:
    """Forget the failed sign-ins of one account ("account", the e-mail) or one client
    address ("address"), which lifts its lock. Returns how many records were removed."""
    from axes.models import AccessAttempt

    field = {"account": "username", "address": "ip_address"}[kind]
    attempts = AccessAttempt.objects.filter(**{field: value})
    newest = attempts.order_by("-attempt_time").first()
    if newest is None:
        return 0
    failures = sum(attempts.values_list("failures_since_start", flat=True))
    audit_record(
        actor=actor,
        action="sign_in.unlock",
        obj=newest,
        data={"kind": kind, field: value, "failures": failures},
    )
    count, _ = attempts.delete()
    return count


def password_reset_mail_send(*, email: str, language: str) -> int:
    """Queue the password-reset link to every active account with this address (none if
    there is no such account), through the outbox. Runs in the background queue, so the
    sign-in pages answer in the same time whether or not the address is known. The mail
    is in the language the visitor asked in (they are at the page now); its link starts
    with the declared site address, never the request's Host header. Returns the number
    queued."""
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from workflow.outbox import mail_user

    sent = 0
    for user in PasswordResetForm().get_users(email):
        mail_user(
            user,
            kind="password_reset",
            subject_template="registration/password_reset_subject.txt",
            body_template="registration/password_reset_email.txt",
            context={
                "email": user.email,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
            obj=user,
            language=language,
        )
        sent += 1
    return sent


def user_mail_language_set(*, user: User, language: str) -> bool:
    """Set the language `user` gets e-mail in (one of settings.LANGUAGES). Returns
    whether it changed."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
