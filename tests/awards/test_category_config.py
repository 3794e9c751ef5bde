"""An edition's categories configured in the app (awards.categories, the configuration
area): the secretariat adds a team or an individual award and changes a category; each
change is audited before → after; refusals (a code taken or malformed, no Chinese name,
a kind that would change whom existing nominations nominate, a limit below what an agency
already has) come beside their field, keep what was typed and change nothing; other
roles get 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from awards.categories import CategoryError, category_save
from awards.enums import CategoryKind
from awards.models import Category
from awards.services import nomination_start
from tests.conftest import html
from tests.factories import CategoryFactory, open_cycle
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle():
    return open_cycle()


def values(**over):
    return {
        "code": "team-award",
        "kind": CategoryKind.TEAM,
        "name_zh": "團隊獎",
        "name_en": "Team award",
        "description_zh": "",
        "description_en": "",
        "order": 5,
        "nominations_per_agency": 2,
    } | over


def client_for(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    client.force_login(user)
    return client


def post_data(**over):
    return {k: "" if v is None else str(v) for k, v in values(**over).items()}


# --- the service ---------------------------------------------------------------------------


def test_a_team_award_is_added_and_audited(cycle):
    category = category_save(actor=cycle.secretariat, edition=cycle.edition, values=values())
    assert (category.kind, category.nominee_kind, category.nominations_per_agency) == (
        "team",
        "team",
        2,
    )
    entry = AuditEntry.objects.get(action="config.category_add")
    assert entry.actor == cycle.secretariat
    assert entry.data["before"] is None
    assert entry.data["after"]["code"] == "team-award" and entry.data["edition"] == cycle.edition.pk


def test_a_change_is_audited_with_only_what_changed(cycle):
    category = category_save(actor=cycle.secretariat, edition=cycle.edition, values=values())
    category_save(
        actor=cycle.secretariat,
        edition=cycle.edition,
        category=category,
        values=values(name_en="Team Award for Service", order=7),
    )
    entry = AuditEntry.objects.get(action="config.category_change")
    assert entry.data["before"] == {"name_en": "Team award", "order": 5}
    assert entry.data["after"] == {"name_en": "Team Award for Service", "order": 7}


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"code": ""}, "code", "short code"),
        ({"code": "Team Award"}, "code", "lower-case letters"),
        ({"name_zh": "  "}, "name_zh", "name in Chinese"),
        ({"kind": "committee"}, "kind", "what the category awards"),
        ({"nominations_per_agency": 0}, "nominations_per_agency", "from 1 to 50"),
        ({"nominations_per_agency": None}, "nominations_per_agency", "from 1 to 50"),
        ({"order": -1}, "order", "0 or more"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(cycle, over, field, message):
    before = Category.objects.count()
    with pytest.raises(CategoryError) as refused:
        category_save(actor=cycle.secretariat, edition=cycle.edition, values=values(**over))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0]
    assert Category.objects.count() == before
    assert not AuditEntry.objects.filter(action__startswith="config.category").exists()


def test_a_code_taken_in_the_edition_is_refused(cycle):
    with pytest.raises(CategoryError) as refused:
        category_save(
            actor=cycle.secretariat, edition=cycle.edition, values=values(code=cycle.category.code)
        )
    assert refused.value.errors == {
        "code": [f"Another category of this edition has the code “{cycle.category.code}”."]
    }


def test_the_kind_does_not_change_whom_existing_nominations_nominate(cycle):
    nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    old_kind = cycle.category.kind
    with pytest.raises(CategoryError) as refused:
        category_save(
            actor=cycle.secretariat,
            edition=cycle.edition,
            category=cycle.category,
            values=values(code=cycle.category.code, kind=CategoryKind.INDIVIDUAL),
        )
    assert "1 nomination(s)" in refused.value.errors["kind"][0]
    cycle.category.refresh_from_db()
    assert cycle.category.kind == old_kind
    # Another kind that takes the agency itself is fine.
    category_save(
        actor=cycle.secretariat,
        edition=cycle.edition,
        category=cycle.category,
        values=values(
            code=cycle.category.code, kind=CategoryKind.SPECIAL, nominations_per_agency=1
        ),
    )
    cycle.category.refresh_from_db()
    assert cycle.category.kind == CategoryKind.SPECIAL


def test_the_limit_cannot_go_below_what_an_agency_already_has(cycle):
    team = CategoryFactory(
        edition=cycle.edition, kind=CategoryKind.TEAM, code="team", nominations_per_agency=3
    )
    for _ in range(2):
        nomination_start(actor=cycle.editor, agency=cycle.agency, category=team)
    with pytest.raises(CategoryError) as refused:
        category_save(
            actor=cycle.secretariat,
            edition=cycle.edition,
            category=team,
            values=values(code="team", nominations_per_agency=1),
        )
    assert "already has 2 nominations" in refused.value.errors["nominations_per_agency"][0]
    category_save(
        actor=cycle.secretariat,
        edition=cycle.edition,
        category=team,
        values=values(code="team", nominations_per_agency=2),
    )
    team.refresh_from_db()
    assert team.nominations_per_agency == 2


# --- the pages -----------------------------------------------------------------------------


def test_the_secretariat_adds_a_category_and_is_taken_to_its_rubric(cycle):
    client = client_for(cycle.secretariat)
    url = reverse("awards:config_category_add", args=[cycle.edition.pk])
    page = html(client.get(url))
    assert page.xpath("//select[@name='kind']/option[@selected]/@value") == ["department"]
    response = client.post(
        url, post_data(kind="individual", code="officer", name_en="Officer award")
    )
    category = Category.objects.get(edition=cycle.edition, code="officer")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "awards:config_rubric", args=[cycle.edition.pk, category.pk]
    )
    assert category.nominee_kind == "individual"
    hub = client.get(reverse("awards:configuration_hub", args=[cycle.edition.pk]))
    rows = html(hub).xpath("//table[contains(@class,'categories-table')]//tr[th[@scope='row']]")
    names = [r.xpath("string(th)").strip() for r in rows]
    assert "Officer award" in names
    assert "Individual" in [r.xpath("string(td[1])").strip() for r in rows]


def test_a_refusal_is_beside_the_field_in_chinese_and_keeps_what_was_typed(cycle):
    client = client_for(cycle.secretariat, lang="zh-hant")
    url = reverse("awards:config_category_add", args=[cycle.edition.pk])
    response = client.post(url, post_data(code="Team Award", name_en="Typed team award"))
    assert response.status_code == 400
    page = html(response)
    error = page.xpath("string(//ul[@id='id_code_error'])").strip()
    assert error and "team-award" in error and "lower-case" not in error  # in Chinese
    assert page.xpath("//input[@name='name_en']/@value") == ["Typed team award"]
    assert page.xpath("//input[@name='code']/@aria-invalid") == ["true"]
    assert not Category.objects.filter(edition=cycle.edition, name_en="Typed team award").exists()


def test_a_number_that_is_not_a_number_is_refused_beside_its_field(cycle):
    client = client_for(cycle.secretariat)
    url = reverse("awards:config_category_add", args=[cycle.edition.pk])
    response = client.post(url, post_data(nominations_per_agency="two"))
    assert response.status_code == 400
    assert "Enter a whole number." in html(response).xpath(
        "string(//ul[@id='id_nominations_per_agency_error'])"
    )


def test_the_secretariat_changes_a_category(cycle):
    client = client_for(cycle.secretariat)
    url = reverse("awards:config_category_edit", args=[cycle.edition.pk, cycle.category.pk])
    page = html(client.get(url))
    assert page.xpath("//input[@name='code']/@value") == [cycle.category.code]
    response = client.post(
        url,
        post_data(
            code=cycle.category.code, kind=cycle.category.kind, name_zh="第一線服務機關（新）"
        ),
    )
    assert response.status_code == 302
    cycle.category.refresh_from_db()
    assert cycle.category.name_zh == "第一線服務機關（新）"
    history = client.get(reverse("awards:configuration_history", args=[cycle.edition.pk]))
    assert "第一線服務機關（新）" in history.content.decode()


def test_a_category_of_another_edition_is_404(cycle):
    other = open_cycle()
    client = client_for(cycle.secretariat)
    url = reverse("awards:config_category_edit", args=[cycle.edition.pk, other.category.pk])
    assert client.get(url).status_code == 404


def test_other_roles_get_404(cycle):
    for user in (cycle.editor, cycle.officer, cycle.reviewer):
        client = client_for(user)
        for url in (
            reverse("awards:config_category_add", args=[cycle.edition.pk]),
            reverse("awards:config_category_edit", args=[cycle.edition.pk, cycle.category.pk]),
        ):
            assert client.get(url).status_code == 404
            assert client.post(url, post_data(code="x")).status_code == 404
    assert not Category.objects.filter(code="x").exists()


# --- the scheme's settings -----------------------------------------------------------------


def scheme_data(scheme, **over):
    data = {
        "name_zh": scheme.name_zh,
        "name_en": scheme.name_en,
        "organiser_zh": scheme.organiser_zh,
        "organiser_en": scheme.organiser_en,
        "description_zh": scheme.description_zh,
        "description_en": scheme.description_en,
        "nominee_retention_months": "36",
    }
    return data | over


def test_the_secretariat_sets_how_long_nominees_data_is_kept(cycle):
    from awards import nominees

    scheme = cycle.edition.scheme
    client = client_for(cycle.secretariat)
    start = html(client.get(reverse("awards:configuration_start")))
    assert "kept for 24 months" in start.xpath("string(//main)")
    url = reverse("awards:config_scheme", args=[scheme.code])
    assert html(client.get(url)).xpath("//input[@name='nominee_retention_months']/@value") == ["24"]
    category = CategoryFactory(edition=cycle.edition, kind=CategoryKind.INDIVIDUAL, code="person")
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=category)
    before = nominees.retention_ends_on(nomination)
    response = client.post(url, scheme_data(scheme))
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.nominee_retention_months == 36
    nomination.edition.scheme.refresh_from_db()
    after = nominees.retention_ends_on(nomination)
    assert (after.year - before.year, after.month, after.day) == (1, before.month, before.day)
    entry = AuditEntry.objects.get(action="config.scheme_change")
    assert (entry.data["before"], entry.data["after"]) == (
        {"nominee_retention_months": 24},
        {"nominee_retention_months": 36},
    )
    history = client.get(reverse("awards:configuration_history", args=[cycle.edition.pk]))
    assert "36" in html(history).xpath("string(//main)")


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"nominee_retention_months": "0"}, "nominee_retention_months", "from 1 to 120 months"),
        ({"nominee_retention_months": "abc"}, "nominee_retention_months", "Enter a whole number."),
        ({"name_zh": ""}, "name_zh", "name in Chinese"),
    ],
)
def test_bad_scheme_settings_are_refused_beside_the_field(cycle, over, field, message):
    scheme = cycle.edition.scheme
    client = client_for(cycle.secretariat)
    response = client.post(
        reverse("awards:config_scheme", args=[scheme.code]),
        scheme_data(scheme, name_en="Typed name", **over),
    )
    assert response.status_code == 400
    page = html(response)
    assert message in page.xpath(f"string(//ul[@id='id_{field}_error'])")
    assert page.xpath("//input[@name='name_en']/@value") == ["Typed name"]
    scheme.refresh_from_db()
    assert scheme.nominee_retention_months == 24 and scheme.name_en != "Typed name"
    assert not AuditEntry.objects.filter(action="config.scheme_change").exists()


def test_the_scheme_settings_are_the_secretariat_s(cycle):
    url = reverse("awards:config_scheme", args=[cycle.edition.scheme.code])
    for user in (cycle.editor, cycle.officer, cycle.reviewer):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, scheme_data(cycle.edition.scheme)).status_code == 404
    assert (
        client_for(cycle.secretariat)
        .get(reverse("awards:config_scheme", args=["nope"]))
        .status_code
        == 404
    )
