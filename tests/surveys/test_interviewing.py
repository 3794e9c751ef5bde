import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import AuditEntry
from surveys import services
from surveys.models import CallAttempt, Household, Response
from tests.factories import HouseholdFactory, PollCandidateFactory, interviewer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(poll, strata):
    return [HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A"]) for i in range(1, 4)]


def test_two_interviewers_never_get_the_same_household(poll, households, interviewer):
    other = interviewer_user(email="iv2@example.test")
    a = services.household_lease_next(poll=poll, interviewer=interviewer)
    b = services.household_lease_next(poll=poll, interviewer=other)
    assert (a.ref, b.ref) == ("H1", "H2")
    # asking again gives the household already in hand, not a new one
    assert services.household_lease_next(poll=poll, interviewer=interviewer) == a
    third = interviewer_user(email="iv3@example.test")
    assert services.household_lease_next(poll=poll, interviewer=third).ref == "H3"
    assert (
        services.household_lease_next(
            poll=poll, interviewer=interviewer_user(email="iv4@example.test")
        )
        is None
    )


def test_an_expired_lease_goes_back_to_the_queue(poll, households, interviewer):
    other = interviewer_user(email="iv2@example.test")
    a = services.household_lease_next(poll=poll, interviewer=interviewer)
    Household.objects.filter(pk=a.pk).update(
        leased_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.household_lease_next(poll=poll, interviewer=other) == a
    with pytest.raises(ValidationError) as caught:
        services.call_record(household=a, interviewer=interviewer, disposition="refusal")
    assert caught.value.messages == [
        "This household is no longer in your hands. Open the next one."
    ]


def test_complete_interview_records_vote_and_suggestion(poll, cand, households, interviewer):
    h = services.household_lease_next(poll=poll, interviewer=interviewer)
    services.call_record(
        household=h,
        interviewer=interviewer,
        disposition="complete",
        candidate=cand["Y"],
        suggestion="  熱線快些 ",
    )
    r = Response.objects.get(household=h)
    assert (r.candidate, r.suggestion, r.stratum_id, r.interviewer, r.source) == (
        cand["Y"],
        "熱線快些",
        h.stratum_id,
        interviewer,
        "interviewer",
    )
    h.refresh_from_db()
    assert (h.disposition, h.attempts, h.leased_by, h.leased_until) == ("complete", 1, None, None)
    assert list(
        AuditEntry.objects.filter(object_id=str(h.pk), object_type="surveys.household")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["poll.household.lease", "poll.call"]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"disposition": "complete"}, "A complete interview needs a vote."),
        ({"disposition": "refusal", "candidate": "X"}, "Only a complete interview carries a vote."),
        ({"disposition": "callback"}, "A callback needs a time in the future."),
        (
            {"disposition": "complete", "candidate": "other"},
            "That department is not on this poll's list of candidates.",
        ),
    ],
)
def test_invalid_calls_are_refused(poll, cand, households, interviewer, kwargs, message):
    if kwargs.get("candidate") == "other":
        kwargs["candidate"] = PollCandidateFactory()  # a candidate of another poll
    elif kwargs.get("candidate"):
        kwargs["candidate"] = cand[kwargs["candidate"]]
    h = services.household_lease_next(poll=poll, interviewer=interviewer)
    with pytest.raises(ValidationError) as caught:
        services.call_record(household=h, interviewer=interviewer, **kwargs)
    assert caught.value.messages == [message]
    assert CallAttempt.objects.count() == 0


def test_callback_comes_back_when_due_and_before_new_households(
    poll, cand, households, interviewer
):
    h1 = services.household_lease_next(poll=poll, interviewer=interviewer)
    when = timezone.now() + datetime.timedelta(hours=1)
    services.call_record(
        household=h1, interviewer=interviewer, disposition="callback", callback_at=when
    )
    # not yet due: the next one is a new household
    h2 = services.household_lease_next(poll=poll, interviewer=interviewer)
    assert h2.ref == "H2"
    services.call_record(household=h2, interviewer=interviewer, disposition="ineligible")
    # due now (time passes): the callback comes first
    Household.objects.filter(pk=h1.pk).update(
        callback_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    again = services.household_lease_next(poll=poll, interviewer=interviewer)
    assert again == h1
    services.call_record(
        household=again, interviewer=interviewer, disposition="complete", candidate=cand["X"]
    )
    again.refresh_from_db()
    assert (again.disposition, again.attempts, again.callback_at) == ("complete", 2, None)
    assert list(
        CallAttempt.objects.filter(household=h1)
        .order_by("id")
        .values_list("disposition", flat=True)
    ) == ["callback", "complete"]


def test_non_contact_is_retried_later_and_gives_up_after_max_attempts(
    poll, households, interviewer
):
    h = services.household_lease_next(poll=poll, interviewer=interviewer)
    services.call_record(household=h, interviewer=interviewer, disposition="non_contact")
    h.refresh_from_db()
    assert h.callback_at > timezone.now() + datetime.timedelta(minutes=119)
    Household.objects.filter(pk=h.pk).update(
        callback_at=timezone.now(), attempts=services.MAX_ATTEMPTS
    )
    leased = [
        services.household_lease_next(poll=poll, interviewer=interviewer_user()).ref
        for _ in range(2)
    ]
    assert leased == ["H2", "H3"]


def test_one_household_one_vote(poll, cand, households, interviewer):
    h = services.household_lease_next(poll=poll, interviewer=interviewer)
    services.call_record(
        household=h, interviewer=interviewer, disposition="complete", candidate=cand["X"]
    )
    # even if someone forced the household back into a lease
    Household.objects.filter(pk=h.pk).update(
        leased_by=interviewer, leased_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    with pytest.raises(ValidationError) as caught:
        services.call_record(
            household=h, interviewer=interviewer, disposition="complete", candidate=cand["Y"]
        )
    assert caught.value.messages == ["This household has already been interviewed."]
    assert Response.objects.filter(household=h).count() == 1


def test_no_interviewing_outside_fieldwork(poll, households, interviewer, secretariat):
    services.poll_set_status(poll=poll, status="closed", actor=secretariat)
    with pytest.raises(ValidationError) as caught:
        services.household_lease_next(poll=poll, interviewer=interviewer)
    assert caught.value.messages == ["This poll is not in fieldwork."]


def test_phone_hash_is_keyed_and_normalised():
    assert services.phone_hash("+852 2345-6789") == services.phone_hash("23456789")
    assert services.phone_hash("23456789") != services.phone_hash("23456780")
    assert services.phone_hash("") == ""
    import hashlib

    assert services.phone_hash("23456789") != hashlib.sha256(b"23456789").hexdigest()
