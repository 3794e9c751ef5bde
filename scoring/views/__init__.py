from .rubrics import category_rubric  # noqa: F401
