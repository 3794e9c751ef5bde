"""Every write of the scoring app. One module per concern; import from here."""

from .conflicts import (  # noqa: F401
    conflict_add,
    conflict_paths,
    conflict_scope_path,
    conflicts_declare,
    has_declared,
    is_conflicted,
    path_is_conflicted,
    review_policy,
)
from .reviews import (  # noqa: F401
    ReviewClosed,
    ReviewConflict,
    ReviewError,
    ReviewInvalid,
    parse_points,
    review_closed_reason,
    review_open,
    review_reopen,
    review_save,
    review_scores_data,
    review_total,
    rubric_indicators,
)
from .rubrics import (  # noqa: F401
    RubricFrozen,
    dimension_update,
    indicator_update,
    rubric_check_totals,
    rubric_clone,
    rubric_create,
    rubric_ensure_editable,
    rubric_is_frozen,
    rubric_validate,
)
from .site_tests import SiteTestInvalid, site_test_log, site_test_remove  # noqa: F401
