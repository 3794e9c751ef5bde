import datetime

import pytest

from awards.enums import StageKind
from awards.models import AwardScheme, Category, Edition, Stage
from awards.selectors import edition_today, stages_current
from rubrics.models import Indicator
from tests.factories import EditionFactory, StageFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_current_stage_is_derived_from_dates_in_the_editions_time_zone():
    edition = EditionFactory(time_zone="Asia/Taipei")
    recommendation = StageFactory(
        edition=edition,
        kind=StageKind.RECOMMENDATION,
        starts_on=datetime.date(2016, 1, 5),
        ends_on=datetime.date(2016, 1, 11),
    )
    # 2016-01-11 16:30 UTC is already 2016-01-12 00:30 in Taipei: the stage has closed.
    late = datetime.datetime(2016, 1, 11, 16, 30, tzinfo=UTC)
    assert edition_today(edition, now=late) == datetime.date(2016, 1, 12)
    assert stages_current(edition, now=late) == []
    # 15:59 UTC is 23:59 in Taipei on the last day: still open.
    last_minute = datetime.datetime(2016, 1, 11, 15, 59, tzinfo=UTC)
    assert stages_current(edition, now=last_minute) == [recommendation]
    # 2016-01-04 16:00 UTC is midnight on the first day in Taipei: open.
    first = datetime.datetime(2016, 1, 4, 16, 0, tzinfo=UTC)
    assert stages_current(edition, now=first) == [recommendation]


def test_same_instant_differs_between_taipei_and_a_later_zone():
    taipei = EditionFactory(time_zone="Asia/Taipei")
    honolulu = EditionFactory(time_zone="Pacific/Honolulu")
    for edition in (taipei, honolulu):
        StageFactory(
            edition=edition, starts_on=datetime.date(2016, 1, 5), ends_on=datetime.date(2016, 1, 5)
        )
    instant = datetime.datetime(
        2016, 1, 5, 8, 0, tzinfo=UTC
    )  # 16:00 Jan 5 Taipei, 22:00 Jan 4 Honolulu
    assert [s.edition for s in stages_current(taipei, now=instant)] == [taipei]
    assert stages_current(honolulu, now=instant) == []


def test_overlapping_stages_are_all_current():
    edition = EditionFactory(time_zone="Asia/Hong_Kong")
    poll = StageFactory(
        edition=edition,
        kind=StageKind.TELEPHONE_POLL,
        order=1,
        starts_on=datetime.date(2002, 12, 2),
        ends_on=datetime.date(2003, 1, 15),
    )
    visit = StageFactory(
        edition=edition,
        kind=StageKind.SITE_VISIT,
        order=2,
        starts_on=datetime.date(2002, 12, 2),
        ends_on=datetime.date(2002, 12, 31),
    )
    now = datetime.datetime(2002, 12, 10, 4, 0, tzinfo=UTC)
    assert stages_current(edition, now=now) == [poll, visit]


def test_demo_loads_both_seed_schemes_exactly(demo):
    tw = AwardScheme.objects.get(code="tw-gsqa")
    history = list(
        tw.editions.filter(number__lte=7)
        .order_by("number")
        .values_list("number", "recorded_participants", "recorded_finalists", "recorded_winners")
    )
    assert history == [
        (1, 150, 46, 24),
        (2, 147, 46, 28),
        (3, 156, 50, 29),
        (4, 168, 51, 32),
        (5, 173, 53, 30),
        (6, 175, 46, 30),
        (7, 174, 50, 30),
    ]
    totals = [sum(row[i] for row in history) for i in (1, 2, 3)]
    assert totals == [1143, 342, 203]
    assert round(100 * 203 / 1143) == 18

    eighth = Edition.objects.get(scheme=tw, number=8)
    assert eighth.time_zone == "Asia/Taipei"
    assert list(eighth.categories.values_list("kind", flat=True)) == [
        "first_line",
        "service_planning",
        "special",
    ]
    recommendation = eighth.stages.get(kind=StageKind.RECOMMENDATION)
    assert (recommendation.starts_on, recommendation.ends_on) == (
        datetime.date(2016, 1, 5),
        datetime.date(2016, 1, 11),
    )
    first_line = Category.objects.get(edition=eighth, code="first-line")
    assert [(d.name_zh, d.max_points) for d in first_line.rubric.dimensions.all()] == [
        ("優質便民服務", 400),
        ("資訊網路服務", 300),
        ("創新增值服務", 300),
    ]
    assert Indicator.objects.get(
        name_zh="服務流程", dimension__rubric__category=first_line
    ).focus_points_zh == ("服務流程便捷性\n服務流程透明度")

    hk = AwardScheme.objects.get(code="hk-csca")
    hk_edition = hk.editions.get()
    assert hk_edition.time_zone == "Asia/Hong_Kong"
    assert hk_edition.uses_recommendation is False
    ceremony = hk_edition.stages.get(kind=StageKind.CEREMONY)
    assert ceremony.starts_on == datetime.date(2003, 2, 24)
    from agencies.models import Agency

    # The exhibition's 48 departments (seed 000, para 7), of which 23 entered (para 4).
    assert Agency.objects.get(code="HK-GOV").children.count() == 48


def test_demo_load_is_idempotent(demo):
    from awards.demo import load_demo

    counts = (AwardScheme.objects.count(), Edition.objects.count(), Stage.objects.count())
    assert load_demo() is False
    assert (AwardScheme.objects.count(), Edition.objects.count(), Stage.objects.count()) == counts


def test_demo_has_a_live_demonstration_edition_open_for_nominations_today(demo):
    from awards.selectors import editions_open_for_nomination

    ninth = Edition.objects.get(scheme__code="tw-gsqa", number=9)
    assert "示範" in ninth.name_zh
    assert [e.pk for e, _stage in editions_open_for_nomination()] == [ninth.pk]
    first_line = ninth.categories.get(code="first-line")
    assert (
        first_line.rubric.cloned_from
        == Category.objects.get(
            edition__number=8, edition__scheme__code="tw-gsqa", code="first-line"
        ).rubric
    )
    assert [(d.name_zh, d.max_points) for d in first_line.rubric.dimensions.all()] == [
        ("優質便民服務", 400),
        ("資訊網路服務", 300),
        ("創新增值服務", 300),
    ]
