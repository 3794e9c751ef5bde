"""Reminder e-mails to reviewers before a scoring stage ends (run daily by Celery beat,
scoring.tasks.send_review_reminders)."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from awards.models import Stage
from awards.selectors import edition_today

from .. import notifications
from ..enums import ReviewState
from ..models import Assignment, ReminderSent

DAYS_BEFORE = 3  # remind when a stage ends within this many days (its last day included)


def reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each reviewer who has active assignments not yet submitted in a scoring
    stage that ends within DAYS_BEFORE days (in the edition's time zone). At most one
    e-mail per reviewer, stage and day: running it again the same day sends nothing.
    `today` overrides every edition's today (tests, back-fills). Returns the count sent."""
    now = timezone.now()
    window = datetime.timedelta(days=DAYS_BEFORE + 1)  # time zones differ by under a day
    base = today or now.date()
    stages = Stage.objects.select_related("edition").filter(
        allows_scoring=True, ends_on__gte=base - window, ends_on__lte=base + window
    )
    sent = 0
    for stage in stages:
        day = today or edition_today(stage.edition, now=now)
        days_left = (stage.ends_on - day).days
        if not 0 <= days_left <= DAYS_BEFORE:
            continue
        pending = Counter(
            Assignment.objects.filter(
                stage=stage, withdrawn_at__isnull=True, reviewer__is_active=True
            )
            .filter(Q(review__isnull=True) | ~Q(review__state=ReviewState.SUBMITTED))
            .values_list("reviewer_id", flat=True)
        )
        for reviewer_id, count in sorted(pending.items()):
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(stage=stage, reviewer_id=reviewer_id, sent_on=day)
                    # Into the outbox in the same transaction: the reminder is
                    # recorded exactly when its mail is queued (sent after commit).
                    notifications.review_reminder(
                        user_id=reviewer_id, stage_id=stage.pk, pending=count, days_left=days_left
                    )
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent
