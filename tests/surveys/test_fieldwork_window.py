"""The poll's fieldwork dates govern calling (issue 13 point 7 with point 4's rule):
outside them an interviewer gets no household and no call is recorded, with the window
and its time zone in the message; inside them (or with no dates) calling works."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from surveys import services
from surveys.models import CallAttempt
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

# 2027-03-10 00:30 in Taipei (16:30 UTC the day before): the day is the zone's, not UTC's.
EARLY = datetime.datetime(2027, 3, 9, 16, 30, tzinfo=datetime.UTC)


@pytest.fixture
def household(poll, strata):
    poll.edition.time_zone = "Asia/Taipei"
    poll.edition.save(update_fields=["time_zone"])
    poll.fieldwork_starts_on = datetime.date(2027, 3, 10)
    poll.fieldwork_ends_on = datetime.date(2027, 3, 20)
    poll.save(update_fields=["fieldwork_starts_on", "fieldwork_ends_on"])
    return HouseholdFactory(poll=poll, ref="H1", stratum=strata["A"])


def test_calls_are_refused_before_and_after_fieldwork_and_allowed_inside(
    poll, household, interviewer
):
    with time_machine.travel(EARLY - datetime.timedelta(minutes=31), tick=False):  # 03-09 23:59
        with pytest.raises(ValidationError) as caught:
            services.household_lease_next(poll=poll, interviewer=interviewer)
    assert caught.value.messages == [
        "Fieldwork has not begun: calls are made from 2027-03-10 to 2027-03-20 "
        "(Taipei time (Asia/Taipei)), and today is 2027-03-09."
    ]
    with time_machine.travel(EARLY, tick=False):  # 00:30 on the first day, Taipei time
        leased = services.household_lease_next(poll=poll, interviewer=interviewer)
        assert leased.ref == "H1"
    # The lease outlives the window's last day: the call made after it is refused.
    after = datetime.datetime(2027, 3, 20, 16, 0, tzinfo=datetime.UTC)  # 03-21 00:00 Taipei
    with time_machine.travel(after, tick=False):
        leased.leased_until = after + datetime.timedelta(minutes=10)
        leased.save(update_fields=["leased_until"])
        with pytest.raises(ValidationError) as caught:
            services.call_record(household=leased, interviewer=interviewer, disposition="refusal")
    assert caught.value.messages == [
        "Fieldwork has ended: calls were made from 2027-03-10 to 2027-03-20 "
        "(Taipei time (Asia/Taipei)), and today is 2027-03-21."
    ]
    assert not CallAttempt.objects.exists()
    last_minute = datetime.datetime(2027, 3, 20, 15, 59, tzinfo=datetime.UTC)  # 23:59 Taipei
    with time_machine.travel(last_minute, tick=False):
        services.call_record(household=leased, interviewer=interviewer, disposition="refusal")
    assert CallAttempt.objects.count() == 1


def test_a_poll_without_fieldwork_dates_is_not_limited_by_them(poll, strata, interviewer):
    HouseholdFactory(poll=poll, ref="H9", stratum=strata["A"])
    assert poll.fieldwork_starts_on is None and poll.fieldwork_ends_on is None
    with time_machine.travel(EARLY, tick=False):
        assert services.household_lease_next(poll=poll, interviewer=interviewer).ref == "H9"


def test_the_next_household_page_says_why_there_is_no_button_outside_fieldwork(
    en_client, poll, household, interviewer
):
    from tests.conftest import html, texts

    url = f"/poll/{poll.pk}/call/"
    with time_machine.travel(EARLY - datetime.timedelta(days=3), tick=False):
        en_client.force_login(interviewer)  # a session of that day
        tree = html(en_client.get(url))
        assert texts(tree, "//p[@id='fieldwork-window']") == [
            "Fieldwork has not begun: calls are made from 2027-03-10 to 2027-03-20 "
            "(Taipei time (Asia/Taipei)), and today is 2027-03-07."
        ]
        assert not tree.xpath("//main//form[@method='post']")
        # Posting anyway (an old tab) is refused with the same reason, and leases nothing.
        response = en_client.post(url, follow=True)
        assert "Fieldwork has not begun" in response.content.decode()
        household.refresh_from_db()
        assert household.leased_by is None
    with time_machine.travel(EARLY, tick=False):
        tree = html(en_client.get(url))
        assert tree.xpath("//p[@id='fieldwork-window']") == []
        assert tree.xpath("//main//form[@method='post']//button")
