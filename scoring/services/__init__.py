"""Every write of the scoring app. One module per concern; import from here."""

from .assignment import (  # noqa: F401
    AssignmentError,
    AssignmentPlan,
    AutoAssignResult,
    NominationSummary,
    PlannedAssignment,
    ReassignRow,
    Shortfall,
    assignment_create,
    assignment_problem,
    assignment_recuse,
    assignment_withdraw,
    assignments_auto,
    assignments_plan,
    assignments_reassign,
    conflict_prefixes,
    expertise_for,
    nomination_state_for,
)
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
from .expertise import (  # noqa: F401
    ExpertiseError,
    agency_service_area_set,
    expertise_area_create,
    expertise_area_delete,
    expertise_area_update,
    own_areas_set,
    reviewer_areas_set,
)
from .panels import (  # noqa: F401
    MEMBER_WORKFLOW,
    PanelError,
    conflict_remove,
    invitation_accept,
    invitation_decline,
    invitation_resend,
    invitation_withdraw,
    panel_chair_set,
    panel_for,
    panel_member_add,
    panel_member_remove,
    reviewer_invite,
)
from .policy import (  # noqa: F401
    ReviewPolicyError,
    ReviewPolicyStale,
    StageSettings,
    policy_fingerprint,
    policy_stages,
    review_policy_update,
)
from .reminders import reminders_send  # noqa: F401
from .reviews import (  # noqa: F401
    REVIEW_WORKFLOW,
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
    review_transition,
    rubric_indicators,
)
from .shortlist import (  # noqa: F401
    ShortlistError,
    ShortlistPlan,
    ShortlistPreview,
    ShortlistResult,
    cut_problems,
    finalists_select,
    next_scoring_stage,
    shortlist_plan,
    shortlist_preview,
)
from .site_tests import SiteTestInvalid, site_test_log, site_test_remove  # noqa: F401
from .ties import TieError, may_decide_ties, panel_chair, tie_decide, tied_groups_for  # noqa: F401
