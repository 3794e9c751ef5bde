"""Individual and team nominees: the person or team a department nominates in a category
that takes them (Category.nominee_kind). The nomination is the department's; this module
writes the nominee's details, exports them and erases them on request once the scheme's
retention period is over.

The audit log records which fields changed, never the personal data itself, so that an
erasure leaves no copy of it behind."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.audit import audit_record

from .enums import NomineeKind
from .models import Nomination, Nominee, TeamMember
from .services import EDITABLE_STATES, NominationError, _ensure_open_for_agency

# What an erased nominee reads as everywhere (certificates already issued keep theirs).
ERASED_NAME = "—"
PERSONAL_FIELDS = ["name_zh", "name_en", "post", "unit"]


@dataclass(frozen=True)
class MemberRow:
    name: str
    post: str


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def nominee_field_problems(
    *, kind: str, name_zh: str, post: str, members: list[MemberRow]
) -> dict[str, str]:
    """Why these details cannot be saved, by field ("" key: the whole form), or {}."""
    problems = {}
    if not _clean(name_zh):
        problems["name_zh"] = (
            _("Give the officer's name.")
            if kind == NomineeKind.INDIVIDUAL
            else _("Give the team's name.")
        )
    if kind == NomineeKind.INDIVIDUAL and not _clean(post):
        problems["post"] = _("Give the officer's post (rank or job title).")
    if kind == NomineeKind.TEAM:
        if not members:
            problems["members"] = _(
                "A team needs at least one member: give each member's name and post."
            )
        elif any(not m.post for m in members):
            problems["members"] = _("Give the post of every member.")
    return problems


@transaction.atomic
def nominee_save(
    *,
    actor,
    nomination: Nomination,
    name_zh: str,
    name_en: str = "",
    post: str = "",
    unit: str = "",
    public_consent: bool = False,
    members: list[MemberRow] | None = None,
) -> Nominee:
    """Create or replace the nominee of a nomination in an individual or team category,
    while the department may still edit its dossier. All or nothing."""
    locked = (
        Nomination.objects.select_for_update()
        .select_related("edition", "category", "agency")
        .get(pk=nomination.pk)
    )
    kind = locked.category.nominee_kind
    if kind == NomineeKind.AGENCY:
        raise NominationError(_("This category's nominations are for agencies, not people."))
    if locked.state not in EDITABLE_STATES:
        raise NominationError(
            _("This dossier has been submitted: its nominee can no longer be changed.")
        )
    _ensure_open_for_agency(locked)
    members = [MemberRow(_clean(m.name), _clean(m.post)) for m in (members or []) if _clean(m.name)]
    if kind == NomineeKind.INDIVIDUAL:
        members = []
    problems = nominee_field_problems(kind=kind, name_zh=name_zh, post=post, members=members)
    if problems:
        raise NominationError(list(problems.values()))
    now = timezone.now()
    nominee = Nominee.objects.filter(nomination=locked).first()
    created = nominee is None
    values = {
        "name_zh": _clean(name_zh),
        "name_en": _clean(name_en),
        "post": _clean(post) if kind == NomineeKind.INDIVIDUAL else "",
        "unit": _clean(unit),
    }
    if created:
        nominee = Nominee(nomination=locked, kind=kind)
    before = {f: getattr(nominee, f) for f in PERSONAL_FIELDS}
    before_members = [] if created else [(m.name, m.post) for m in nominee.members.all()]
    before_consent = nominee.public_consent
    for field, value in values.items():
        setattr(nominee, field, value)
    nominee.kind = kind
    if public_consent != before_consent or created:
        nominee.consent_recorded_at = now if public_consent else None
    nominee.public_consent = public_consent
    nominee.updated_at = now
    nominee.save()
    after_members = [(m.name, m.post) for m in members]
    if after_members != before_members:
        nominee.members.all().delete()
        TeamMember.objects.bulk_create(
            TeamMember(nominee=nominee, order=i, name=m.name, post=m.post)
            for i, m in enumerate(members, start=1)
        )
    changed = [f for f in PERSONAL_FIELDS if before[f] != values[f]]
    if after_members != before_members:
        changed.append("members")
    if public_consent != before_consent:
        changed.append("public_consent")
    audit_record(
        actor=actor,
        action="nomination.nominee_created" if created else "nomination.nominee_changed",
        obj=locked,
        # Field names only: the log keeps no personal data (see the module's docstring).
        data={"kind": kind, "changed": changed, "members": len(members), "consent": public_consent},
    )
    return nominee


def retention_ends_on(nomination: Nomination) -> datetime.date | None:
    """The first day on which the nominee's data may be erased: the edition's last stage
    ends, plus the scheme's retention period (months). None if the edition has no stages."""
    last = max((s.ends_on for s in nomination.edition.stages.all()), default=None)
    if last is None:
        return None
    months = nomination.edition.scheme.nominee_retention_months
    year, month = divmod(last.month - 1 + months, 12)
    year += last.year
    month += 1
    day = min(last.day, _days_in_month(year, month))
    return datetime.date(year, month, day) + datetime.timedelta(days=1)


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


