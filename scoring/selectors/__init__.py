"""Every non-trivial read of the scoring app. One module per concern; import from here."""

from .panels import (  # noqa: F401
    assignment_rows,
    conflict_agency_choices,
    declared_ids,
    edition_conflicts,
    edition_panel_people,
    own_area_schemes,
    panel_candidates,
    panel_members,
    review_overview,
    review_status,
    stage_dossier_state,
    stage_progress,
)
from .reviews import (  # noqa: F401
    assignment_for_review,
    assignment_messages,
    declaration_choices,
    latest_submission,
    others_submitted_totals,
    review_history,
    review_scores,
    reviewer_home,
    site_tests_for,
)
from .reviews import dashboard_context as reviewer_dashboard_context  # noqa: F401
from .standings import final_standings, stage_standings, weighted_stages  # noqa: F401
