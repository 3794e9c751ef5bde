"""The rubric editor page (awards:config_rubric): who may open it, what a save, a refusal
and a stale save show, the editor's buttons, and its query count."""

import pytest

from agencies.enums import Role
from awards import demo_data
from awards.services import category_rubric_create
from rubrics.models import Dimension, Indicator, Rubric
from tests.conftest import html, texts
from tests.factories import AgencyFactory, CategoryFactory, UserFactory, secretariat_user
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English (the language cookie), so the messages read as in the code."""
    client.cookies["lang"] = "en"


@pytest.fixture
def planning():
    category = CategoryFactory()
    category_rubric_create(category=category, **demo_data.TW8_PLANNING_RUBRIC)
    return category


def url(category):
    return f"/cycle/editions/{category.edition_id}/configuration/rubrics/{category.pk}/"


def form_data(response) -> dict:
    """Every named input of the editor's form with its value, as the browser would post."""
    tree = html(response)
    return {
        el.get("name"): el.get("value") or ""
        for el in tree.xpath("//form[@id='rubric-editor']//input[@name]")
        if el.get("type") != "checkbox"
    }


def test_secretariat_sees_every_row_with_sums(client, planning):
    client.force_login(secretariat_user())
    response = client.get(url(planning))
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//fieldset[@data-dimension]/legend") == [
        "Dimension 1: 解決方法",
        "Dimension 2: 實際效果",
    ]
    assert texts(tree, "//fieldset[@data-dimension]//output") == [
        "Indicators: 300 of 300",
        "Indicators: 700 of 700",
    ]
    assert texts(tree, "//output[@id='dimension-sum']") == ["Dimensions: 1000 of 1000"]
    data = form_data(response)
    assert data["d1-i0-name_zh"] == "外部效益"
    assert data["d1-i0-max_points"] == "500"
    assert data["revision"] == "0"


@pytest.mark.parametrize(
    "roles",
    [[Role.APPROVER], [Role.REVIEWER], "editor"],
    ids=["approver", "reviewer", "agency_editor"],
)
def test_other_roles_get_404(client, planning, roles):
    if roles == "editor":
        roles = [(Role.AGENCY_EDITOR, AgencyFactory())]
    client.force_login(UserFactory(roles=roles))
    assert client.get(url(planning)).status_code == 404
    assert client.post(url(planning), {"action": "save"}).status_code == 404
    assert Rubric.objects.get().revision == 0


def test_a_category_of_another_edition_is_404(client, planning):
    client.force_login(secretariat_user())
    other = CategoryFactory()
    response = client.get(
        f"/cycle/editions/{other.edition_id}/configuration/rubrics/{planning.pk}/"
    )
    assert response.status_code == 404


def test_save_changes_the_rubric(client, planning):
    user = secretariat_user()
    client.force_login(user)
    data = form_data(client.get(url(planning)))
    data.update({"d1-i0-max_points": "400", "d1-i1-max_points": "200", "action": "save"})
    response = client.post(url(planning), data)
    assert response.status_code == 302
    assert list(
        Indicator.objects.order_by("dimension__order", "order").values_list("max_points", flat=True)
    ) == [300, 400, 200, 100]
    assert AuditEntry.objects.filter(data__config=True, actor=user).count() == 2


def test_a_sum_that_does_not_add_up_is_refused_with_the_dimension_named_and_typing_kept(
    client, planning
):
    client.force_login(secretariat_user())
    data = form_data(client.get(url(planning)))
    data.update({"d1-i0-max_points": "490", "d1-name_en": "Effect, renamed", "action": "save"})
    response = client.post(url(planning), data)
    assert response.status_code == 400
    tree = html(response)
    message = "Dimension “實際效果”: its indicators add up to 690, but the dimension is worth 700."
    assert texts(tree, "//ul[@id='d1-max_points-error']/li") == [message]
    assert texts(tree, "//div[@id='editor-problems']//li") == [message]
    again = form_data(response)
    assert again["d1-i0-max_points"] == "490"
    assert again["d1-name_en"] == "Effect, renamed"
    assert Indicator.objects.get(name_zh="外部效益").max_points == 500
    assert Dimension.objects.get(name_zh="實際效果").name_en == "Actual effect"


