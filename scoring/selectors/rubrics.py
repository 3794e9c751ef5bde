from django.db.models import Prefetch

from ..models import Dimension, Indicator, Rubric


def rubric_for_display(category) -> Rubric | None:
    """A category's rubric with dimensions and indicators loaded in three queries."""
    return (
        Rubric.objects.filter(category=category)
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
