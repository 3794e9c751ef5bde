"""Writes for the award cycle: nominations and their dossiers.

Every change of a nomination's state goes through `nomination_transition`, which checks
the transition table, saves with update_fields, writes the audit entry and queues the
e-mails after the transaction commits. The functions above it add each step's own rules
(deadlines in the edition's time zone, completeness, quota)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.models import Agency
from agencies.selectors import agency_is_under, subtree_filter
from rubrics.services import rubric_clone, rubric_create
from workflow.audit import audit_record
from workflow.transitions import Transition, Workflow

from . import filetypes, notifications, textformat
from .enums import NominationState as S
from .enums import NomineeKind, NoteVisibility, SectionKind, StageKind
from .models import (
    Attachment,
    Category,
    DossierSection,
    Nomination,
    Nominee,
    SectionRevision,
    Stage,
    Submission,
)
from .selectors import edition_today
from .windows import stage_of, stage_window_problem


class NominationError(ValidationError):
    """A request the rules of the cycle refuse; the message says why, translated."""


def _recommended_first(nomination) -> str | None:
    """In an edition with recommendation, a submitted nomination waits for its competent
    authority before it can be found eligible."""
    if nomination.state == S.SUBMITTED and nomination.edition.uses_recommendation:
        return _(
            "In this edition a nomination must be recommended by its competent authority "
            "before it can be eligible."
        )
    return None


# The nomination's transition table (workflow.transitions). Anything else is refused.
# `permission` is the rules permission (awards.rules) a person needs on the nomination
# for the action to be offered (Workflow.actions); the step services below add the
# rules of dates, completeness and quota.
_BEFORE_DECISION = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.RECOMMENDED, S.ELIGIBLE)
NOMINATION_WORKFLOW = Workflow(
    model=Nomination,
    states=S,
    field="state",
    audit_action="nomination.transition",
    initial=(S.DRAFT,),
    error_class=NominationError,
    transitions=[
        Transition(
            "submit",
            (S.DRAFT, S.RETURNED),
            S.SUBMITTED,
            _l("Submit"),
            permission="awards.edit_dossier",
        ),
        Transition(
            "return",
            (S.SUBMITTED, S.RECOMMENDED),
            S.RETURNED,
            _l("Return"),
            permission="awards.recommend_nomination",
            reason_required=True,
        ),
        Transition(
            "recommend",
            (S.SUBMITTED,),
            S.RECOMMENDED,
            _l("Recommend"),
            permission="awards.recommend_nomination",
        ),
        # taken off the authority's ranked list
        Transition(
            "unrecommend",
            (S.RECOMMENDED,),
            S.SUBMITTED,
            _l("Take off the list"),
            permission="awards.recommend_nomination",
        ),
        # SUBMITTED → ELIGIBLE in editions without recommendation
        Transition(
            "find_eligible",
            (S.SUBMITTED, S.RECOMMENDED, S.INELIGIBLE),
            S.ELIGIBLE,
            _l("Eligible"),
            permission="awards.check_eligibility",
            guard=_recommended_first,
        ),
        # ELIGIBLE → INELIGIBLE: the secretariat corrects itself, with a reason
        Transition(
            "find_ineligible",
            (S.SUBMITTED, S.RECOMMENDED, S.ELIGIBLE),
            S.INELIGIBLE,
            _l("Ineligible"),
            permission="awards.check_eligibility",
            reason_required=True,
        ),
        # shortlisted (入圍) by the secretariat (scoring.services), and undone with a reason
        Transition(
            "shortlist",
            (S.ELIGIBLE,),
            S.FINALIST,
            _l("Shortlist"),
            permission="awards.shortlist_nomination",
        ),
        Transition(
            "unshortlist",
            (S.FINALIST,),
            S.ELIGIBLE,
            _l("Undo shortlisting"),
            permission="awards.shortlist_nomination",
        ),
        Transition(
            "withdraw",
            _BEFORE_DECISION,
            S.WITHDRAWN,
            _l("Withdraw"),
            permission="awards.withdraw_nomination",
        ),
    ],
)
REASON_REQUIRED = {S.RETURNED, S.INELIGIBLE}
# Whose reason the agency reads unless told otherwise: required reasons (always for the
# agency) and its own withdrawal. Any other note is internal unless marked for the agency.
REASON_FOR_AGENCY = REASON_REQUIRED | {S.WITHDRAWN}
EDITABLE_STATES = {S.DRAFT, S.RETURNED}

GENERAL_SECTIONS = [
    (
        SectionKind.PROFILE,
        "機關簡介",
        "Agency profile",
        "機關沿革、組織、員額及服務對象",
        "History, organisation, staff and the public served",
        True,
    ),
    (
        SectionKind.CONTACT,
        "聯絡人",
        "Contact person",
        "姓名、職稱、電話及電子郵件",
        "Name, title, telephone and e-mail",
        True,
    ),
    (
        SectionKind.STATISTICS,
        "重要服務統計",
        "Key service statistics",
        "近三年主要服務項目之件數、處理時間及滿意度",
        "Volumes, handling times and satisfaction of the main services over three years",
        False,
    ),
]


@dataclass
class SaveConflict(Exception):
    """A save based on an old version: someone else saved in between. Both texts are
    kept: the other person's in the section, this one as a refused revision."""

    section: DossierSection
    current_body: str
    current_version: int
    saved_by: str
    saved_at: object
    your_body: str


