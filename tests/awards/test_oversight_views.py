"""The competent authority's recommendation pages and the secretariat's eligibility
pages, each seen by its owner, by another role and by an outsider."""

import datetime
import zoneinfo

import lxml.html
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from agencies.models import AuditEntry
from awards.enums import NominationState as S
from awards.models import Nomination, Submission
from awards.services import nomination_start, nomination_submit
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    UserFactory,
    during,
    fill_dossier,
    open_cycle,
)

pytestmark = pytest.mark.django_db

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


@pytest.fixture
def cycle():
    """An edition whose recommendation stage is open: the tests run on its first day."""
    c = open_cycle(quota=2)
    with during(c.edition, "recommendation"):
        yield c


def client_for(user=None, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def submitted(cycle, agency=None, *, category=None, state=S.SUBMITTED, rank=None, hour=9):
    """A nomination as it stands once submitted (state, date, one submission row), made
    directly: the dossier's own write-and-submit flow is tested in the services' tests
    and, once, through the real service below."""
    submitted_at = datetime.datetime.combine(cycle.day(-1), datetime.time(hour, 30), TAIPEI)
    nomination = Nomination.objects.create(
        edition=cycle.edition,
        category=category or cycle.category,
        agency=agency or cycle.agency,
        created_by=cycle.editor,
        state=state,
        recommendation_rank=rank,
        submitted_at=submitted_at,
        state_changed_at=submitted_at,
    )
    Submission.objects.create(
        nomination=nomination,
        version=1,
        submitted_at=submitted_at,
        submitted_by=cycle.editor,
        content={},
        pdf=f"snapshots/{nomination.pk}/v1.pdf",
        pdf_sha256="0" * 64,
    )
    return nomination


def more_agencies(cycle, count):
    return [
        AgencyFactory(
            parent=cycle.authority,
            code=f"TP{i:02d}",
            name_zh=f"臺北市第{i}服務處",
            name_en=f"Taipei Service Office {i}",
        )
        for i in range(1, count + 1)
    ]


def text(node) -> str:
    """The node's text with each piece separated by one space, as a reader hears it."""
    return " ".join(" ".join(node.itertext()).split())


def table(response, labelled_by) -> list[list[str]]:
    """The body rows of the table labelled by the heading with that id, cell by cell."""
    doc = lxml.html.fromstring(response.content.decode())
    (found,) = doc.xpath(f'//table[@aria-labelledby="{labelled_by}"]')
    return [[text(cell) for cell in row.xpath("./th|./td")] for row in found.xpath("./tbody/tr")]


def page_text(response, xpath) -> list[str]:
    doc = lxml.html.fromstring(response.content.decode())
    return [text(node) for node in doc.xpath(xpath)]


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def states(*nominations):
    return [
        tuple(Nomination.objects.filter(pk=n.pk).values_list("state", "recommendation_rank")[0])
        for n in nominations
    ]


def edit_url(cycle, authority=None):
    url = reverse("awards:recommendation_edit", args=[cycle.edition.pk])
    return url + (f"?authority={authority.pk}" if authority else "")


# --- who may see the pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["recommendations", "recommendation_edit", "eligibility_list"],
)
def test_anonymous_visitors_are_sent_to_sign_in(cycle, name):
    args = [cycle.edition.pk] if name == "recommendation_edit" else []
    url = reverse(f"awards:{name}", args=args)
    response = client_for().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(cycle):
    nomination = submitted(cycle)
    client = client_for()
    for url, data in [
        (edit_url(cycle), {f"rank-{nomination.pk}": "1"}),
        (reverse("awards:nomination_return", args=[nomination.pk]), {"reason": "x"}),
        (reverse("awards:eligibility_mark", args=[nomination.pk]), {"decision": "ineligible"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert states(nomination) == [(S.SUBMITTED, None)]


@pytest.mark.parametrize("persona", ["editor", "reviewer", "secretariat"])
def test_other_roles_get_404_on_the_authority_pages(cycle, persona):
    nomination = submitted(cycle)
    client = client_for(getattr(cycle, persona))
    assert client.get(reverse("awards:recommendations")).status_code == 404
    assert client.get(edit_url(cycle)).status_code == 404
    assert client.post(edit_url(cycle), {f"rank-{nomination.pk}": "1"}).status_code == 404
    response = client.post(
        reverse("awards:nomination_return", args=[nomination.pk]), {"reason": "請補件"}
    )
    assert response.status_code == 404
    assert states(nomination) == [(S.SUBMITTED, None)]


@pytest.mark.parametrize("persona", ["editor", "reviewer", "officer"])
def test_other_roles_get_404_on_the_secretariat_pages(cycle, persona):
    nomination = submitted(cycle, state=S.RECOMMENDED, rank=1)
    client = client_for(getattr(cycle, persona))
    assert client.get(reverse("awards:eligibility_list")).status_code == 404
    response = client.post(
        reverse("awards:eligibility_mark", args=[nomination.pk]), {"decision": "eligible"}
    )
    assert response.status_code == 404
    assert states(nomination) == [(S.RECOMMENDED, 1)]


# --- the competent authority: overview -------------------------------------------------------


def test_officer_sees_the_editions_with_what_waits_for_recommendation(cycle):
    first, second = more_agencies(cycle, 2)
    submitted(cycle)
    submitted(cycle, first)
    submitted(cycle, second, state=S.RECOMMENDED, rank=1)
    submitted(cycle, cycle.other_agency)  # another authority's: not counted
    response = client_for(cycle.officer).get(reverse("awards:recommendations"))
    assert response.status_code == 200
    heading = f"authority-{cycle.authority.pk}"
    assert page_text(response, f'//h2[@id="{heading}"]') == [
        f"Taipei City Government ({cycle.authority.code})"
    ]
    stage = cycle.edition.stages.get(kind="recommendation")
    assert table(response, heading) == [
        [
            f"{cycle.edition.name_en} {cycle.edition.scheme.name_en}",
            f"{stage.starts_on:%Y-%m-%d} – {stage.ends_on:%Y-%m-%d} Taipei time (Asia/Taipei) Open now",
            "2",
            "1 / 2",
            "0",
            f"Rank the dossiers of {cycle.edition.name_en}",
        ]
    ]
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath("//main//td/a/@href") == [edit_url(cycle, cycle.authority)]


def test_another_authoritys_officer_sees_none_of_the_first_authoritys_counts(cycle):
    submitted(cycle)
    response = client_for(cycle.other_officer).get(reverse("awards:recommendations"))
    rows = table(response, f"authority-{cycle.other_authority.pk}")
    assert [row[2:5] for row in rows] == [["0", "0 / 2", "0"]]
    assert "Zhongshan" not in response.content.decode()
    assert page_text(response, "//main//h2") == [
        f"New Taipei City Government ({cycle.other_authority.code})"
    ]


# --- the competent authority: ranking ----------------------------------------------------------


def test_officer_sees_its_submitted_dossiers_with_quota_and_links(cycle):
    first, _second = more_agencies(cycle, 2)
    a = submitted(cycle, hour=9)
    b = submitted(cycle, first, state=S.RECOMMENDED, rank=1, hour=10)
    submitted(cycle, cycle.other_agency)
    response = client_for(cycle.officer).get(edit_url(cycle))
    assert response.status_code == 200
    assert page_text(response, "//h1") == [f"Recommendations: {cycle.edition.name_en}"]
    day = cycle.day(-1).isoformat()
    assert table(response, "ranking-heading") == [
        [
            "Rank of Taipei Service Office 1 · Service planning agencies",
            "Taipei Service Office 1 TP01",
            "Service planning agencies",
            f"{day} 10:30",
            "1",
            "Recommended",
            "Read the dossier Taipei Service Office 1",
            "Return for correction Taipei Service Office 1 Reason for returning "
            "The agency reads this and may correct its dossier until the deadline. "
            "Return to the agency",
        ],
        [
            "Rank of Zhongshan District Household Registration Office · Service planning agencies",
            f"Zhongshan District Household Registration Office {cycle.agency.code}",
            "Service planning agencies",
            f"{day} 09:30",
            "1",
            "Submitted",
            "Read the dossier Zhongshan District Household Registration Office",
            "Return for correction Zhongshan District Household Registration Office "
            "Reason for returning "
            "The agency reads this and may correct its dossier until the deadline. "
            "Return to the agency",
        ],
    ]
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath(f'//input[@name="rank-{b.pk}"]/@value') == ["1"]
    assert doc.xpath(f'//input[@name="rank-{a.pk}"]/@value') == []
    assert doc.xpath(f'//label[@for="id_rank-{a.pk}"]/text()') == [
        "Rank of Zhongshan District Household Registration Office · Service planning agencies"
    ]
    assert doc.xpath('//a[text()="Read the dossier"]/@href') == [
        f"/cycle/nominations/{b.pk}/preview/",
        f"/cycle/nominations/{a.pk}/preview/",
    ]
    assert page_text(response, '//dd[@class="quota"]') == ["1 of 2 used"]


def test_a_really_submitted_dossier_reaches_its_officer(cycle):
    with during(cycle.edition, "nomination"):
        nomination = nomination_start(
            actor=cycle.editor, agency=cycle.agency, category=cycle.category
        )
        fill_dossier(nomination, cycle.editor)
        nomination_submit(actor=cycle.editor, nomination=nomination)
    response = client_for(cycle.officer).get(edit_url(cycle))
    rows = table(response, "ranking-heading")
    assert [row[1:6] for row in rows] == [
        [
            f"Zhongshan District Household Registration Office {cycle.agency.code}",
            "Service planning agencies",
            nomination.submitted_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M"),
            "1",
            "Submitted",
        ]
    ]


def test_officer_ranks_two_within_the_quota(cycle):
    first, second = more_agencies(cycle, 2)
    a, b, c = submitted(cycle), submitted(cycle, first), submitted(cycle, second)
    client = client_for(cycle.officer)
    response = client.post(
        edit_url(cycle),
        {"authority": cycle.authority.pk, f"rank-{a.pk}": "2", f"rank-{b.pk}": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(cycle, cycle.authority)
    assert flashed(response) == ["Recommendations saved: 2 dossiers ranked."]
    assert states(a, b, c) == [(S.RECOMMENDED, 2), (S.RECOMMENDED, 1), (S.SUBMITTED, None)]
    page = client.get(response["Location"])
    assert [row[5] for row in table(page, "ranking-heading")] == [
        "Recommended",
        "Recommended",
        "Submitted",
    ]
    assert page_text(page, '//dd[@class="quota"]') == ["2 of 2 used"]
    # gaps close up, and a blank rank takes a nomination off the list
    client.post(edit_url(cycle), {f"rank-{a.pk}": "5", f"rank-{b.pk}": ""})
    assert states(a, b, c) == [(S.RECOMMENDED, 1), (S.SUBMITTED, None), (S.SUBMITTED, None)]


def test_over_the_quota_is_refused_keeping_the_ranks_typed(cycle):
    first, second = more_agencies(cycle, 2)
    a, b, c = submitted(cycle), submitted(cycle, first), submitted(cycle, second)
    audit_before = AuditEntry.objects.count()
    data = {f"rank-{a.pk}": "1", f"rank-{b.pk}": "2", f"rank-{c.pk}": "3"}
    response = client_for(cycle.officer).post(edit_url(cycle), data)
    assert response.status_code == 200
    assert page_text(response, '//div[@id="ranking-errors"]//li') == [
        "You recommended 3 nominations; the quota is 2."
    ]
    assert page_text(response, '//div[@id="ranking-errors"]/p') == [
        "Nothing was changed. Your ranks are still in the form below: correct them and save again."
    ]
    doc = lxml.html.fromstring(response.content.decode())
    assert [doc.xpath(f'//input[@name="{k}"]/@value')[0] for k in data] == ["1", "2", "3"]
    assert states(a, b, c) == [(S.SUBMITTED, None)] * 3
    assert AuditEntry.objects.count() == audit_before


def test_duplicate_ranks_are_refused_naming_both_rows(cycle):
    (first,) = more_agencies(cycle, 1)
    a, b = submitted(cycle), submitted(cycle, first)
    response = client_for(cycle.officer).post(
        edit_url(cycle), {f"rank-{a.pk}": "1", f"rank-{b.pk}": "1"}
    )
    assert page_text(response, '//div[@id="ranking-errors"]//li') == [
        "Rank 1 is given to more than one nomination (Zhongshan District Household "
        "Registration Office · Service planning agencies; Taipei Service Office 1 · "
        "Service planning agencies). Give each nomination its own rank."
    ]
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath('//input[@aria-invalid="true"]/@name') == [f"rank-{a.pk}", f"rank-{b.pk}"]
    assert states(a, b) == [(S.SUBMITTED, None)] * 2


def test_a_rank_that_is_not_a_number_is_named(cycle):
    a = submitted(cycle)
    response = client_for(cycle.officer).post(edit_url(cycle), {f"rank-{a.pk}": "0"})
    assert page_text(response, '//div[@id="ranking-errors"]//li') == [
        "Rank of Zhongshan District Household Registration Office · Service planning "
        "agencies: Ensure this value is greater than or equal to 1."
    ]
    assert states(a) == [(S.SUBMITTED, None)]


def test_a_recommendation_after_the_window_is_refused(cycle):
    a = submitted(cycle)
    cycle.edition.stages.filter(kind="nomination").update(
        starts_on=cycle.day(-30), ends_on=cycle.day(-20)
    )
    cycle.edition.stages.filter(kind="recommendation").update(
        starts_on=cycle.day(-19), ends_on=cycle.day(-10)
    )
    client = client_for(cycle.officer)
    window = (
        f"Closed: this was allowed only during “Recommendation”, {cycle.day(-19).isoformat()} "
        f"to {cycle.day(-10).isoformat()}, Taipei time (Asia/Taipei)."
    )
    page = client.get(edit_url(cycle))
    assert page_text(page, '//p[@class="notice"]') == [window]
    assert page_text(page, '//input[starts-with(@name, "rank-")]') == []  # no form left open
    response = client.post(edit_url(cycle), {f"rank-{a.pk}": "1"})  # a form left open
    assert page_text(response, '//div[@id="ranking-errors"]//li') == [window]
    assert page_text(response, '//div[@id="ranking-errors"]/p') == ["Nothing was changed."]
    assert states(a) == [(S.SUBMITTED, None)]
    response = client.post(reverse("awards:nomination_return", args=[a.pk]), {"reason": "太晚了"})
    assert flashed(response) == [
        f"Zhongshan District Household Registration Office · Service planning agencies: {window}"
    ]
    assert states(a) == [(S.SUBMITTED, None)]


def test_another_authoritys_officer_sees_none_and_its_crafted_posts_change_nothing(cycle):
    a = submitted(cycle)
    client = client_for(cycle.other_officer)
    page = client.get(edit_url(cycle))
    assert page.status_code == 200
    assert "Zhongshan" not in page.content.decode()
    assert page_text(page, '//div[@class="empty"]') == [
        "No submitted dossier waits for your recommendation."
    ]
    # rank the first authority's nomination as its own
    response = client.post(edit_url(cycle), {f"rank-{a.pk}": "1"})
    assert page_text(response, '//div[@id="ranking-errors"]//li') == [
        "Only submitted nominations of agencies under your authority can be recommended."
    ]
    # claim to act for the first authority
    response = client.post(edit_url(cycle), {"authority": cycle.authority.pk, f"rank-{a.pk}": "1"})
    assert response.status_code == 404
    assert client.get(edit_url(cycle, cycle.authority)).status_code == 404
    # return it
    response = client.post(reverse("awards:nomination_return", args=[a.pk]), {"reason": "退"})
    assert response.status_code == 404
    assert states(a) == [(S.SUBMITTED, None)]
    assert not AuditEntry.objects.filter(action__startswith="nomination.").exists()


def test_an_edition_without_recommendation_says_so():
    hk = open_cycle(uses_recommendation=False)
    response = client_for(hk.officer).get(edit_url(hk))
    assert page_text(response, '//main//div[@class="empty"]') == [
        "This edition has no recommendation by competent authorities: submitted "
        "nominations go straight to the secretariat."
    ]
    assert page_text(response, '//form[@id="ranking-form"]') == []


def test_an_officer_of_two_authorities_picks_one(cycle):
    cycle.officer.role_assignments.create(role=Role.AUTHORITY_OFFICER, agency=cycle.other_authority)
    submitted(cycle)
    submitted(cycle, cycle.other_agency)
    client = client_for(cycle.officer)
    first = client.get(edit_url(cycle))
    assert page_text(first, '//select[@name="authority"]/option[@selected]') == [
        "Taipei City Government"
    ]
    assert [r[1] for r in table(first, "ranking-heading")] == [
        f"Zhongshan District Household Registration Office {cycle.agency.code}"
    ]
    second = client.get(edit_url(cycle, cycle.other_authority))
    assert page_text(second, '//select[@name="authority"]/option[@selected]') == [
        "New Taipei City Government"
    ]
    assert [r[1] for r in table(second, "ranking-heading")] == [
        f"Banqiao Land Office {cycle.other_agency.code}"
    ]
    overview = client.get(reverse("awards:recommendations"))
    assert page_text(overview, "//h2") == [
        f"Taipei City Government ({cycle.authority.code})",
        f"New Taipei City Government ({cycle.other_authority.code})",
    ]


def test_the_pages_speak_traditional_chinese_by_default(cycle):
    submitted(cycle)
    response = client_for(cycle.officer, lang="zh-hant").get(edit_url(cycle))
    assert page_text(response, "//h1") == [f"推薦作業：{cycle.edition.name_zh}"]
    assert page_text(response, '//table[@aria-labelledby="ranking-heading"]//thead//th') == [
        "排序",
        "機關",
        "類別",
        "送出時間",
        "版次",
        "狀態",
        "自薦書",
        "退回修正",
    ]
    assert page_text(response, '//dd[@class="quota"]') == ["已用 0 名，推薦名額 2 名"]


# --- the competent authority: return for correction ----------------------------------------------


def test_officer_returns_a_dossier_with_a_reason(cycle):
    (first,) = more_agencies(cycle, 1)
    a = submitted(cycle, state=S.RECOMMENDED, rank=1)
    b = submitted(cycle, first)
    client = client_for(cycle.officer)
    response = client.post(
        reverse("awards:nomination_return", args=[a.pk]),
        {"authority": cycle.authority.pk, "reason": "請補充成本效益資料"},
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(cycle, cycle.authority)
    assert flashed(response) == [
        "Zhongshan District Household Registration Office · Service planning agencies "
        "was returned to the agency for correction."
    ]
    assert states(a, b) == [(S.RETURNED, None), (S.SUBMITTED, None)]
    page = client.get(response["Location"])
    assert [r[1] for r in table(page, "ranking-heading")] == ["Taipei Service Office 1 TP01"]
    returned = table(page, "returned-heading")
    a.refresh_from_db()
    assert returned == [
        [
            f"Zhongshan District Household Registration Office {cycle.agency.code}",
            "Service planning agencies",
            a.state_changed_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M"),
            "請補充成本效益資料",
            "Read the dossier Zhongshan District Household Registration Office",
        ]
    ]
    entry = AuditEntry.objects.get(action="nomination.transition")
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        cycle.officer,
        "recommended",
        "returned",
        "請補充成本效益資料",
    )


def test_a_return_without_a_reason_is_refused(cycle):
    a = submitted(cycle)
    client = client_for(cycle.officer)
    response = client.post(reverse("awards:nomination_return", args=[a.pk]), {"reason": "   "})
    assert response.status_code == 302
    assert flashed(response) == [
        "Zhongshan District Household Registration Office · Service planning agencies: "
        "Give a reason: the agency will read it."
    ]
    assert states(a) == [(S.SUBMITTED, None)]
    assert client.get(reverse("awards:nomination_return", args=[a.pk])).status_code == 405


def test_a_draft_is_invisible_to_the_officer(cycle):
    draft = Nomination.objects.create(
        edition=cycle.edition, category=cycle.category, agency=cycle.agency, created_by=cycle.editor
    )
    client = client_for(cycle.officer)
    assert page_text(client.get(edit_url(cycle)), '//main//div[@class="empty"]') == [
        "No submitted dossier waits for your recommendation."
    ]
    response = client.post(reverse("awards:nomination_return", args=[draft.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert states(draft) == [(S.DRAFT, None)]


# --- the secretariat --------------------------------------------------------------------------


def test_secretariat_sees_every_nomination_with_counts_and_actions(cycle):
    (first,) = more_agencies(cycle, 1)
    recommended = submitted(cycle, state=S.RECOMMENDED, rank=1)
    waiting = submitted(cycle, first)
    other = submitted(cycle, cycle.other_agency, state=S.INELIGIBLE)
    Nomination.objects.filter(pk=other.pk).update(state_reason="非屬參獎對象")
    response = client_for(cycle.secretariat).get(reverse("awards:eligibility_list"))
    assert response.status_code == 200
    assert page_text(response, '//ul[@class="state-counts"]/li') == [
        "0 Draft",
        "1 Submitted",
        "0 Returned for correction",
        "1 Recommended",
        "0 Eligible",
        "1 Ineligible",
        "0 Finalist",
        "0 Withdrawn",
        "3 All states",
    ]
    day = cycle.day(-1).isoformat()
    edition = cycle.edition.name_en
    assert table(response, "list-heading") == [
        [
            f"Zhongshan District Household Registration Office {cycle.agency.code} "
            "· Taipei City Government",
            f"Service planning agencies {edition}",
            "Recommended",
            "1",
            f"{day} 09:30 version 1",
            "Read the dossier Zhongshan District Household Registration Office",
            "Eligible Zhongshan District Household Registration Office "
            "Ineligible Zhongshan District Household Registration Office Reason "
            "Mark ineligible",
        ],
        [
            f"Banqiao Land Office {cycle.other_agency.code} · New Taipei City Government",
            f"Service planning agencies {edition}",
            "Ineligible 非屬參獎對象",
            "—",
            f"{day} 09:30 version 1",
            "Read the dossier Banqiao Land Office",
            "Eligible Banqiao Land Office",
        ],
        [
            "Taipei Service Office 1 TP01 · Taipei City Government",
            f"Service planning agencies {edition}",
            "Submitted",
            "—",
            f"{day} 09:30 version 1",
            "Read the dossier Taipei Service Office 1",
            "Waits for its competent authority's recommendation. "
            "Ineligible Taipei Service Office 1 Reason Mark ineligible",
        ],
    ]
    doc = lxml.html.fromstring(response.content.decode())
    mark = reverse("awards:eligibility_mark", args=[recommended.pk])
    assert doc.xpath(f'//form[@action="{mark}"]/input[@name="next"]/@value') == [
        "/cycle/eligibility/",
        "/cycle/eligibility/",
    ]
    assert doc.xpath('//table//a[text()="Read the dossier"]/@href') == [
        f"/cycle/nominations/{n.pk}/preview/" for n in (recommended, other, waiting)
    ]


def test_filters_narrow_the_list(cycle):
    (first,) = more_agencies(cycle, 1)
    special = CategoryFactory(edition=cycle.edition, code="special", name_en="Special award")
    elsewhere = CategoryFactory(name_en="Elsewhere")  # another edition's category
    submitted(cycle, state=S.RECOMMENDED, rank=1)
    submitted(cycle, first, category=special)
    submitted(cycle, cycle.other_agency)
    client = client_for(cycle.secretariat)
    url = reverse("awards:eligibility_list")

    def agencies(**params):
        response = client.get(url, params)
        return [row[0].split(" AG")[0].split(" TP")[0] for row in table(response, "list-heading")]

    assert agencies(state="submitted") == ["Banqiao Land Office", "Taipei Service Office 1"]
    assert agencies(edition=cycle.edition.pk, category=special.pk) == ["Taipei Service Office 1"]
    assert agencies(authority=cycle.other_authority.pk) == ["Banqiao Land Office"]
    assert agencies(q="zhongshan") == ["Zhongshan District Household Registration Office"]
    assert agencies(q=cycle.other_agency.code) == ["Banqiao Land Office"]
    # a category of another edition is dropped, not applied
    assert len(agencies(edition=cycle.edition.pk, category=elsewhere.pk)) == 3
    response = client.get(url, {"edition": cycle.edition.pk})
    assert page_text(response, '//select[@name="category"]/option') == [
        "All categories",
        "Service planning agencies",
        "Special award",
    ]
    assert page_text(response, '//select[@name="authority"]/option') == [
        "All competent authorities",
        "Taipei City Government",
        "New Taipei City Government",
    ]
    response = client.get(url)
    assert lxml.html.fromstring(response.content.decode()).xpath(
        '//select[@name="category"]/@disabled'
    ) == ["disabled"]
    response = client.get(url, {"state": "nonsense"})
    assert len(table(response, "list-heading")) == 3
    response = client.get(url, {"q": "nobody"})
    assert page_text(response, '//main//div[@class="empty"]') == [
        "No nomination matches these filters."
    ]


def test_the_list_is_paginated_by_fifty(cycle):
    bulk_nominations(cycle, 120)
    client = client_for(cycle.secretariat)
    first = client.get(reverse("awards:eligibility_list"), {"state": "recommended"})
    assert len(table(first, "list-heading")) == 50
    assert page_text(first, '//p[@id="list-summary"]') == ["Showing 1–50 of 120"]
    assert page_text(first, '//nav[@class="pagination"]') == ["Page 1 of 3 Next page"]
    doc = lxml.html.fromstring(first.content.decode())
    assert doc.xpath('//a[@rel="next"]/@href') == ["?state=recommended&page=2"]
    last = client.get(reverse("awards:eligibility_list"), {"state": "recommended", "page": 3})
    assert len(table(last, "list-heading")) == 20
    assert page_text(last, '//nav[@class="pagination"]') == ["Previous page Page 3 of 3"]


def bulk_nominations(cycle, count, *, state=S.RECOMMENDED):
    """`count` nominations, each from its own agency under one of the two authorities,
    in a handful of queries."""
    from agencies.models import Agency

    authorities = [cycle.authority, cycle.other_authority]
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"BULK{i:04d}",
            name_zh=f"大量機關{i}",
            name_en=f"Bulk Agency {i}",
            parent=authorities[i % 2],
            depth=1,
        )
        for i in range(count)
    )
    for i, agency in enumerate(agencies):  # the tree path the services would give
        agency.path = f"{authorities[i % 2].path}{agency.pk}/"
    Agency.objects.bulk_update(agencies, ["path"])
    at = datetime.datetime.combine(cycle.day(-1), datetime.time(9), TAIPEI)
    nominations = Nomination.objects.bulk_create(
        Nomination(
            edition=cycle.edition,
            category=cycle.category,
            agency=agency,
            created_by=cycle.editor,
            state=state,
            recommendation_rank=1,
            submitted_at=at,
        )
        for agency in agencies
    )
    Submission.objects.bulk_create(
        Submission(
            nomination=n,
            version=1,
            submitted_by=cycle.editor,
            content={},
            pdf=f"snapshots/{n.pk}/v1.pdf",
            pdf_sha256="0" * 64,
        )
        for n in nominations
    )
    return nominations


@pytest.mark.parametrize("count", [10, 500])
def test_the_list_keeps_a_constant_query_count(cycle, count, django_assert_num_queries):
    bulk_nominations(cycle, count)
    client = client_for(cycle.secretariat)
    client.get(reverse("awards:eligibility_list"))  # warm the session
    # session, user, roles; editions, authorities (the filter's choices); count, page,
    # stages, competent authorities, counts by state
    with django_assert_num_queries(10):
        response = client.get(reverse("awards:eligibility_list"))
    assert len(table(response, "list-heading")) == min(count, 50)
    # every filter: + the edition's category ids, + the chosen edition, category and
    # authority (validation), + the category choices
    with django_assert_num_queries(15):
        response = client.get(
            reverse("awards:eligibility_list"),
            {
                "edition": cycle.edition.pk,
                "category": cycle.category.pk,
                "state": "recommended",
                "authority": cycle.authority.pk,
                "q": "Bulk",
            },
        )
    assert len(table(response, "list-heading")) == min(count // 2, 50)


def test_secretariat_marks_eligible_and_returns_to_the_filtered_list(cycle):
    a = submitted(cycle, state=S.RECOMMENDED, rank=1)
    with during(cycle.edition, "eligibility_check"):
        back = reverse("awards:eligibility_list") + "?state=recommended&page=1"
        response = client_for(cycle.secretariat).post(
            reverse("awards:eligibility_mark", args=[a.pk]), {"decision": "eligible", "next": back}
        )
        assert response.status_code == 302
        assert response["Location"] == back
        assert flashed(response) == [
            "Zhongshan District Household Registration Office · Service planning agencies: "
            "marked eligible."
        ]
        assert states(a) == [(S.ELIGIBLE, 1)]
        entry = AuditEntry.objects.get(action="nomination.transition")
        assert (entry.actor, entry.from_state, entry.to_state) == (
            cycle.secretariat,
            "recommended",
            "eligible",
        )


def test_secretariat_marks_ineligible_with_a_reason(cycle):
    a = submitted(cycle, state=S.RECOMMENDED, rank=1)
    with during(cycle.edition, "eligibility_check"):
        response = client_for(cycle.secretariat).post(
            reverse("awards:eligibility_mark", args=[a.pk]),
            {
                "decision": "ineligible",
                "reason": "非屬第一線服務機關",
                "next": "https://evil.test/",
            },
        )
        assert response["Location"] == reverse("awards:eligibility_list")
        a.refresh_from_db()
        assert (a.state, a.state_reason) == (S.INELIGIBLE, "非屬第一線服務機關")


def test_ineligible_without_a_reason_is_refused(cycle):
    a = submitted(cycle, state=S.RECOMMENDED, rank=1)
    response = client_for(cycle.secretariat).post(
        reverse("awards:eligibility_mark", args=[a.pk]),
        {"decision": "ineligible", "reason": "  ", "next": "/cycle/eligibility/?state=recommended"},
    )
    assert response["Location"] == "/cycle/eligibility/?state=recommended"
    assert flashed(response) == [
        "Zhongshan District Household Registration Office · Service planning agencies: "
        "Give a reason: the agency will read it."
    ]
    assert states(a) == [(S.RECOMMENDED, 1)]


def test_eligible_before_the_recommendation_is_refused(cycle):
    a = submitted(cycle)
    with during(cycle.edition, "eligibility_check"):
        response = client_for(cycle.secretariat).post(
            reverse("awards:eligibility_mark", args=[a.pk]), {"decision": "eligible"}
        )
        assert flashed(response) == [
            "Zhongshan District Household Registration Office · Service planning agencies: "
            "In this edition a nomination must be recommended by its competent authority "
            "before it can be eligible."
        ]
        assert states(a) == [(S.SUBMITTED, None)]
        assert not AuditEntry.objects.filter(action="nomination.transition").exists()


def test_without_recommendation_a_submitted_nomination_can_be_eligible():
    hk = open_cycle(uses_recommendation=False)
    a = submitted(hk)
    with during(hk.edition, "eligibility_check"):
        client = client_for(hk.secretariat)
        page = client.get(reverse("awards:eligibility_list"))
        assert table(page, "list-heading")[0][-1] == (
            "Eligible Zhongshan District Household Registration Office "
            "Ineligible Zhongshan District Household Registration Office Reason Mark ineligible"
        )
        client.post(reverse("awards:eligibility_mark", args=[a.pk]), {"decision": "eligible"})
    assert states(a) == [(S.ELIGIBLE, None)]


def test_a_secretariat_user_of_an_unknown_nomination_gets_404(cycle):
    response = client_for(cycle.secretariat).post(
        reverse("awards:eligibility_mark", args=[999999]), {"decision": "eligible"}
    )
    assert response.status_code == 404


def test_a_user_without_roles_is_an_outsider_everywhere(cycle):
    nomination = submitted(cycle, state=S.RECOMMENDED, rank=1)
    client = client_for(UserFactory())
    for url in [
        reverse("awards:recommendations"),
        edit_url(cycle),
        reverse("awards:eligibility_list"),
    ]:
        assert client.get(url).status_code == 404
    assert states(nomination) == [(S.RECOMMENDED, 1)]
