"""Messages the secretariat sends to the people of a stage (issue 18): the group
registry, the preview and the sending service.

A group is one entry in GROUPS: a key, a label and a function (stage, category=None)
-> [Recipient]. This module registers the groups the cycle itself knows (agencies with
drafts, authorities that have not recommended, finalists); layers above register theirs
in their AppConfig.ready (scoring: reviewers with open reviews). The winners' open
obligations live in awards.results, which registers them under
WINNERS_WITH_OPEN_OBLIGATION with `group_register(WINNERS_WITH_OPEN_OBLIGATION, label,
members)`: nothing here changes for it.

Each recipient gets the message in their language (User.language) with the placeholders
of workflow.compose filled in, through the outbox (so it is also their notification),
logged on the nomination or assignment it concerns (`Recipient.obj`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.enums import Role
from agencies.models import RoleAssignment
from agencies.selectors import nearest_authorities
from workflow.audit import audit_record
from workflow.compose import compose_render, unknown_placeholders
from workflow.links import object_link
from workflow.outbox import mail_queue, user_language
from workflow.site import site_url

from .enums import NominationState
from .models import Nomination, Stage

WINNERS_WITH_OPEN_OBLIGATION = "winners_open_obligation"
FIELDS = ("subject_zh", "body_zh", "subject_en", "body_en")


@dataclass
class Recipient:
    user: object
    obj: object  # what the message is about: logged there (a nomination, an assignment)
    agency: object = None  # the agency it concerns, named in the recipient's language
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    key: str
    label: object
    members: Callable[..., list[Recipient]]


GROUPS: dict[str, Group] = {}


def group_register(key: str, label, members: Callable[..., list[Recipient]]) -> None:
    GROUPS[key] = Group(key, label, members)


def group_choices() -> list[tuple[str, str]]:
    return [(g.key, g.label) for g in GROUPS.values()]


class GroupMessageError(ValidationError):
    pass


# --- the people of an agency -------------------------------------------------------------


def people_of(agency_ids, role: str) -> dict[int, list]:
    """Active users holding `role` for each agency id (one query)."""
    found: dict[int, list] = {}
    rows = (
        RoleAssignment.objects.filter(
            agency_id__in=set(agency_ids), role=role, user__is_active=True
        )
        .select_related("user")
        .order_by("user__pk")
    )
    for row in rows:
        found.setdefault(row.agency_id, []).append(row.user)
    return found


def _editors_of(nominations) -> list[Recipient]:
    """One recipient per editor: the first of their agency's nominations."""
    nominations = list(nominations)
    editors = people_of([n.agency_id for n in nominations], Role.AGENCY_EDITOR)
    out: dict[int, Recipient] = {}
    for n in nominations:
        for user in editors.get(n.agency_id, []):
            out.setdefault(user.pk, Recipient(user, n, n.agency))
    return list(out.values())


def _nominations(stage, category, states):
    qs = Nomination.objects.filter(edition_id=stage.edition_id, state__in=states)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.select_related("agency").order_by("agency__code", "pk")


def agencies_with_drafts(stage: Stage, category=None) -> list[Recipient]:
    return _editors_of(
        _nominations(stage, category, [NominationState.DRAFT, NominationState.RETURNED])
    )


def finalists(stage: Stage, category=None) -> list[Recipient]:
    return _editors_of(_nominations(stage, category, [NominationState.FINALIST]))


def authorities_not_recommended(stage: Stage, category=None) -> list[Recipient]:
    """The officers of each competent authority with a submitted nomination under it
    that it has not recommended yet (one recipient per officer)."""
    nominations = list(_nominations(stage, category, [NominationState.SUBMITTED]))
    authority = nearest_authorities([n.agency for n in nominations])
    authorities = {a.pk: a for a in authority.values() if a is not None}
    officers = people_of(authorities, Role.AUTHORITY_OFFICER)
    out: dict[int, Recipient] = {}
    for n in nominations:
        above = authority.get(n.agency_id)
        if above is None:
            continue
        for user in officers.get(above.pk, []):
            out.setdefault(user.pk, Recipient(user, n, above))
    return list(out.values())