# --- dates -----------------------------------------------------------------------------


def _stage(edition, kind) -> Stage | None:
    return next((s for s in edition.stages.all() if s.kind == kind), None)


def nomination_window(edition) -> Stage | None:
    return _stage(edition, StageKind.NOMINATION)


def dossier_deadline(nomination):
    """Last day (edition time zone) on which the agency may still edit and submit."""
    edition = nomination.edition
    nominate = _stage(edition, StageKind.NOMINATION)
    if nomination.state == S.RETURNED:
        recommend = _stage(edition, StageKind.RECOMMENDATION)
        if recommend is not None:
            return recommend.ends_on
    return nominate.ends_on if nominate else None


def _dossier_problem(nomination, *, editing: bool) -> str | None:
    """Why the agency cannot edit (or submit) this dossier now, or None: the nomination
    stage's window (a returned dossier also during the recommendation stage), and for
    editing that stage's flag "agencies may edit dossiers"."""
    edition = nomination.edition
    problem = stage_window_problem(edition, StageKind.NOMINATION)
    stage = stage_of(edition, StageKind.NOMINATION)
    if problem and nomination.state == S.RETURNED:
        recommend = stage_of(edition, StageKind.RECOMMENDATION)
        if recommend is not None and stage_window_problem(edition, recommend.kind) is None:
            problem, stage = None, recommend
    if problem:
        return problem
    # The flag governs the nomination stage; a returned dossier is corrected during the
    # recommendation stage because its authority asked for it.
    if editing and stage.kind == StageKind.NOMINATION and not stage.allows_dossier_edit:
        return _("Agencies may not edit dossiers during “%(stage)s”.") % {"stage": stage.name}
    return None


def _ensure_open_for_agency(nomination, *, editing: bool = True):
    problem = _dossier_problem(nomination, editing=editing)
    if problem:
        raise NominationError(problem)


def dossier_window_problem(nomination) -> str:
    """Why the agency cannot edit or submit this dossier today (its dates only), or ""
    if it can: the rule every write checks, for pages to say before a POST is refused."""
    return _dossier_problem(nomination, editing=True) or ""


def recommendation_window_problem(edition) -> str:
    """Why no authority can recommend in this edition today, or "" if they can."""
    try:
        _ensure_authority_window(edition)
    except NominationError as exc:
        return " ".join(exc.messages)
    return ""


def _ensure_authority_window(edition):
    if not edition.uses_recommendation or stage_of(edition, StageKind.RECOMMENDATION) is None:
        raise NominationError(_("This edition has no recommendation by competent authorities."))
    problem = stage_window_problem(edition, StageKind.RECOMMENDATION)
    if problem:
        raise NominationError(problem)


# --- the one transition service -------------------------------------------------------


