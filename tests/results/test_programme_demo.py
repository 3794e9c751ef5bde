"""The demo programmes (awards/results/programme_demo.py): HK 2002–03 and TW 8th, loaded
with the results demo through the programme services, idempotent."""

import datetime

import pytest

from awards.results.demo import load_results_demo
from awards.results.models import Obligation, ProgrammeEvent
from scoring.demo import load_review_demo

pytestmark = pytest.mark.django_db

HKT = datetime.timezone(datetime.timedelta(hours=8))


def test_the_demo_programmes_of_hk_2002_03_and_tw_8th(demo):
    assert load_review_demo()
    assert load_results_demo()
    assert not load_results_demo()
    hk = list(
        ProgrammeEvent.objects.filter(edition__scheme__code="hk-csca")
        .order_by("starts_at")
        .values_list("kind", "starts_at", "venue_en")
    )
    assert hk == [
        (
            "exhibition",
            datetime.datetime(2003, 2, 20, 10, tzinfo=HKT),
            "Hong Kong Central Library, exhibition gallery",
        ),
        ("ceremony", datetime.datetime(2003, 2, 24, 15, tzinfo=HKT), "Hong Kong Central Library"),
        ("roving", datetime.datetime(2003, 3, 3, 10, tzinfo=HKT), "New Town Plaza, Sha Tin"),
        (
            "seminar",
            datetime.datetime(2003, 4, 10, 14, 30, tzinfo=HKT),
            "Civil Service Training and Development Institute, lecture theatre",
        ),
    ]
    # every department of the demo (the seed's 48: 23 entered, 25 more exhibited) is asked
    exhibits = Obligation.objects.filter(
        event__kind="exhibition", event__edition__scheme__code="hk-csca"
    )
    assert exhibits.count() == 48
    assert set(exhibits.values_list("kind", "status").distinct()) == {("exhibit", "asked")}
    tw = list(
        ProgrammeEvent.objects.filter(edition__scheme__code="tw-gsqa", edition__number=8)
        .order_by("starts_at")
        .values_list("kind", "is_published")
    )
    assert tw == [
        ("ceremony", True),
        ("presentation", True),
        ("presentation", True),
        ("discussion", False),
    ]
    # the three winners are asked to give a talk at each results presentation
    talks = Obligation.objects.filter(event__kind="presentation")
    assert talks.count() == 6
    assert all(o.award_id for o in talks)
