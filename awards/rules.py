"""Who may see and do what with the award cycle's objects. A user who may not see an
object gets 404 from the views (agencies.permissions.require_perm)."""

import rules

from agencies.enums import Role
from agencies.rules import is_agency_editor, is_authority_officer, is_secretariat
from agencies.selectors import user_agency_paths

from .enums import NominationState


@rules.predicate
def is_nomination_editor(user, nomination):
    """An editor of the nominating agency itself."""
    if nomination is None or not user.is_authenticated:
        return False
    return nomination.agency.path in user_agency_paths(user, Role.AGENCY_EDITOR)


@rules.predicate
def is_nomination_authority(user, nomination):
    """An officer of a competent authority above (or equal to) the nominating agency,
    once the dossier has been submitted at least once."""
    if nomination is None or not user.is_authenticated:
        return False
    if nomination.state == NominationState.DRAFT or nomination.submitted_at is None:
        return False
    path = nomination.agency.path
    return any(path.startswith(p) for p in user_agency_paths(user, Role.AUTHORITY_OFFICER))


rules.add_perm("awards.view_cycle_setup", is_secretariat)
rules.add_perm(
    "awards.see_nomination", is_secretariat | is_nomination_editor | is_nomination_authority
)
rules.add_perm("awards.start_nomination", is_agency_editor)
rules.add_perm("awards.edit_dossier", is_nomination_editor)
rules.add_perm("awards.withdraw_nomination", is_nomination_editor)
rules.add_perm("awards.recommend_nomination", is_nomination_authority)
rules.add_perm("awards.check_eligibility", is_secretariat)
rules.add_perm("awards.shortlist_nomination", is_secretariat)
rules.add_perm("awards.view_nomination_list", is_secretariat)
rules.add_perm("awards.recommend", is_authority_officer)
