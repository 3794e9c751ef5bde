"""Public results pages (published winners, history statistics) and the agencies' "My
awards" page: only published results ever show (embargoed, submitted, superseded: 404 or
absent), revocations are marked, both languages, the TW seed's history exactly, three
personas for "My awards" and constant query counts."""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from agencies.enums import Role
from awards.models import AwardScheme, Edition
from awards.results import services
from awards.results.enums import VersionStatus
from awards.results.models import Award, ResultVersion
from tests.conftest import html, table_rows, texts
from tests.factories import AgencyFactory, EditionFactory, UserFactory

from .helpers import approved_version, compile_version, scored_cycle

pytestmark = pytest.mark.django_db


def visitor(lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    return client


def signed_in(user, lang="en"):
    client = visitor(lang)
    client.force_login(user)
    return client


def edition_url(edition):
    return reverse("results:public_edition", args=[edition.scheme.code, edition.number])


def history_url(scheme):
    return reverse("results:history", args=[scheme.code])


def winners(response):
    """(place and agency, level) of each winner listed on an edition page, per category."""
    tree = html(response)
    return {
        texts(section, "./h2")[0]: [
            (texts(li, "./h3")[0], li.get("class"))
            for li in section.xpath(".//li[contains(@class,'winner')]")
        ]
        for section in tree.xpath("//section[contains(@class,'result-category')]")
    }


@pytest.fixture
def cycle():
    return scored_cycle()


# --- urls ----------------------------------------------------------------------------------


def test_url_names():
    assert reverse("results:public_list") == "/results/"
    assert reverse("results:public_edition", args=["tw-gsqa", 8]) == "/results/tw-gsqa/8/"
    assert reverse("results:history", args=["tw-gsqa"]) == "/results/tw-gsqa/history/"
    assert reverse("results:my_awards") == "/cycle/results/my-awards/"


# --- the published edition --------------------------------------------------------------


def test_published_edition_lists_the_winners_in_order_with_levels_and_good_practice(cycle):
    version = approved_version(cycle)
    n0 = Award.objects.get(version=version, agency=cycle.agencies[0])
    services.award_summary_update(
        award=n0,
        actor=cycle.secretariat,
        summary_zh="櫃檯整合，一次辦好。",
        summary_en="One counter for every errand.",
    )
    response = visitor("en").get(edition_url(cycle.edition))
    assert response.status_code == 200
    assert winners(response) == {
        "Government Service Quality Award First-line service agencies": [
            ("1. Household Registration Office 1 Distinction", "winner"),
            ("2. Household Registration Office 3 Merit", "winner"),
        ]
    }
    tree = html(response)
    assert texts(tree, "//li[contains(@class,'winner')][1]//div[@class='good-practice']") == [
        "Good practice One counter for every errand."
    ]
    # The other winner has no account yet: nothing in its place.
    assert len(texts(tree, "//div[@class='good-practice']")) == 1
    today = timezone.localtime(version.publish_at, cycle.edition.tzinfo).date()
    assert texts(tree, "//p[@id='published-on']") == [
        f"Results published on {today:%Y-%m-%d}. History statistics"
    ]
    body = response.content.decode()
    # Neither the non-winners nor any score.
    for agency in cycle.agencies[1:2] + cycle.agencies[3:]:
        assert agency.name_en not in body
    for score in ("870", "770", "718"):
        assert score not in body


def test_published_edition_in_chinese(cycle):
    version = approved_version(cycle)
    n0 = Award.objects.get(version=version, agency=cycle.agencies[0])
    services.award_summary_update(
        award=n0, actor=cycle.secretariat, summary_zh="櫃檯整合，一次辦好。", summary_en=""
    )
    response = visitor("zh-hant").get(edition_url(cycle.edition))
    assert winners(response) == {
        "政府服務品質獎 第一線服務機關": [
            ("1. 第1戶政事務所 特優", "winner"),
            ("2. 第3戶政事務所 優等", "winner"),
        ]
    }
    tree = html(response)
    assert texts(tree, "//li[contains(@class,'winner')][1]//div[@class='good-practice']/p[2]") == [
        "櫃檯整合，一次辦好。"
    ]
    assert texts(tree, "//h1") == [f"{cycle.edition.name_zh} {cycle.edition.scheme.name_zh} · 2016"]


def test_an_approved_version_under_embargo_is_not_shown(cycle):
    version = approved_version(cycle, published=False)
    assert visitor().get(edition_url(cycle.edition)).status_code == 404
    services.version_schedule_publication(
        version=version,
        actor=cycle.secretariat,
        publish_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert visitor().get(edition_url(cycle.edition)).status_code == 404
    assert cycle.edition.name_en not in visitor().get("/results/").content.decode()
    # The embargo ends: the page appears.
    ResultVersion.objects.filter(pk=version.pk).update(
        publish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert visitor().get(edition_url(cycle.edition)).status_code == 200


def test_compiled_or_submitted_results_are_not_shown(cycle):
    version = compile_version(cycle)
    assert visitor().get(edition_url(cycle.edition)).status_code == 404
    services.version_submit(version=version, actor=cycle.secretariat)
    assert visitor().get(edition_url(cycle.edition)).status_code == 404
    # Signed-in staff get no preview here either.
    assert signed_in(cycle.secretariat).get(edition_url(cycle.edition)).status_code == 404


def test_a_newer_draft_does_not_replace_the_published_version(cycle):
    approved_version(cycle)
    cycle.rule.winners = 3
    cycle.rule.save()
    draft = compile_version(cycle)
    assert draft.awards.count() == 3
    names = [
        name
        for name, _ in winners(visitor().get(edition_url(cycle.edition)))[
            "Government Service Quality Award First-line service agencies"
        ]
    ]
    assert names == [
        "1. Household Registration Office 1 Distinction",
        "2. Household Registration Office 3 Merit",
    ]


def test_the_newer_approved_version_replaces_the_old_once_published(cycle):
    v1 = approved_version(cycle)
    cycle.rule.winners = 3
    cycle.rule.save()
    v2 = approved_version(cycle, published=False)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    # v1 is superseded, v2 is still under embargo (not scheduled): v1 stays public.
    response = visitor().get(edition_url(cycle.edition))
    assert [
        w
        for w, _ in winners(response)[
            "Government Service Quality Award First-line service agencies"
        ]
    ] == [
        "1. Household Registration Office 1 Distinction",
        "2. Household Registration Office 3 Merit",
    ]
    services.version_schedule_publication(
        version=v2, actor=cycle.secretariat, publish_at=timezone.now()
    )
    response = visitor().get(edition_url(cycle.edition))
    assert [
        w
        for w, _ in winners(response)[
            "Government Service Quality Award First-line service agencies"
        ]
    ] == [
        "1. Household Registration Office 1 Distinction",
        "2. Household Registration Office 3 Merit",
        "3. Household Registration Office 2 Merit",
    ]


def test_a_revoked_award_stays_listed_and_is_marked(cycle):
    version = approved_version(cycle)
    award = Award.objects.get(version=version, agency=cycle.agencies[2])
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質未能維持")
    award.refresh_from_db()
    day = f"{award.revoked_on:%Y-%m-%d}"

    response = visitor("zh-hant").get(edition_url(cycle.edition))
    assert winners(response) == {
        "政府服務品質獎 第一線服務機關": [
            ("1. 第1戶政事務所 特優", "winner"),
            ("2. 第3戶政事務所 優等", "winner revoked"),
        ]
    }
    tree = html(response)
    assert texts(tree, "//li[contains(@class,'revoked')]//h3/s") == ["第3戶政事務所"]
    (revocation,) = texts(tree, "//p[@class='revocation']")
    assert day in revocation and revocation.endswith("服務品質未能維持")

    response = visitor("en").get(edition_url(cycle.edition))
    assert texts(html(response), "//p[@class='revocation']") == [
        f"Revoked on {day}: 服務品質未能維持"
    ]


def test_unknown_scheme_or_edition_is_404(cycle):
    approved_version(cycle)
    scheme = cycle.edition.scheme
    assert visitor().get(f"/results/{scheme.code}/{cycle.edition.number + 1}/").status_code == 404
    assert visitor().get(f"/results/no-such-scheme/{cycle.edition.number}/").status_code == 404
    assert visitor().get("/results/no-such-scheme/history/").status_code == 404


def test_edition_page_query_count(cycle, django_assert_num_queries):
    approved_version(cycle)
    client = visitor()
    url = edition_url(cycle.edition)  # outside the count: the test's own lookup
    # edition with its scheme, the published version, its awards
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(html(response).xpath("//li[contains(@class,'winner')]")) == 2


# --- the list of published results ------------------------------------------------------


def test_public_list_shows_only_published_editions_newest_first(cycle):
    Edition.objects.filter(pk=cycle.edition.pk).update(number=5, name_en="Edition 5")
    cycle.edition.refresh_from_db()
    approved_version(cycle)
    scheme = cycle.edition.scheme
    older = EditionFactory(scheme=scheme, number=4)
    embargoed = EditionFactory(scheme=scheme, number=6)
    submitted = EditionFactory(scheme=scheme, number=7)
    now = timezone.now()
    ResultVersion.objects.create(
        edition=older, number=1, status=VersionStatus.APPROVED, publish_at=now
    )
    ResultVersion.objects.create(
        edition=embargoed,
        number=1,
        status=VersionStatus.APPROVED,
        publish_at=now + datetime.timedelta(days=1),
    )
    ResultVersion.objects.create(edition=submitted, number=1, status=VersionStatus.SUBMITTED)
    other = AwardScheme.objects.create(code="aa-other", name_zh="另一獎", name_en="Other award")

    tree = html(visitor().get("/results/"))
    sections = tree.xpath("//section[contains(@class,'public-scheme')]")
    assert [texts(s, "./h2")[0] for s in sections] == ["Other award", scheme.name_en]
    assert texts(sections[0], ".//p[@class='empty']") == [
        "No results of this scheme have been published yet."
    ]
    links = sections[1].xpath(".//ul[@class='edition-list']//a")
    assert [(a.text_content(), a.get("href")) for a in links] == [
        ("Edition 5", edition_url(cycle.edition)),
        ("Edition 4", edition_url(older)),
    ]
    history_links = [a.get("href") for a in tree.xpath("//a[contains(@href,'/history/')]")]
    assert history_links == [history_url(other), history_url(scheme)]


def test_public_list_query_count_is_constant(django_assert_num_queries):
    scheme = AwardScheme.objects.create(code="tw", name_zh="獎", name_en="Award")
    now = timezone.now()
    for counts in (2, 20):
        start = Edition.objects.filter(scheme=scheme).count()
        for n in range(start + 1, counts + 1):
            edition = EditionFactory(scheme=scheme, number=n)
            ResultVersion.objects.create(
                edition=edition, number=1, status=VersionStatus.APPROVED, publish_at=now
            )
        with django_assert_num_queries(2):  # schemes, published versions with editions
            response = visitor().get("/results/")
        assert len(html(response).xpath("//ul[@class='edition-list']/li")) == counts


# --- history statistics -----------------------------------------------------------------

TW_ROWS_EN = [
    [f"{n} Government Service Quality Award* (recorded from the scheme's reports)", *figures, "—"]
    for n, *figures in [
        ("1st", "150", "46", "24", "16.0 %"),
        ("2nd", "147", "46", "28", "19.0 %"),
        ("3rd", "156", "50", "29", "18.6 %"),
        ("4th", "168", "51", "32", "19.0 %"),
        ("5th", "173", "53", "30", "17.3 %"),
        ("6th", "175", "46", "30", "17.1 %"),
        ("7th", "174", "50", "30", "17.2 %"),
    ]
]


WINNERS_NOTE = (
    "Winners are counted as the results were published; an award revoked later still "
    "counts as won and is also counted under “Revoked since”."
)


def test_tw_demo_history_shows_the_seed_table(demo):
    scheme = AwardScheme.objects.get(code="tw-gsqa")
    response = visitor("en").get(history_url(scheme))
    assert response.status_code == 200
    tree = html(response)
    assert table_rows(tree, "//table[@id='history-table']") == TW_ROWS_EN
    assert [texts(r, "./th|./td") for r in tree.xpath("//table[@id='history-table']/tfoot/tr")] == [
        ["Total", "1143", "342", "203", "17.8 %", "—"]
    ]
    assert texts(tree, "//table[@id='history-table']/caption") == [
        "Government Service Quality Award: participants, finalists and winners per edition"
    ]
    assert texts(tree, "//ul[@class='table-notes']/li") == [
        "* Recorded from the scheme's reports; the other editions are counted from this "
        "system's data.",
        WINNERS_NOTE,
    ]
    # The chart: an image with a title and a description, three bars and a rate per edition.
    (svg,) = tree.xpath("//figure[@id='history-chart']//svg")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "history-chart-title history-chart-desc"
    assert texts(svg, "./title") == ["History of Government Service Quality Award"]
    assert len(svg.xpath("./rect[contains(@class,'bar')]")) == 3 + 7 * 3
    assert texts(svg, "./text[@class='rate']") == [
        "16.0 %",
        "19.0 %",
        "18.6 %",
        "19.0 %",
        "17.3 %",
        "17.1 %",
        "17.2 %",
    ]
    assert texts(svg, "./text[@class='bar-value']")[:3] == ["150", "46", "24"]
    assert "style=" not in response.content.decode()


def test_tw_demo_history_in_chinese(demo):
    scheme = AwardScheme.objects.get(code="tw-gsqa")
    tree = html(visitor("zh-hant").get(history_url(scheme)))
    rows = table_rows(tree, "//table[@id='history-table']")
    zh = ["一", "二", "三", "四", "五", "六", "七"]
    assert [row[0].split("*")[0] for row in rows] == [f"第{n}屆政府服務品質獎" for n in zh]
    assert [row[1:] for row in rows] == [row[1:] for row in TW_ROWS_EN]
    (total,) = tree.xpath("//table[@id='history-table']/tfoot/tr")
    assert texts(total, "./td") == ["1143", "342", "203", "17.8 %", "—"]


def _with_recorded_editions(cycle):
    """Editions 1 and 2 of the cycle's scheme with recorded counts; the cycle's is the 3rd."""
    Edition.objects.filter(pk=cycle.edition.pk).update(number=3, name_en="Edition 3")
    cycle.edition.refresh_from_db()
    for number, counts in ((1, (40, 12, 6)), (2, (50, 15, 9))):
        EditionFactory(
            scheme=cycle.edition.scheme,
            number=number,
            name_en=f"Edition {number}",
            recorded_participants=counts[0],
            recorded_finalists=counts[1],
            recorded_winners=counts[2],
        )
    return cycle.edition.scheme


def test_history_leaves_out_an_edition_whose_results_are_not_published(cycle):
    # Issue 11: its participant and finalist counts were shown before publication.
    scheme = _with_recorded_editions(cycle)
    approved_version(cycle, published=False)
    response = visitor().get(history_url(scheme))
    tree = html(response)
    mark = "* (recorded from the scheme's reports)"
    assert table_rows(tree, "//table[@id='history-table']") == [
        [f"Edition 1{mark}", "40", "12", "6", "15.0 %", "—"],
        [f"Edition 2{mark}", "50", "15", "9", "18.0 %", "—"],
    ]
    assert [texts(r, "./th|./td") for r in tree.xpath("//table[@id='history-table']/tfoot/tr")] == [
        ["Total", "90", "27", "15", "16.7 %", "—"]
    ]
    assert texts(tree, "//li[@id='unpublished-note']") == [
        "1 edition whose results are not yet published is not shown: its figures are made "
        "public with its results."
    ]
    assert texts(tree, "//svg/text[@class='rate']") == ["15.0 %", "18.0 %"]
    assert len(tree.xpath("//svg/rect[contains(@class,'winners')]")) == 1 + 2  # legend, bars
    assert cycle.edition.name_en not in response.content.decode()


def test_history_of_a_scheme_with_only_an_unpublished_edition_shows_no_figures(cycle):
    approved_version(cycle, published=False)
    tree = html(visitor().get(history_url(cycle.edition.scheme)))
    assert tree.xpath("//table") == [] and tree.xpath("//svg") == []
    assert texts(tree, "//main//p[@class='empty']") == [
        "No edition of this scheme has figures yet."
    ]
    assert texts(tree, "//p[@id='unpublished-note']") == [
        "1 edition whose results are not yet published is not shown: its figures are made "
        "public with its results."
    ]


def test_history_of_a_published_edition_counts_it_with_subtotal_and_total(cycle):
    scheme = _with_recorded_editions(cycle)
    approved_version(cycle)
    tree = html(visitor().get(history_url(scheme)))
    rows = table_rows(tree, "//table[@id='history-table']")
    assert rows[2] == ["Edition 3", "6", "3", "2", "33.3 %", "0"]
    assert tree.xpath("//table[@id='history-table']/tbody/tr[3]/th/a/@href") == [
        edition_url(cycle.edition)
    ]
    assert [texts(r, "./th|./td") for r in tree.xpath("//table[@id='history-table']/tfoot/tr")] == [
        ["Editions recorded from reports", "90", "27", "15", "16.7 %", "—"],
        ["Total", "96", "30", "17", "17.7 %", "0"],
    ]


def test_history_of_a_scheme_without_figures():
    scheme = AwardScheme.objects.create(code="new", name_zh="新獎", name_en="New award")
    EditionFactory(scheme=scheme, number=1)
    tree = html(visitor().get(history_url(scheme)))
    assert texts(tree, "//main//p[@class='empty']") == [
        "No edition of this scheme has figures yet."
    ]
    assert tree.xpath("//svg") == []


@pytest.mark.parametrize("count", [7, 30])
def test_history_query_count_is_constant(count, django_assert_num_queries):
    scheme = AwardScheme.objects.create(code="tw", name_zh="獎", name_en="Award")
    for n in range(1, count + 1):
        EditionFactory(
            scheme=scheme,
            number=n,
            recorded_participants=100 + n,
            recorded_finalists=30,
            recorded_winners=20,
        )
    with django_assert_num_queries(3):  # scheme; editions with their counts; winners
        response = visitor().get(history_url(scheme))
    tree = html(response)
    assert len(table_rows(tree, "//table[@id='history-table']")) == count
    assert len(tree.xpath("//svg/text[@class='rate']")) == count


# --- my awards: three personas ----------------------------------------------------------


def my_awards(client):
    response = client.get(reverse("results:my_awards"))
    assert response.status_code == 200
    tree = html(response)
    if not tree.xpath("//table[@id='my-awards-table']"):
        return texts(tree, "//p[@id='my-awards-empty']")
    return [row[:4] + row[5:7] for row in table_rows(tree, "//table[@id='my-awards-table']")]


def editor_of(agency):
    return UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])


def test_my_awards_for_the_awarded_agency_another_agency_and_a_reviewer(cycle):
    version = approved_version(cycle)
    award = Award.objects.get(version=version, agency=cycle.agencies[0])
    issued = f"{award.issued_on:%Y-%m-%d}"
    edition = cycle.edition.name_en

    owner = signed_in(editor_of(cycle.agencies[0]))
    assert my_awards(owner) == [
        [
            "Government Service Quality Award First-line service agencies",
            "Household Registration Office 1",
            edition,
            "Distinction",
            issued,
            "Valid",
        ]
    ]
    tree = html(owner.get(reverse("results:my_awards")))
    assert texts(tree, "//td[@class='serial']") == [award.serial]
    assert tree.xpath("//table[@id='my-awards-table']//td[2]/a/@href") == [
        edition_url(cycle.edition)
    ]
    try:
        certificate = reverse("results:award_certificate", args=[award.pk])
    except NoReverseMatch:  # the certificates work is merged separately
        assert tree.xpath("//table[@id='my-awards-table']//td[7]/a") == []
    else:
        assert tree.xpath("//table[@id='my-awards-table']//td[7]/a/@href") == [certificate]

    # Another agency's editor (a dossier that did not win) sees none of it.
    other = signed_in(editor_of(cycle.agencies[1]))
    assert my_awards(other) == [
        "Your agencies have no published awards yet. Awards appear here once the results "
        "are approved and published."
    ]
    # A reviewer holds no agency role.
    reviewer = signed_in(cycle.reviewers[0])
    assert my_awards(reviewer) == [
        "This page lists the published awards of the agencies you edit nominations for or "
        "oversee as competent authority. You hold no such role, so there is nothing to show "
        "here."
    ]


def test_my_awards_for_a_competent_authority_lists_its_subordinate_agencies(cycle):
    approved_version(cycle)
    officer = UserFactory(roles=[(Role.AUTHORITY_OFFICER, cycle.authorities[0])])
    rows = my_awards(signed_in(officer, "zh-hant"))
    assert [row[1] for row in rows] == ["第1戶政事務所", "第3戶政事務所"]
    officer2 = UserFactory(roles=[(Role.AUTHORITY_OFFICER, cycle.authorities[1])])
    assert my_awards(signed_in(officer2)) == [
        "Your agencies have no published awards yet. Awards appear here once the results "
        "are approved and published."
    ]


def test_my_awards_hides_unpublished_awards_and_marks_revoked_ones(cycle):
    version = approved_version(cycle, published=False)
    owner = signed_in(editor_of(cycle.agencies[0]))
    assert len(my_awards(owner)) == 1 and "Your agencies" in my_awards(owner)[0]
    ResultVersion.objects.filter(pk=version.pk).update(publish_at=timezone.now())
    award = Award.objects.get(version=version, agency=cycle.agencies[0])
    services.award_revoke(award=award, actor=cycle.secretariat, reason="Lapsed")
    award.refresh_from_db()
    (row,) = my_awards(owner)
    assert row[-1] == f"Revoked on {award.revoked_on:%Y-%m-%d}: Lapsed"


def test_my_awards_needs_signing_in():
    response = visitor().get(reverse("results:my_awards"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [2, 30])
def test_my_awards_query_count_is_constant(cycle, count, django_assert_num_queries):
    version = approved_version(cycle)
    template = Award.objects.filter(version=version).first()
    authority = cycle.authorities[0]
    for i in range(count - 2):
        Award.objects.create(
            version=version,
            category=template.category,
            agency=AgencyFactory(parent=authority),
            order=3 + i,
            name_zh=template.name_zh,
            name_en=template.name_en,
            serial=services.serial_new(),
            issued_on=template.issued_on,
        )
    client = signed_in(UserFactory(roles=[(Role.AUTHORITY_OFFICER, authority)]))
    client.get(reverse("results:my_awards"))  # warm up
    # session, user, roles; the editor's and the officer's agencies; the awards
    with django_assert_num_queries(6):
        rows = my_awards(client)
    assert len(rows) == count
