"""Agency list, dashboard for each role, and the language switch."""

import pytest
from django.utils import translation

from agencies.enums import Role
from agencies.models import Agency, User
from tests.conftest import html, table_rows, texts
from tests.factories import AgencyFactory, UserFactory, secretariat_user

pytestmark = pytest.mark.django_db

AGENCY_TABLE = "//main//table"


def demo_user(email):
    return User.objects.get(email=email)


# --- agency list --------------------------------------------------------------------------


def test_agency_list_shows_the_tree_with_types_parents_and_status(demo, client):
    client.force_login(demo_user("secretariat@demo.test"))
    response = client.get("/agencies/")
    assert response.status_code == 200
    tree = html(response)
    rows = table_rows(tree, AGENCY_TABLE)
    assert len(rows) == Agency.objects.count()
    by_code = {row[0]: row for row in rows}
    assert by_code["TW-NDC"] == ["TW-NDC", "國家發展委員會", "一般行政", "—", "啟用"]
    assert by_code["TW-MOI"] == ["TW-MOI", "內政部 主管機關", "一般行政", "—", "啟用"]
    assert by_code["TW-NPA"] == ["TW-NPA", "內政部警政署", "警政", "內政部", "啟用"]
    assert by_code["TW-SMLNSA"] == [
        "TW-SMLNSA",
        "交通部觀光局日月潭國家風景區管理處",
        "觀光遊憩",
        "交通部觀光局",
        "啟用",
    ]
    # Children are indented by depth under their parent.
    (row,) = tree.xpath("//tbody/tr[td[1]='TW-SMLNSA']/th")
    assert row.get("class") == "depth-2"
    # The 48 Hong Kong departments (23 entered, 48 exhibited) sit under the HKSAR Government.
    hk_departments = [r for r in rows if r[3] == "香港特別行政區政府"]
    assert len(hk_departments) == 48
    assert hk_departments[0] == [
        "HK-IMMD",
        "入境事務處",
        "移民及關務",
        "香港特別行政區政府",
        "啟用",
    ]


def test_agency_list_is_in_tree_order(demo, client):
    client.force_login(demo_user("secretariat@demo.test"))
    rows = table_rows(html(client.get("/agencies/")), AGENCY_TABLE)
    assert [row[0] for row in rows[:6]] == [
        "TW-NDC",
        "TW-MOI",
        "TW-NPA",
        "TW-NFA",
        "TW-NIA",
        "TW-MOF",
    ]


def test_agency_list_in_english(demo, client):
    client.force_login(demo_user("secretariat@demo.test"))
    client.cookies["lang"] = "en"
    rows = table_rows(html(client.get("/agencies/")), AGENCY_TABLE)
    assert next(row for row in rows if row[0] == "TW-NPA") == [
        "TW-NPA",
        "National Police Agency",
        "Police",
        "Ministry of the Interior",
        "Active",
    ]


def test_agency_list_search_by_code_or_name(demo, client):
    client.force_login(demo_user("secretariat@demo.test"))
    rows = table_rows(html(client.get("/agencies/", {"q": "戶政"})), AGENCY_TABLE)
    assert {row[0] for row in rows} == {"TW-TPE-ZSHR", "TW-NTPC-BQHR", "TW-ILA-LDHR"}
    rows = table_rows(html(client.get("/agencies/", {"q": "hk-immd"})), AGENCY_TABLE)
    assert [row[0] for row in rows] == ["HK-IMMD"]
    tree = html(client.get("/agencies/", {"q": "不存在的機關"}))
    assert table_rows(tree, AGENCY_TABLE) == [["沒有符合搜尋條件的機關。"]]


def test_agency_list_empty_state(client):
    client.force_login(secretariat_user())
    tree = html(client.get("/agencies/"))
    assert table_rows(tree, AGENCY_TABLE) == [["尚無機關資料，請先匯入機關名單。"]]


@pytest.mark.parametrize("email", ["editor@demo.test", "reviewer@demo.test"])
def test_agency_list_is_not_found_for_other_roles(demo, client, email):
    client.force_login(demo_user(email))
    response = client.get("/agencies/")
    assert response.status_code == 404
    assert "國家發展委員會" not in response.content.decode()


def test_agency_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/agencies/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/agencies/"


@pytest.mark.parametrize("agencies", [5, 100])
def test_agency_list_query_count_does_not_grow_with_agencies(
    client, django_assert_num_queries, agencies
):
    client.force_login(secretariat_user())
    root = AgencyFactory(is_competent_authority=True)
    parent = root
    for i in range(agencies - 1):
        # A mix of depths, so that parent names come from several levels.
        parent = AgencyFactory(parent=root if i % 3 == 0 else parent)
    # Session, user, the user's roles, the agencies with their parents.
    with django_assert_num_queries(4):
        response = client.get("/agencies/")
    assert len(table_rows(html(response), AGENCY_TABLE)) == agencies


# --- dashboard ----------------------------------------------------------------------------

DASHBOARDS = [
    (
        "editor@demo.test",
        "機關承辦人",
        "貴機關尚無參獎案件。 目前開放自薦，歡迎開始撰寫自薦書。",
        ["我的工作", "我的參獎案件", "我的獎項", "回饋與申覆", "活動"],
    ),
    (
        "authority@demo.test",
        "主管機關承辦人",
        "目前沒有待您推薦的案件。",
        ["我的工作", "推薦作業", "我的獎項", "回饋與申覆", "活動"],
    ),
    (
        "reviewer@demo.test",
        "評審委員",
        "目前開放中的階段沒有分派給您的自薦書。",
        ["我的工作", "我的評審"],
    ),
    (
        "assessor@demo.test",
        "實地審查員（神秘客）",
        "目前開放中的階段沒有分派給您的自薦書。",
        ["我的工作", "我的評審"],
    ),
    ("interviewer@demo.test", "電話訪問員", "目前沒有進行中的電話訪問。", ["我的工作", "電話訪問"]),
    ("approver@demo.test", "核定人員", "目前沒有待您核定的評審結果。", ["我的工作", "結果"]),
]


