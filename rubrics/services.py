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
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from workflow.audit import audit_record, config_change_record, snapshot

from .models import Dimension, Indicator, Rubric

# Checks that say "this rubric has been used, it must not change". Registered by the
# apps above (scoring.apps.ScoringConfig.ready: scores exist; awards.apps.AwardsConfig.ready:
# a dossier has been submitted on it); each takes a saved rubric, and comes with the
# reason shown when it holds.
_freeze_checks: list[tuple[Callable[[Rubric], bool], Callable[[], str] | None]] = []


def rubric_freeze_check_register(
    check: Callable[[Rubric], bool], reason: Callable[[], str] | None = None
) -> None:
    """Register a freeze check; `reason` gives the (translated) sentence that says why."""
    if all(existing is not check for existing, _reason in _freeze_checks):
        _freeze_checks.append((check, reason))


class RubricFrozen(ValidationError):
    """Raised when a rubric that already has been used would change."""


def _default_frozen_reason() -> str:
    return _(
        "This rubric is frozen: reviewers have already scored with it, so it can no longer change."
    )


def rubric_frozen_reason(rubric: Rubric) -> str | None:
    """Why the rubric may no longer change, or None while it may."""
    if not rubric.pk:
        return None
    for check, reason in _freeze_checks:
        if check(rubric):
            return reason() if reason else _default_frozen_reason()
    return None


def rubric_is_frozen(rubric: Rubric) -> bool:
    return rubric_frozen_reason(rubric) is not None


def rubric_ensure_editable(rubric: Rubric) -> None:
    reason = rubric_frozen_reason(rubric)
    if reason:
        raise RubricFrozen(reason)


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


# --- the rubric editor ------------------------------------------------------------------
#
# The editor sends the whole rubric as plain data and `rubric_save` writes it in one
# transaction: dimensions and indicators created, changed, reordered (their position in
# the lists) and removed, each change audited before → after (workflow.audit.
# config_change_record). Errors are keyed by the editor's field names, so the page shows
# each beside its field:
#   "total_points", "d<n>-name_zh", "d<n>-max_points", "d<n>-i<m>-max_points",
#   "d<n>-i<m>-fp<k>-zh" / "-en" (n, m, k count from 0 in the order given).

DIMENSION_FIELDS = ["order", "name_zh", "name_en", "max_points", "tie_break_rank"]
INDICATOR_FIELDS = [
    "dimension_id",
    "order",
    "name_zh",
    "name_en",
    "max_points",
    "focus_points_zh",
    "focus_points_en",
]


class RubricEditError(ValidationError):
    """The rubric as typed is refused; `field_errors` maps editor field names to messages
    and `messages` lists them all. Nothing was saved."""

    def __init__(self, field_errors: dict[str, list[str]]):
        self.field_errors = field_errors
        super().__init__([m for messages in field_errors.values() for m in messages])


class RubricStale(ValidationError):
    """The rubric changed since the editor was opened (someone else saved it)."""


def focus_points_pairs(indicator: Indicator) -> list[tuple[str, str]]:
    """An indicator's focus points as (Chinese, English) pairs, line by line."""
    zh = [line.strip() for line in indicator.focus_points_zh.splitlines() if line.strip()]
    en = [line.strip() for line in indicator.focus_points_en.splitlines() if line.strip()]
    size = max(len(zh), len(en))
    zh += [""] * (size - len(zh))
    en += [""] * (size - len(en))
    return list(zip(zh, en, strict=True))


def _points_errors(value, *, what: str) -> list[str]:
    if value is None:
        return [_("Enter a whole number of points.")]
    if value <= 0:
        return [
            _("%(what)s must be worth at least 1 point; %(value)s is not allowed.")
            % {"what": what, "value": value}
        ]
    return []


