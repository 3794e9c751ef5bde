"""A category's rubric, as the secretariat configures the cycle."""

from django.shortcuts import get_object_or_404, render

from agencies.permissions import require_perm
from rubrics.selectors import rubric_for_display
from rubrics.services import rubric_is_frozen

from .models import Category


@require_perm("rubrics.see_rubric")
def category_rubric(request, pk):
    category = get_object_or_404(Category.objects.select_related("edition__scheme"), pk=pk)
    rubric = rubric_for_display(category.rubric_id)
    return render(
        request,
        "awards/category_rubric.html",
        {
            "category": category,
            "edition": category.edition,
            "rubric": rubric,
            "frozen": rubric_is_frozen(rubric) if rubric else False,
        },
    )
