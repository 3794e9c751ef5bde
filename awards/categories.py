"""An edition's categories, as the secretariat configures them in the app (no Django
admin): add one, or change its names, kind, description, order and the nominations an
agency may make in it. Each change is audited with before → after values under the
edition's configuration history.

The kind says whom a category takes (Category.nominee_kind: the agency itself, a team or
an individual officer), so it cannot change once a nomination exists: a dossier started
for the agency would have no nominee, and a team's would keep members no one asked for.
A category's rubric is shaped in the rubric editor (awards.rubric_views)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from workflow.audit import config_change_record, snapshot

from .copying import CATEGORY_FIELDS  # the same fields an edition's copy carries
from .enums import CategoryKind
from .models import Category, Edition, Nomination

CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PER_AGENCY = 50


class CategoryError(Exception):
    """A refused category change: {field: [messages]} ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def category_problems(edition: Edition, values: dict, category: Category | None = None) -> dict:
    """What is wrong with these values for a new category (category None) or a change of
    `category`, field by field; empty when they can be saved."""
    errors: dict[str, list[str]] = {}
    code = values.get("code") or ""
    if not code:
        _add(errors, "code", _("Give the category a short code, e.g. team-award."))
    elif not CODE.match(code):
        _add(
            errors,
            "code",
            _("Use lower-case letters, digits and single hyphens only, e.g. team-award."),
        )
    elif (
        Category.objects.filter(edition=edition, code=code)
        .exclude(pk=category.pk if category else None)
        .exists()
    ):
        _add(
            errors,
            "code",
            _("Another category of this edition has the code “%(code)s”.") % {"code": code},
        )
    if not (values.get("name_zh") or "").strip():
        _add(errors, "name_zh", _("Give the category's name in Chinese."))
    kind = values.get("kind") or ""
    if kind not in CategoryKind.values:
        _add(errors, "kind", _("Choose what the category awards."))
    elif category is not None and kind != category.kind:
        count = Nomination.objects.filter(category=category).count()
        if count and Category(kind=kind).nominee_kind != category.nominee_kind:
            _add(
                errors,
                "kind",
                _(
                    "The kind cannot change from “%(old)s” to “%(new)s”: %(count)s "
                    "nomination(s) were made for the category as it is, and would "
                    "take a different nominee."
                )
                % {
                    "old": category.get_kind_display(),
                    "new": CategoryKind(kind).label,
                    "count": count,
                },
            )
    per_agency = values.get("nominations_per_agency")
    if per_agency is None or not 1 <= per_agency <= MAX_PER_AGENCY:
        _add(
            errors,
            "nominations_per_agency",
            _("An agency may make from 1 to %(max)s nominations in a category.")
            % {"max": MAX_PER_AGENCY},
        )
    elif category is not None and per_agency < category.nominations_per_agency:
        most = _most_per_agency(category)
        if per_agency < most:
            _add(
                errors,
                "nominations_per_agency",
                _(
                    "An agency already has %(most)s nominations in this category: the "
                    "limit cannot go below that."
                )
                % {"most": most},
            )
    order = values.get("order")
    if order is None or order < 0:
        _add(errors, "order", _("Give the category's place in lists, 0 or more."))
    return errors


def _most_per_agency(category: Category) -> int:
    from django.db.models import Count

    row = (
        Nomination.objects.filter(category=category)
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row["n"] if row else 0


def _clean(values: dict) -> dict:
    out = {f: values.get(f) for f in CATEGORY_FIELDS}
    for f in ("code", "name_zh", "name_en", "description_zh", "description_en"):
        out[f] = (out[f] or "").strip()
    return out


def category_save(*, actor, edition: Edition, values: dict, category: Category | None = None):
    """Add a category to `edition` (category None) or change `category`; audited with
    before → after. Refused with CategoryError, and nothing changed, when
    category_problems has anything to say."""
    values = _clean(values)
    with transaction.atomic():
        if category is not None:
            category = Category.objects.select_for_update().get(pk=category.pk)
        errors = category_problems(edition, values, category)
        if errors:
            raise CategoryError(errors)
        before = snapshot(category, CATEGORY_FIELDS) if category is not None else None
        if category is None:
            category = Category(edition=edition)
        for field, value in values.items():
            setattr(category, field, value)
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError as exc:  # the same code saved by another tab meanwhile
            raise CategoryError(
                {
                    "code": [
                        _("Another category of this edition has the code “%(code)s”.")
                        % {"code": values["code"]}
                    ]
                }
            ) from exc
        config_change_record(
            actor=actor,
            action="config.category_add" if before is None else "config.category_change",
            obj=category,
            edition_id=edition.pk,
            before=before,
            after=snapshot(category, CATEGORY_FIELDS),
        )
    return category
