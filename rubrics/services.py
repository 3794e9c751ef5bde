"""Writes for rubrics: validation of the arithmetic, cloning, and the freeze rule.

A rubric is frozen once anything has been scored with it. What counts as "scored" is
known to the layers above (scoring), not here: they register a check with
`rubric_freeze_check_register` when their app is ready, so this layer imports none of them.
Attaching a rubric to a category of the cycle is done in awards (category_rubric_create).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.audit import audit_record

from .models import Dimension, Indicator, Rubric

# Checks that say "this rubric has been used, it must not change". Registered by the
# apps above (scoring.apps.ScoringConfig.ready); each takes a saved rubric.
_freeze_checks: list[Callable[[Rubric], bool]] = []


def rubric_freeze_check_register(check: Callable[[Rubric], bool]) -> None:
    if check not in _freeze_checks:
        _freeze_checks.append(check)


class RubricFrozen(ValidationError):
    """Raised when a rubric that already has scores would change."""


def rubric_is_frozen(rubric: Rubric) -> bool:
    return any(check(rubric) for check in _freeze_checks)


def rubric_ensure_editable(rubric: Rubric) -> None:
    if rubric.pk and rubric_is_frozen(rubric):
        raise RubricFrozen(
            _(
                "This rubric is frozen: reviewers have already scored with it, "
                "so it can no longer change."
            )
        )


def rubric_check_totals(
    *, total_points: int, dimensions: list[tuple[str, int, list[int]]]
) -> list[str]:
    """Check the arithmetic of a rubric given as plain data.

    `dimensions` is [(dimension name, dimension points, [indicator points, ...]), ...].
    Returns a list of messages, each naming what does not add up; empty when all is well.
    """
    errors = []
    for name, points, indicator_points in dimensions:
        if not indicator_points:
            errors.append(_("Dimension “%(name)s” has no indicators.") % {"name": name})
            continue
        subtotal = sum(indicator_points)
        if subtotal != points:
            errors.append(
                _(
                    "Dimension “%(name)s”: its indicators add up to %(sum)s, "
                    "but the dimension is worth %(points)s."
                )
                % {"name": name, "sum": subtotal, "points": points}
            )
    dimension_total = sum(points for _name, points, _ind in dimensions)
    if dimension_total != total_points:
        errors.append(
            _("The dimensions add up to %(sum)s, but the rubric total is %(total)s.")
            % {"sum": dimension_total, "total": total_points}
        )
    return errors


def rubric_validate(rubric: Rubric) -> None:
    """Raise ValidationError naming each dimension (or the total) that does not add up."""
    dims = rubric.dimensions.prefetch_related("indicators")
    errors = rubric_check_totals(
        total_points=rubric.total_points,
        dimensions=[
            (d.name, d.max_points, [i.max_points for i in d.indicators.all()]) for d in dims
        ],
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rubric_create(
    *,
    total_points: int,
    dimensions: list[dict],
    actor=None,
    allows_half_points: bool = False,
) -> Rubric:
    """Create a whole rubric from plain data and validate it; nothing is saved if it
    does not add up. Each dimension dict: name_zh, name_en, max_points, indicators=[
    {name_zh, name_en, max_points, focus_points_zh, focus_points_en}]."""
    rubric = Rubric.objects.create(total_points=total_points, allows_half_points=allows_half_points)
    for d_order, dim in enumerate(dimensions, start=1):
        indicators = dim.get("indicators", [])
        dimension = Dimension.objects.create(
            rubric=rubric,
            order=d_order,
            name_zh=dim["name_zh"],
            name_en=dim.get("name_en", ""),
            max_points=dim["max_points"],
        )
        Indicator.objects.bulk_create(
            Indicator(
                dimension=dimension,
                order=i_order,
                name_zh=ind["name_zh"],
                name_en=ind.get("name_en", ""),
                max_points=ind["max_points"],
                focus_points_zh=ind.get("focus_points_zh", ""),
                focus_points_en=ind.get("focus_points_en", ""),
            )
            for i_order, ind in enumerate(indicators, start=1)
        )
    rubric_validate(rubric)
    audit_record(actor=actor, action="rubric.create", obj=rubric, to_state=str(total_points))
    return rubric


@transaction.atomic
def rubric_clone(*, source: Rubric, actor=None) -> Rubric:
    """Copy a rubric (e.g. from the previous edition) with its dimensions and indicators."""
    clone = Rubric.objects.create(
        total_points=source.total_points,
        allows_half_points=source.allows_half_points,
        cloned_from=source,
    )
    for dim in source.dimensions.prefetch_related("indicators"):
        new_dim = Dimension.objects.create(
            rubric=clone,
            order=dim.order,
            name_zh=dim.name_zh,
            name_en=dim.name_en,
            max_points=dim.max_points,
        )
        Indicator.objects.bulk_create(
            Indicator(
                dimension=new_dim,
                order=ind.order,
                name_zh=ind.name_zh,
                name_en=ind.name_en,
                max_points=ind.max_points,
                focus_points_zh=ind.focus_points_zh,
                focus_points_en=ind.focus_points_en,
            )
            for ind in dim.indicators.all()
        )
    audit_record(actor=actor, action="rubric.clone", obj=clone, data={"source_rubric": source.pk})
    return clone


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor=None, **fields) -> Indicator:
    """Change an indicator; refused once the rubric is frozen or if totals break."""
    rubric = indicator.dimension.rubric
    rubric_ensure_editable(rubric)
    before = {k: getattr(indicator, k) for k in fields}
    for key, value in fields.items():
        setattr(indicator, key, value)
    indicator.full_clean()
    indicator.save(update_fields=list(fields))
    rubric_validate(rubric)
    audit_record(
        actor=actor,
        action="indicator.update",
        obj=indicator,
        data={k: [str(before[k]), str(v)] for k, v in fields.items()},
    )
    return indicator


@transaction.atomic
def dimension_update(*, dimension: Dimension, actor=None, **fields) -> Dimension:
    rubric_ensure_editable(dimension.rubric)
    before = {k: getattr(dimension, k) for k in fields}
    for key, value in fields.items():
        setattr(dimension, key, value)
    dimension.full_clean()
    dimension.save(update_fields=list(fields))
    rubric_validate(dimension.rubric)
    audit_record(
        actor=actor,
        action="dimension.update",
        obj=dimension,
        data={k: [str(before[k]), str(v)] for k, v in fields.items()},
    )
    return dimension