@pytest.mark.parametrize(
    ("email", "heading", "empty", "nav"), DASHBOARDS, ids=[d[0] for d in DASHBOARDS]
)
def test_each_role_sees_only_its_own_dashboard_section(demo, client, email, heading, empty, nav):
    user = demo_user(email)
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//h1") == ["我的工作"]
    assert texts(tree, "//main/p[@class='lead']") == [
        f"{user.full_name}，您好。以下是您目前待辦的工作。"
    ]
    assert texts(tree, "//section[@class='role-section']/h2") == [heading]
    assert texts(tree, "//section[@class='role-section']//div[@class='empty']") == [empty]
    # Each role gets its own pages in the navigation; only the secretariat the set-up ones.
    assert texts(tree, "//nav[@class='site-nav']//a") == nav


def test_secretariat_dashboard_lists_the_editions_with_their_stage_now(demo, client):
    client.force_login(demo_user("secretariat@demo.test"))
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section[@class='role-section']/h2") == ["秘書處"]
    cards = texts(tree, "//section[@class='role-section']//div[@class='card']")
    tw8 = next(card for card in cards if card.startswith("第八屆政府服務品質獎"))
    assert tw8.endswith("各階段均已結束")
    assert "臺北時間 今日為" in tw8
    assert texts(tree, "//nav[@class='site-nav']//a") == [
        "我的工作",
        "評獎作業",
        "資格審查",
        "評審作業",
        "機關",
        "結果",
        "電話訪問",
        "系統設定",
    ]


def test_secretariat_dashboard_empty_state(client):
    client.force_login(secretariat_user())
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section[@class='role-section']//div[@class='empty']") == [
        "尚未設定評獎作業。請至「系統設定」建立獎項計畫及屆別。",
        "尚無機關開始參獎。",
        "尚未設定電話訪問，請至「系統設定」建立。",
    ]


def test_dashboard_of_a_user_without_a_role(client):
    client.force_login(UserFactory())
    tree = html(client.get("/dashboard/"))
    assert tree.xpath("//section") == []
    assert texts(tree, "//main//div[@class='empty']") == ["您的帳號尚未指派角色，請洽秘書處。"]


def test_dashboard_with_two_roles_shows_both_sections(client):
    agency = AgencyFactory(name_zh="測試戶政事務所")
    client.force_login(UserFactory(roles=[Role.REVIEWER, (Role.AGENCY_EDITOR, agency)]))
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section[@class='role-section']/h2") == ["機關承辦人", "評審委員"]


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_root_goes_to_the_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


# --- language switch ----------------------------------------------------------------------


def test_language_switch_sets_the_cookie_and_returns_to_the_page(client):
    response = client.post("/language/", {"language": "en", "next": "/cycle/"})
    assert response.status_code == 302
    assert response["Location"] == "/cycle/"
    cookie = response.cookies["lang"]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    # The next page renders in English.
    tree = html(client.get("/accounts/login/"))
    assert tree.get("lang") == "en"
    assert texts(tree, "//h1") == ["Sign in"]


def test_language_switch_back_to_chinese(client):
    client.cookies["lang"] = "en"
    response = client.post("/language/", {"language": "zh-hant", "next": "/accounts/login/"})
    assert response.cookies["lang"].value == "zh-hant"
    tree = html(client.get("/accounts/login/"))
    assert tree.get("lang") == "zh-Hant"
    assert texts(tree, "//h1") == ["登入"]


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_language_switch_rejects_an_off_site_next(client, next_url):
    response = client.post("/language/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["lang"].value == "en"


def test_language_switch_ignores_an_unknown_language(client):
    response = client.post("/language/", {"language": "fr", "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    assert "lang" not in response.cookies


def test_language_switch_only_accepts_post(client):
    assert client.get("/language/", {"language": "en"}).status_code == 405


def test_default_language_is_traditional_chinese_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hant"
    assert html(response).get("lang") == "zh-Hant"


# --- sign-in page -------------------------------------------------------------------------


def test_wrong_password_gives_one_clear_message(demo, client):
    response = client.post(
        "/accounts/login/", {"username": "secretariat@demo.test", "password": "wrong"}
    )
    assert response.status_code == 200
    assert texts(html(response), "//div[@role='alert']") == [
        "登入失敗：電子郵件地址或密碼不正確，請檢查後再試一次。"
    ]
    assert "_auth_user_id" not in client.session


def test_wrong_password_message_in_english(demo, client):
    client.cookies["lang"] = "en"
    response = client.post(
        "/accounts/login/", {"username": "nobody@demo.test", "password": "wrong"}
    )
    with translation.override("en"):
        expected = translation.gettext(
            "Sign-in failed: the e-mail address or the password is not right. "
            "Check both and try again."
        )
    assert texts(html(response), "//div[@role='alert']") == [expected]


def test_sign_in_page_for_a_signed_in_user_goes_to_the_dashboard(demo, client):
    client.force_login(demo_user("reviewer@demo.test"))
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
