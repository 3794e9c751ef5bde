"""Scoring's message group (awards.messaging): the reviewers with open reviews in a
stage, each with the first of their open assignments (the message is logged there), and
the standard reminder the progress page's "remind laggards" button sends."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _l

from awards.messaging import Recipient, group_message_send, group_register

from .enums import ReviewState
from .models import Assignment

REVIEWERS_OPEN = "reviewers_open"


def assignment_link(obj, user) -> str:
    if user is not None and user.pk == obj.reviewer_id:
        return reverse("scoring:review", kwargs={"assignment_pk": obj.pk})
    return reverse("scoring:review_detail", kwargs={"assignment_pk": obj.pk})


def open_assignments(stage, category=None):
    qs = Assignment.objects.filter(
        stage=stage, withdrawn_at__isnull=True, reviewer__is_active=True
    ).filter(Q(review__isnull=True) | ~Q(review__state=ReviewState.SUBMITTED))
    if category is not None:
        qs = qs.filter(nomination__category=category)
    return qs.select_related("reviewer", "nomination__agency").order_by(
        "reviewer_id", "nomination__agency__code", "pk"
    )


def reviewers_with_open_reviews(stage, category=None) -> list[Recipient]:
    out: dict[int, Recipient] = {}
    for assignment in open_assignments(stage, category):
        out.setdefault(
            assignment.reviewer_id,
            Recipient(assignment.reviewer, assignment, assignment.nomination.agency),
        )
    return list(out.values())


group_register(REVIEWERS_OPEN, _l("Reviewers with open reviews"), reviewers_with_open_reviews)


# The standard reminder ("remind laggards"), with the placeholders of workflow.compose.
LAGGARD_SUBJECT = _l("Reminder: please submit your reviews by {deadline}")
LAGGARD_BODY = _l(
    "Dear {name},\n\nYou still have reviews to submit in this stage, which closes on "
    "{deadline}. Please score them and submit before then:\n{link}\n\nThank you."
)


def laggard_texts() -> dict[str, str]:
    texts = {}
    for language, suffix in (("zh-hant", "zh"), ("en", "en")):
        with translation.override(language):
            texts[f"subject_{suffix}"] = str(LAGGARD_SUBJECT)
            texts[f"body_{suffix}"] = str(LAGGARD_BODY)
    return texts


def laggards_remind(*, actor, stage, category) -> int:
    """Send the standard reminder to every reviewer with open reviews of `category` in
    `stage` (audited, logged on an open assignment of each, a notification each).
    Refuses an empty group (awards.messaging.GroupMessageError)."""
    return group_message_send(
        actor=actor,
        stage=stage,
        group=REVIEWERS_OPEN,
        texts=laggard_texts(),
        category=category,
        kind="review_laggard_reminder",
    )