def rubric_edit_check(data: dict) -> dict[str, list[str]]:
    """Every problem of the rubric as typed (see the section comment), keyed by field
    name; empty when it can be saved. `data`: {"total_points": int | None, "dimensions":
    [{"id", "name_zh", "name_en", "max_points", "indicators": [{"id", "name_zh",
    "name_en", "max_points", "focus_points": [(zh, en), ...]}]}]}; a number that could
    not be read is None."""
    errors: dict[str, list[str]] = {}

    def add(key, messages):
        if messages:
            errors.setdefault(key, []).extend(messages)

    add("total_points", _points_errors(data.get("total_points"), what=_("The rubric")))
    dimensions = data.get("dimensions", [])
    if not dimensions:
        add("total_points", [_("A rubric needs at least one dimension.")])
    for n, dim in enumerate(dimensions):
        label = dim["name_zh"].strip() or _("Dimension %(n)s") % {"n": n + 1}
        if not dim["name_zh"].strip():
            add(f"d{n}-name_zh", [_("Enter the dimension's Chinese name.")])
        add(
            f"d{n}-max_points",
            _points_errors(dim["max_points"], what=_("Dimension “%(name)s”") % {"name": label}),
        )
        for m, ind in enumerate(dim["indicators"]):
            ind_label = ind["name_zh"].strip() or _("Indicator %(n)s") % {"n": m + 1}
            if not ind["name_zh"].strip():
                add(f"d{n}-i{m}-name_zh", [_("Enter the indicator's Chinese name.")])
            add(
                f"d{n}-i{m}-max_points",
                _points_errors(
                    ind["max_points"], what=_("Indicator “%(name)s”") % {"name": ind_label}
                ),
            )
            for k, (zh, en) in enumerate(ind["focus_points"]):
                zh, en = zh.strip(), en.strip()
                if zh and not en:
                    add(
                        f"d{n}-i{m}-fp{k}-en",
                        [
                            _(
                                "Focus point %(k)s of “%(indicator)s” is empty in English: "
                                "write it in both languages, or clear both."
                            )
                            % {"k": k + 1, "indicator": ind_label}
                        ],
                    )
                elif en and not zh:
                    add(
                        f"d{n}-i{m}-fp{k}-zh",
                        [
                            _(
                                "Focus point %(k)s of “%(indicator)s” is empty in Chinese: "
                                "write it in both languages, or clear both."
                            )
                            % {"k": k + 1, "indicator": ind_label}
                        ],
                    )
    if errors:
        return errors
    # The arithmetic, by the check every rubric goes through: one dimension at a time,
    # so each message sits beside its dimension, then the dimensions against the total.
    for n, dim in enumerate(dimensions):
        add(
            f"d{n}-max_points",
            rubric_check_totals(
                total_points=dim["max_points"],
                dimensions=[
                    (
                        dim["name_zh"].strip(),
                        dim["max_points"],
                        [i["max_points"] for i in dim["indicators"]],
                    )
                ],
            ),
        )
    add(
        "total_points",
        rubric_check_totals(
            total_points=data["total_points"],
            dimensions=[(d["name_zh"], d["max_points"], [d["max_points"]]) for d in dimensions],
        ),
    )
    return errors


def rubric_data(rubric: Rubric) -> dict:
    """A saved rubric in the editor's plain form (the inverse of what rubric_save takes).
    Reads the prefetched dimensions and indicators (rubrics.selectors.rubric_for_display)."""
    return {
        "total_points": rubric.total_points,
        "dimensions": [
            {
                "id": d.pk,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "max_points": d.max_points,
                "indicators": [
                    {
                        "id": i.pk,
                        "name_zh": i.name_zh,
                        "name_en": i.name_en,
                        "max_points": i.max_points,
                        "focus_points": focus_points_pairs(i),
                    }
                    for i in d.indicators.all()
                ],
            }
            for d in rubric.dimensions.all()
        ],
    }


def _focus_text(pairs, index: int) -> str:
    return "\n".join(p[index].strip() for p in pairs if p[0].strip() or p[1].strip())


