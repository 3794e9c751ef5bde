import pytest
from django.utils import translation

from awards import demo_data
from awards.services import category_rubric_create
from rubrics.models import Dimension, Indicator
from tests.factories import CategoryFactory, UserFactory, score_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["lang"] = "en"
    return client


def _indicator_formset(dimension, points):
    data = {
        "indicators-TOTAL_FORMS": str(len(points)),
        "indicators-INITIAL_FORMS": str(len(points)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "rubric": dimension.rubric_id,
        "order": dimension.order,
        "name_zh": dimension.name_zh,
        "name_en": dimension.name_en,
        "max_points": dimension.max_points,
    }
    for i, (indicator, value) in enumerate(zip(dimension.indicators.all(), points, strict=True)):
        data.update(
            {
                f"indicators-{i}-id": indicator.pk,
                f"indicators-{i}-dimension": dimension.pk,
                f"indicators-{i}-order": indicator.order,
                f"indicators-{i}-name_zh": indicator.name_zh,
                f"indicators-{i}-name_en": indicator.name_en,
                f"indicators-{i}-max_points": value,
                f"indicators-{i}-focus_points_zh": indicator.focus_points_zh,
                f"indicators-{i}-focus_points_en": indicator.focus_points_en,
            }
        )
    return data


def test_admin_refuses_indicators_that_do_not_add_up_and_names_the_dimension(admin_client):
    category_rubric_create(category=CategoryFactory(), **demo_data.TW8_FIRST_LINE_RUBRIC)
    dimension = Dimension.objects.get(name_zh="優質便民服務")
    url = f"/admin/rubrics/dimension/{dimension.pk}/change/"
    response = admin_client.post(url, _indicator_formset(dimension, [100, 90]))
    with translation.override("en"):
        assert response.status_code == 200
        assert (
            "Dimension “Convenient quality service”: its indicators add up to 190, but the "
            "dimension is worth 400." in response.content.decode()
        )
    assert list(dimension.indicators.values_list("max_points", flat=True)) == [200, 200]


def test_admin_shows_a_scored_rubric_read_only_and_refuses_changes(admin_client):
    category_rubric_create(category=CategoryFactory(), **demo_data.TW8_FIRST_LINE_RUBRIC)
    dimension = Dimension.objects.get(name_zh="優質便民服務")
    indicator = dimension.indicators.first()
    score_on(indicator, 150)
    url = f"/admin/rubrics/dimension/{dimension.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "This rubric is frozen: reviewers have already scored with it" in page
    assert 'name="max_points"' not in page  # read-only: no inputs
    response = admin_client.post(url, _indicator_formset(dimension, [250, 150]))
    assert response.status_code == 403
    assert list(
        Indicator.objects.filter(dimension=dimension).values_list("max_points", flat=True)
    ) == [200, 200]


def test_nomination_admin_keeps_state_read_only(admin_client):
    from awards.services import nomination_start
    from tests.factories import open_cycle

    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    page = admin_client.get(f"/admin/awards/nomination/{nomination.pk}/change/").content.decode()
    assert "Zhongshan District Household Registration Office" in page
    assert 'name="state"' not in page
    listing = admin_client.get("/admin/awards/nomination/").content.decode()
    assert "Zhongshan District Household Registration Office" in listing