@transaction.atomic
def nomination_transition(
    *,
    nomination: Nomination,
    to_state: str,
    actor,
    reason: str = "",
    reason_visibility: str | None = None,
    update: dict | None = None,
    data: dict | None = None,
    locked: Nomination | None = None,
    notify: bool = True,
) -> Nomination:
    """`reason_visibility` (NoteVisibility): who may read the reason; by default the
    agency for a return, a finding of ineligibility or a withdrawal, else internal. A
    required reason is always for the agency. `locked`: the row already locked by the
    caller in this transaction (`nomination` then sees the new values too). `notify`:
    False sends no e-mail (the demo loaders, replaying an invented past)."""
    if locked is None:
        locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    from_state = S(locked.state)
    to_state = S(to_state)
    if not NOMINATION_WORKFLOW.allows(from_state, to_state):
        raise NominationError(
            _("A nomination that is “%(from)s” cannot become “%(to)s”.")
            % {"from": from_state.label, "to": to_state.label}
        )
    reason = (reason or "").strip()
    if to_state in REASON_REQUIRED and not reason:
        raise NominationError(_("Give a reason: the agency will read it."))
    if to_state in REASON_REQUIRED or (reason_visibility is None and to_state in REASON_FOR_AGENCY):
        visibility = NoteVisibility.AGENCY
    else:
        visibility = NoteVisibility(reason_visibility or NoteVisibility.INTERNAL)
    if to_state == S.RECOMMENDED:
        update = {"recommended_at": timezone.now(), **(update or {})}
    elif from_state == S.RECOMMENDED and to_state in (S.SUBMITTED, S.RETURNED):
        # the authority takes its recommendation back: the place in the quota is free
        update = {"recommended_at": None, **(update or {})}
    fields = {
        "state_reason": reason,
        "state_reason_visibility": visibility,
        "state_changed_at": timezone.now(),
        **(update or {}),
    }
    NOMINATION_WORKFLOW.apply(
        nomination,
        to_state,
        actor=actor,
        reason=reason,
        update=fields,
        data={**(data or {}), "reason_visibility": visibility.value} if reason else data or {},
        locked=locked,
    )
    if notify:  # into the outbox in this transaction; sent after it commits
        notifications.nomination_changed(locked.pk, from_state, to_state)
    return locked


# --- a category's rubric -----------------------------------------------------------------


@transaction.atomic
def category_rubric_create(*, category: Category, actor=None, **rubric):
    """Create a rubric from plain data (rubrics.services.rubric_create) and make it the
    category's; nothing is saved if it does not add up."""
    created = rubric_create(actor=actor, **rubric)
    category.rubric = created
    category.save(update_fields=["rubric"])
    return created


@transaction.atomic
def category_rubric_clone(*, source, category: Category, actor=None):
    """Copy a rubric (e.g. the previous edition's) and make the copy the category's."""
    clone = rubric_clone(source=source, actor=actor)
    category.rubric = clone
    category.save(update_fields=["rubric"])
    return clone


# --- starting and writing ---------------------------------------------------------------


def dossier_sections_create(nomination) -> list[DossierSection]:
    """The empty sections of a new dossier: the general ones, then one per indicator of
    the category's rubric."""
    edition, category = nomination.edition, nomination.category
    sections = []
    order = 0
    for kind, zh, en, guide_zh, guide_en, required in GENERAL_SECTIONS:
        order += 1
        sections.append(
            DossierSection(
                nomination=nomination,
                kind=kind,
                order=order,
                heading_zh=zh,
                heading_en=en,
                guidance_zh=guide_zh,
                guidance_en=guide_en,
                required=required,
                max_chars=edition.section_max_chars,
            )
        )
    rubric = getattr(category, "rubric", None)
    if rubric is not None:
        for dimension in rubric.dimensions.prefetch_related("indicators"):
            for indicator in dimension.indicators.all():
                order += 1
                sections.append(
                    DossierSection(
                        nomination=nomination,
                        kind=SectionKind.INDICATOR,
                        indicator=indicator,
                        order=order,
                        heading_zh=f"{dimension.name_zh}／{indicator.name_zh}",
                        heading_en=f"{dimension.name_en} / {indicator.name_en}",
                        guidance_zh=indicator.focus_points_zh,
                        guidance_en=indicator.focus_points_en,
                        max_points=indicator.max_points,
                        max_chars=edition.section_max_chars,
                    )
                )
    return DossierSection.objects.bulk_create(sections)


def may_start_another(category: Category, live: int) -> bool:
    """Whether an agency with `live` nominations (not withdrawn) in the category may
    start one more."""
    return live < category.nominations_per_agency


@transaction.atomic
def nomination_start(*, actor, agency: Agency, category: Category, title: str = "") -> Nomination:
    edition = category.edition
    problem = stage_window_problem(edition, StageKind.NOMINATION)
    if problem:
        raise NominationError(problem)
    Agency.objects.select_for_update().get(pk=agency.pk)  # one start at a time per agency
    existing = (
        Nomination.objects.filter(agency=agency, category=category)
        .exclude(state=S.WITHDRAWN)
        .count()
    )
    if not may_start_another(category, existing):
        raise NominationError(
            _("%(agency)s already has a nomination in “%(category)s”.")
            % {"agency": agency.name, "category": category.name}
        )
    nomination = Nomination.objects.create(
        edition=edition,
        category=category,
        agency=agency,
        created_by=actor,
        title=title,
    )
    dossier_sections_create(nomination)
    audit_record(actor=actor, action="nomination.start", obj=nomination, to_state=S.DRAFT)
    return nomination


