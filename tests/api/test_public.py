"""The public endpoints: published editions, winners, history, certificate verification.
Only published results ever appear; both languages; constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from awards.results.models import Award
from tests.factories import EditionFactory

from .conftest import api_client, in_zh

pytestmark = pytest.mark.django_db


def test_schemes_list_only_published_editions(world):
    response = api_client().get(reverse("api:schemes"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schemes = {s["code"]: s for s in response.json()}
    ours = schemes[world.scheme.code]
    assert ours["name_zh"] == world.scheme.name_zh
    assert [e["number"] for e in ours["editions"]] == [world.edition.number]
    edition = ours["editions"][0]
    assert edition["name_zh"] == world.edition.name_zh
    assert edition["time_zone"] == "Asia/Taipei"
    assert edition["winners_url"] == "http://testserver" + reverse(
        "api:edition", args=[world.scheme.code, world.edition.number]
    )
    # The embargoed edition is nowhere in the answer.
    assert world.embargoed_edition.name_zh not in response.content.decode()


def test_edition_winners(world):
    response = api_client().get(
        reverse("api:edition", args=[world.scheme.code, world.edition.number])
    )
    assert response.status_code == 200
    data = response.json()
    assert data["scheme"] == world.scheme.code
    assert data["number"] == world.edition.number
    assert data["version"] == world.version.number
    awards = list(Award.objects.filter(version=world.version).order_by("order", "pk"))
    assert len(awards) == 2
    [category] = data["categories"]
    assert category["category"]["code"] == world.category.code
    assert [w["agency"]["code"] for w in category["winners"]] == [a.agency.code for a in awards]
    first = category["winners"][0]
    assert first["award_zh"] == "政府服務品質獎"
    assert first["award_en"] == "Government Service Quality Award"
    assert first["level_zh"] == "特優"
    assert first["revoked_on"] is None
    # Never a score, a rank or a serial on the public answer.
    assert "score" not in first and "serial" not in first and "rank" not in first


def test_unpublished_edition_is_404_for_everyone(world):
    url = reverse("api:edition", args=[world.scheme.code, world.embargoed_edition.number])
    for client in (api_client(), api_client(world.keys["secretariat"])):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "尚未公布之獎" not in response.content.decode()
    # An edition with no results at all, and one that does not exist.
    plain = EditionFactory(scheme=world.scheme)
    assert (
        api_client().get(reverse("api:edition", args=[world.scheme.code, plain.number])).status_code
        == 404
    )
    assert api_client().get(reverse("api:edition", args=["nope", 1])).status_code == 404


def test_history_figures(world):
    response = api_client().get(reverse("api:history", args=[world.scheme.code]))
    assert response.status_code == 200
    data = response.json()
    assert data["scheme"] == world.scheme.code
    [row] = data["editions"]
    assert row["edition"] == world.edition.number
    assert row["participants"] == 6
    assert row["winners"] == 2
    assert row["award_rate"] == round(2 / 6, 4)
    assert row["recorded"] is False
    assert data["total"]["participants"] == 6
    assert data["total"]["name_en"] == "Total"
    # The embargoed edition has no participants counted, so it is not even "unpublished".
    assert world.embargoed_edition.name_zh not in response.content.decode()


def test_certificate_verification(world):
    award = world.award_own
    response = api_client(lang="en").get(reverse("api:certificate", args=[award.serial]))
    assert response.status_code == 200
    data = response.json()
    assert data["serial"] == award.serial
    assert data["state"] == "valid"
    assert data["state_label"] == "Valid certificate"
    assert data["agency"]["code"] == world.agency.code
    assert data["edition"]["number"] == world.edition.number
    # Typed loosely (lower case, no hyphens): the same certificate.
    loose = award.serial.replace("-", "").lower()
    assert (
        api_client().get(reverse("api:certificate", args=[loose])).json()["serial"] == award.serial
    )


def test_certificate_of_embargoed_results_is_unknown(world):
    response = api_client(lang="en").get(
        reverse("api:certificate", args=[world.award_embargoed.serial])
    )
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No certificate has the serial number {world.award_embargoed.serial}.",
        "code": "not_found",
    }


def test_malformed_serial_is_400_in_both_languages(world):
    url = reverse("api:certificate", args=["12345"])
    en = api_client(lang="en").get(url)
    assert en.status_code == 400
    assert en.json()["code"] == "invalid"
    assert en.json()["errors"]["serial"] == [
        "This is not a certificate serial number: it has 16 letters and digits, "
        "e.g. 7K3M-Q9TX-2B8W-RZ4D."
    ]
    zh = api_client().get(url)
    assert zh.status_code == 400
    assert zh["Content-Language"] == "zh-hant"
    assert zh.json()["detail"] == in_zh("The request has invalid parameters.")


def test_language_by_query_and_accept_language(world):
    url = reverse("api:edition", args=[world.scheme.code, world.embargoed_edition.number])
    assert api_client().get(url).json()["detail"] == in_zh("Not found, or not open to you.")
    # DRF's own messages come from its zh-Hant catalogue.
    invalid_page = api_client(world.keys["editor"]).get(reverse("api:nominations") + "?page=9")
    assert invalid_page.status_code == 404
    assert invalid_page.json() == {"detail": "無效的頁面。", "code": "not_found"}
    assert api_client().get(url + "?lang=en").json()["detail"] == "Not found, or not open to you."
    response = api_client().get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert response.json()["detail"] == "Not found, or not open to you."


def _more_published_editions(world, n):
    from tests.results.helpers import approved_version, scored_cycle

    for _ in range(n):
        cycle = scored_cycle(agencies=3, winners=1)
        cycle.edition.scheme = world.scheme
        cycle.edition.number = world.edition.number + 10 + _
        cycle.edition.save(update_fields=["scheme", "number"])
        approved_version(cycle, published=True)


def test_public_lists_take_constant_queries(world, django_assert_num_queries):
    client = api_client()
    url = reverse("api:schemes")
    edition_url = reverse("api:edition", args=[world.scheme.code, world.edition.number])
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(3):
        assert client.get(edition_url).status_code == 200
    _more_published_editions(world, 2)
    with django_assert_num_queries(2):
        data = client.get(url).json()
    assert len({s["code"]: s for s in data}[world.scheme.code]["editions"]) == 3
    with django_assert_num_queries(3):
        assert client.get(edition_url).status_code == 200


def test_unknown_api_address_is_a_json_404(world):
    response = api_client().get("/api/v1/no-such-thing/?lang=en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found, or not open to you.", "code": "not_found"}
    # Outside /api/v1/ the site's own 404 page.
    assert api_client().get("/api/nothing/")["Content-Type"].startswith("text/html")


def test_api_is_read_only(world):
    url = reverse("api:nominations")
    response = api_client(world.keys["secretariat"], lang="en").post(
        url, {}, content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.', "code": "method_not_allowed"}
    assert api_client(lang="en").delete(reverse("api:schemes")).status_code == 405
