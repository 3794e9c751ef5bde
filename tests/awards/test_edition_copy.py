"""A new edition from a previous one (awards.copying.edition_copy): everything the
previous edition is configured with is copied, dates shifted by the offset, the source
untouched; every refusal writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from awards.copying import edition_copy, shift_date, stage_field
from awards.models import Category, Edition, Nomination, Stage
from awards.results.models import AwardLevel, AwardRule
from rubrics.models import Dimension, Indicator, Rubric
from scoring.models import Panel, PanelMember, ReviewPolicy
from surveys.models import Poll, PollCandidate, Stratum
from tests.factories import (
    AgencyFactory,
    PollCandidateFactory,
    PollFactory,
    StratumFactory,
    UserFactory,
    secretariat_user,
)
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def tw8():
    return Edition.objects.get(scheme__code="tw-gsqa", number=8)


@pytest.fixture
def source(demo):
    """The demo's 8th TW edition, with a review policy, award rules and levels, a panel
    and a poll added, so that every kind of configuration is there to copy."""
    edition = tw8()
    ReviewPolicy.objects.update_or_create(
        edition=edition,
        defaults={"aggregation": "zscore", "disagreement_percent": 15, "zscore_min_reviews": 4},
    )
    first_line = edition.categories.get(code="first-line")
    special = edition.categories.get(code="special")
    AwardRule.objects.update_or_create(
        category=first_line,
        defaults={"basis": "standings", "winners": 5, "award_name_zh": "服務品質獎"},
    )
    AwardRule.objects.update_or_create(category=special, defaults={"basis": "selection"})
    AwardLevel.objects.get_or_create(edition=edition, name_zh="特優", min_score=Decimal("90"))
    AwardLevel.objects.get_or_create(edition=edition, name_zh="優等", min_score=Decimal("80"))
    panel, _ = Panel.objects.get_or_create(edition=edition, category=first_line)
    PanelMember.objects.create(
        panel=panel, user=UserFactory(), affiliation_type="academia", is_chair=True
    )
    poll = PollFactory(edition=edition)
    StratumFactory(poll=poll, code="N")
    StratumFactory(poll=poll, code="S")
    PollCandidateFactory(poll=poll, agency=AgencyFactory())
    return edition


def counts(edition):
    return {
        "categories": edition.categories.count(),
        "rubrics": Rubric.objects.filter(category__edition=edition).count(),
        "dimensions": Dimension.objects.filter(rubric__category__edition=edition).count(),
        "indicators": Indicator.objects.filter(
            dimension__rubric__category__edition=edition
        ).count(),
        "stages": edition.stages.count(),
        "award_rules": AwardRule.objects.filter(category__edition=edition).count(),
        "award_levels": AwardLevel.objects.filter(edition=edition).count(),
        "review_policy": ReviewPolicy.objects.filter(edition=edition).count(),
        "strata": Stratum.objects.filter(poll__edition=edition).count(),
        "candidates": PollCandidate.objects.filter(poll__edition=edition).count(),
    }


def indicators(edition):
    return list(
        Indicator.objects.filter(dimension__rubric__category__edition=edition)
        .order_by("dimension__rubric__category__order", "dimension__order", "order")
        .values_list(
            "dimension__name_zh",
            "dimension__name_en",
            "name_zh",
            "name_en",
            "max_points",
            "focus_points_zh",
            "focus_points_en",
        )
    )


def source_state(edition):
    return (
        counts(edition),
        indicators(edition),
        list(edition.stages.order_by("pk").values_list("starts_on", "ends_on", "name_zh")),
        AuditEntry.objects.count(),
    )


def copy(source, **kwargs):
    if "actor" not in kwargs:
        kwargs["actor"] = secretariat_user()
    args = {
        "source": source,
        "number": 10,
        "name_zh": "第十屆政府服務品質獎",
        "name_en": "10th Government Service Quality Award",
        "year_label": "2017",
    }
    return edition_copy(**(args | kwargs))


def test_copy_makes_the_same_configuration_with_dates_a_year_later(source):
    before = source_state(source)
    with translation.override("en"):  # the reason is written in the actor's language
        new = copy(source)

    assert new.scheme_id == source.scheme_id
    assert (new.number, new.name_zh, new.year_label, new.time_zone, new.is_demo) == (
        10,
        "第十屆政府服務品質獎",
        "2017",
        "Asia/Taipei",
        False,
    )
    assert (
        counts(new)
        == counts(source)
        == {
            "categories": 3,
            "rubrics": 2,
            "dimensions": counts(source)["dimensions"],
            "indicators": counts(source)["indicators"],
            "stages": source.stages.count(),
            "award_rules": 2,
            "award_levels": 2,
            "review_policy": 1,
            "strata": 2,
            "candidates": 1,
        }
    )
    assert counts(source)["indicators"] > 0
    # Rubric text in both languages, focus points included, in new rows.
    assert indicators(new) == indicators(source)
    assert (
        not Rubric.objects.filter(category__edition=new)
        .filter(pk__in=Rubric.objects.filter(category__edition=source))
        .exists()
    )
    # Every stage shifted by one year, flags and weights kept.
    old_stages = list(source.stages.order_by("order", "starts_on", "pk"))
    new_stages = list(new.stages.order_by("order", "starts_on", "pk"))
    assert [
        (s.kind, s.name_zh, s.allows_dossier_edit, s.allows_scoring, s.score_weight)
        for s in new_stages
    ] == [
        (s.kind, s.name_zh, s.allows_dossier_edit, s.allows_scoring, s.score_weight)
        for s in old_stages
    ]
    assert [(s.starts_on, s.ends_on) for s in new_stages] == [
        (shift_date(s.starts_on, 1, 0), shift_date(s.ends_on, 1, 0)) for s in old_stages
    ]
    assert new_stages[0].starts_on == datetime.date(2016, 11, 19)
    policy = ReviewPolicy.objects.get(edition=new)
    assert (policy.aggregation, policy.disagreement_percent, policy.zscore_min_reviews) == (
        "zscore",
        15,
        4,
    )
    rule = AwardRule.objects.get(category__edition=new, category__code="first-line")
    assert (rule.basis, rule.winners, rule.award_name_zh) == ("standings", 5, "服務品質獎")
    poll = Poll.objects.get(edition=new)
    assert (poll.status, poll.title_zh, poll.target_sample_size) == (
        "draft",
        source.poll.title_zh,
        100,
    )
    # Panels and people are not copied unless asked.
    assert Panel.objects.filter(edition=new).count() == 0
    # The source is untouched.
    assert source_state(source)[:3] == before[:3]
    # The history starts with "copied from".
    entry = AuditEntry.objects.get(action="edition.copy")
    assert (entry.object_type, entry.object_id, entry.data["edition"]) == (
        "awards.edition",
        str(new.pk),
        new.pk,
    )
    assert entry.data["after"]["copied_from"] == source.pk
    assert entry.reason == "Copied from 8th Government Service Quality Award"


def test_panels_and_members_are_copied_when_asked(source):
    new = copy(source, copy_panels=True)
    panel = Panel.objects.get(edition=new)
    assert panel.category.edition == new
    assert list(panel.members.values_list("user_id", "is_chair", "affiliation_type")) == list(
        PanelMember.objects.filter(panel__edition=source).values_list(
            "user_id", "is_chair", "affiliation_type"
        )
    )


def test_edited_stage_dates_are_used(source):
    nomination_stage = source.stages.get(kind="nomination")
    today = datetime.date(2016, 12, 1)
    new = copy(source, stage_dates={nomination_stage.pk: (today, datetime.date(2017, 1, 4))})
    stage = new.stages.get(kind="nomination")
    assert (stage.starts_on, stage.ends_on) == (today, datetime.date(2017, 1, 4))
    # The other stages keep the shifted dates.
    recommendation = new.stages.get(kind="recommendation")
    assert recommendation.starts_on == datetime.date(2017, 1, 5)


def assert_refused(source, expected_errors, **kwargs):
    kwargs["actor"] = secretariat_user()
    before = source_state(source)
    editions = Edition.objects.count()
    with pytest.raises(ValidationError) as info, translation.override("en"):
        copy(source, **kwargs)
    assert info.value.message_dict == expected_errors
    assert Edition.objects.count() == editions
    assert source_state(source) == before
    assert Category.objects.filter(edition__number=10).count() == 0


def test_a_number_in_use_is_refused(source):
    assert_refused(
        source,
        {
            "number": [
                "Edition number 8 is already used by 8th Government Service Quality Award. Choose another number."
            ]
        },
        number=8,
    )


def test_copying_into_an_edition_with_nominations_is_refused(source):
    ninth = Edition.objects.get(scheme=source.scheme, number=9)
    if not ninth.nominations.exists():
        Nomination.objects.create(
            edition=ninth,
            category=ninth.categories.first(),
            agency=AgencyFactory(),
            created_by=UserFactory(),
        )
    assert_refused(
        source,
        {
            "number": [
                "9th Government Service Quality Award (demonstration) already has nominations: "
                "a copy cannot be made into it."
            ]
        },
        number=9,
    )


def test_an_empty_edition_can_receive_the_copy(source):
    empty = Edition.objects.create(scheme=source.scheme, number=10, name_zh="空白")
    new = copy(source)
    assert new.pk == empty.pk
    assert (new.name_zh, new.categories.count()) == ("第十屆政府服務品質獎", 3)


def test_an_unknown_time_zone_is_refused(source):
    assert_refused(
        source, {"time_zone": ["“Asia/Taipai” is not a known time zone."]}, time_zone="Asia/Taipai"
    )


def test_a_stage_before_its_predecessor_is_refused(source):
    recommendation = source.stages.get(kind="recommendation")
    nomination = source.stages.get(kind="nomination")
    assert_refused(
        source,
        {
            stage_field(recommendation.pk, "starts"): [
                "“Recommendation by competent authorities” would start (2017-01-04) before "
                "“Agencies write their dossiers” ends "
                "(2017-01-04): these stages must follow each other."
            ]
        },
        stage_dates={recommendation.pk: (datetime.date(2017, 1, 4), datetime.date(2017, 1, 11))},
    )
    assert nomination.ends_on == datetime.date(2016, 1, 4)


def test_an_end_before_its_start_is_refused(source):
    stage = source.stages.order_by("-order").first()
    assert_refused(
        source,
        {
            stage_field(stage.pk, "ends"): [
                f"“{stage.name_en}” would end (2017-01-01) before it starts (2017-02-01)."
            ]
        },
        stage_dates={stage.pk: (datetime.date(2017, 2, 1), datetime.date(2017, 1, 1))},
    )


def test_shift_date_keeps_29_february_in_the_month():
    assert shift_date(datetime.date(2016, 2, 29), 1, 0) == datetime.date(2017, 2, 28)
    assert shift_date(datetime.date(2016, 1, 31), 1, 2) == datetime.date(2017, 2, 2)


def test_category_is_named_with_its_edition(source):
    new = copy(source)
    with translation.override("zh-hant"):  # not whatever the last request left active
        names = sorted(
            str(c) for c in Category.objects.filter(code="first-line").select_related("edition")
        )
    assert names == [
        "第一線服務機關 · 第九屆政府服務品質獎（系統示範）",
        "第一線服務機關 · 第八屆政府服務品質獎",
        "第一線服務機關 · 第十屆政府服務品質獎",
    ]
    assert Stage.objects.filter(edition=new).count() == source.stages.count()
