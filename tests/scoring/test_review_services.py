"""scoring.services.reviews: opening, saving, bounds, submission, stale tabs, reopening,
history and the total."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from agencies.models import AuditEntry
from scoring.enums import ReviewState
from scoring.models import Assignment, Review, ReviewRevision, Score
from scoring.services import (
    ReviewClosed,
    ReviewConflict,
    ReviewError,
    ReviewInvalid,
    conflict_add,
    review_open,
    review_reopen,
    review_save,
    review_total,
    rubric_indicators,
)
from tests.factories import review_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle():
    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[1]
    )
    c.reviewer = c.reviewers[1]
    return c


def typed(cycle, *points, comment=""):
    return {i.pk: (p, comment) for i, p in zip(cycle.indicators, points, strict=False)}


def state_of(review):
    review = Review.objects.get(pk=review.pk)
    return (
        review.state,
        review.version,
        review.overall_comment,
        {s.indicator_id: (s.points, s.comment) for s in review.scores.all()},
        review.revisions.count(),
    )


def test_open_creates_one_empty_score_per_indicator_once(cycle):
    review = review_open(cycle.assignment)
    again = review_open(cycle.assignment)
    assert again.pk == review.pk
    assert [(s.indicator_id, s.points) for s in review.scores.order_by("indicator_id")] == [
        (i.pk, None) for i in sorted(cycle.indicators, key=lambda i: i.pk)
    ]
    assert Score.objects.filter(review=review).count() == 5
    assert review.state == ReviewState.DRAFT and review.version == 0


def test_save_draft_bumps_version_and_keeps_history(cycle):
    review = review_open(cycle.assignment)
    saved = review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150", "160", "", "", "", comment="清楚"),
        overall_comment=" 整體不錯 ",
        based_on_version=0,
    )
    assert saved.version == 1 and saved.state == ReviewState.DRAFT
    assert saved.overall_comment == "整體不錯"
    assert review_total(saved) == Decimal("310")
    saved = review_save(
        actor=cycle.reviewer,
        review=saved,
        scores=typed(cycle, "140"),
        overall_comment="整體不錯",
        based_on_version=1,
    )
    assert review_total(saved) == Decimal("300")
    revisions = list(saved.revisions.order_by("saved_at", "id"))
    assert [(r.event, r.based_on_version, r.accepted) for r in revisions] == [
        ("save", 0, True),
        ("save", 1, True),
    ]
    first_id = str(cycle.indicators[0].pk)
    assert revisions[0].scores[first_id] == {"points": "150.0", "comment": "清楚"}
    assert revisions[1].scores[first_id] == {"points": "140.0", "comment": ""}
    assert len(revisions[1].scores) == 5
    # Drafts are history, not audit entries; only submission is audited.
    assert not AuditEntry.objects.filter(action="review.submit").exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("201", "“Service process”: at most 200 points; you gave 201."),
        ("-1", "“Service process”: points cannot be negative."),
        ("abc", "“Service process”: “abc” is not a number."),
        ("NaN", "“Service process”: “NaN” is not a number."),
        ("12.5", "“Service process”: use whole points only (no decimals)."),
    ],
)
def test_bad_points_are_refused_with_a_message_and_nothing_changes(cycle, points, message):
    review = review_open(cycle.assignment)
    review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "100", "100"),
        overall_comment="先存",
        based_on_version=0,
    )
    before = state_of(review)
    with pytest.raises(ReviewInvalid) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, points, "120"),
            overall_comment="改了",
            based_on_version=1,
        )
    assert exc.value.message_dict == {f"points-{cycle.indicators[0].pk}": [message]}
    assert state_of(review) == before


def test_half_points_only_where_the_rubric_allows_them(cycle):
    cycle.rubric.allows_half_points = True
    cycle.rubric.save()
    review = review_open(cycle.assignment)
    saved = review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150.5"),
        overall_comment="",
        based_on_version=0,
    )
    assert review_total(saved) == Decimal("150.5")
    with pytest.raises(ReviewInvalid) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "150.25"),
            overall_comment="",
            based_on_version=1,
        )
    assert exc.value.message_dict == {
        f"points-{cycle.indicators[0].pk}": [
            "“Service process”: use whole or half points (e.g. 12 or 12.5)."
        ]
    }


def test_several_errors_are_reported_together(cycle):
    review = review_open(cycle.assignment)
    with pytest.raises(ReviewInvalid) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "999", "x", "50"),
            overall_comment="",
            based_on_version=0,
        )
    first, second = cycle.indicators[0].pk, cycle.indicators[1].pk
    assert exc.value.message_dict == {
        f"points-{first}": ["“Service process”: at most 200 points; you gave 999."],
        f"points-{second}": ["“Image and customer relations”: “x” is not a number."],
    }
    assert Score.objects.filter(review=review, points__isnull=False).count() == 0


def test_submit_needs_every_indicator_then_locks_and_is_audited(cycle):
    review = review_open(cycle.assignment)
    with pytest.raises(ReviewInvalid) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "150", "160", "80"),
            overall_comment="",
            based_on_version=0,
            submit=True,
        )
    assert exc.value.message_dict == {
        f"points-{cycle.indicators[3].pk}": [
            "“Online services and e-participation”: give points before submitting."
        ],
        f"points-{cycle.indicators[4].pk}": ["“Innovation”: give points before submitting."],
    }
    assert Review.objects.get(pk=review.pk).version == 0
    submitted = review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150", "160", "80", "150", "250"),
        overall_comment="表現優良",
        based_on_version=0,
        submit=True,
    )
    assert submitted.state == ReviewState.SUBMITTED
    assert submitted.submitted_at is not None
    assert review_total(submitted) == Decimal("790")
    entry = AuditEntry.objects.get(action="review.submit")
    assert (entry.actor, entry.from_state, entry.to_state, entry.data) == (
        cycle.reviewer,
        "draft",
        "submitted",
        {"version": 1, "total": "790.0"},
    )
    assert submitted.revisions.get().event == "submit"
    # Locked: a further save is refused and changes nothing.
    before = state_of(review)
    with pytest.raises(ReviewClosed) as closed:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "1"),
            overall_comment="",
            based_on_version=1,
        )
    assert "is locked. Only the secretariat can reopen it." in closed.value.messages[0]
    assert state_of(review) == before


def test_submission_after_the_stage_closes_is_refused(cycle):
    review = review_open(cycle.assignment)
    cycle.written.ends_on = cycle.today - datetime.timedelta(days=1)
    cycle.written.save()
    with pytest.raises(ReviewClosed) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "150", "160", "80", "150", "250"),
            overall_comment="",
            based_on_version=0,
            submit=True,
        )
    day = (cycle.today - datetime.timedelta(days=1)).isoformat()
    written = cycle.written
    assert exc.value.messages == [
        f"Closed: this was allowed only during “Written review”, {written.starts_on.isoformat()} "
        f"to {day}, Taipei time (Asia/Taipei)."
    ]
    assert state_of(review)[0:2] == ("draft", 0)


def test_a_stage_that_does_not_take_scores_refuses(cycle):
    review = review_open(cycle.assignment)
    cycle.written.allows_scoring = False
    cycle.written.save()
    with pytest.raises(ReviewClosed) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "1"),
            overall_comment="",
            based_on_version=0,
        )
    assert exc.value.messages == ["The stage “Written review” does not take scores."]


def test_another_reviewer_cannot_save_someone_elses_review(cycle):
    review = review_open(cycle.assignment)
    with pytest.raises(ReviewClosed) as exc:
        review_save(
            actor=cycle.reviewers[2],
            review=review,
            scores=typed(cycle, "1"),
            overall_comment="",
            based_on_version=0,
        )
    assert exc.value.messages == ["Only the assigned reviewer can score this dossier."]
    assert state_of(review)[1] == 0


def test_a_conflict_added_after_assignment_closes_the_review(cycle):
    review = review_open(cycle.assignment)
    conflict_add(
        actor=cycle.secretariat,
        edition=cycle.edition,
        reviewer=cycle.reviewer,
        agency=cycle.agencies[0],
        source="secretariat",
        reason="曾任顧問",
    )
    with pytest.raises(ReviewClosed) as exc:
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "1"),
            overall_comment="",
            based_on_version=0,
        )
    assert exc.value.messages == ["This assignment was withdrawn; its review can no longer change."]


def test_two_tabs_keep_both_texts_and_say_so(cycle):
    review = review_open(cycle.assignment)
    review_save(  # tab 1 saves first
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150", comment="第一分頁"),
        overall_comment="分頁一",
        based_on_version=0,
    )
    with pytest.raises(ReviewConflict) as exc:  # tab 2 was opened at version 0
        review_save(
            actor=cycle.reviewer,
            review=review,
            scores=typed(cycle, "120", comment="第二分頁"),
            overall_comment="分頁二",
            based_on_version=0,
        )
    conflict = exc.value
    assert conflict.current_version == 1
    assert conflict.yours == {cycle.indicators[0].pk: ("120", "第二分頁")}
    assert conflict.your_overall_comment == "分頁二"
    assert conflict.message.startswith("This review was saved in another tab or window at ")
    # The saved review is tab 1's; tab 2's input is kept as a refused revision.
    current = Review.objects.get(pk=review.pk)
    assert (current.version, current.overall_comment) == (1, "分頁一")
    assert current.scores.get(indicator=cycle.indicators[0]).points == Decimal("150")
    refused = ReviewRevision.objects.get(review=review, accepted=False)
    assert (refused.event, refused.based_on_version, refused.overall_comment) == (
        "save",
        0,
        "分頁二",
    )
    assert refused.scores == {str(cycle.indicators[0].pk): {"points": "120", "comment": "第二分頁"}}


def test_a_replayed_save_of_the_same_values_is_not_a_conflict(cycle):
    review = review_open(cycle.assignment)
    args = {
        "actor": cycle.reviewer,
        "review": review,
        "scores": typed(cycle, "150"),
        "overall_comment": "同樣",
        "based_on_version": 0,
    }
    review_save(**args)
    again = review_save(**args)
    assert again.version == 1
    assert ReviewRevision.objects.filter(review=review).count() == 1


def test_reopen_needs_the_secretariat_and_a_reason_then_unlocks_and_mails(cycle):
    review = review_open(cycle.assignment)
    review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150", "160", "80", "150", "250"),
        overall_comment="",
        based_on_version=0,
        submit=True,
    )
    with pytest.raises(ReviewInvalid) as exc:
        review_reopen(actor=cycle.secretariat, review=review, reason="   ")
    assert exc.value.message_dict == {
        "reason": ["Give a reason for reopening the review: the reviewer will read it."]
    }
    with pytest.raises(ReviewError) as exc:
        review_reopen(actor=cycle.reviewer, review=review, reason="我想改")
    assert exc.value.messages == ["Only the secretariat can reopen a review."]
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED

    mail.outbox.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        reopened = review_reopen(actor=cycle.secretariat, review=review, reason="創新分數需再確認")
    assert (reopened.state, reopened.version) == (ReviewState.REOPENED, 2)
    entry = AuditEntry.objects.get(action="review.reopen")
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        cycle.secretariat,
        "submitted",
        "reopened",
        "創新分數需再確認",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cycle.reviewer.email]
    assert "創新分數需再確認" in mail.outbox[0].body
    assert f"/cycle/reviews/{cycle.assignment.pk}/" in mail.outbox[0].body
    # Editable again; submitting again is audited from "reopened".
    again = review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "150", "160", "80", "150", "280"),
        overall_comment="已修正",
        based_on_version=2,
        submit=True,
    )
    assert review_total(again) == Decimal("820")
    assert list(
        AuditEntry.objects.filter(action="review.submit")
        .order_by("id")
        .values_list("from_state", flat=True)
    ) == ["draft", "reopened"]
    events = list(review.revisions.order_by("saved_at", "id").values_list("event", "reason"))
    assert events == [("submit", ""), ("reopen", "創新分數需再確認"), ("submit", "")]
    # Reopening a review that is not submitted is refused.
    reopened = Review.objects.get(pk=review.pk)
    reopened.state = ReviewState.DRAFT
    reopened.save()
    with pytest.raises(ReviewError) as exc:
        review_reopen(actor=cycle.secretariat, review=reopened, reason="再一次")
    assert exc.value.messages == ["Only a submitted review can be reopened; this one is “Draft”."]


def test_total_counts_only_given_points(cycle):
    review = review_open(cycle.assignment)
    assert review_total(review) == Decimal("0")
    saved = review_save(
        actor=cycle.reviewer,
        review=review,
        scores=typed(cycle, "0", "", "99"),
        overall_comment="",
        based_on_version=0,
    )
    assert review_total(saved) == Decimal("99")
