"""Reads of rubrics."""

from django.db.models import Prefetch

from .models import Dimension, Indicator, Rubric


def rubric_for_display(rubric_id: int | None) -> Rubric | None:
    """A rubric with its dimensions and indicators loaded in three queries."""
    if rubric_id is None:
        return None
    return (
        Rubric.objects.filter(pk=rubric_id)
        .prefetch_related(
            Prefetch(
                "dimensions",
                queryset=Dimension.objects.order_by("order", "id").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id"))
                ),
            )
        )
        .first()
    )
