"""The cycle's set-up pages: scheme list, edition, category rubric.

Three personas for each: the secretariat (sees the content), another signed-in role
(a reviewer, an agency editor: 404, so nothing leaks) and an anonymous visitor (sent to
sign in). Content is checked against the demo seed, row by row."""

import datetime

import pytest

from agencies.enums import Role
from awards.models import Category, Edition
from awards.selectors import edition_today
from awards.services import category_rubric_create
from awards.windows import zone_label
from tests.conftest import html, table_rows, texts
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    EditionFactory,
    SchemeFactory,
    StageFactory,
    UserFactory,
    secretariat_user,
)

pytestmark = pytest.mark.django_db


def zh_zone(name):
    from django.utils import translation

    with translation.override("zh-hant"):
        return str(zone_label(name))


TW8 = "第八屆政府服務品質獎"
HK = "二零零二至零三年度傑出顧客服務獎"


@pytest.fixture
def secretariat(client):
    user = secretariat_user()
    client.force_login(user)
    return user


@pytest.fixture(params=["reviewer", "agency_editor"])
def other_role(request, client):
    """A legitimate user of the system who has no business with the cycle's set-up."""
    if request.param == "reviewer":
        user = UserFactory(roles=[Role.REVIEWER])
    else:
        user = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    client.force_login(user)
    return user


def tw8():
    return Edition.objects.get(scheme__code="tw-gsqa", number=8)


def category(edition_number, code):
    return Category.objects.get(edition__number=edition_number, code=code)


# --- scheme list --------------------------------------------------------------------------

TW_SCHEME_XPATH = "//section[h2='政府服務品質獎']//table"


