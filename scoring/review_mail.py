"""E-mail to a reviewer whose submitted review the secretariat reopened. Sent after the
transaction commits (scoring.services.reviews.review_reopen). Users have no language
preference yet, so the message carries both languages, as awards.notifications does."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


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
    url = (settings.SITE_URL or settings.SITE_URL_FALLBACK) + reverse(
        "scoring:review", args=[review.assignment_id]
    )
    parts = {}
    for lang in ("zh-hant", "en"):
        with translation.override(lang):
            context = {
                "review": review,
                "a": review.assignment,
                "reason": last.reason if last else "",
                "url": url,
            }
            parts[lang] = {
                "subject": render_to_string(
                    "scoring/email/review_reopened_subject.txt", context
                ).strip(),
                "body": render_to_string("scoring/email/review_reopened.txt", context),
            }
    subject = f"{parts['zh-hant']['subject']} / {parts['en']['subject']}"
    body = parts["zh-hant"]["body"] + "\n\n----------\n\n" + parts["en"]["body"]
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reviewer.email])
