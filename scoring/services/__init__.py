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
from .shortlist import (  # noqa: F401
    ShortlistError,
    ShortlistPreview,
    cut_problems,
    finalists_select,
    shortlist_preview,
)
from .ties import TieError, may_decide_ties, panel_chair, tie_decide, tied_groups_for  # noqa: F401
