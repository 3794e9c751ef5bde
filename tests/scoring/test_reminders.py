"""Reminder e-mails before a scoring stage ends: to reviewers with reviews not yet
submitted, once per day, within three days of the end in the edition's time zone; and
the Celery task that runs it."""

import datetime

import pytest
from django.core import mail
from django.test import TestCase

from scoring.models import Assignment, ReminderSent
from scoring.services import assignment_create
from scoring.services import reminders_send as _reminders_send
from scoring.tasks import send_review_reminders
from tests.factories import review_cycle, score_directly

pytestmark = pytest.mark.django_db


def reminders_send(**kwargs):
    """The service, then what its transaction queued: the mail leaves the outbox after
    the commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _reminders_send(**kwargs)


@pytest.fixture
def c():
    """Stage ends in two days; reviewer 1 has two dossiers (none started, one draft),
    reviewer 2 one draft, reviewer 3 has submitted everything."""
    c = review_cycle(agencies=3, reviewers=3)
    c.written.ends_on = c.day(2)
    c.written.save()
    r1, r2, r3 = c.reviewers
    n0, n1, n2 = c.nominations

    def assign(nomination, reviewer):
        return assignment_create(
            actor=c.secretariat, stage=c.written, nomination=nomination, reviewer=reviewer
        )

    assign(n0, r1)
    score_directly(assign(n1, r1), {}, submit=False)
    score_directly(assign(n0, r2), {}, submit=False)
    score_directly(assign(n2, r3), {})
    withdrawn = assign(n2, r2)
    Assignment.objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    return c


def test_reminds_each_pending_reviewer_once_a_day(c):
    for reviewer in c.reviewers:  # each gets the mail in their own language
        reviewer.language = "en"
        reviewer.save(update_fields=["language"])
    assert reminders_send() == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {c.reviewers[0].email, c.reviewers[1].email}
    english = by_to[c.reviewers[0].email].body
    ends = c.day(2).isoformat()
    assert f"“Written review” of {c.edition.name_en} ends on {ends}." in english
    assert "You have 2 reviews not yet submitted." in english
    assert "2 days left." in english
    assert "You have 1 review not yet submitted." in by_to[c.reviewers[1].email].body
    assert by_to[c.reviewers[0].email].subject == f"Reminder: Written review ends on {ends}"
    assert set(ReminderSent.objects.values_list("reviewer_id", "sent_on")) == {
        (c.reviewers[0].pk, c.today),
        (c.reviewers[1].pk, c.today),
    }

    assert reminders_send() == 0  # same day: nothing more
    assert len(mail.outbox) == 2
    assert reminders_send(today=c.day(1)) == 2  # the next day, again
    assert reminders_send(today=c.day(2)) == 2  # the last day
    assert "Today is the last day." in mail.outbox[-1].body
    assert reminders_send(today=c.day(3)) == 0  # closed


def test_no_reminder_more_than_three_days_before_or_without_scoring(c):
    assert reminders_send(today=c.day(-2)) == 0  # five days before
    assert reminders_send(today=c.day(-1)) == 2  # three days before
    c.written.allows_scoring = False
    c.written.save()
    assert reminders_send() == 0
    assert len(mail.outbox) == 2


def test_days_are_counted_in_the_edition_time_zone():
    """Kiritimati (UTC+14) is always ahead of UTC: its yesterday may still be today in
    UTC, but a stage that ended there yesterday is closed."""
    from awards.selectors import edition_today

    c = review_cycle(agencies=1, reviewers=1, k=1)
    c.reviewers[0].language = "en"
    c.reviewers[0].save(update_fields=["language"])
    c.edition.time_zone = "Pacific/Kiritimati"
    c.edition.save()
    kiritimati_today = edition_today(c.edition)
    assignment_create(  # while the stage is open
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    c.written.ends_on = kiritimati_today - datetime.timedelta(days=1)
    c.written.save()
    assert reminders_send() == 0
    c.written.ends_on = kiritimati_today
    c.written.save()
    assert reminders_send() == 1
    assert "Today is the last day." in mail.outbox[0].body
    assert ReminderSent.objects.get().sent_on == kiritimati_today


def test_task_runs_eagerly():
    c = review_cycle(agencies=1, reviewers=1, k=1)
    c.written.ends_on = c.day(0)
    c.written.save()
    assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = send_review_reminders.delay()
    assert result.get() == 1
    assert [m.to for m in mail.outbox] == [[c.reviewers[0].email]]
    assert send_review_reminders.delay().get() == 0
