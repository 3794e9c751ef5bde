"""Who may see and do what in the telephone poll (the `rules` package).

Interviewers see only the household in their hands and their own calls; the secretariat
sees everything; everyone else sees nothing of a poll until its results are published."""

import rules
from django.db.models import Q
from django.utils import timezone

from agencies.rules import is_poll_interviewer, is_secretariat

from .enums import PollStatus

# Each condition on a poll twice, side by side: as a predicate on one poll and as a filter
# for lists of polls (visible_polls_filter, used by surveys.selectors.polls_for_user).
IN_FIELDWORK = Q(status=PollStatus.FIELDWORK)
PUBLISHED = Q(status=PollStatus.PUBLISHED, published_run__isnull=False)


@rules.predicate
def poll_in_fieldwork(user, poll):
    return poll is not None and poll.status == PollStatus.FIELDWORK


@rules.predicate
def poll_published(user, poll):
    return poll is not None and poll.status == PollStatus.PUBLISHED and poll.published_run_id


@rules.predicate
def listed_for_poll(user, poll):
    """The poll lists this user among its interviewers, or lists none (then every poll
    interviewer works on it)."""
    if poll is None:
        return False
    listed = set(poll.interviewers.values_list("pk", flat=True))
    return not listed or user.pk in listed


@rules.predicate
def holds_household(user, household):
    return (
        household is not None
        and household.leased_by_id == user.pk
        and household.leased_until is not None
        and household.leased_until > timezone.now()
    )


def visible_polls_filter(user) -> Q | None:
    """The polls `surveys.see_poll` lets this user see, as a filter; None for all."""
    if is_secretariat(user):
        return None
    if not user.is_authenticated:
        return Q(pk__in=[])
    return PUBLISHED | IN_FIELDWORK if is_poll_interviewer(user) else PUBLISHED


rules.add_perm("surveys.view_poll_list", rules.is_authenticated)
# The poll is work for the secretariat and its interviewers (the navigation's link).
rules.add_perm("surveys.work_on_polls", is_secretariat | is_poll_interviewer)
rules.add_perm(
    "surveys.see_poll",
    is_secretariat
    | (is_poll_interviewer & poll_in_fieldwork)
    | (rules.is_authenticated & poll_published),
)
rules.add_perm("surveys.manage_poll", is_secretariat)
# The poll set-up page and new polls (configuration): the secretariat's.
rules.add_perm("surveys.configure_poll", is_secretariat)
rules.add_perm(
    "surveys.conduct_interviews", is_poll_interviewer & poll_in_fieldwork & listed_for_poll
)
rules.add_perm("surveys.record_call", is_poll_interviewer & holds_household)
rules.add_perm("surveys.view_results", is_secretariat | (rules.is_authenticated & poll_published))
