"""Rubric configuration in the admin, guarded by the same rules as the services:
totals must add up (the message names the dimension) and a scored rubric is read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import Dimension, Indicator, Rubric
from .services import rubric_check_totals, rubric_frozen_reason, rubric_is_frozen


def _live_rows(formset):
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class DimensionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rubric = self.instance
        total = rubric.total_points
        if total is None:
            return  # the rubric's own form is invalid and says so; nothing to add up
        dims = []
        for row in _live_rows(self):
            existing = row.get("id")
            indicator_points = (
                list(existing.indicators.values_list("max_points", flat=True)) if existing else []
            )
            dims.append(
                (row["name_zh"], row["max_points"], indicator_points or [row["max_points"]])
            )
        errors = [e for e in rubric_check_totals(total_points=total, dimensions=dims)]
        if errors:
            raise ValidationError(errors)


class IndicatorFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        dimension = self.instance
        if dimension.max_points is None:
            return  # the dimension's own form is invalid and says so; nothing to add up
        points = [row["max_points"] for row in _live_rows(self)]
        errors = rubric_check_totals(
            total_points=dimension.max_points,
            dimensions=[(dimension.name, dimension.max_points, points)],
        )
        if errors:
            raise ValidationError(errors[:1])


class FrozenMixin:
    def _rubric_of(self, obj):
        return obj if isinstance(obj, Rubric) else getattr(obj, "rubric", None)

    def has_change_permission(self, request, obj=None):
        rubric = self._rubric_of(obj) if obj is not None else None
        if rubric is not None and rubric_is_frozen(rubric):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        rubric = self._rubric_of(obj) if obj is not None else None
        if rubric is not None and rubric_is_frozen(rubric):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        rubric = self._rubric_of(obj) if obj is not None else None
        reason = rubric_frozen_reason(rubric) if rubric is not None else None
        if reason:
            messages.warning(request, reason)
        return super().change_view(request, object_id, form_url, extra_context)


class DimensionInline(admin.TabularInline):
    model = Dimension
    formset = DimensionFormSet
    extra = 0
    show_change_link = True


class IndicatorInline(admin.StackedInline):
    model = Indicator
    formset = IndicatorFormSet
    extra = 0


@admin.register(Rubric)
class RubricAdmin(FrozenMixin, admin.ModelAdmin):
    list_display = ["category", "total_points"]
    list_select_related = ["category__edition"]
    inlines = [DimensionInline]


@admin.register(Dimension)
class DimensionAdmin(FrozenMixin, admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "max_points", "rubric"]
    list_select_related = ["rubric__category"]
    inlines = [IndicatorInline]
