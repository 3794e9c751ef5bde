"""The configuration area's pages: the start page, an edition's hub, a new edition
from a previous one (form, preview, save, refusals) and the configuration history.
Three personas: the secretariat (sees and does), an approver (another staff role) and
an agency editor (404 both)."""

import datetime

import pytest
from django.utils import translation

from agencies.enums import Role
from awards.copying import shift_date, stage_field
from awards.models import Category, Edition
from tests.conftest import html, table_rows, texts
from tests.factories import AgencyFactory, StageFactory, UserFactory, secretariat_user
from workflow.audit import config_change_record, snapshot
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = secretariat_user()
    client.force_login(user)
    return user


@pytest.fixture(params=["approver", "agency_editor"])
def other_role(request, client):
    if request.param == "approver":
        user = UserFactory(roles=[Role.APPROVER], is_staff=True)
    else:
        user = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    client.force_login(user)
    return user


def tw8():
    return Edition.objects.get(scheme__code="tw-gsqa", number=8)


def urls(edition):
    base = f"/cycle/editions/{edition.pk}/configuration/"
    return [
        "/cycle/configuration/",
        base,
        base + "new-edition/",
        base + "history/",
    ]


def form_data(edition, **overrides):
    data = {
        "number": "10",
        "year_label": "2017",
        "name_zh": "第十屆政府服務品質獎",
        "name_en": "10th Government Service Quality Award",
        "time_zone": "Asia/Taipei",
        "offset_years": "1",
        "offset_days": "0",
    }
    for stage in edition.stages.all():
        data[stage_field(stage.pk, "starts")] = shift_date(stage.starts_on, 1, 0).isoformat()
        data[stage_field(stage.pk, "ends")] = shift_date(stage.ends_on, 1, 0).isoformat()
    return data | overrides


def test_other_roles_get_404_everywhere(demo, client, other_role):
    edition = tw8()
    for url in urls(edition):
        assert client.get(url).status_code == 404, url
    save = f"/cycle/editions/{edition.pk}/configuration/new-edition/save/"
    assert client.post(save, form_data(edition)).status_code == 404
    assert not Edition.objects.filter(number=10).exists()


def test_start_page_lists_schemes_with_new_edition_buttons(demo, client, secretariat):
    client.cookies["lang"] = "en"
    response = client.get("/cycle/configuration/")
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//main//h2") == [
        "Civil Service Customer Service Award Scheme",
        "Government Service Quality Award",
    ]
    assert texts(tree, "//main//a[contains(@class, 'button')]") == [
        "New edition from Outstanding Customer Service Award 2002–03",
        "New edition from 9th Government Service Quality Award (demonstration)",
    ]
    # The navigation's Configuration link leads here, not to the admin.
    nav = tree.xpath("//nav//a[@href='/cycle/configuration/']")
    assert len(nav) == 1
    assert tree.xpath("//a[@href='/admin/']") == []


def test_hub_shows_the_configuration_at_a_glance(demo, client, secretariat):
    edition = tw8()
    client.cookies["lang"] = "en"
    response = client.get(f"/cycle/editions/{edition.pk}/configuration/")
    tree = html(response)
    rows = table_rows(tree, "//table[contains(@class, 'categories-table')]")
    assert [row[0] for row in rows] == [
        "First-line service agencies",
        "Service planning agencies",
        "Special award",
    ]
    assert [row[3] for row in rows] == ["1000", "1000", "—"]
    stage_rows = table_rows(tree, "//table[contains(@class, 'stages-table')]")
    assert stage_rows[0][:3] == [
        "Agencies write their dossiersNomination open",
        "2015-11-19",
        "2016-01-04",
    ]
    assert len(stage_rows) == edition.stages.count()
    # Focus points of the rubric, in both languages.
    first = Category.objects.get(edition=edition, code="first-line").rubric
    indicator = first.dimensions.first().indicators.first()
    body = response.content.decode()
    assert indicator.name_zh in body
    assert indicator.focus_points_zh.splitlines()[0] in body
    hrefs = tree.xpath("//main//a/@href")
    assert f"/cycle/editions/{edition.pk}/configuration/new-edition/" in hrefs
    assert f"/cycle/editions/{edition.pk}/configuration/history/" in hrefs


