"""Who may see and do what with results. Unpublished results are the secretariat's and
the approver's only; an agency sees its own published awards and certificates."""

import rules

from agencies.enums import Role
from agencies.rules import is_agency_editor, is_approver, is_authority_officer, is_secretariat
from agencies.selectors import agency_under_any, user_agency_paths
from awards.rules import is_nomination_authority, is_nomination_editor

from .enums import FeedbackState, VersionStatus


def award_agency_scopes(user) -> list[str]:
    """The subtrees whose published awards are the user's own: the agencies they edit
    for and the authorities they serve. The rule of is_award_agency, shared with the
    list of "my awards" (results.selectors.awards_for_user)."""
    if not user.is_authenticated:
        return []
    return user_agency_paths(user, Role.AGENCY_EDITOR) + user_agency_paths(
        user, Role.AUTHORITY_OFFICER
    )


@rules.predicate
def is_award_agency(user, award):
    """An editor or authority officer of the awarded agency (or above it), once the
    award's results are published."""
    if award is None or not user.is_authenticated or not award.version.is_published:
        return False
    return agency_under_any(award.agency, award_agency_scopes(user))


@rules.predicate
def is_approved_version(user, version):
    """The version's results are approved (its awards have serials)."""
    return version is not None and version.status == VersionStatus.APPROVED


rules.add_perm("results.manage", is_secretariat)
# The award rules page (configuration): the secretariat's.
rules.add_perm("results.configure_awards", is_secretariat)
# What the secretariat may do with approved results (not state changes of the version).
rules.add_perm("results.schedule_publication", is_secretariat & is_approved_version)
rules.add_perm("results.revoke_awards", is_secretariat & is_approved_version)
rules.add_perm("results.print_certificates", is_secretariat & is_approved_version)
rules.add_perm("results.view_versions", is_secretariat | is_approver)
rules.add_perm("results.approve", is_approver)
rules.add_perm("results.see_award", is_secretariat | is_approver | is_award_agency)
# Agencies' own awards: editors and authority officers (award_agency_scopes).
rules.add_perm("results.view_my_awards", is_agency_editor | is_authority_officer)


# --- feedback reports and appeals (awards/results/feedback.py, appeals.py) ------------------


def _sees_nomination(user, nomination) -> bool:
    """The nomination's own people: its agency's editors and the competent authority
    above it (awards.rules: the same as who sees the nomination, the secretariat apart)."""
    return bool(is_nomination_editor(user, nomination) or is_nomination_authority(user, nomination))


@rules.predicate
def is_feedback_agency(user, report):
    """The agency's people (editors, the authority above it), once the report is released."""
    if report is None or not user.is_authenticated or report.state != FeedbackState.RELEASED:
        return False
    return _sees_nomination(user, report.nomination)


@rules.predicate
def is_appeal_agency(user, appeal):
    return (
        appeal is not None and user.is_authenticated and _sees_nomination(user, appeal.nomination)
    )


@rules.predicate
def is_appealing_editor(user, nomination):
    """An editor of the nominating agency itself may appeal (the service says when)."""
    return nomination is not None and bool(is_nomination_editor(user, nomination))


@rules.predicate
def is_draft_feedback(user, report):
    return report is not None and report.state == FeedbackState.DRAFT


# The secretariat composes, releases and withdraws feedback reports.
rules.add_perm("results.compose_feedback", is_secretariat)
rules.add_perm("results.edit_feedback", is_secretariat & is_draft_feedback)
rules.add_perm("results.release_feedback", is_secretariat)
rules.add_perm("results.withdraw_feedback", is_secretariat)
rules.add_perm("results.see_feedback", is_secretariat | is_feedback_agency)
# Appeals: the window and the decisions are the secretariat's; the approver reads them.
rules.add_perm("results.configure_appeals", is_secretariat)
rules.add_perm("results.view_appeals", is_secretariat | is_approver)
rules.add_perm("results.file_appeal", is_appealing_editor)
rules.add_perm("results.see_appeal", is_secretariat | is_approver | is_appeal_agency)
rules.add_perm("results.decide_appeal", is_secretariat)
# The agency's page of its nominations' feedback and appeals.
rules.add_perm("results.view_my_feedback", is_agency_editor | is_authority_officer)
# --- the post-award programme ----------------------------------------------------------


def programme_agency_scopes(user) -> list[str]:
    """The subtrees whose programme obligations are the user's to answer: the agencies
    they edit for and the authorities they serve (as award_agency_scopes)."""
    return award_agency_scopes(user)


@rules.predicate
def is_obligation_agency(user, obligation):
    """An editor or authority officer of the obligation's agency (or above it)."""
    if obligation is None or not user.is_authenticated:
        return False
    return agency_under_any(obligation.agency, programme_agency_scopes(user))


# A signed-in officer of an agency (an agency editor or competent-authority officer): the
# role predicates, answered from the user's cached roles (no query per page for the menu).
is_civil_servant = is_agency_editor | is_authority_officer


@rules.predicate
def is_own_registration(user, registration):
    return (
        registration is not None
        and user.is_authenticated
        and registration.user_id is not None
        and registration.user_id == user.pk
    )


rules.add_perm("results.manage_programme", is_secretariat)
rules.add_perm("results.confirm_obligation", is_obligation_agency)
rules.add_perm("results.view_my_programme", is_civil_servant)
rules.add_perm("results.register_for_events", is_civil_servant)
rules.add_perm("results.cancel_registration", is_own_registration)
