"""Every non-trivial read of the scoring app. One module per concern; import from here."""

from .rubrics import rubric_for_display  # noqa: F401
