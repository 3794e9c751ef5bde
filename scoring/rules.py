"""Who may see and do what in review and scoring. A user who may not see an object gets
404 (agencies.permissions.require_perm)."""

import rules

from agencies.rules import is_reviewer, is_secretariat, is_site_assessor
from awards.selectors import edition_today


def assignment_is_open(assignment) -> bool:
    """The assignment's stage is open today in the edition's time zone."""
    stage = assignment.stage
    return stage.is_open_on(edition_today(stage.edition))


@rules.predicate
def is_assigned_reviewer(user, assignment):
    """The assignment is this user's, still active, in a stage open today; the user has
    declared their conflicts for the edition and is not conflicted with the agency."""
    from .services.conflicts import has_declared, is_conflicted

    if assignment is None or not user.is_authenticated:
        return False
    if assignment.reviewer_id != user.pk or assignment.withdrawn_at is not None:
        return False
    if not assignment_is_open(assignment):
        return False
    edition = assignment.stage.edition
    if not has_declared(edition, user):
        return False
    return not is_conflicted(edition, user, assignment.nomination.agency)


@rules.predicate
def is_reviewer_after_close(user, assignment):
    """The assignment's reviewer (still assigned, declared, not conflicted) in a scoring
    stage that has closed. Such a reviewer's save is refused with what they typed shown
    back to them (scoring.views.reviews.review); the page is still hidden from them."""
    from .services.conflicts import has_declared, is_conflicted

    if assignment is None or not user.is_authenticated:
        return False
    if assignment.reviewer_id != user.pk or assignment.withdrawn_at is not None:
        return False
    stage = assignment.stage
    if not stage.allows_scoring or edition_today(stage.edition) <= stage.ends_on:
        return False
    edition = stage.edition
    if not has_declared(edition, user):
        return False
    return not is_conflicted(edition, user, assignment.nomination.agency)


is_panel_person = is_reviewer | is_site_assessor

rules.add_perm("scoring.manage_review", is_secretariat)  # panels, conflicts, assignment
rules.add_perm("scoring.view_standings", is_secretariat)
rules.add_perm("scoring.see_assignment", is_secretariat | is_assigned_reviewer)
rules.add_perm("scoring.score_assignment", is_assigned_reviewer)
rules.add_perm("scoring.save_after_close", is_reviewer_after_close)
rules.add_perm(
    "scoring.reach_review_form", is_secretariat | is_assigned_reviewer | is_reviewer_after_close
)
rules.add_perm("scoring.review_home", is_panel_person)  # my assignments, my declarations


# --- reviews: declarations, the scoring form, site tests, the secretariat's record ----


@rules.predicate
def is_edition_panel_member(user, edition):
    """Sits on a panel (as reviewer or site assessor) of this edition."""
    from .models import PanelMember

    if edition is None or not user.is_authenticated:
        return False
    return PanelMember.objects.filter(user=user, panel__edition=edition).exists()


@rules.predicate
def is_site_visit_assignment(user, assignment):
    return assignment is not None and assignment.stage.is_site_visit


rules.add_perm("scoring.declare_own_conflicts", is_edition_panel_member)
rules.add_perm("scoring.view_review_record", is_secretariat)
rules.add_perm("scoring.reopen_review", is_secretariat)


@rules.predicate
def is_review_reviewer(user, review):
    """The review's assigned reviewer, who may score it now (is_assigned_reviewer)."""
    if review is None or not user.is_authenticated:
        return False
    return is_assigned_reviewer(user, review.assignment)


rules.add_perm("scoring.submit_review", is_review_reviewer)
rules.add_perm("scoring.log_site_test", is_assigned_reviewer & is_site_visit_assignment)
# --- standings, ties and shortlisting (scoring/views/standings.py) -------------------------


@rules.predicate
def is_panel_chair(user, category):
    """The user chairs the panel of this category."""
    from .services.ties import may_decide_ties

    return category is not None and not is_secretariat(user) and may_decide_ties(user, category)


rules.add_perm("scoring.shortlist", is_secretariat)
rules.add_perm("scoring.decide_ties", is_secretariat | is_panel_chair)
# The review policy page (scoring:config_review_policy), in the configuration area.
rules.add_perm("scoring.configure_review_policy", is_secretariat)


# --- invitations, recusal, expertise ------------------------------------------------------


@rules.predicate
def is_invitee(user, member):
    """The person this panel invitation (a PanelMember) is for."""
    return member is not None and user.is_authenticated and member.user_id == user.pk


rules.add_perm("scoring.see_invitation", is_invitee)
rules.add_perm("scoring.answer_invitation", is_invitee)
rules.add_perm("scoring.recuse", is_assigned_reviewer)
rules.add_perm("scoring.configure_expertise", is_secretariat)
