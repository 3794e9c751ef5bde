"""Every non-trivial read of the scoring app. One module per concern; import from here."""

from .rubrics import rubric_for_display  # noqa: F401
from .standings import final_standings, stage_standings, weighted_stages  # noqa: F401
