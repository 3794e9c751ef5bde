"""Reads of the configuration area: an edition's configuration at a glance, the
preview of a copy, and the edition's configuration history."""

from __future__ import annotations

import json

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rubrics.models import Dimension, Indicator
from workflow.models import AuditEntry

from .copying import edition_copy_hooks
from .models import Category, Edition, Stage

# Keys of the "copied from" entry that are no model field.
EXTRA_LABELS = {
    "copied_from": _("copied from (edition id)"),
    "copied_from_name": _("copied from"),
    "offset_years": _("dates shifted by (years)"),
    "offset_days": _("dates shifted by (days)"),
    "copy_panels": _("panels copied"),
    "counts": _("what was copied"),
}
# The keys of "what was copied".
COUNT_LABELS = {
    "categories": _("categories"),
    "rubrics": _("rubrics"),
    "stages": _("stages"),
    "review_policy": _("review policy"),
    "panels": _("panels"),
    "panel_members": _("panel members"),
    "award_rules": _("award rules"),
    "award_levels": _("award levels"),
    "poll": _("telephone poll"),
}


def edition_configuration(pk: int) -> Edition:
    """The edition with its stages and its categories' rubrics down to the indicators
    (focus points included), in a fixed number of queries."""
    return (
        Edition.objects.select_related("scheme")
        .annotate(nomination_count=Count("nominations"))
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order", "starts_on", "pk")),
            Prefetch(
                "categories",
                queryset=Category.objects.select_related("rubric").order_by("order", "code"),
            ),
            Prefetch(
                "categories__rubric__dimensions",
                queryset=Dimension.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))
                ),
            ),
        )
        .get(pk=pk)
    )


def edition_other_sections(edition: Edition, *, copy_panels: bool = False) -> list:
    """[(label, [lines])] from the apps above awards (review policy, panels, award
    rules and levels, certificate template, poll), as their copy hooks describe them."""
    sections = []
    for hook in edition_copy_hooks():
        sections.extend(hook.preview(edition, copy_panels))
    return sections


def configuration_history(edition_pk: int, scheme_pk: int | None = None) -> QuerySet[AuditEntry]:
    """Every configuration change filed under the edition (and, given its scheme, every
    change of the scheme's own settings), and every entry on the edition itself, newest
    first."""
    scheme = Q(data__config=True, data__scheme=scheme_pk) if scheme_pk else Q(pk__in=[])
    return (
        AuditEntry.objects.filter(
            Q(data__config=True, data__edition=edition_pk)
            | scheme
            | Q(object_type="awards.edition", object_id=str(edition_pk))
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def _field_label(model, key: str) -> str:
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    if model is not None:
        for name in (key, key.removesuffix("_id")):
            try:
                return str(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                continue
    return key.replace("_", " ")


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, dict):
        return ", ".join(f"{COUNT_LABELS.get(k, k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def history_rows(entries) -> list[dict]:
    """Each entry with its object's kind (verbose name) and one row per changed key:
    the field's name in the reader's language, the value before and after."""
    rows = []
    for entry in entries:
        try:
            model = apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            model = None
        data = entry.data or {}
        before = data.get("before")
        after = data.get("after")
        if "before" not in data and "after" not in data:
            # An entry on the edition that is not a before → after change.
            changes = [{"label": k, "before": "", "after": _value(v)} for k, v in data.items()]
        else:
            keys = sorted({*(before or {}), *(after or {})})
            changes = [
                {
                    "label": _field_label(model, key),
                    "before": _value((before or {}).get(key)) if before is not None else "",
                    "after": _value((after or {}).get(key)) if after is not None else "",
                }
                for key in keys
            ]
        rows.append(
            {
                "entry": entry,
                "kind": str(model._meta.verbose_name) if model else entry.object_type,
                "created": before is None and after is not None,
                "removed": after is None and before is not None,
                "changes": changes,
            }
        )
    return rows