@transaction.atomic
def rubric_save(
    *,
    rubric: Rubric,
    data: dict,
    based_on_revision: int,
    actor=None,
    edition_id: int | None = None,
) -> Rubric:
    """Write the whole rubric as the editor sends it (see rubric_edit_check for `data`).

    Refused, with nothing changed: a frozen rubric (RubricFrozen, with the reason); a
    rubric saved by someone else since `based_on_revision` was read (RubricStale); any
    problem of rubric_edit_check (RubricEditError, keyed by field). Every created,
    changed, moved or removed dimension and indicator is audited before → after under
    `edition_id`, and the rubric's revision grows by one."""
    locked = Rubric.objects.select_for_update().get(pk=rubric.pk)
    rubric_ensure_editable(locked)
    if locked.revision != based_on_revision:
        raise RubricStale(
            _(
                "Someone else saved this rubric while you were editing it, so your changes "
                "were not saved. They are still in the form below: compare them with the "
                "current rubric (open it again in a new tab) and save again."
            )
        )
    errors = rubric_edit_check(data)
    if errors:
        raise RubricEditError(errors)

    dimensions = {d.pk: d for d in locked.dimensions.all()}
    indicators = {i.pk: i for i in Indicator.objects.filter(dimension__rubric=locked)}
    kept_dimensions, kept_indicators = set(), set()
    for d in data["dimensions"]:
        if d.get("id") is not None and d["id"] not in dimensions:
            raise RubricStale(_("The rubric changed while you were editing it; open it again."))
        for i in d["indicators"]:
            if i.get("id") is not None and i["id"] not in indicators:
                raise RubricStale(_("The rubric changed while you were editing it; open it again."))

    def record(action, obj, before, after):
        config_change_record(
            actor=actor, action=action, obj=obj, edition_id=edition_id, before=before, after=after
        )

    rubric_before = snapshot(locked, ["total_points"])
    locked.total_points = data["total_points"]
    locked.revision += 1
    locked.save(update_fields=["total_points", "revision"])
    record("rubric.update", locked, rubric_before, snapshot(locked, ["total_points"]))

    for d_order, d in enumerate(data["dimensions"], start=1):
        values = {
            "order": d_order,
            "name_zh": d["name_zh"].strip(),
            "name_en": d["name_en"].strip(),
            "max_points": d["max_points"],
        }
        if d.get("id") is None:
            dimension = Dimension.objects.create(rubric=locked, **values)
            record(
                "rubric.dimension.create", dimension, None, snapshot(dimension, DIMENSION_FIELDS)
            )
        else:
            dimension = dimensions[d["id"]]
            before = snapshot(dimension, DIMENSION_FIELDS)
            for key, value in values.items():
                setattr(dimension, key, value)
            dimension.save(update_fields=list(values))
            record(
                "rubric.dimension.update", dimension, before, snapshot(dimension, DIMENSION_FIELDS)
            )
        kept_dimensions.add(dimension.pk)
        for i_order, i in enumerate(d["indicators"], start=1):
            values = {
                "dimension_id": dimension.pk,
                "order": i_order,
                "name_zh": i["name_zh"].strip(),
                "name_en": i["name_en"].strip(),
                "max_points": i["max_points"],
                "focus_points_zh": _focus_text(i["focus_points"], 0),
                "focus_points_en": _focus_text(i["focus_points"], 1),
            }
            if i.get("id") is None:
                indicator = Indicator.objects.create(**values)
                record(
                    "rubric.indicator.create",
                    indicator,
                    None,
                    snapshot(indicator, INDICATOR_FIELDS),
                )
            else:
                indicator = indicators[i["id"]]
                before = snapshot(indicator, INDICATOR_FIELDS)
                for key, value in values.items():
                    setattr(indicator, key, value)
                indicator.save(update_fields=list(values))
                record(
                    "rubric.indicator.update",
                    indicator,
                    before,
                    snapshot(indicator, INDICATOR_FIELDS),
                )
            kept_indicators.add(indicator.pk)

    for pk, indicator in indicators.items():
        if pk not in kept_indicators:
            before = snapshot(indicator, INDICATOR_FIELDS)
            record("rubric.indicator.delete", indicator, before, None)
            try:
                with transaction.atomic():
                    indicator.delete()
            except ProtectedError as exc:
                raise RubricFrozen(
                    _(
                        "Indicator “%(name)s” cannot be removed: dossiers have already "
                        "been started with a section for it."
                    )
                    % {"name": indicator.name_zh}
                ) from exc
    for pk, dimension in dimensions.items():
        if pk not in kept_dimensions:
            record(
                "rubric.dimension.delete", dimension, snapshot(dimension, DIMENSION_FIELDS), None
            )
            dimension.delete()
    rubric_validate(locked)
    rubric.revision = locked.revision
    rubric.total_points = locked.total_points
    return locked


@transaction.atomic
def rubric_create_empty(*, total_points: int = 100, actor=None) -> Rubric:
    """A new rubric with one dimension and one indicator, both worth the whole total,
    to be shaped in the editor."""
    return rubric_create(
        actor=actor,
        total_points=total_points,
        dimensions=[
            {
                "name_zh": "評核構面",
                "name_en": "Dimension",
                "max_points": total_points,
                "indicators": [
                    {"name_zh": "評核指標", "name_en": "Indicator", "max_points": total_points}
                ],
            }
        ],
    )
