"""Writes for an edition's stage timetable: dates, flags and the recommendation quota,
and extending a stage's window. Each change is audited with before → after values
(workflow.audit.config_change_record); a refusal changes nothing."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.audit import config_change_record, snapshot

from .enums import StageKind
from .models import Edition, Stage

# The stages that follow each other, in this order: one may begin on the day the one
# before it ends, never earlier. The others (poll, exhibition, ceremony, results
# sharing) may overlap anything.
SEQUENCE = [
    StageKind.NOMINATION,
    StageKind.RECOMMENDATION,
    StageKind.ELIGIBILITY_CHECK,
    StageKind.WRITTEN_REVIEW,
    StageKind.SHORTLISTING,
    StageKind.SITE_VISIT,
    StageKind.PANEL_PRESENTATION,
    StageKind.APPROVAL,
]
STAGE_FIELDS = [
    "starts_on",
    "ends_on",
    "allows_dossier_edit",
    "allows_scoring",
    "reviewers_see_others",
    "is_site_visit",
]


class TimetableError(ValidationError):
    """What was asked is refused; `error_dict` keys are "<stage pk>-<field>" or a field
    of the edition, each with translated messages."""


def timetable_problems(stages: list[Stage]) -> dict[str, list[str]]:
    """Problems with a timetable (stages carrying the dates to check), keyed by
    "<stage pk>-<field>"."""
    errors: dict[str, list[str]] = {}
    for s in stages:
        if s.starts_on and s.ends_on and s.ends_on < s.starts_on:
            errors.setdefault(f"{s.pk}-ends_on", []).append(
                _("“%(stage)s” cannot end (%(end)s) before it starts (%(start)s).")
                % {"stage": s.name, "end": s.ends_on, "start": s.starts_on}
            )
    ordered = sorted(
        (s for s in stages if s.kind in SEQUENCE),
        key=lambda s: (SEQUENCE.index(s.kind), s.order),
    )
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.starts_on < before.ends_on:
            errors.setdefault(f"{after.pk}-starts_on", []).append(
                _("“%(stage)s” cannot start before “%(previous)s” ends (%(end)s).")
                % {"stage": after.name, "previous": before.name, "end": before.ends_on}
            )
    return errors


STALE = "stale"


def timetable_fingerprint(edition: Edition, stages: list[Stage]) -> str:
    """A short digest of the timetable as a page showed it: a save made from a page
    whose digest no longer matches would overwrite someone else's change."""
    state = {
        "quota": edition.recommendation_quota,
        "stages": sorted([s.pk, *(str(getattr(s, f)) for f in STAGE_FIELDS)] for s in stages),
    }
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


@transaction.atomic
def timetable_update(
    *, actor, edition: Edition, rows: dict[int, dict], recommendation_quota, seen: str = ""
) -> list[Stage]:
    """Set each stage's dates and flags (`rows`: stage pk -> values of STAGE_FIELDS) and
    the edition's recommendation quota (None: no limit), all or nothing. `seen` is the
    timetable_fingerprint of what the user saw: if the timetable changed since, nothing
    is saved (the error's code is STALE)."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    stages = list(Stage.objects.select_for_update().filter(edition=edition).order_by("order"))
    if seen and seen != timetable_fingerprint(edition, stages):
        raise TimetableError(
            _(
                "Someone else changed this timetable after you opened the page, so nothing "
                "was saved. Your entries are kept below; the configuration history shows "
                "their change. Save again to replace it with yours."
            ),
            code=STALE,
        )
    errors: dict[str, list[str]] = {}
    if recommendation_quota is not None and recommendation_quota < 0:
        errors["recommendation_quota"] = [
            _("The quota cannot be negative: give 0 or more, or leave it blank for no limit.")
        ]
    before = {s.pk: snapshot(s, STAGE_FIELDS) for s in stages}
    for s in stages:
        for key, value in rows.get(s.pk, {}).items():
            if key in STAGE_FIELDS:
                setattr(s, key, value)
    errors.update(timetable_problems(stages))
    if errors:
        raise TimetableError(errors)
    for s in stages:
        after = snapshot(s, STAGE_FIELDS)
        if after != before[s.pk]:
            s.save(update_fields=STAGE_FIELDS)
            config_change_record(
                actor=actor,
                action="stage.update",
                obj=s,
                edition_id=edition.pk,
                before=before[s.pk],
                after=after,
            )
    old_quota = snapshot(edition, ["recommendation_quota"])
    edition.recommendation_quota = recommendation_quota
    if snapshot(edition, ["recommendation_quota"]) != old_quota:
        edition.save(update_fields=["recommendation_quota"])
        config_change_record(
            actor=actor,
            action="edition.quota",
            obj=edition,
            edition_id=edition.pk,
            before=old_quota,
            after=snapshot(edition, ["recommendation_quota"]),
        )
    return stages


@transaction.atomic
def stage_extend(*, actor, stage: Stage, ends_on: datetime.date | None, reason: str) -> Stage:
    """Move a stage's end later, with a reason (audited). The next stages must still
    follow it."""
    reason = (reason or "").strip()
    stage = Stage.objects.select_for_update().select_related("edition").get(pk=stage.pk)
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the window is extended: it is kept in the history.")]
    if ends_on is None:
        errors["ends_on"] = [_("Give the new last day.")]
    elif ends_on <= stage.ends_on:
        errors["ends_on"] = [
            _("An extension must end after the current last day (%(day)s).")
            % {"day": stage.ends_on}
        ]
    if not errors:
        stages = list(Stage.objects.filter(edition=stage.edition_id))
        for s in stages:
            if s.pk == stage.pk:
                s.ends_on = ends_on
        problems = timetable_problems(stages)
        if problems:
            errors["ends_on"] = [m for messages in problems.values() for m in messages]
    if errors:
        raise TimetableError(errors)
    before = snapshot(stage, ["ends_on"])
    stage.ends_on = ends_on
    stage.save(update_fields=["ends_on"])
    config_change_record(
        actor=actor,
        action="stage.extend",
        obj=stage,
        edition_id=stage.edition_id,
        before=before,
        after=snapshot(stage, ["ends_on"]),
        reason=reason,
    )
    return stage
