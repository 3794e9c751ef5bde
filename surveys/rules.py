"""Who may see and do what in the telephone poll (the `rules` package).

Interviewers see only the household in their hands and their own calls; the secretariat
sees everything; everyone else sees nothing of a poll until its results are published."""

import rules
from django.utils import timezone

from agencies.rules import is_poll_interviewer, is_secretariat

from .enums import PollStatus


@rules.predicate
def poll_in_fieldwork(user, poll):
    return poll is not None and poll.status == PollStatus.FIELDWORK


@rules.predicate
def poll_published(user, poll):
    return poll is not None and poll.status == PollStatus.PUBLISHED and poll.published_run_id


@rules.predicate
def holds_household(user, household):
    return (
        household is not None
        and household.leased_by_id == user.pk
        and household.leased_until is not None
        and household.leased_until > timezone.now()
    )


rules.add_perm("surveys.view_poll_list", rules.is_authenticated)
rules.add_perm(
    "surveys.see_poll",
    is_secretariat
    | (is_poll_interviewer & poll_in_fieldwork)
    | (rules.is_authenticated & poll_published),
)
rules.add_perm("surveys.manage_poll", is_secretariat)
rules.add_perm("surveys.conduct_interviews", is_poll_interviewer & poll_in_fieldwork)
rules.add_perm("surveys.record_call", is_poll_interviewer & holds_household)
rules.add_perm("surveys.view_results", is_secretariat | (rules.is_authenticated & poll_published))