def _ensure_editable(nomination):
    if nomination.state not in EDITABLE_STATES:
        raise NominationError(
            _("This dossier is “%(state)s” and cannot be changed.")
            % {"state": S(nomination.state).label}
        )
    _ensure_open_for_agency(nomination)


def section_save(*, actor, section: DossierSection, body: str, based_on_version: int):
    """Save a section's text if nobody saved since `based_on_version`; otherwise keep the
    text as a refused revision and raise SaveConflict. Returns the saved section.

    Text over the section's limit is saved too, so nothing typed is lost on a reload: it
    is a draft, the page says by how much it is over, and the checklist (hence submit)
    refuses it until it is shortened.

    Do not wrap a call in an outer transaction that the conflict would roll back: the
    refused text is written after the save's own transaction so that it is kept."""
    body = textformat.normalise(body)
    with transaction.atomic():
        nomination = Nomination.objects.select_related("edition").get(pk=section.nomination_id)
        _ensure_editable(nomination)
        now = timezone.now()
        updated = DossierSection.objects.filter(pk=section.pk, version=based_on_version).update(
            body=body,
            version=F("version") + 1,
            updated_at=now,
            updated_by=actor,
        )
        if updated:
            SectionRevision.objects.create(
                section=section,
                body=body,
                based_on_version=based_on_version,
                accepted=True,
                saved_by=actor,
                saved_at=now,
            )
            section.refresh_from_db()
            return section
    current = DossierSection.objects.select_related("updated_by").get(pk=section.pk)
    if current.body == body:  # the same text is already there (a replayed autosave)
        return current
    SectionRevision.objects.create(
        section=current,
        body=body,
        based_on_version=based_on_version,
        accepted=False,
        saved_by=actor,
    )
    raise SaveConflict(
        section=current,
        current_body=current.body,
        current_version=current.version,
        saved_by=str(current.updated_by or ""),
        saved_at=current.updated_at,
        your_body=body,
    )


def dossier_checklist(nomination) -> list[dict]:
    """Each section with whether it is complete and, if not, why."""
    items = []
    for section in nomination.sections.all():
        count = textformat.char_count(section.body)
        if section.required and not section.body.strip():
            problem = _("Required: not written yet.")
        elif count > section.max_chars:
            problem = _("Too long: %(count)s of %(limit)s characters.") % {
                "count": count,
                "limit": section.max_chars,
            }
        else:
            problem = ""
        items.append({"section": section, "chars": count, "ok": not problem, "problem": problem})
    return items


def nominee_problem(nomination) -> str:
    """Why the nominee (an individual or a team) is not ready to submit, or "": only in
    categories that take individuals or teams."""
    kind = nomination.category.nominee_kind
    if kind == NomineeKind.AGENCY:
        return ""
    nominee = Nominee.objects.filter(nomination=nomination).first()
    if nominee is None:
        if kind == NomineeKind.INDIVIDUAL:
            return _("Nominee: give the officer's name and post.")
        return _("Nominee: give the team's name and its members.")
    if kind == NomineeKind.TEAM and not nominee.members.exists():
        return _("Nominee: a team needs at least one member.")
    return ""


