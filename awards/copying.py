"""A new edition from a previous one: the edition, its categories with their rubrics and
its stages are copied here; what the layers above keep about an edition (the review
policy and panels in scoring, the poll in surveys, award rules and levels in
awards.results) is copied by hooks those apps register when they are ready
(`edition_copy_register`), so this module imports none of them.

Every write is a service: `edition_copy` runs in one transaction, checks everything
before it writes anything, and files a "copied from" entry first in the new edition's
configuration history (workflow.audit.config_change_record).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from workflow.audit import config_change_record, snapshot

from .models import Category, Edition, Stage, validate_time_zone
from .services import category_rubric_clone

# Stage kinds that must follow each other: each starts after the one before it ends
# (a dossier is written, then recommended, then checked, then reviewed).
SEQUENTIAL_KINDS = ["nomination", "recommendation", "eligibility_check", "written_review"]

EDITION_FIELDS = [
    "time_zone",
    "uses_recommendation",
    "recommendation_quota",
    "section_max_chars",
    "attachment_max_mb",
    "dossier_attachments_max_mb",
]
CATEGORY_FIELDS = [
    "code",
    "kind",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "order",
    "nominations_per_agency",
]
STAGE_FIELDS = [
    "kind",
    "name_zh",
    "name_en",
    "order",
    "allows_dossier_edit",
    "allows_scoring",
    "reviewers_see_others",
    "is_site_visit",
    "reviewers_per_dossier",
    "score_weight",
]


@dataclass
class CopyContext:
    """What a hook gets: the source, the new edition, which new category and stage
    stand for which old one, the options chosen and who is copying."""

    source: Edition
    target: Edition
    categories: dict[int, Category]
    stages: dict[int, Stage]
    actor: object = None
    copy_panels: bool = False
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class EditionCopyHook:
    """preview(source, copy_panels) -> [(label, [lines])]: what will be copied, for the
    preview page. copy(context): copies it (inside the caller's transaction) and adds
    its counts to context.counts."""

    name: str
    preview: Callable[[Edition, bool], list[tuple[str, list[str]]]]
    copy: Callable[[CopyContext], None]


_hooks: list[EditionCopyHook] = []


def edition_copy_register(hook: EditionCopyHook) -> None:
    """Called from the AppConfig.ready of each app above awards."""
    if all(h.name != hook.name for h in _hooks):
        _hooks.append(hook)


def edition_copy_hooks() -> list[EditionCopyHook]:
    return list(_hooks)


def shift_date(day: datetime.date, years: int, days: int) -> datetime.date:
    """`day` moved by whole years (29 February becomes 28 February) and then days."""
    try:
        moved = day.replace(year=day.year + years)
    except ValueError:
        moved = day.replace(year=day.year + years, day=28)
    return moved + datetime.timedelta(days=days)


def next_edition_number(scheme) -> int:
    return (scheme.editions.aggregate(n=Max("number"))["n"] or 0) + 1


def stage_field(stage_pk: int, end: str) -> str:
    """The form field name of a copied stage's date ("starts" or "ends")."""
    return f"stage_{stage_pk}_{end}"


def shifted_stage_dates(source: Edition, years: int, days: int) -> dict[int, tuple]:
    return {
        s.pk: (shift_date(s.starts_on, years, days), shift_date(s.ends_on, years, days))
        for s in source.stages.all()
    }


def stage_date_problems(stages: list[Stage], dates: dict[int, tuple]) -> dict[str, str]:
    """Messages keyed by the date field they concern: an end before its start, and a
    stage of SEQUENTIAL_KINDS that starts before the one before it ends."""
    errors: dict[str, str] = {}
    for stage in stages:
        starts, ends = dates[stage.pk]
        if starts and ends and ends < starts:
            errors[stage_field(stage.pk, "ends")] = _(
                "“%(stage)s” would end (%(ends)s) before it starts (%(starts)s)."
            ) % {"stage": stage.name, "ends": ends.isoformat(), "starts": starts.isoformat()}
    chain = sorted(
        (s for s in stages if s.kind in SEQUENTIAL_KINDS),
        key=lambda s: (SEQUENTIAL_KINDS.index(s.kind), s.order),
    )
    for before, after in zip(chain, chain[1:], strict=False):
        before_ends = dates[before.pk][1]
        after_starts = dates[after.pk][0]
        key = stage_field(after.pk, "starts")
        if before_ends and after_starts and after_starts <= before_ends and key not in errors:
            errors[key] = _(
                "“%(stage)s” would start (%(starts)s) before “%(previous)s” ends (%(ends)s): "
                "these stages must follow each other."
            ) % {
                "stage": after.name,
                "starts": after_starts.isoformat(),
                "previous": before.name,
                "ends": before_ends.isoformat(),
            }
    return errors


def edition_copy_target_problem(scheme, number: int) -> str:
    """Why an edition numbered `number` in `scheme` cannot receive a copy, or "".
    A number nobody uses is fine; so is an existing edition with nothing in it yet."""
    existing = Edition.objects.filter(scheme=scheme, number=number).first()
    if existing is None:
        return ""
    if existing.nominations.exists():
        return _("%(edition)s already has nominations: a copy cannot be made into it.") % {
            "edition": existing.name
        }
    if (
        existing.categories.exists()
        or existing.stages.exists()
        or existing.recorded_participants is not None
    ):
        return _(
            "Edition number %(number)s is already used by %(edition)s. Choose another number."
        ) % {"number": number, "edition": existing.name}
    return ""


@transaction.atomic
def edition_copy(
    *,
    source: Edition,
    actor,
    number: int,
    name_zh: str,
    name_en: str = "",
    year_label: str = "",
    time_zone: str | None = None,
    offset_years: int = 1,
    offset_days: int = 0,
    stage_dates: dict[int, tuple] | None = None,
    copy_panels: bool = False,
) -> Edition:
    """Make the next edition of source's scheme from source: its settings, categories
    (with a copy of each rubric), stages with their dates shifted by the offset (or as
    given in stage_dates, {source stage pk: (starts_on, ends_on)}), and whatever the
    registered hooks copy. Raises ValidationError (a dict keyed by field) and writes
    nothing when anything is wrong. An existing edition is filled only if it is empty."""
    scheme = source.scheme
    errors: dict[str, str] = {}
    time_zone = time_zone or source.time_zone
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages[0]
    problem = edition_copy_target_problem(scheme, number)
    if problem:
        errors["number"] = problem
    if not (name_zh or "").strip():
        errors["name_zh"] = _("Give the new edition a name.")
    stages = list(source.stages.order_by("order", "starts_on", "pk"))
    dates = shifted_stage_dates(source, offset_years, offset_days)
    dates.update({pk: tuple(v) for pk, v in (stage_dates or {}).items() if pk in dates})
    errors.update(stage_date_problems(stages, dates))
    if errors:
        raise ValidationError(errors)

    target = Edition.objects.select_for_update().filter(scheme=scheme, number=number).first()
    values = {
        **{f: getattr(source, f) for f in EDITION_FIELDS},
        "time_zone": time_zone,
        "name_zh": name_zh.strip(),
        "name_en": (name_en or "").strip(),
        "year_label": (year_label or "").strip(),
        "is_demo": False,
    }
    if target is None:
        try:
            with transaction.atomic():
                target = Edition.objects.create(scheme=scheme, number=number, **values)
        except IntegrityError as exc:  # the same number saved a moment ago by someone else
            raise ValidationError(
                {"number": edition_copy_target_problem(scheme, number) or str(exc)}
            ) from exc
    else:
        for key, value in values.items():
            setattr(target, key, value)
        target.save(update_fields=list(values))

    categories: dict[int, Category] = {}
    for category in source.categories.select_related("rubric").order_by("order", "pk"):
        new = Category.objects.create(
            edition=target, **{f: getattr(category, f) for f in CATEGORY_FIELDS}
        )
        rubric = getattr(category, "rubric", None)
        if rubric is not None:
            category_rubric_clone(source=rubric, category=new, actor=actor)
        categories[category.pk] = new
    new_stages: dict[int, Stage] = {}
    for stage in stages:
        starts, ends = dates[stage.pk]
        new_stages[stage.pk] = Stage.objects.create(
            edition=target,
            starts_on=starts,
            ends_on=ends,
            **{f: getattr(stage, f) for f in STAGE_FIELDS},
        )
    context = CopyContext(
        source=source,
        target=target,
        categories=categories,
        stages=new_stages,
        actor=actor,
        copy_panels=copy_panels,
        counts={
            "categories": len(categories),
            "rubrics": sum(1 for c in categories.values() if c.rubric_id),
            "stages": len(new_stages),
        },
    )
    for hook in _hooks:
        hook.copy(context)
    config_change_record(
        actor=actor,
        action="edition.copy",
        obj=target,
        edition_id=target.pk,
        before=None,
        after={
            "copied_from": source.pk,
            "copied_from_name": source.name,
            **snapshot(target, ["number", "name_zh", "name_en", "year_label", *EDITION_FIELDS]),
            "offset_years": offset_years,
            "offset_days": offset_days,
            "copy_panels": copy_panels,
            "counts": context.counts,
        },
        reason=_("Copied from %(edition)s") % {"edition": source.name},
    )
    return target


def model_values(obj, exclude: tuple[str, ...] = ()) -> dict:
    """The concrete fields of obj (foreign keys by their id) but its primary key and the
    names in `exclude`: what a hook copies, so fields added later are copied too."""
    values = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in exclude or f.attname in exclude:
            continue
        values[f.attname] = getattr(obj, f.attname)
    return values