def test_hub_query_count_does_not_grow_with_categories(
    demo, client, secretariat, django_assert_max_num_queries
):
    edition = tw8()
    url = f"/cycle/editions/{edition.pk}/configuration/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        Category.objects.create(
            edition=edition, code=f"extra-{n}", kind="first_line", name_zh=f"類{n}"
        )
        StageFactory(edition=edition, kind="ceremony", order=50 + n)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_preview_shows_shifted_dates_and_keeps_inputs(demo, client, secretariat):
    edition = tw8()
    client.cookies["lang"] = "en"
    response = client.get(f"/cycle/editions/{edition.pk}/configuration/new-edition/")
    assert response.status_code == 200
    tree = html(response)
    nomination = edition.stages.get(kind="nomination")
    (start,) = tree.xpath(f"//input[@name='{stage_field(nomination.pk, 'starts')}']/@value")
    assert start == "2016-11-19"
    assert tree.xpath("//input[@name='number']/@value") == ["10"]
    assert texts(tree, "//p[contains(., 'Change any of them')]") == [
        "Dates are days in Taipei time. Change any of them before saving."
    ]
    assert texts(tree, "//select[@name='time_zone']/option[@selected]") == ["Taipei time"]

    # Shift by a year and 10 days: the preview's dates follow.
    response = client.post(
        f"/cycle/editions/{edition.pk}/configuration/new-edition/",
        form_data(edition, offset_days="10", name_zh="第十屆"),
    )
    tree = html(response)
    (start,) = tree.xpath(f"//input[@name='{stage_field(nomination.pk, 'starts')}']/@value")
    assert start == "2016-11-29"
    assert tree.xpath("//input[@name='name_zh']/@value") == ["第十屆"]
    assert not Edition.objects.filter(number=10).exists()


def test_save_creates_the_edition_and_redirects_to_its_hub(demo, client, secretariat):
    edition = tw8()
    nomination = edition.stages.get(kind="nomination")
    data = form_data(edition)
    data[stage_field(nomination.pk, "starts")] = "2016-11-01"
    response = client.post(f"/cycle/editions/{edition.pk}/configuration/new-edition/save/", data)
    new = Edition.objects.get(scheme=edition.scheme, number=10)
    assert response.status_code == 302
    assert response["Location"] == f"/cycle/editions/{new.pk}/configuration/"
    assert new.stages.get(kind="nomination").starts_on == datetime.date(2016, 11, 1)
    assert new.categories.count() == 3
    page = client.get(response["Location"])
    assert "第十屆政府服務品質獎" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message_start"),
    [
        ({"number": "8"}, "number", "Edition number 8 is already used"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "“Mars/Olympus” is not a known time zone."),
        ({"name_zh": ""}, "name_zh", "This field is required."),
    ],
)
def test_refusals_show_beside_the_field_and_keep_inputs(
    demo, client, secretariat, overrides, field, message_start
):
    edition = tw8()
    entries = AuditEntry.objects.count()
    data = form_data(edition, **overrides)
    client.cookies["lang"] = "en"
    response = client.post(f"/cycle/editions/{edition.pk}/configuration/new-edition/save/", data)
    assert response.status_code == 400
    tree = html(response)
    errors = texts(tree, f"//ul[@id='id_{field}_error']/li")
    assert len(errors) == 1
    assert errors[0].startswith(message_start)
    assert tree.xpath("//input[@name='name_en']/@value") == [data["name_en"]]
    assert not Edition.objects.filter(number=10).exists()
    assert AuditEntry.objects.count() == entries


def test_a_stage_starting_before_its_predecessor_ends_is_refused(demo, client, secretariat):
    edition = tw8()
    recommendation = edition.stages.get(kind="recommendation")
    data = form_data(edition)
    data[stage_field(recommendation.pk, "starts")] = "2016-12-31"
    response = client.post(f"/cycle/editions/{edition.pk}/configuration/new-edition/save/", data)
    assert response.status_code == 400
    tree = html(response)
    errors = texts(tree, f"//ul[@id='id_{stage_field(recommendation.pk, 'starts')}_error']/li")
    assert len(errors) == 1
    assert "2016-12-31" in errors[0] and "2017-01-04" in errors[0]
    # What was typed is kept.
    assert tree.xpath(f"//input[@name='{stage_field(recommendation.pk, 'starts')}']/@value") == [
        "2016-12-31"
    ]
    assert not Edition.objects.filter(number=10).exists()