# --- attachments -----------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, actor, nomination: Nomination, upload, section=None) -> Attachment:
    """Store an upload if its content is an accepted type and it fits the limits."""
    nomination = (
        Nomination.objects.select_for_update().select_related("edition").get(pk=nomination.pk)
    )
    _ensure_editable(nomination)
    edition = nomination.edition
    checked = filetypes.check_upload(upload, max_mb=edition.attachment_max_mb)
    if isinstance(checked, str):
        raise NominationError(checked)
    name, kind, size = checked.name, checked.kind, checked.size
    used = (
        nomination.attachments.filter(removed_at__isnull=True).aggregate(total=Sum("size"))["total"]
        or 0
    )
    total_limit = edition.dossier_attachments_max_mb * 1024 * 1024
    if used + size > total_limit:
        raise NominationError(
            _(
                "Adding “%(name)s” would bring this dossier's attachments to %(total)s MB; "
                "the limit is %(limit)s MB."
            )
            % {
                "name": name,
                "total": round((used + size) / 1024 / 1024, 1),
                "limit": edition.dossier_attachments_max_mb,
            }
        )
    attachment = Attachment(
        nomination=nomination,
        section=section,
        original_name=name,
        file_type=kind,
        size=size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="attachment.add",
        obj=nomination,
        data={"name": name, "sha256": attachment.sha256, "size": size},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("edition")
        .get(pk=attachment.nomination_id)
    )
    _ensure_editable(nomination)
    if attachment.removed_at is not None:
        raise NominationError(_("This file has already been removed from the dossier."))
    name, digest = attachment.original_name, attachment.sha256
    cited = any(
        item.get("id") == attachment.pk
        for content in nomination.submissions.values_list("content", flat=True)
        for item in content.get("attachments", [])
    )
    if cited:
        # An earlier submitted version lists this file: keep it for whoever reads that
        # version, and take it out of the dossier being edited.
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
    else:
        storage, path = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(path))
    audit_record(
        actor=actor,
        action="attachment.remove",
        obj=nomination,
        data={"name": name, "sha256": digest, "kept_for_earlier_version": cited},
    )


# --- submission ------------------------------------------------------------------------


def _snapshot_content(nomination, version, submitted_at) -> dict:
    edition, category, agency = nomination.edition, nomination.category, nomination.agency
    local = submitted_at.astimezone(edition.tzinfo)
    return {
        "version": version,
        "submitted_at": local.strftime("%Y-%m-%d %H:%M") + f" ({edition.time_zone})",
        "edition": {"id": edition.pk, "name_zh": edition.name_zh, "name_en": edition.name_en},
        "category": {"id": category.pk, "name_zh": category.name_zh, "name_en": category.name_en},
        "agency": {
            "id": agency.pk,
            "code": agency.code,
            "name_zh": agency.name_zh,
            "name_en": agency.name_en,
        },
        "sections": [
            {
                "id": s.pk,
                "kind": s.kind,
                "indicator": s.indicator_id,
                "heading_zh": s.heading_zh,
                "heading_en": s.heading_en,
                "guidance_zh": s.guidance_zh,
                "guidance_en": s.guidance_en,
                "max_points": s.max_points,
                "body": s.body,
                "version": s.version,
                "html": str(textformat.render(s.body)),
            }
            for s in nomination.sections.all()
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "type": filetypes.LABELS[a.file_type],
                "size": a.size,
                "sha256": a.sha256,
                "section": a.section_id,
            }
            for a in nomination.attachments.all()
            if a.removed_at is None
        ],
    }


@transaction.atomic
def nomination_submit(*, actor, nomination: Nomination) -> Submission:
    """Validate, lock, record the version and its PDF snapshot. A second submission of the
    same dossier (two tabs, a replayed POST) is refused and changes nothing."""
    from .exports import dossier_pdf

    locked = (
        Nomination.objects.select_for_update()
        .select_related("edition", "category", "agency")
        .get(pk=nomination.pk)
    )
    if locked.state not in EDITABLE_STATES:
        raise NominationError(
            _("This dossier has already been submitted (it is “%(state)s”).")
            % {"state": S(locked.state).label}
        )
    _ensure_open_for_agency(locked, editing=False)
    missing = [
        _("“%(section)s”: %(problem)s") % {"section": i["section"].heading, "problem": i["problem"]}
        for i in dossier_checklist(locked)
        if not i["ok"]
    ]
    problem = nominee_problem(locked)
    if problem:
        missing.insert(0, problem)
    if missing:
        raise NominationError(missing)
    version = locked.submissions.count() + 1
    now = timezone.now()
    content = _snapshot_content(locked, version, now)
    pdf_bytes = dossier_pdf(content)
    submission = Submission(
        nomination=locked,
        version=version,
        submitted_at=now,
        submitted_by=actor,
        content=content,
        pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
    )
    submission.pdf.save(f"v{version}.pdf", ContentFile(pdf_bytes), save=False)
    submission.save()
    nomination_transition(
        nomination=nomination,
        locked=locked,
        to_state=S.SUBMITTED,
        actor=actor,
        update={"submitted_at": now, "recommendation_rank": None},
        data={"version": version, "pdf_sha256": submission.pdf_sha256},
    )
    return submission


# --- competent authority ----------------------------------------------------------------


def _in_subtree(nomination, authority) -> bool:
    return agency_is_under(nomination.agency, authority)