def test_scheme_list_shows_each_scheme_with_its_editions_and_recorded_counts(
    demo, client, secretariat
):
    response = client.get("/cycle/")
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//main//h2") == ["公務員顧客服務獎勵計劃", "政府服務品質獎"]

    tw_rows = table_rows(tree, TW_SCHEME_XPATH)
    past_and_8th = [row for row in tw_rows if row[0] != "第九屆政府服務品質獎（系統示範）"]
    assert past_and_8th == [
        [TW8, "2016（民國105年）", zh_zone("Asia/Taipei"), "3", "9", "—", "—", "—"],
        ["第七屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "174", "50", "30"],
        ["第六屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "175", "46", "30"],
        ["第五屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "173", "53", "30"],
        ["第四屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "168", "51", "32"],
        ["第三屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "156", "50", "29"],
        ["第二屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "147", "46", "28"],
        ["第一屆政府服務品質獎", "—", zh_zone("Asia/Taipei"), "0", "0", "150", "46", "24"],
    ]
    assert table_rows(tree, "//section[h2='公務員顧客服務獎勵計劃']//table") == [
        [HK, "2002–03", zh_zone("Asia/Hong_Kong"), "4", "11", "—", "—", "—"]
    ]
    # Each edition's name links to its page.
    (link,) = tree.xpath(f"//a[.='{TW8}']")
    assert link.get("href") == f"/cycle/editions/{tw8().pk}/"


def test_scheme_list_in_english(demo, client, secretariat):
    client.cookies["lang"] = "en"
    tree = html(client.get("/cycle/"))
    assert texts(tree, "//h1") == ["Award cycles"]
    rows = table_rows(tree, "//section[h2='Government Service Quality Award']//table")
    assert rows[-1] == [
        "1st Government Service Quality Award",
        "—",
        "Taipei time (Asia/Taipei)",
        "0",
        "0",
        "150",
        "46",
        "24",
    ]


def test_scheme_list_empty_state(client, secretariat):
    tree = html(client.get("/cycle/"))
    assert texts(tree, "//main//div[@class='empty']") == ["尚未設定獎項計畫。"]


def test_scheme_list_is_not_found_for_other_roles(demo, client, other_role):
    response = client.get("/cycle/")
    assert response.status_code == 404
    assert TW8 not in response.content.decode()


def test_scheme_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/cycle/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cycle/"


@pytest.mark.parametrize("editions", [3, 30])
def test_scheme_list_query_count_does_not_grow_with_editions(
    client, secretariat, django_assert_num_queries, editions
):
    for scheme in (SchemeFactory(), SchemeFactory()):
        for _ in range(editions):
            edition = EditionFactory(scheme=scheme)
            CategoryFactory(edition=edition)
            StageFactory(edition=edition)
            StageFactory(edition=edition)
    # Session, user, the user's roles, schemes, editions with their counts.
    with django_assert_num_queries(5):
        response = client.get("/cycle/")
    assert len(html(response).xpath("//main//tbody/tr")) == 2 * editions


# --- edition page -------------------------------------------------------------------------


def test_edition_page_shows_categories_and_stages_with_dates_and_status(demo, client, secretariat):
    response = client.get(f"/cycle/editions/{tw8().pk}/")
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//h1") == [TW8]
    assert texts(tree, "//main//dl/dt|//main//dl/dd")[0:2] == ["時區", zh_zone("Asia/Taipei")]
    assert texts(tree, "//main//dl/dd")[2] == "是"
    assert table_rows(tree, "//table[contains(@class, 'categories-table')]") == [
        [
            "第一線服務機關日常業務直接、高頻率面對民眾提供服務之機關，"
            "著重實際提供服務事項的效率與品質。",
            "第一線服務機關",
            "1000",
            "第一線服務機關評核指標",
        ],
        [
            "服務規劃機關負責統籌規劃服務作業之中央主管機關或地方自治政府，"
            "著重服務專案的實際效果及解決方法。",
            "服務規劃機關",
            "1000",
            "服務規劃機關評核指標",
        ],
        ["特別獎", "特別獎", "—", "特別獎評核指標"],
    ]
    assert table_rows(tree, "//table[contains(@class, 'stages-table')]") == [
        ["機關撰寫自薦書開放自薦", "2015-11-19", "2016-01-04", "已結束"],
        ["主管機關推薦參獎推薦", "2016-01-05", "2016-01-11", "已結束"],
        ["資格審查資格審查", "2016-01-12", "2016-01-14", "已結束"],
        ["行政院初審（書面評審）初審（書面審查）", "2016-01-15", "2016-02-29", "已結束"],
        ["決定入圍名單入圍評定", "2016-02-29", "2016-02-29", "已結束"],
        ["行政院決審（實地評審）決審（實地審查）", "2016-03-01", "2016-04-15", "已結束"],
        ["評審結果報行政院核定核定", "2016-04-21", "2016-04-30", "已結束"],
        ["頒獎典禮頒獎典禮", "2016-05-11", "2016-05-20", "已結束"],
        ["成果發表會成果發表", "2016-06-01", "2016-07-31", "已結束"],
    ]


def test_hk_edition_page(demo, client, secretariat):
    edition = Edition.objects.get(scheme__code="hk-csca", number=2002)
    tree = html(client.get(f"/cycle/editions/{edition.pk}/"))
    assert texts(tree, "//h1") == [HK]
    assert texts(tree, "//main//dl/dd") == [
        zh_zone("Asia/Hong_Kong"),
        edition_today(edition).strftime("%Y-%m-%d"),
        "否：自薦書直接送交秘書處",
    ]
    categories = table_rows(tree, "//table[contains(@class, 'categories-table')]")
    assert [row[1:3] for row in categories] == [
        ["部門", "300"],
        ["特別獎", "—"],
        ["團隊", "100"],
        ["個人", "100"],
    ]
    stages = table_rows(tree, "//table[contains(@class, 'stages-table')]")
    assert len(stages) == 11
    assert stages[4] == ["住戶電話訪問電話訪問", "2002-12-02", "2003-01-15", "已結束"]


def test_stage_status_is_open_upcoming_or_ended_by_the_editions_today(client, secretariat):
    edition = EditionFactory(name_zh="測試屆", time_zone="Asia/Taipei")
    today = edition_today(edition)
    day = datetime.timedelta(days=1)
    StageFactory(
        edition=edition, order=1, name_zh="已過", starts_on=today - 9 * day, ends_on=today - day
    )
    StageFactory(edition=edition, order=2, name_zh="今天", starts_on=today, ends_on=today)
    StageFactory(
        edition=edition, order=3, name_zh="將來", starts_on=today + day, ends_on=today + 9 * day
    )
    tree = html(client.get(f"/cycle/editions/{edition.pk}/"))
    rows = table_rows(tree, "//table[contains(@class, 'stages-table')]")
    assert [(row[0], row[3]) for row in rows] == [
        ("已過開放自薦", "已結束"),
        ("今天開放自薦", "進行中"),
        ("將來開放自薦", "尚未開始"),
    ]
    assert texts(tree, "//main//dl/dd")[1] == today.strftime("%Y-%m-%d")


def test_edition_page_in_english(demo, client, secretariat):
    client.cookies["lang"] = "en"
    tree = html(client.get(f"/cycle/editions/{tw8().pk}/"))
    assert texts(tree, "//h1") == ["8th Government Service Quality Award"]
    stages = table_rows(tree, "//table[contains(@class, 'stages-table')]")
    assert stages[1] == [
        "Recommendation by competent authoritiesRecommendation",
        "2016-01-05",
        "2016-01-11",
        "Ended",
    ]


def test_edition_page_empty_states(client, secretariat):
    edition = EditionFactory()
    tree = html(client.get(f"/cycle/editions/{edition.pk}/"))
    assert texts(tree, "//main//tbody/tr/td[@colspan]") == ["尚無類別。", "尚無作業階段。"]


def test_unknown_edition_is_not_found(client, secretariat):
    assert client.get("/cycle/editions/999999/").status_code == 404


def test_edition_page_is_not_found_for_other_roles(demo, client, other_role):
    response = client.get(f"/cycle/editions/{tw8().pk}/")
    assert response.status_code == 404
    assert TW8 not in response.content.decode()


def test_edition_page_sends_anonymous_visitors_to_sign_in(demo, client):
    pk = tw8().pk
    response = client.get(f"/cycle/editions/{pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cycle/editions/{pk}/"


@pytest.mark.parametrize("rows", [1, 12])
def test_edition_page_query_count_does_not_grow_with_categories_and_stages(
    client, secretariat, django_assert_num_queries, rows
):
    edition = EditionFactory()
    for i in range(rows):
        category = CategoryFactory(edition=edition, order=i)
        category_rubric_create(
            category=category,
            total_points=100,
            dimensions=[
                {
                    "name_zh": "構面",
                    "max_points": 100,
                    "indicators": [{"name_zh": "指標", "max_points": 100}],
                }
            ],
        )
        StageFactory(edition=edition, order=i)
    # Session, user, roles, the edition, its stages, its categories with their rubrics.
    with django_assert_num_queries(6):
        response = client.get(f"/cycle/editions/{edition.pk}/")
    assert len(html(response).xpath("//main//tbody/tr")) == 2 * rows


# --- category rubric ----------------------------------------------------------------------


def test_rubric_page_shows_dimensions_indicators_points_and_focus_points(demo, client, secretariat):
    response = client.get(f"/cycle/categories/{category(8, 'first-line').pk}/rubric/")
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//h1") == ["第一線服務機關評核指標"]
    assert texts(tree, "//main/p[@class='lead']") == ["3 個評核構面，合計 1000 分"]
    assert table_rows(tree, "//div[contains(@class, 'rubric-summary')]/table") == [
        ["優質便民服務", "2", "400"],
        ["資訊網路服務", "2", "300"],
        ["創新增值服務", "1", "300"],
    ]
    assert texts(tree, "//div[contains(@class, 'rubric-summary')]//tfoot//td") == ["", "1000"]
    assert texts(tree, "//section[contains(@class, 'rubric-dimension')]/h2") == [
        "優質便民服務 400 分",
        "資訊網路服務 300 分",
        "創新增值服務 300 分",
    ]
    first = "//section[contains(@class, 'rubric-dimension')][1]//table"
    assert table_rows(tree, first) == [
        ["服務流程", "200", "服務流程便捷性服務流程透明度"],
        ["機關形象及顧客關係", "200", "機關形象顧客滿意情形"],
    ]
    assert texts(tree, first + "/tbody/tr[1]//li") == ["服務流程便捷性", "服務流程透明度"]
    # Breadcrumbs lead back to the edition.
    assert texts(tree, "//nav[@class='breadcrumbs']//li") == [
        "評獎作業",
        TW8,
        "第一線服務機關",
    ]


def test_rubric_page_in_english(demo, client, secretariat):
    client.cookies["lang"] = "en"
    tree = html(client.get(f"/cycle/categories/{category(8, 'first-line').pk}/rubric/"))
    assert texts(tree, "//h1") == ["Rubric of First-line service agencies"]
    assert texts(tree, "//section[contains(@class, 'rubric-dimension')]/h2") == [
        "Convenient quality service 400 points",
        "Online information service 300 points",
        "Innovative value-added service 300 points",
    ]
    assert texts(tree, "//section[contains(@class, 'rubric-dimension')][1]//tbody/tr[1]//li") == [
        "Ease of the service process",
        "Transparency of the service process",
    ]


def test_hk_rubric_page(demo, client, secretariat):
    tree = html(client.get(f"/cycle/categories/{category(2002, 'department').pk}/rubric/"))
    assert texts(tree, "//main/p[@class='lead']") == ["3 個評核構面，合計 300 分"]
    assert table_rows(tree, "//div[contains(@class, 'rubric-summary')]/table") == [
        ["服務質素", "1", "100"],
        ["工作效率", "1", "100"],
        ["成本效益", "1", "100"],
    ]
    # An indicator without focus points shows a dash.
    assert table_rows(tree, "//section[contains(@class, 'rubric-dimension')][2]//table") == [
        ["工作效率", "100", "—"]
    ]


def test_rubric_page_of_a_category_without_rubric(demo, client, secretariat):
    tree = html(client.get(f"/cycle/categories/{category(8, 'special').pk}/rubric/"))
    assert texts(tree, "//h1") == ["特別獎評核指標"]
    assert texts(tree, "//main//div[@class='empty']") == ["此類別尚未設定評核指標。"]


def test_unknown_category_rubric_is_not_found(client, secretariat):
    assert client.get("/cycle/categories/999999/rubric/").status_code == 404


def test_rubric_page_is_not_found_for_other_roles(demo, client, other_role):
    response = client.get(f"/cycle/categories/{category(8, 'first-line').pk}/rubric/")
    assert response.status_code == 404
    assert "優質便民服務" not in response.content.decode()


def test_rubric_page_sends_anonymous_visitors_to_sign_in(demo, client):
    pk = category(8, "first-line").pk
    response = client.get(f"/cycle/categories/{pk}/rubric/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cycle/categories/{pk}/rubric/"


@pytest.mark.parametrize(("dimensions", "indicators"), [(1, 1), (6, 8)])
def test_rubric_page_query_count_does_not_grow_with_the_rubric(
    client, secretariat, django_assert_num_queries, dimensions, indicators
):
    cat = CategoryFactory()
    category_rubric_create(
        category=cat,
        total_points=dimensions * indicators * 10,
        dimensions=[
            {
                "name_zh": f"構面{d}",
                "max_points": indicators * 10,
                "indicators": [
                    {"name_zh": f"指標{d}-{i}", "max_points": 10, "focus_points_zh": "甲\n乙"}
                    for i in range(indicators)
                ],
            }
            for d in range(dimensions)
        ],
    )
    # Session, user, roles, category, rubric, dimensions, indicators, the two freeze
    # checks (a submitted dossier, scores).
    with django_assert_num_queries(9):
        response = client.get(f"/cycle/categories/{cat.pk}/rubric/")
    tree = html(response)
    assert len(tree.xpath("//section[contains(@class, 'rubric-dimension')]//tbody/tr")) == (
        dimensions * indicators
    )