def test_an_indicator_with_zero_points_is_refused_beside_the_field(client, planning):
    client.force_login(secretariat_user())
    data = form_data(client.get(url(planning)))
    data.update({"d1-i2-max_points": "0", "action": "save"})
    response = client.post(url(planning), data)
    assert response.status_code == 400
    assert texts(html(response), "//ul[@id='d1-i2-max_points-error']/li") == [
        "Indicator “成本合理性” must be worth at least 1 point; 0 is not allowed."
    ]


def test_a_stale_save_is_refused_and_what_was_typed_is_shown_again(client, planning):
    client.force_login(secretariat_user())
    mine = form_data(client.get(url(planning)))
    theirs = dict(mine, **{"d0-name_en": "Theirs", "action": "save"})
    assert client.post(url(planning), theirs).status_code == 302
    mine.update({"d0-name_en": "Mine", "action": "save"})
    response = client.post(url(planning), mine)
    assert response.status_code == 409
    tree = html(response)
    assert texts(tree, "//div[@id='editor-problems']/h2") == [
        "Not saved: the rubric changed meanwhile"
    ]
    assert form_data(response)["d0-name_en"] == "Mine"
    assert Dimension.objects.get(name_zh="解決方法").name_en == "Theirs"


def test_add_move_and_remove_buttons_change_the_rows_without_saving(client, planning):
    client.force_login(secretariat_user())
    data = form_data(client.get(url(planning)))
    response = client.post(url(planning), dict(data, action="add-ind:0"))
    assert response.status_code == 200
    added = form_data(response)
    assert added["d0-indicator_count"] == "2"
    assert added["d0-i1-name_zh"] == ""
    assert texts(html(response), "//p[@role='status']") == [
        "Not saved yet: save the rubric to keep these changes."
    ]
    moved = form_data(client.post(url(planning), dict(data, action="down-dim:0")))
    assert (moved["d0-name_zh"], moved["d1-name_zh"]) == ("實際效果", "解決方法")
    removed = form_data(client.post(url(planning), dict(data, action="remove-ind:1:2")))
    assert removed["d1-indicator_count"] == "2"
    assert Indicator.objects.count() == 4
    assert Rubric.objects.get().revision == 0


def test_a_frozen_rubric_shows_the_reason_and_no_form(client, planning):
    from tests.factories import score_on

    score_on(Indicator.objects.get(name_zh="外部效益"), 400)
    client.force_login(secretariat_user())
    response = client.get(url(planning))
    tree = html(response)
    assert texts(tree, "//div[@role='alert']/p[1]") == [
        "This rubric is frozen: reviewers have already scored with it, so it can no longer change."
    ]
    assert tree.xpath("//form[@id='rubric-editor']") == []


def test_a_category_without_a_rubric_can_start_one(client):
    category = CategoryFactory()
    client.force_login(secretariat_user())
    assert client.post(url(category), {"action": "start"}).status_code == 302
    category.refresh_from_db()
    assert category.rubric.total_points == 1000
    assert [d.max_points for d in category.rubric.dimensions.all()] == [1000]


@pytest.mark.parametrize(("dimensions", "indicators"), [(1, 1), (6, 8)])
def test_editor_query_count_does_not_grow_with_the_rubric(
    client, django_assert_num_queries, dimensions, indicators
):
    category = CategoryFactory()
    category_rubric_create(
        category=category,
        total_points=dimensions * indicators * 10,
        dimensions=[
            {
                "name_zh": f"構面{d}",
                "max_points": indicators * 10,
                "indicators": [
                    {
                        "name_zh": f"指標{d}-{i}",
                        "max_points": 10,
                        "focus_points_zh": "甲\n乙",
                        "focus_points_en": "A\nB",
                    }
                    for i in range(indicators)
                ],
            }
            for d in range(dimensions)
        ],
    )
    client.force_login(secretariat_user())
    # Session, user, roles, category with edition and rubric, the two freeze checks
    # (submitted dossiers, scores), rubric, dimensions, indicators.
    with django_assert_num_queries(9):
        response = client.get(url(category))
    assert len(html(response).xpath("//fieldset[@data-indicator]")) == dimensions * indicators
