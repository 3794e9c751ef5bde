"""E-mails about nominations, written to the outbox in the transaction of the change
(nomination_transition) and sent after it commits (workflow.outbox). Each recipient gets
the message in their own language (User.language)."""

from __future__ import annotations

from agencies.enums import Role
from agencies.models import User
from agencies.selectors import agency_ancestor_ids
from workflow.outbox import mail_user

from .enums import NominationState as S


def _editors(nomination):
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.AGENCY_EDITOR,
        role_assignments__agency=nomination.agency,
    )


def _authority_officers(nomination):
    ancestors = agency_ancestor_ids(nomination.agency, include_self=True)
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.AUTHORITY_OFFICER,
        role_assignments__agency__in=ancestors,
    )


def _secretariat():
    return User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT)


def recipient_users(nomination, to_state: str) -> list[User]:
    """Who hears of a nomination entering `to_state`: one user per e-mail address."""
    groups = [_editors(nomination)]
    uses_authority = nomination.edition.uses_recommendation
    if to_state == S.SUBMITTED:
        groups.append(_authority_officers(nomination) if uses_authority else _secretariat())
    elif to_state == S.RECOMMENDED:
        groups.append(_secretariat())
    elif to_state in (S.ELIGIBLE, S.INELIGIBLE):
        if uses_authority:
            groups.append(_authority_officers(nomination))
    elif to_state == S.WITHDRAWN:
        groups.append(_secretariat())
        if uses_authority:
            groups.append(_authority_officers(nomination))
    users: dict[str, User] = {}
    for qs in groups:
        for user in qs.exclude(email=""):
            users.setdefault(user.email, user)
    return [users[email] for email in sorted(users)]


def recipients(nomination, to_state: str) -> list[str]:
    return [user.email for user in recipient_users(nomination, to_state)]


def nomination_changed(nomination_id: int, from_state: str, to_state: str) -> int:
    """Queue the message about this change to every recipient. Returns how many."""
    from .models import Nomination

    nomination = Nomination.objects.select_related("edition", "category", "agency").get(
        pk=nomination_id
    )
    users = recipient_users(nomination, to_state)
    for user in users:
        mail_user(
            user,
            kind="nomination_changed",
            subject_template="awards/email/nomination_changed_subject.txt",
            body_template="awards/email/nomination_changed.txt",
            context={"n": nomination, "from": S(from_state).label, "to": S(to_state).label},
            obj=nomination,
        )
    return len(users)
