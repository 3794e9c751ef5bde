"""Team and individual awards through results (issue 16, part 1): one agency wins a team
category with two teams (one award per nomination); the certificate names the team and
the department (pdftotext); the public page names a nominee only with consent; the
workbook and the secretariat's version page name them; the verification page too."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from awards.enums import CategoryKind
from awards.models import Nomination, Nominee, TeamMember
from awards.results import certificates as certs
from awards.results.models import Award
from tests.conftest import squash
from tests.results.helpers import approved_version, scored_cycle
from tests.results.test_certificates import BASE, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def team_cycle():
    """scored_cycle() as a team category: n0 (870) and n2 (770) win; n2 is moved to n0's
    agency, so one department wins twice. n0's team agreed to be named, n2's did not."""
    cycle = scored_cycle()
    cycle.category.kind = CategoryKind.TEAM
    cycle.category.nominations_per_agency = 3
    cycle.category.save(update_fields=["kind", "nominations_per_agency"])
    n0, n1, n2 = cycle.nominations[:3]
    Nomination.objects.filter(pk=n2.pk).update(agency=n0.agency)
    teams = [
        (n0, "櫃台服務團隊", "Counter Service Team", True),
        (n1, "資訊團隊", "IT Team", True),
        (n2, "外勤團隊", "Field Team", False),
    ]
    for nomination, zh, en, consent in teams:
        nominee = Nominee.objects.create(
            nomination=nomination, kind="team", name_zh=zh, name_en=en, public_consent=consent
        )
        TeamMember.objects.create(nominee=nominee, order=1, name="李小明", post="課長")
    cycle.version = approved_version(cycle)
    return cycle


def awards(version):
    return list(
        Award.objects.filter(version=version)
        .select_related("agency", "category", "version__edition__scheme", "nomination__nominee")
        .order_by("order")
    )


def test_one_department_wins_twice_with_two_teams(team_cycle):
    won = awards(team_cycle.version)
    n0, _n1, n2 = team_cycle.nominations[:3]
    assert [(a.nomination_id, a.agency_id, a.rank) for a in won] == [
        (n0.pk, n0.agency_id, 1),
        (n2.pk, n0.agency_id, 2),
    ]
    assert len({a.serial for a in won}) == 2


def test_the_certificate_names_the_team_and_the_department(team_cycle):
    award = awards(team_cycle.version)[0]
    context = certs.certificate_context(award, certs.design_for(award.version.edition.scheme), BASE)
    assert (context["nominee_zh"], context["nominee_en"], context["agency_zh"]) == (
        "櫃台服務團隊",
        "Counter Service Team",
        award.agency.name_zh,
    )
    text = squash(pdf_text(certs.certificate_pdf(award, base_url=BASE)))
    for expected in ("櫃台服務團隊", "Counter Service Team", award.agency.name_zh, award.serial):
        assert expected in text, expected


def test_an_agency_award_s_certificate_has_no_nominee():
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = awards(version)[0]
    context = certs.certificate_context(award, certs.design_for(award.version.edition.scheme), BASE)
    assert (context["nominee_zh"], context["nominee_en"], context["nominee_post"]) == ("", "", "")


def test_the_public_page_names_a_team_only_with_consent(team_cycle):
    edition = team_cycle.edition
    client = Client()
    client.cookies["lang"] = "en"
    page = client.get(
        reverse("results:public_edition", args=[edition.scheme.code, edition.number])
    ).content.decode()
    agency = team_cycle.nominations[0].agency
    assert f"Counter Service Team · {agency.name_en}" in page
    assert f"A team of {agency.name_en}" in page
    assert "外勤團隊" not in page and "Field Team" not in page
    assert "李小明" not in page


def test_the_verification_page_follows_the_consent(team_cycle):
    named, unnamed = awards(team_cycle.version)
    client = Client()
    client.cookies["lang"] = "en"
    page = client.get(reverse("results:verify_serial", args=[named.serial])).content.decode()
    assert "Awarded to" in page and "Counter Service Team" in page
    page = client.get(reverse("results:verify_serial", args=[unnamed.serial])).content.decode()
    assert "A team of" in page and "Field Team" not in page


def test_the_workbook_and_the_version_page_name_the_teams(team_cycle):
    from openpyxl import load_workbook

    from awards.results.workbook import build_workbook

    out = io.BytesIO()
    build_workbook(team_cycle.version, out)
    out.seek(0)
    book = load_workbook(out, read_only=True)
    cells = {
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    }
    assert {"Counter Service Team", "Field Team"} <= cells  # the active language, English
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(team_cycle.secretariat)
    page = client.get(reverse("results:version", args=[team_cycle.version.pk])).content.decode()
    assert "Team: Counter Service Team" in page and "Team: Field Team" in page


def test_after_an_erasure_the_certificate_names_the_department_only(team_cycle):
    from django.utils import timezone

    named = awards(team_cycle.version)[0]
    nominee = named.nomination.nominee
    # What awards.nominees.nominee_erase leaves (its retention rule is tested there).
    nominee.name_zh, nominee.name_en, nominee.erased_at = "—", "", timezone.now()
    nominee.save()
    named = awards(team_cycle.version)[0]
    context = certs.certificate_context(named, certs.design_for(named.version.edition.scheme), BASE)
    assert (context["nominee_zh"], context["nominee_en"]) == ("", "")
    text = squash(pdf_text(certs.certificate_pdf(named, base_url=BASE)))
    assert named.agency.name_zh in text and "櫃台服務團隊" not in text and "—" not in text