@transaction.atomic
def nomination_return(*, actor, nomination: Nomination, authority: Agency, reason: str):
    locked = Nomination.objects.select_related("edition", "agency").get(pk=nomination.pk)
    if not _in_subtree(locked, authority):
        raise NominationError(_("This nomination is not from an agency under your authority."))
    _ensure_authority_window(locked.edition)
    return nomination_transition(
        nomination=locked,
        to_state=S.RETURNED,
        actor=actor,
        reason=reason,
        update={"recommendation_rank": None},
    )


@transaction.atomic
def nominations_recommend(*, actor, authority: Agency, edition, ranking: list[int]) -> None:
    """Set the authority's ranked recommendations for an edition: the nominations in
    `ranking` become recommended with ranks 1..n; any it recommended before and left
    out go back to submitted. All or nothing."""
    _ensure_authority_window(edition)
    if len(set(ranking)) != len(ranking):
        raise NominationError(_("Each nomination can have only one rank."))
    # Recommendations already past the authority's hands (found eligible or not,
    # shortlisted, withdrawn by the agency) still count and keep their ranks.
    kept = (
        Nomination.objects.filter(
            subtree_filter(authority, field="agency"),
            edition=edition,
            recommended_at__isnull=False,
        )
        .exclude(state__in=[S.SUBMITTED, S.RECOMMENDED])
        .count()
    )
    quota = edition.recommendation_quota
    if quota is not None and kept + len(ranking) > quota:
        if kept:
            raise NominationError(
                _(
                    "You recommended %(count)s nominations and %(kept)s recommended earlier "
                    "still count; the quota is %(quota)s."
                )
                % {"count": len(ranking), "kept": kept, "quota": quota}
            )
        raise NominationError(
            _("You recommended %(count)s nominations; the quota is %(quota)s.")
            % {"count": len(ranking), "quota": quota}
        )
    candidates = {
        n.pk: n
        for n in Nomination.objects.select_for_update().filter(
            subtree_filter(authority, field="agency"),
            edition=edition,
            state__in=[S.SUBMITTED, S.RECOMMENDED],
        )
    }
    unknown = [pk for pk in ranking if pk not in candidates]
    if unknown:
        raise NominationError(
            _("Only submitted nominations of agencies under your authority can be recommended.")
        )
    for rank, pk in enumerate(ranking, start=kept + 1):
        nomination = candidates[pk]
        if nomination.state == S.RECOMMENDED:
            if nomination.recommendation_rank != rank:
                old = nomination.recommendation_rank
                nomination.recommendation_rank = rank
                nomination.save(update_fields=["recommendation_rank"])
                audit_record(
                    actor=actor,
                    action="nomination.rerank",
                    obj=nomination,
                    from_state=str(old),
                    to_state=str(rank),
                )
        else:
            nomination_transition(
                nomination=nomination,
                to_state=S.RECOMMENDED,
                actor=actor,
                update={"recommendation_rank": rank},
                data={"rank": rank},
            )
    for pk, nomination in candidates.items():
        if pk not in ranking and nomination.state == S.RECOMMENDED:
            nomination_transition(
                nomination=nomination,
                to_state=S.SUBMITTED,
                actor=actor,
                update={"recommendation_rank": None},
                reason=_("Taken off the ranked recommendations."),
                reason_visibility=NoteVisibility.AGENCY,
            )


# --- secretariat and agency -------------------------------------------------------------


@transaction.atomic
def nomination_mark_eligibility(*, actor, nomination: Nomination, eligible: bool, reason: str = ""):
    locked = Nomination.objects.select_related("edition").get(pk=nomination.pk)
    problem = stage_window_problem(locked.edition, StageKind.ELIGIBILITY_CHECK)
    if problem:
        raise NominationError(problem)
    return nomination_transition(
        nomination=locked,
        to_state=S.ELIGIBLE if eligible else S.INELIGIBLE,
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination, reason: str = ""):
    locked = Nomination.objects.select_related("edition").get(pk=nomination.pk)
    review = _stage(locked.edition, StageKind.WRITTEN_REVIEW)
    today = edition_today(locked.edition)
    if review is not None and today >= review.starts_on:
        raise NominationError(
            _("Written review began on %(day)s; the nomination can no longer be withdrawn.")
            % {"day": review.starts_on.isoformat()}
        )
    return nomination_transition(
        nomination=locked,
        to_state=S.WITHDRAWN,
        actor=actor,
        reason=reason,
        update={"recommendation_rank": None},
    )