def test_history_lists_changes_newest_first_with_before_and_after(demo, client, secretariat):
    edition = tw8()
    stage = edition.stages.get(kind="nomination")
    before = snapshot(stage, ["starts_on", "ends_on"])
    stage.ends_on = datetime.date(2016, 1, 10)
    # The record names the stage in the language of the request that made the change
    # (here, outside a request, said explicitly: the thread's language is whatever the
    # last request on this worker left active).
    with translation.override("zh-hant"):
        config_change_record(
            actor=secretariat,
            action="stage.update",
            obj=stage,
            edition_id=edition.pk,
            before=before,
            after=snapshot(stage, ["starts_on", "ends_on"]),
            reason="延長",
        )
    other = Edition.objects.get(scheme=edition.scheme, number=9)
    config_change_record(
        actor=secretariat,
        action="edition.update",
        obj=other,
        edition_id=other.pk,
        before={"name_zh": "a"},
        after={"name_zh": "b"},
    )
    response = client.get(f"/cycle/editions/{edition.pk}/configuration/history/")
    tree = html(response)
    rows = table_rows(tree, "//table[contains(@class, 'history-table')]")
    assert len(rows) == 1
    assert rows[0][1] == str(secretariat)
    assert "機關撰寫自薦書" in rows[0][2] and "延長" in rows[0][2]
    assert "2016-01-04 → 2016-01-10" in rows[0][3]
    # The field is named by its verbose name, not its attribute.
    assert "ends_on" not in rows[0][3]


def test_history_query_count_is_constant(demo, client, secretariat):
    edition = tw8()
    url = f"/cycle/editions/{edition.pk}/configuration/history/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def record(n):
        for i in range(n):
            config_change_record(
                actor=UserFactory(),
                action="edition.update",
                obj=edition,
                edition_id=edition.pk,
                before={"name_en": f"x{i}"},
                after={"name_en": f"y{i}"},
            )

    record(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    record(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(table_rows(html(response), "//table[contains(@class, 'history-table')]")) == 22
    record(10)
    with CaptureQueriesContext(connection) as paged:
        response = client.get(url + "?page=2")
    assert len(paged.captured_queries) == len(few.captured_queries)
    assert len(table_rows(html(response), "//table[contains(@class, 'history-table')]")) == 7


def test_the_configuration_start_page_costs_the_same_queries_for_more_editions(
    demo, client, secretariat, django_assert_num_queries
):
    """Literal counts: the start page lists each scheme's editions with one query for
    the schemes and one for their editions, however many there are."""
    from tests.factories import EditionFactory

    client.force_login(secretariat)
    client.get("/cycle/configuration/")
    with django_assert_num_queries(5):
        few = client.get("/cycle/configuration/")
    scheme = tw8().scheme
    for n in range(12):
        EditionFactory(scheme=scheme, number=100 + n, name_zh=f"第{100 + n}屆")
    with django_assert_num_queries(5):
        many = client.get("/cycle/configuration/")
    body = many.content.decode()
    assert "第111屆" in body and "第111屆" not in few.content.decode()


def test_the_hub_warns_when_the_scored_stages_weights_do_not_make_100(demo, client, secretariat):
    client.cookies["lang"] = "en"
    client.force_login(secretariat)
    hk = Edition.objects.get(scheme__code="hk-csca")
    tree = html(client.get(f"/cycle/editions/{hk.pk}/configuration/"))
    assert texts(tree, "//div[@id='weights-warning']//strong") == [
        "The scored stages' weights add up to 0 %, not 100 %."
    ]
    (link,) = tree.xpath("//div[@id='weights-warning']//a/@href")
    assert link == f"/cycle/editions/{hk.pk}/configuration/review-policy/"
    # Weighted 30/70 (as the review demo and the review policy page set them): no warning.
    scored = list(tw8().stages.filter(allows_scoring=True).order_by("order"))
    assert len(scored) == 2
    for stage, weight in zip(scored, (30, 70), strict=True):
        stage.score_weight = weight
        stage.save(update_fields=["score_weight"])
    tree = html(client.get(f"/cycle/editions/{tw8().pk}/configuration/"))
    assert tree.xpath("//div[@id='weights-warning']") == []
