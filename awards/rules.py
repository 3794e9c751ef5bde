"""Who may see and do what with the award cycle's objects. A user who may not see an
object gets 404 from the views (agencies.permissions.require_perm)."""

import rules
from django.db.models import Q

from agencies.enums import Role
from agencies.rules import is_agency_editor, is_authority_officer, is_secretariat
from agencies.selectors import agency_under_any, user_agency_paths

from .enums import NominationState


@rules.predicate
def is_nomination_editor(user, nomination):
    """An editor of the nominating agency itself."""
    if nomination is None or not user.is_authenticated:
        return False
    return nomination.agency.path in user_agency_paths(user, Role.AGENCY_EDITOR)


# What a competent authority sees of the agencies under it: a dossier submitted at least
# once. Twice, side by side: on one nomination (the predicate below) and as a filter
# (awards.selectors.nominations_for_authority).
AUTHORITY_SEES = Q(submitted_at__isnull=False) & ~Q(state=NominationState.DRAFT)


def authority_sees(nomination) -> bool:
    return nomination.submitted_at is not None and nomination.state != NominationState.DRAFT


@rules.predicate
def is_nomination_authority(user, nomination):
    """An officer of a competent authority above (or equal to) the nominating agency,
    once the dossier has been submitted at least once."""
    if nomination is None or not user.is_authenticated or not authority_sees(nomination):
        return False
    return agency_under_any(nomination.agency, user_agency_paths(user, Role.AUTHORITY_OFFICER))


rules.add_perm("awards.view_cycle_setup", is_secretariat)
rules.add_perm(
    "awards.see_nomination", is_secretariat | is_nomination_editor | is_nomination_authority
)
# An individual's or a team's personal data (awards.nominees): the department that
# nominated them and the secretariat here; the assigned reviewers on their review page
# (scoring.rules). A competent authority sees the dossier, not the person.
rules.add_perm("awards.see_nominee", is_secretariat | is_nomination_editor)
rules.add_perm("awards.edit_nominee", is_nomination_editor)
rules.add_perm("awards.erase_nominee", is_secretariat)
rules.add_perm("awards.start_nomination", is_agency_editor)
rules.add_perm("awards.edit_dossier", is_nomination_editor)
rules.add_perm("awards.withdraw_nomination", is_nomination_editor)
rules.add_perm("awards.recommend_nomination", is_nomination_authority)
rules.add_perm("awards.check_eligibility", is_secretariat)
rules.add_perm("awards.shortlist_nomination", is_secretariat)
rules.add_perm("awards.view_nomination_list", is_secretariat)
rules.add_perm("awards.recommend", is_authority_officer)
rules.add_perm("awards.configure_timetable", is_secretariat)
# Messages to the people of a stage (awards.message_views), deadline reminder rules.
rules.add_perm("awards.send_group_message", is_secretariat)
# The configuration area (awards.config_views): the secretariat sets up editions itself.
rules.add_perm("awards.configure_edition", is_secretariat)
# The Django admin stays for superusers; the navigation links to it only for them.
rules.add_perm("awards.open_django_admin", rules.is_superuser)
