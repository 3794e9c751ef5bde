"""The rubric editor's service (rubrics.services.rubric_save): each edit, each refusal
changing nothing, the before → after audit, the freeze and the stale save."""

import copy

import pytest
from django.utils import translation

from awards import demo_data
from awards.models import Nomination, Submission
from awards.services import category_rubric_create
from rubrics.models import Dimension, Indicator, Rubric
from rubrics.selectors import rubric_for_display
from rubrics.services import (
    RubricEditError,
    RubricFrozen,
    RubricStale,
    rubric_data,
    rubric_save,
)
from tests.factories import AgencyFactory, CategoryFactory, UserFactory, score_on
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def planning():
    category = CategoryFactory()
    rubric = category_rubric_create(category=category, **demo_data.TW8_PLANNING_RUBRIC)
    return category, rubric


def _data(rubric):
    return copy.deepcopy(rubric_data(rubric_for_display(rubric.pk)))


def _shape(rubric):
    return [
        (
            d.order,
            d.name_zh,
            d.max_points,
            [
                (i.order, i.name_zh, i.max_points, i.focus_points_zh, i.focus_points_en)
                for i in d.indicators.all()
            ],
        )
        for d in rubric_for_display(rubric.pk).dimensions.all()
    ]


def _config_entries():
    return list(
        AuditEntry.objects.filter(data__config=True).order_by("id").values_list("action", "data")
    )


def test_changing_an_indicator_and_its_dimension_saves_and_audits_before_and_after(planning):
    category, rubric = planning
    actor = UserFactory()
    data = _data(rubric)
    effect = data["dimensions"][1]
    effect["indicators"][0]["max_points"] = 450  # 外部效益 500 → 450
    effect["indicators"][1]["max_points"] = 150  # 內部效益 100 → 150
    rubric_save(
        rubric=rubric, data=data, based_on_revision=0, actor=actor, edition_id=category.edition_id
    )
    assert _shape(rubric)[1][3][:2] == [
        (1, "外部效益", 450, *_shape(rubric)[1][3][0][3:]),
        (2, "內部效益", 150, *_shape(rubric)[1][3][1][3:]),
    ]
    rubric.refresh_from_db()
    assert rubric.revision == 1
    entries = _config_entries()
    assert [(a, d["before"], d["after"], d["edition"]) for a, d in entries] == [
        ("rubric.indicator.update", {"max_points": 500}, {"max_points": 450}, category.edition_id),
        ("rubric.indicator.update", {"max_points": 100}, {"max_points": 150}, category.edition_id),
    ]
    assert AuditEntry.objects.filter(data__config=True).first().actor == actor


def test_adding_reordering_and_removing_rows(planning):
    category, rubric = planning
    data = _data(rubric)
    solution, effect = data["dimensions"]
    # Add an indicator to the solution dimension, splitting its 300 points.
    solution["indicators"][0]["max_points"] = 200
    solution["indicators"].append(
        {
            "id": None,
            "name_zh": "跨機關協調",
            "name_en": "Cross-agency coordination",
            "max_points": 100,
            "focus_points": [("協調機制", "Coordination mechanism"), ("", "")],
        }
    )
    # Remove 成本合理性 (100) and give its points to 內部效益.
    removed_pk = effect["indicators"][2]["id"]
    del effect["indicators"][2]
    effect["indicators"][1]["max_points"] = 200
    # Move the effect dimension first.
    data["dimensions"] = [effect, solution]
    rubric_save(rubric=rubric, data=data, based_on_revision=0, edition_id=category.edition_id)

    shape = _shape(rubric)
    assert [(o, name, pts) for o, name, pts, _i in shape] == [
        (1, "實際效果", 700),
        (2, "解決方法", 300),
    ]
    assert [(o, name, pts) for o, name, pts, *_f in shape[1][3]] == [
        (1, "整合性解決方法", 200),
        (2, "跨機關協調", 100),
    ]
    new = Indicator.objects.get(name_zh="跨機關協調")
    assert (new.focus_points_zh, new.focus_points_en) == ("協調機制", "Coordination mechanism")
    assert not Indicator.objects.filter(pk=removed_pk).exists()
    actions = [a for a, _d in _config_entries()]
    assert actions.count("rubric.indicator.create") == 1
    assert actions.count("rubric.indicator.delete") == 1
    created = next(d for a, d in _config_entries() if a == "rubric.indicator.create")
    assert created["before"] is None and created["after"]["name_zh"] == "跨機關協調"
    deleted = next(d for a, d in _config_entries() if a == "rubric.indicator.delete")
    assert deleted["after"] is None and deleted["before"]["name_zh"] == "成本合理性"
    moved = [d for a, d in _config_entries() if a == "rubric.dimension.update"]
    assert [(m["before"], m["after"]) for m in moved] == [
        ({"order": 2}, {"order": 1}),
        ({"order": 1}, {"order": 2}),
    ]