def erasure_problem(nomination: Nomination, today: datetime.date) -> str:
    """Why the nominee's data cannot be erased today, or "" if it can."""
    nominee = getattr(nomination, "nominee", None)
    if nominee is None:
        return _("This nomination has no individual or team nominee.")
    if nominee.erased_at is not None:
        return _("This nominee's personal data has already been erased.")
    ends = retention_ends_on(nomination)
    if ends is None or today < ends:
        return _(
            "The scheme keeps nominees' personal data until %(date)s; it can be erased on "
            "request from that day."
        ) % {"date": ends.isoformat() if ends else "—"}
    return ""


@transaction.atomic
def nominee_erase(*, actor, nomination: Nomination, reason: str) -> Nominee:
    """Erase a nominee's personal data on request, after the retention period: the names,
    post, unit and members are replaced, the nomination and its results stay."""
    from .selectors import edition_today

    locked = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("edition__scheme", "nominee")
        .get(pk=nomination.pk)
    )
    if not _clean(reason):
        raise NominationError(_("Say whose request this is (e.g. the officer's letter of 3 May)."))
    problem = erasure_problem(locked, edition_today(locked.edition))
    if problem:
        raise NominationError(problem)
    nominee = locked.nominee
    members = nominee.members.count()
    nominee.members.all().delete()
    nominee.name_zh = ERASED_NAME
    nominee.name_en = ""
    nominee.post = ""
    nominee.unit = ""
    nominee.public_consent = False
    nominee.consent_recorded_at = None
    nominee.erased_at = timezone.now()
    nominee.save()
    audit_record(
        actor=actor,
        action="nomination.nominee_erased",
        obj=locked,
        reason=_clean(reason),
        data={"kind": nominee.kind, "members": members},
    )
    return nominee


def nominee_export(nomination: Nomination) -> dict:
    """Everything held about the nominee, for a copy given on request (JSON)."""
    nominee = nomination.nominee
    return {
        "nomination": nomination.pk,
        "edition": nomination.edition.name_zh,
        "category": nomination.category.name_zh,
        "agency": nomination.agency.name_zh,
        "kind": nominee.kind,
        "name_zh": nominee.name_zh,
        "name_en": nominee.name_en,
        "post": nominee.post,
        "unit": nominee.unit,
        "members": [{"name": m.name, "post": m.post} for m in nominee.members.all()],
        "public_consent": nominee.public_consent,
        "consent_recorded_at": (
            nominee.consent_recorded_at.isoformat() if nominee.consent_recorded_at else None
        ),
        "updated_at": nominee.updated_at.isoformat(),
        "erased_at": nominee.erased_at.isoformat() if nominee.erased_at else None,
    }
