from django.shortcuts import get_object_or_404, render

from agencies.permissions import require_perm
from awards.models import Category

from ..selectors import rubric_for_display
from ..services import rubric_is_frozen


@require_perm("awards.view_cycle_setup")
def category_rubric(request, pk):
    category = get_object_or_404(Category.objects.select_related("edition__scheme"), pk=pk)
    rubric = rubric_for_display(category)
    return render(
        request,
        "scoring/category_rubric.html",
        {
            "category": category,
            "edition": category.edition,
            "rubric": rubric,
            "frozen": rubric_is_frozen(rubric) if rubric else False,
        },
    )