group_register(
    "agencies_drafts", _l("Agencies whose dossier is still a draft"), agencies_with_drafts
)
group_register(
    "authorities_pending",
    _l("Competent authorities that have not recommended"),
    authorities_not_recommended,
)
group_register("finalists", _l("Finalists"), finalists)


# --- composing, previewing, sending ------------------------------------------------------


def _language_of(user) -> str:
    return user_language(user)


def _texts_for(language: str, texts: dict) -> tuple[str, str]:
    if language.startswith("zh"):
        return texts["subject_zh"], texts["body_zh"]
    return texts["subject_en"], texts["body_en"]


def recipient_values(recipient: Recipient, stage: Stage) -> dict[str, str]:
    link = object_link(recipient.obj, recipient.user) or "/"
    return {
        "name": recipient.user.get_full_name(),
        "agency": recipient.agency.name if recipient.agency is not None else "",
        "deadline": stage.ends_on.isoformat(),
        "link": site_url(link),
        **recipient.extra,
    }


def message_check(texts: dict) -> None:
    """Refuse (GroupMessageError, per field) an empty text or an unknown placeholder."""
    errors: dict[str, list[str]] = {}
    for name in FIELDS:
        value = (texts.get(name) or "").strip()
        if not value:
            errors[name] = [_("Write this text: each recipient reads it in their language.")]
            continue
        unknown = unknown_placeholders(value)
        if unknown:
            errors[name] = [
                _("Unknown placeholder: %(names)s. Use {name}, {agency}, {deadline} or {link}.")
                % {"names": ", ".join("{" + n + "}" for n in unknown)}
            ]
    if errors:
        raise GroupMessageError(errors)


def group_members(stage: Stage, group: str, category=None) -> list[Recipient]:
    if group not in GROUPS:
        raise GroupMessageError({"group": [_("Choose one of the groups listed.")]})
    return GROUPS[group].members(stage, category=category)


def _ensure_members(members, stage: Stage, group: str) -> None:
    if not members:
        raise GroupMessageError(
            {
                "group": [
                    _(
                        "No one is in “%(group)s” for “%(stage)s” now, so there is no one to write to."
                    )
                    % {"group": GROUPS[group].label, "stage": stage.name}
                ]
            }
        )


def group_message_preview(*, stage: Stage, group: str, texts: dict, category=None) -> dict:
    """The recipients and the text as the first recipient would read it in each
    language. Raises GroupMessageError for what send would refuse."""
    message_check(texts)
    members = group_members(stage, group, category)
    _ensure_members(members, stage, group)
    samples = []
    for language, label in (("zh-hant", _("Chinese")), ("en", _("English"))):
        subject, body = _texts_for(language, texts)
        with translation.override(language):
            sample = recipient_values(members[0], stage)
        samples.append(
            {
                "language": language,
                "label": label,
                "subject": compose_render(subject, sample),
                "body": compose_render(body, sample),
            }
        )
    return {
        "recipients": [
            {"recipient": r, "language": _language_of(r.user), "about": str(r.obj)} for r in members
        ],
        "samples": samples,
    }


def group_message_send(
    *, actor, stage: Stage, group: str, texts: dict, category=None, kind: str = "group_message"
) -> int:
    """Send the message to every member of the group now, each in their language,
    through the outbox (logged on what it concerns; a notification each). Audited on the
    stage. Returns how many were queued; refuses (nothing sent) an unknown placeholder
    or an empty group."""
    message_check(texts)
    with transaction.atomic():
        members = group_members(stage, group, category)
        _ensure_members(members, stage, group)
        for recipient in members:
            language = _language_of(recipient.user)
            subject, body = _texts_for(language, texts)
            with translation.override(language):
                values = recipient_values(recipient, stage)
                mail_queue(
                    to=recipient.user.email,
                    subject=compose_render(subject, values),
                    body=compose_render(body, values),
                    kind=kind,
                    language=language,
                    user=recipient.user,
                    obj=recipient.obj,
                )
        audit_record(
            actor=actor,
            action=f"message.{kind}",
            obj=stage,
            data={
                "group": group,
                "category": category.pk if category is not None else None,
                "recipients": [r.user.pk for r in members],
                "subject_zh": texts["subject_zh"],
                "subject_en": texts["subject_en"],
            },
        )
    return len(members)
