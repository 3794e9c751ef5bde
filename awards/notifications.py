"""E-mails about nominations, sent after the transaction commits (see services).
Users have no language preference yet, so each message carries both languages."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from agencies.enums import Role
from agencies.models import User
from agencies.selectors import agency_ancestor_ids

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


def recipients(nomination, to_state: str) -> list[str]:
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
    emails = set()
    for qs in groups:
        emails.update(qs.values_list("email", flat=True))
    return sorted(emails)


def nomination_changed(nomination_id: int, from_state: str, to_state: str) -> int:
    from .models import Nomination

    nomination = Nomination.objects.select_related("edition", "category", "agency").get(
        pk=nomination_id
    )
    to = recipients(nomination, to_state)
    if not to:
        return 0
    parts = {}
    for lang in ("zh-hant", "en"):
        with translation.override(lang):
            parts[lang] = {
                "subject": render_to_string(
                    "awards/email/nomination_changed_subject.txt",
                    {"n": nomination, "to": S(to_state).label},
                ).strip(),
                "body": render_to_string(
                    "awards/email/nomination_changed.txt",
                    {
                        "n": nomination,
                        "from": S(from_state).label,
                        "to": S(to_state).label,
                        "site": settings.SITE_URL or settings.SITE_URL_FALLBACK,
                    },
                ),
            }
    subject = f"{parts['zh-hant']['subject']} / {parts['en']['subject']}"
    body = parts["zh-hant"]["body"] + "\n\n----------\n\n" + parts["en"]["body"]
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
