"""Areas of expertise (e.g. 戶政, 地政, 稅務, 醫療, 警政, 觀光): a scheme's list, edited by
the secretariat; the areas a reviewer holds; the service area of an agency. Every change
is audited before -> after. Auto-assignment reads them (assignment.expertise_for)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflow.audit import config_change_record, snapshot

from ..models import AgencyServiceArea, ExpertiseArea

AREA_FIELDS = ["name_zh", "name_en", "order"]


class ExpertiseError(ValidationError):
    """A change to the areas the rules refuse; the message (or, for a field, the
    message_dict) says why, translated."""


def _clean(scheme, name_zh: str, name_en: str, exclude_pk=None) -> tuple[str, str]:
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    errors = {}
    if not name_zh:
        errors["name_zh"] = [_("Enter the area's name in Chinese.")]
    elif len(name_zh) > 100:
        errors["name_zh"] = [_("Keep the name to 100 characters or fewer.")]
    elif (
        ExpertiseArea.objects.filter(scheme_id=getattr(scheme, "pk", scheme), name_zh=name_zh)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name_zh"] = [
            _("The scheme already has an area named “%(name)s”.") % {"name": name_zh}
        ]
    if len(name_en) > 100:
        errors["name_en"] = [_("Keep the name to 100 characters or fewer.")]
    if errors:
        raise ExpertiseError(errors)
    return name_zh, name_en


@transaction.atomic
def expertise_area_create(*, actor, scheme, name_zh: str, name_en: str = "") -> ExpertiseArea:
    name_zh, name_en = _clean(scheme, name_zh, name_en)
    last = ExpertiseArea.objects.filter(scheme=scheme).order_by("-order").first()
    area = ExpertiseArea.objects.create(
        scheme=scheme, name_zh=name_zh, name_en=name_en, order=(last.order + 1) if last else 1
    )
    config_change_record(
        actor=actor,
        action="expertise.area_create",
        obj=area,
        edition_id=None,
        before=None,
        after={"scheme": scheme.pk, **snapshot(area, AREA_FIELDS)},
    )
    return area


@transaction.atomic
def expertise_area_update(*, actor, area: ExpertiseArea, name_zh: str, name_en: str = ""):
    locked = ExpertiseArea.objects.select_for_update().get(pk=area.pk)
    name_zh, name_en = _clean(locked.scheme_id, name_zh, name_en, locked.pk)
    before = snapshot(locked, AREA_FIELDS)
    locked.name_zh, locked.name_en = name_zh, name_en
    locked.save(update_fields=["name_zh", "name_en"])
    config_change_record(
        actor=actor,
        action="expertise.area_update",
        obj=locked,
        edition_id=None,
        before=before,
        after=snapshot(locked, AREA_FIELDS),
    )
    return locked


@transaction.atomic
def expertise_area_delete(*, actor, area: ExpertiseArea) -> None:
    """Delete an area no reviewer holds (an agency's service area in it is cleared).
    Refused while reviewers hold it, naming how many."""
    locked = ExpertiseArea.objects.select_for_update().get(pk=area.pk)
    holders = locked.reviewers.count()
    if holders:
        raise ExpertiseError(
            ngettext(
                "“%(name)s” cannot be deleted: %(count)s reviewer holds it. Remove it from "
                "their areas first.",
                "“%(name)s” cannot be deleted: %(count)s reviewers hold it. Remove it from "
                "their areas first.",
                holders,
            )
            % {"name": locked.name, "count": holders}
        )
    agencies = sorted(locked.agencies.values_list("agency_id", flat=True))
    config_change_record(
        actor=actor,
        action="expertise.area_delete",
        obj=locked,
        edition_id=None,
        before={"scheme": locked.scheme_id, **snapshot(locked, AREA_FIELDS), "agencies": agencies},
        after=None,
    )
    locked.delete()


@transaction.atomic
def reviewer_areas_set(*, actor, user, scheme, areas) -> list[ExpertiseArea]:
    """The areas of `scheme` that `user` holds become exactly `areas`."""
    areas = list(areas)
    if any(a.scheme_id != scheme.pk for a in areas):
        raise ExpertiseError(_("Choose areas of this scheme."))
    current = set(user.expertise_areas.filter(scheme=scheme).values_list("pk", flat=True))
    wanted = {a.pk for a in areas}
    if current == wanted:
        return areas
    through = ExpertiseArea.reviewers.through
    through.objects.filter(user=user, expertisearea__scheme=scheme).exclude(
        expertisearea_id__in=wanted
    ).delete()
    through.objects.bulk_create(
        [through(user=user, expertisearea_id=pk) for pk in sorted(wanted - current)]
    )
    config_change_record(
        actor=actor,
        action="expertise.reviewer_areas",
        obj=user,
        edition_id=None,
        before={"scheme": scheme.pk, "areas": sorted(current)},
        after={"scheme": scheme.pk, "areas": sorted(wanted)},
    )
    return areas


@transaction.atomic
def own_areas_set(*, actor, scheme, area_ids) -> list[ExpertiseArea]:
    """A reviewer or assessor records the areas of `scheme` they hold (reviewer_areas_set
    on themselves, audited the same way). Only through a panel of the scheme they serve
    on (scoring.selectors.own_area_schemes); ids not on the scheme's list (an area
    deleted meanwhile) are refused and nothing changes."""
    from ..selectors import own_area_schemes

    mine = {entry["scheme"].pk: entry for entry in own_area_schemes(actor)}
    if scheme.pk not in mine:
        raise ExpertiseError(
            _("You serve on no panel of this scheme, so you cannot record areas in it.")
        )
    listed = {a.pk: a for a in mine[scheme.pk]["areas"]}
    if any(pk not in listed for pk in area_ids):
        raise ExpertiseError(
            _(
                "An area you ticked is no longer on the scheme's list (the secretariat may "
                "have removed it). Check the list and save again. Nothing was changed."
            )
        )
    return reviewer_areas_set(
        actor=actor, user=actor, scheme=scheme, areas=[listed[pk] for pk in area_ids]
    )


@transaction.atomic
def agency_service_area_set(*, actor, agency, scheme, area: ExpertiseArea | None):
    """The agency's service area in this scheme becomes `area` (None: no area)."""
    if area is not None and area.scheme_id != scheme.pk:
        raise ExpertiseError(_("Choose an area of this scheme."))
    row = AgencyServiceArea.objects.select_for_update().filter(agency=agency, scheme=scheme).first()
    before = row.area_id if row else None
    after = area.pk if area else None
    if before == after:
        return row
    if area is None:
        row.delete()
        row = None
    elif row is None:
        row = AgencyServiceArea.objects.create(agency=agency, scheme=scheme, area=area)
    else:
        row.area = area
        row.save(update_fields=["area"])
    config_change_record(
        actor=actor,
        action="expertise.agency_area",
        obj=agency,
        edition_id=None,
        before={"scheme": scheme.pk, "area": before},
        after={"scheme": scheme.pk, "area": after},
    )
    return row
