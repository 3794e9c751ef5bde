"""Writes of the rubric editor that touch the cycle (a category's rubric). The rubric's
own rows are written by rubrics.services.rubric_save."""

from __future__ import annotations

from django.db import transaction

from rubrics.services import rubric_create_empty
from workflow.audit import config_change_record

from .models import Category


@transaction.atomic
def category_rubric_start(*, category: Category, actor=None, total_points: int = 1000):
    """Give a category without a rubric an empty one to shape in the rubric editor: one
    dimension with one indicator, both worth the whole total. Audited as a configuration
    change of the category's edition."""
    created = rubric_create_empty(total_points=total_points, actor=actor)
    category.rubric = created
    category.save(update_fields=["rubric"])
    config_change_record(
        actor=actor,
        action="category.rubric.create",
        obj=category,
        edition_id=category.edition_id,
        before={"rubric": None},
        after={"rubric": created.pk},
    )
    return created
