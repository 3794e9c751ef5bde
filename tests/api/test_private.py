"""The signed-in endpoints with per-user tokens: each answers for its owner and is 404 for
others (a token of agency A asking for agency B's nomination), 401 without a token;
constant query counts on the lists."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from awards.enums import NominationState
from awards.models import Nomination
from awards.results.enums import JobKind
from workflow.models import Job, JobStatus

from .conftest import api_client, in_zh

pytestmark = pytest.mark.django_db


def ids(response):
    return sorted(n["id"] for n in response.json()["results"])


def test_anonymous_gets_401_with_a_json_message(world):
    for name, args in (
        ("api:nominations", []),
        ("api:nomination", [world.nomination_own.pk]),
        ("api:standings", [world.written.pk, world.category.pk]),
        ("api:final_standings", [world.edition.pk, world.category.pk]),
        ("api:exports", []),
    ):
        response = api_client(lang="en").get(reverse(name, args=args))
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {
            "detail": "Sign in, or send your API token in the header: Authorization: Token <key>.",
            "code": "not_authenticated",
        }


def test_nominations_each_sees_their_own(world):
    url = reverse("api:nominations")
    own = api_client(world.keys["editor"]).get(url)
    assert own.status_code == 200
    assert ids(own) == [world.nomination_own.pk]
    [row] = own.json()["results"]
    assert row["agency"]["code"] == world.agency.code
    assert row["edition"] == {
        "id": world.edition.pk,
        "scheme": world.scheme.code,
        "number": world.edition.number,
        "name_zh": world.edition.name_zh,
        "name_en": world.edition.name_en,
    }
    assert row["category"]["code"] == world.category.code
    assert row["state"] == Nomination.objects.get(pk=world.nomination_own.pk).state == "finalist"
    assert row["state_label"] == in_zh("Finalist")
    assert ids(api_client(world.keys["other_editor"]).get(url)) == [world.nomination_other.pk]
    # The competent authority: the agencies under it (0, 2, 4), once submitted.
    under = sorted(n.pk for n in world.cycle.nominations[0::2])
    assert ids(api_client(world.keys["officer"]).get(url)) == under
    # The secretariat: every one. A reviewer: none (their dossiers are on their pages).
    assert ids(api_client(world.keys["secretariat"]).get(url)) == sorted(
        n.pk for n in world.cycle.nominations
    )
    assert ids(api_client(world.keys["reviewer"]).get(url)) == []


def test_another_agencys_nomination_is_404(world):
    own = reverse("api:nomination", args=[world.nomination_own.pk])
    other = reverse("api:nomination", args=[world.nomination_other.pk])
    editor = api_client(world.keys["editor"], lang="en")
    response = editor.get(own)
    assert response.status_code == 200
    assert response.json()["id"] == world.nomination_own.pk
    assert response.json()["agency"]["name_zh"] == world.agency.name_zh
    refused = editor.get(other)
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not found, or not open to you.", "code": "not_found"}
    assert world.other_agency.name_zh not in refused.content.decode()
    # The same answer as for a nomination that does not exist.
    assert editor.get(reverse("api:nomination", args=[999999])).json() == refused.json()
    # The other agency's editor and the officer of the other subtree: the mirror image.
    assert api_client(world.keys["other_editor"]).get(other).status_code == 200
    assert api_client(world.keys["other_editor"]).get(own).status_code == 404
    assert api_client(world.keys["officer"]).get(own).status_code == 200
    assert api_client(world.keys["officer"]).get(other).status_code == 404
    assert api_client(world.keys["reviewer"]).get(own).status_code == 404


def test_authority_does_not_see_a_draft(world):
    Nomination.objects.filter(pk=world.nomination_own.pk).update(
        state=NominationState.DRAFT, submitted_at=None
    )
    url = reverse("api:nomination", args=[world.nomination_own.pk])
    assert api_client(world.keys["officer"]).get(url).status_code == 404
    assert api_client(world.keys["editor"]).get(url).status_code == 200
    assert world.nomination_own.pk not in ids(
        api_client(world.keys["officer"]).get(reverse("api:nominations"))
    )


def test_nomination_filters_and_bad_parameters(world):
    client = api_client(world.keys["secretariat"], lang="en")
    url = reverse("api:nominations")
    assert len(client.get(url + f"?scheme={world.scheme.code}").json()["results"]) == 6
    assert client.get(url + "?scheme=none").json()["count"] == 0
    assert (
        client.get(url + f"?edition={world.edition.number}&scheme={world.scheme.code}").json()[
            "count"
        ]
        == 6
    )
    assert client.get(url + "?state=draft").json()["count"] == 0
    bad = client.get(url + "?state=won")
    assert bad.status_code == 400
    assert bad.json()["errors"]["state"] == [
        "Unknown state “won”: one of draft, submitted, returned, recommended, eligible, "
        "ineligible, finalist, withdrawn."
    ]
    bad = client.get(url + "?edition=１")  # a full-width digit: not a number here
    assert bad.status_code == 400
    assert bad.json()["errors"]["edition"] == ["Enter an edition number, in digits only."]


def test_session_sign_in_works_too(world):
    client = Client()
    client.force_login(world.editor)
    assert ids(client.get(reverse("api:nominations"))) == [world.nomination_own.pk]


def test_standings_for_the_secretariat_only(world):
    url = reverse("api:standings", args=[world.written.pk, world.category.pk])
    response = api_client(world.keys["secretariat"]).get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["stage"]["id"] == world.written.pk
    assert data["category"]["id"] == world.category.pk
    assert data["maximum"] == 1000
    rows = data["rows"]
    assert len(rows) == 6
    # Written totals 800, 760, 700, 600, 500, 400 (tests/results/helpers.py), in order.
    assert [r["score"] for r in rows] == [800.0, 760.0, 700.0, 600.0, 500.0, 400.0]
    assert [r["nomination"] for r in rows] == [n.pk for n in world.cycle.nominations]
    assert rows[0]["rank"] == 1
    assert rows[0]["reviews_submitted"] == 3
    assert len(rows[0]["dimensions"]) == 3
    for who in ("editor", "officer", "reviewer"):
        refused = api_client(world.keys[who]).get(url)
        assert refused.status_code == 404, who
        assert world.agency.name_zh not in refused.content.decode()
    # A stage of another edition, or one without scoring: 404 for the secretariat too.
    wrong = reverse("api:standings", args=[world.written.pk + 1000, world.category.pk])
    assert api_client(world.keys["secretariat"]).get(wrong).status_code == 404


def test_final_standings_for_the_secretariat_only(world):
    url = reverse("api:final_standings", args=[world.edition.pk, world.category.pk])
    response = api_client(world.keys["secretariat"]).get(url)
    assert response.status_code == 200
    data = response.json()
    assert [st["id"] for st in data["stages"]] == [world.written.pk, world.cycle.site_visit.pk]
    rows = data["rows"]
    # 30 % written + 70 % site visit for the finalists (tests/results/helpers.py):
    # n0 870, n2 770, n1 718, then the others by their written score.
    n = world.cycle.nominations
    assert [r["nomination"] for r in rows] == [n[0].pk, n[2].pk, n[1].pk, n[3].pk, n[4].pk, n[5].pk]
    assert [r["score"] for r in rows[:3]] == [870.0, 770.0, 718.0]
    assert rows[0]["stages"] == [
        {"stage": world.written.pk, "weight": 30, "score": 800.0},
        {"stage": world.cycle.site_visit.pk, "weight": 70, "score": 900.0},
    ]
    for who in ("editor", "officer", "reviewer"):
        assert api_client(world.keys[who]).get(url).status_code == 404, who
    # A category of another edition: 404.
    wrong = reverse("api:final_standings", args=[world.embargoed_edition.pk, world.category.pk])
    assert api_client(world.keys["secretariat"]).get(wrong).status_code == 404


def _export(world, kind, name, field="file"):
    job = Job.objects.create(
        kind=kind,
        target_type="awards.edition",
        target_id=world.edition.pk,
        params={"version": world.version.pk},
        status=JobStatus.DONE,
        progress=100,
        requested_by=world.secretariat,
        finished_at=timezone.now(),
    )
    getattr(job, field).save(name, ContentFile(b"PK\x03\x04 export"), save=True)
    return job


def test_exports_for_the_secretariat_only(world):
    workbook = _export(world, JobKind.WORKBOOK, "results.xlsx")
    certificates = _export(world, JobKind.CERTIFICATES, "certificates.zip", field="archive")
    url = reverse("api:exports")
    response = api_client(world.keys["secretariat"], lang="en").get(url)
    assert response.status_code == 200
    data = response.json()
    # Newest first; the compile job is no export.
    assert [j["id"] for j in data["results"]] == [certificates.pk, workbook.pk]
    book = data["results"][1]
    assert book["kind"] == "workbook"
    assert book["kind_label"] == "Results workbook (XLSX)"
    assert book["status"] == "done"
    assert book["version"] == world.version.number
    assert book["edition"]["id"] == world.edition.pk
    assert book["file"]["name"].endswith(".xlsx")
    assert book["file"]["size"] == len(b"PK\x03\x04 export")
    assert book["file"]["download_url"] == "http://testserver" + reverse(
        "api:export_file", args=[workbook.pk]
    )
    assert book["archive"] is None
    assert data["results"][0]["archive"]["download_url"].endswith(
        reverse("api:export_archive", args=[certificates.pk])
    )
    assert api_client(world.keys["secretariat"]).get(url + "?edition=0").json()["count"] == 0
    for who in ("editor", "officer", "reviewer"):
        assert api_client(world.keys[who]).get(url).status_code == 404, who


def test_export_files_download_with_the_token(world):
    workbook = _export(world, JobKind.WORKBOOK, "results.xlsx")
    certificates = _export(world, JobKind.CERTIFICATES, "certificates.zip", field="archive")
    secretariat = api_client(world.keys["secretariat"], lang="en")
    listed = secretariat.get(reverse("api:exports")).json()["results"]
    by_id = {j["id"]: j for j in listed}
    # The list's download addresses take the same token (no session needed).
    response = secretariat.get(by_id[workbook.pk]["file"]["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04 export"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response["Cache-Control"] == "no-store, private"
    response = secretariat.get(by_id[certificates.pk]["archive"]["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04 export"
    # A file the job does not have, a job that is no export, anyone else: 404.
    assert secretariat.get(reverse("api:export_archive", args=[workbook.pk])).status_code == 404
    assert secretariat.get(reverse("api:export_file", args=[certificates.pk])).status_code == 404
    other = _export(world, JobKind.COMPILE, "compiled.xlsx")
    assert secretariat.get(reverse("api:export_file", args=[other.pk])).status_code == 404
    url = reverse("api:export_file", args=[workbook.pk])
    for who in ("editor", "officer", "reviewer"):
        assert api_client(world.keys[who]).get(url).status_code == 404, who
    assert APIClient().get(url).status_code == 401
    # Gone from the storage: 404, not an error.
    workbook.file.storage.delete(workbook.file.name)
    assert secretariat.get(url).status_code == 404


def test_lists_take_constant_queries(world, django_assert_num_queries):
    """Token lookup, last-used update, the user's roles, count, page (and for exports the
    editions and versions of the page)."""
    editor = api_client(world.keys["secretariat"])
    nominations, exports = reverse("api:nominations"), reverse("api:exports")
    _export(world, JobKind.WORKBOOK, "a.xlsx")
    with django_assert_num_queries(5):
        assert editor.get(nominations).json()["count"] == 6
    with django_assert_num_queries(7):
        assert editor.get(exports).json()["count"] == 1
    from tests.results.helpers import approved_version, scored_cycle

    more = scored_cycle(agencies=8, winners=1)
    approved_version(more, published=True)
    for _ in range(5):
        _export(world, JobKind.CERTIFICATES, "c.zip", field="archive")
    job = _export(world, JobKind.WORKBOOK, "b.xlsx")
    Job.objects.filter(pk=job.pk).update(target_id=more.edition.pk)
    with django_assert_num_queries(5):
        assert editor.get(nominations).json()["count"] == 14
    with django_assert_num_queries(7):
        assert editor.get(exports).json()["count"] == 7
    # An agency editor: two more (the agencies they edit for and oversee), whatever the
    # number of their nominations.
    with django_assert_num_queries(7):
        assert api_client(world.keys["editor"]).get(nominations).json()["count"] == 1
    Nomination.objects.create(
        edition=more.edition, category=more.category, agency=world.agency, created_by=world.editor
    )
    with django_assert_num_queries(7):
        assert api_client(world.keys["editor"]).get(nominations).json()["count"] == 2


def test_zh_messages_are_translated(world):
    response = api_client(world.keys["editor"]).get(
        reverse("api:nomination", args=[world.nomination_other.pk])
    )
    assert response["Content-Language"] == "zh-hant"
    assert response.json()["detail"] == in_zh("Not found, or not open to you.")
