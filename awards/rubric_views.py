"""A category's rubric, as the secretariat configures the cycle."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agencies.numbers import parse_int
from agencies.permissions import require_perm
from rubrics.selectors import rubric_for_display
from rubrics.services import (
    RubricEditError,
    RubricFrozen,
    RubricStale,
    rubric_data,
    rubric_frozen_reason,
    rubric_is_frozen,
    rubric_save,
)

from .models import Category
from .rubric_forms import rubric_apply_action, rubric_editor_rows, rubric_post_data
from .rubric_services import category_rubric_start


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


# --- the rubric editor (the secretariat's configuration) -------------------------------


def _editor_category(request, pk, category_pk):
    return get_object_or_404(
        Category.objects.select_related("edition__scheme", "rubric"),
        pk=category_pk,
        edition_id=pk,
    )


def _editor_page(request, category, *, data, errors=None, revision, status=200, **extra):
    return render(
        request,
        "awards/config_rubric.html",
        {
            "category": category,
            "edition": category.edition,
            "rubric": category.rubric,
            "revision": revision,
            "editor": rubric_editor_rows(data, errors or {}),
            **extra,
        },
        status=status,
    )


@require_perm("rubrics.edit_rubric", get_object=_editor_category)
def config_rubric(request, pk, category_pk, obj):
    """GET: the editor. POST with action=save: save the whole rubric (one service call);
    any other action (add, remove, move a row) redraws the rows as typed, unsaved."""
    category = obj
    rubric = category.rubric
    if rubric is None:
        if request.method == "POST":
            category_rubric_start(category=category, actor=request.user)
            messages.success(request, _("An empty rubric was created: shape it below."))
            return redirect("awards:config_rubric", pk, category_pk)
        return render(
            request,
            "awards/config_rubric.html",
            {"category": category, "edition": category.edition, "rubric": None},
        )
    frozen_reason = rubric_frozen_reason(rubric)
    if request.method != "POST":
        loaded = rubric_for_display(rubric.pk)
        return _editor_page(
            request,
            category,
            data=rubric_data(loaded),
            revision=loaded.revision,
            frozen_reason=frozen_reason,
        )

    data = rubric_post_data(request.POST)
    revision = parse_int(request.POST.get("revision", "")) or 0
    action = request.POST.get("action", "save")
    if action != "save":
        focus = rubric_apply_action(data, action)
        return _editor_page(
            request,
            category,
            data=data,
            revision=revision,
            unsaved=True,
            focus=focus,
            frozen_reason=frozen_reason,
        )
    try:
        rubric_save(
            rubric=rubric,
            data=data,
            based_on_revision=revision,
            actor=request.user,
            edition_id=category.edition_id,
        )
    except RubricEditError as exc:
        return _editor_page(
            request,
            category,
            data=data,
            errors=exc.field_errors,
            revision=revision,
            problems=exc.messages,
            status=400,
        )
    except (RubricFrozen, RubricStale) as exc:
        return _editor_page(
            request,
            category,
            data=data,
            revision=revision,
            problems=exc.messages,
            frozen_reason=rubric_frozen_reason(rubric),
            stale=isinstance(exc, RubricStale),
            status=409,
        )
    messages.success(request, _("The rubric was saved."))
    return redirect("awards:config_rubric", pk, category_pk)