def _refused(rubric, data, error, revision=0, based_on=0):
    before = _shape(rubric)
    entries = AuditEntry.objects.count()
    with translation.override("en"), pytest.raises(error) as info:
        rubric_save(rubric=rubric, data=data, based_on_revision=based_on)
    assert _shape(rubric) == before
    assert AuditEntry.objects.count() == entries
    assert Rubric.objects.get(pk=rubric.pk).revision == revision
    return info.value


@pytest.mark.parametrize("points", [0, -5])
def test_an_indicator_with_zero_or_negative_points_is_refused(planning, points):
    _category, rubric = planning
    data = _data(rubric)
    data["dimensions"][1]["indicators"][2]["max_points"] = points
    error = _refused(rubric, data, RubricEditError)
    assert error.field_errors == {
        "d1-i2-max_points": [
            f"Indicator “成本合理性” must be worth at least 1 point; {points} is not allowed."
        ]
    }


def test_a_sum_that_does_not_add_up_is_refused_naming_the_dimension(planning):
    _category, rubric = planning
    data = _data(rubric)
    data["dimensions"][1]["indicators"][0]["max_points"] = 490
    error = _refused(rubric, data, RubricEditError)
    assert error.field_errors == {
        "d1-max_points": [
            "Dimension “實際效果”: its indicators add up to 690, but the dimension is worth 700."
        ]
    }


def test_dimensions_that_do_not_reach_the_total_are_refused(planning):
    _category, rubric = planning
    data = _data(rubric)
    data["total_points"] = 900
    error = _refused(rubric, data, RubricEditError)
    assert error.field_errors == {
        "total_points": ["The dimensions add up to 1000, but the rubric total is 900."]
    }


def test_a_focus_point_empty_in_one_language_is_refused(planning):
    _category, rubric = planning
    data = _data(rubric)
    data["dimensions"][0]["indicators"][0]["focus_points"].append(("新增重點", ""))
    data["dimensions"][1]["indicators"][0]["focus_points"].append(("", "Only English"))
    error = _refused(rubric, data, RubricEditError)
    n0 = len(data["dimensions"][0]["indicators"][0]["focus_points"])
    n1 = len(data["dimensions"][1]["indicators"][0]["focus_points"])
    assert error.field_errors == {
        f"d0-i0-fp{n0 - 1}-en": [
            f"Focus point {n0} of “整合性解決方法” is empty in English: write it in both "
            "languages, or clear both."
        ],
        f"d1-i0-fp{n1 - 1}-zh": [
            f"Focus point {n1} of “外部效益” is empty in Chinese: write it in both "
            "languages, or clear both."
        ],
    }


def test_a_stale_save_is_refused(planning):
    category, rubric = planning
    first = _data(rubric)
    second = _data(rubric)
    first["dimensions"][0]["name_en"] = "Solutions"
    rubric_save(rubric=rubric, data=first, based_on_revision=0)
    second["dimensions"][0]["name_en"] = "The solution"
    error = _refused(rubric, second, RubricStale, revision=1)
    assert error.messages[0].startswith("Someone else saved this rubric while you were editing it")
    assert Dimension.objects.get(pk=first["dimensions"][0]["id"]).name_en == "Solutions"


def test_a_rubric_with_a_submitted_dossier_is_frozen_with_the_reason(planning):
    category, rubric = planning
    user = UserFactory()
    nomination = Nomination.objects.create(
        edition=category.edition, category=category, agency=AgencyFactory(), created_by=user
    )
    Submission.objects.create(
        nomination=nomination,
        version=1,
        submitted_by=user,
        content={},
        pdf="x.pdf",
        pdf_sha256="0" * 64,
    )
    data = _data(rubric)
    data["dimensions"][0]["name_en"] = "Changed"
    error = _refused(rubric, data, RubricFrozen)
    assert error.messages == [
        "This rubric is frozen: a dossier has already been submitted on it, so it can no "
        "longer change. Changing it would change what agencies wrote to after they submitted."
    ]


def test_a_rubric_with_scores_is_frozen(planning):
    _category, rubric = planning
    score_on(Indicator.objects.get(name_zh="外部效益"), 400)
    data = _data(rubric)
    data["dimensions"][0]["name_en"] = "Changed"
    error = _refused(rubric, data, RubricFrozen)
    assert error.messages == [
        "This rubric is frozen: reviewers have already scored with it, so it can no longer change."
    ]
