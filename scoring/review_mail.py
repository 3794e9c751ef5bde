"""E-mail to a reviewer whose submitted review the secretariat reopened, written to the
outbox in the transaction of scoring.services.reviews.review_reopen and sent after it
commits (workflow.outbox), in the reviewer's language."""

from __future__ import annotations

from django.urls import reverse

from workflow.outbox import mail_user
from workflow.site import site_url


def review_reopened_mail(review_id: int) -> int:
    from .models import Review

    review = Review.objects.select_related(
        "assignment__reviewer",
        "assignment__stage__edition",
        "assignment__nomination__agency",
        "assignment__nomination__category",
    ).get(pk=review_id)
    reviewer = review.assignment.reviewer
    if not reviewer.is_active or not reviewer.email:
        return 0
    last = review.revisions.filter(event="reopen").first()
    mail_user(
        reviewer,
        kind="review_reopened",
        subject_template="scoring/email/review_reopened_subject.txt",
        body_template="scoring/email/review_reopened.txt",
        context={
            "review": review,
            "a": review.assignment,
            "reason": last.reason if last else "",
            "url": site_url(reverse("scoring:review", args=[review.assignment_id])),
        },
        obj=review,
    )
    return 1
