import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from awards import demo_data
from awards.services import category_rubric_clone, category_rubric_create
from rubrics.models import Dimension, Indicator, Rubric
from rubrics.services import RubricFrozen, dimension_update, indicator_update, rubric_validate
from tests.factories import CategoryFactory, score_on

pytestmark = pytest.mark.django_db


def _bad_rubric_data():
    return {
        "total_points": 400,
        "dimensions": [
            {
                "name_zh": "優質便民服務",
                "name_en": "Convenient quality service",
                "max_points": 200,
                "indicators": [
                    {"name_zh": "服務流程", "max_points": 100},
                    {"name_zh": "機關形象及顧客關係", "max_points": 90},
                ],
            },
            {
                "name_zh": "資訊網路服務",
                "max_points": 200,
                "indicators": [{"name_zh": "線上服務", "max_points": 200}],
            },
        ],
    }


def test_rubric_whose_indicators_add_to_190_of_200_is_refused_naming_the_dimension():
    category = CategoryFactory()
    with translation.override("en"), pytest.raises(ValidationError) as info:
        category_rubric_create(category=category, **_bad_rubric_data())
    assert info.value.messages == [
        "Dimension “Convenient quality service”: its indicators add up to 190, but the dimension is worth 200."
    ]
    assert not Rubric.objects.exists()
    assert not Dimension.objects.exists()
    assert not Indicator.objects.exists()


def test_rubric_dimensions_must_add_to_the_total():
    category = CategoryFactory()
    data = {
        "total_points": 1000,
        "dimensions": [
            {
                "name_zh": "解決方法",
                "max_points": 300,
                "indicators": [{"name_zh": "整合性解決方法", "max_points": 300}],
            }
        ],
    }
    with translation.override("en"), pytest.raises(ValidationError) as info:
        category_rubric_create(category=category, **data)
    assert info.value.messages == ["The dimensions add up to 300, but the rubric total is 1000."]


def test_message_is_translated_in_chinese():
    category = CategoryFactory()
    with translation.override("zh-hant"), pytest.raises(ValidationError) as info:
        category_rubric_create(category=category, **_bad_rubric_data())
    assert info.value.messages == [
        "評核構面「優質便民服務」的評核指標合計 190 分，但構面配分為 200 分。"
    ]


def test_seed_rubrics_are_valid_and_sum_as_published():
    first_line = category_rubric_create(
        category=CategoryFactory(), **demo_data.TW8_FIRST_LINE_RUBRIC
    )
    rubric_validate(first_line)
    dims = [
        (d.name_zh, d.max_points, [i.max_points for i in d.indicators.all()])
        for d in first_line.dimensions.all()
    ]
    assert dims == [
        ("優質便民服務", 400, [200, 200]),
        ("資訊網路服務", 300, [100, 200]),
        ("創新增值服務", 300, [300]),
    ]
    planning = category_rubric_create(category=CategoryFactory(), **demo_data.TW8_PLANNING_RUBRIC)
    dims = [
        (d.name_zh, d.max_points, [i.max_points for i in d.indicators.all()])
        for d in planning.dimensions.all()
    ]
    assert dims == [("解決方法", 300, [300]), ("實際效果", 700, [500, 100, 100])]


def test_clone_copies_every_dimension_indicator_and_focus_point():
    source = category_rubric_create(category=CategoryFactory(), **demo_data.TW8_FIRST_LINE_RUBRIC)
    target_category = CategoryFactory()
    clone = category_rubric_clone(source=source, category=target_category)

    def shape(r):
        return [
            (
                d.name_zh,
                d.name_en,
                d.max_points,
                [
                    (i.name_zh, i.max_points, i.focus_points_zh, i.focus_points_en)
                    for i in d.indicators.all()
                ],
            )
            for d in r.dimensions.all()
        ]

    assert clone.pk != source.pk
    assert clone.cloned_from == source
    assert clone.category == target_category
    assert shape(clone) == shape(source)
    assert Indicator.objects.count() == 10


def test_editing_a_rubric_that_has_scores_is_refused_and_changes_nothing():
    rubric = category_rubric_create(category=CategoryFactory(), **demo_data.TW8_PLANNING_RUBRIC)
    indicator = Indicator.objects.get(name_zh="外部效益")
    score_on(indicator, 420)

    with translation.override("en"), pytest.raises(RubricFrozen) as info:
        indicator_update(indicator=indicator, max_points=450)
    assert info.value.messages == [
        "This rubric is frozen: reviewers have already scored with it, so it can no longer change."
    ]
    with pytest.raises(RubricFrozen):
        dimension_update(dimension=indicator.dimension, name_zh="改名")
    indicator.refresh_from_db()
    assert indicator.max_points == 500
    assert rubric.dimensions.get(pk=indicator.dimension_id).name_zh == "實際效果"


def test_editing_an_unscored_rubric_keeps_totals_valid():
    category_rubric_create(category=CategoryFactory(), **demo_data.TW8_PLANNING_RUBRIC)
    indicator = Indicator.objects.get(name_zh="內部效益")
    indicator_update(indicator=indicator, focus_points_zh="內部流程改善")
    indicator.refresh_from_db()
    assert indicator.focus_points == ["內部流程改善"]
    with translation.override("en"), pytest.raises(ValidationError) as info:
        indicator_update(indicator=indicator, max_points=90)
    assert info.value.messages == [
        "Dimension “Actual effect”: its indicators add up to 690, but the dimension is worth 700."
    ]
    indicator.refresh_from_db()
    assert indicator.max_points == 100
