"""The standings page at any size: one page of rows, the ticks of other pages carried
along, and each dossier's detail loaded on demand (htmx) with the page's permission."""

import pytest
from django.urls import reverse

from agencies.enums import Role
from scoring.enums import Aggregation
from tests.conftest import html, table_rows, texts
from tests.factories import UserFactory

from . import test_standings as base
from .standings_helpers import assign, give, many_dossiers, split
from .test_standings import client_for, set_method, standings_url

# The fixtures of the standings tests: a review cycle, and four dossiers scored by hand.
cycle = base.cycle
scored = base.scored

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(cycle, nomination):
    return reverse(
        "scoring:standings_detail", args=[cycle.written.pk, cycle.category.pk, nomination.pk]
    )


def test_each_row_links_to_its_detail(cycle, scored):
    """Each dossier's name links to its detail; htmx loads it into the one panel under
    the table (without JavaScript the link opens it as a page)."""
    tree = html(client_for(cycle.secretariat).get(standings_url(cycle)))
    n1, n2, n3, n4 = scored
    links = "//table[contains(@class,'standings-table')]/tbody/tr/th/a[@class='detail-link']"
    expected = [detail_url(cycle, n) for n in (n2, n1, n3, n4)]
    assert tree.xpath(f"{links}/@hx-get") == expected
    assert tree.xpath(f"{links}/@href") == expected
    assert tree.xpath(f"{links}/@hx-target") == ["#standings-detail"] * 4
    assert texts(tree, links)[1] == "Household Registration Office 1"
    # The panel the details load into, once, outside the table.
    assert len(tree.xpath("//section[@id='standings-detail' and @aria-live='polite']")) == 1


def test_the_detail_fragment_for_the_secretariat(cycle, scored):
    n1 = scored[0]
    response = client_for(cycle.secretariat).get(detail_url(cycle, n1), **HTMX)
    body = response.content.decode()
    assert "<html" not in body  # a fragment
    tree = html(response)
    assert texts(tree, "//h2") == ["Household Registration Office 1 " + cycle.agencies[0].code]
    assert texts(tree, "//p[@class='detail-summary']") == [
        "Rank 2 · 683.33 of 1000 points · 3 of 3 reviews submitted"
    ]
    table = "//table[@class='standings-detail-table']"
    assert texts(tree, f"{table}/thead//th")[:2] == ["Reviewer", "Total"]
    # Mean: no normalised column. Each reviewer's sums per dimension (D1 = i1 + i2,
    # D2 = i3 + i4, D3 = i5) and the indicators scored of five.
    assert table_rows(tree, table) == [
        ["評審委員1", "800.00", "320.00", "240.00", "240.00", "5 / 5"],
        ["評審委員2", "750.00", "300.00", "220.00", "230.00", "5 / 5"],
        ["評審委員3", "500.00", "200.00", "150.00", "150.00", "5 / 5"],
    ]
    assert tree.xpath(f"{table}//tbody//a/@href") == [
        reverse("scoring:review_detail", args=[n1.assignments.get(reviewer=r).pk])
        for r in cycle.reviewers[:3]
    ]


def test_the_detail_page_without_htmx(cycle, scored):
    tree = html(client_for(cycle.secretariat).get(detail_url(cycle, scored[3])))
    assert texts(tree, "//h1") == [
        f"Standings: First-line service agencies{cycle.written.name_en} · {cycle.edition.name_en}"
    ]
    # N4: only r1's 500 counts, r4 withdrew for a conflict.
    assert table_rows(tree, "//table[@class='standings-detail-table']") == [
        ["評審委員1", "500.00", "200.00", "150.00", "150.00", "5 / 5"]
    ]
    assert tree.xpath("//p[@class='actions']/a/@href") == [standings_url(cycle)]


def test_the_detail_under_the_zscore_shows_normalised_and_raw_totals(cycle):
    """r1 scored five dossiers (normalised), r2 two (raw under the minimum of 5)."""
    n = cycle.nominations
    r1, r2 = cycle.reviewers[:2]
    for nomination, total in zip(n[:5], [900, 800, 700, 600, 500], strict=True):
        give(cycle, assign(cycle, nomination, r1), split(total))
    give(cycle, assign(cycle, n[0], r2), split(967))
    give(cycle, assign(cycle, n[1], r2), split(963))
    set_method(cycle, Aggregation.ZSCORE)
    tree = html(client_for(cycle.secretariat).get(detail_url(cycle, n[0]), **HTMX))
    table = "//table[@class='standings-detail-table']"
    assert texts(tree, f"{table}/thead//th")[:3] == ["Reviewer", "Total", "Normalised"]
    rows = table_rows(tree, table)
    # All seven totals: μ 775.71, σ 169.17; r1 μ 700, σ 141.42: 900 -> 775.71 + 1.4142 ·
    # 169.17 = 1014.96, clamped to the rubric's 1000.
    assert [r[:3] for r in rows] == [
        ["評審委員1", "900.00", "1000.00"],
        ["評審委員2", "967.00", "raw (scored only 2 dossiers)"],
    ]


def test_the_detail_is_404_for_others_and_for_a_dossier_not_in_the_standings(cycle, scored):
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])
    for user in (cycle.chair, cycle.outsider, cycle.reviewers[1], editor):
        client = client_for(user)
        assert client.get(detail_url(cycle, scored[0]), **HTMX).status_code == 404
        assert client.get(detail_url(cycle, scored[0])).status_code == 404
    client = client_for(cycle.secretariat)
    # Not assigned in this stage: not in its standings.
    assert client.get(detail_url(cycle, cycle.nominations[5]), **HTMX).status_code == 404
    # A stage that does not score, or of another category's URL.
    other = reverse(
        "scoring:standings_detail", args=[cycle.written.pk, cycle.category.pk + 999, scored[0].pk]
    )
    assert client.get(other).status_code == 404
    # Anonymous: to the sign-in page.
    from django.test import Client

    assert Client().get(detail_url(cycle, scored[0])).status_code == 302


@pytest.mark.parametrize("count", [10, 60])
def test_the_detail_query_count_is_constant(cycle, count, django_assert_num_queries):
    set_method(cycle, Aggregation.ZSCORE)
    nominations = many_dossiers(cycle, count)
    client = client_for(cycle.secretariat)
    client.get(standings_url(cycle))  # warm the session
    # session, user, roles; category, stage; the selector's 8
    with django_assert_num_queries(13):
        response = client.get(detail_url(cycle, nominations[3]), **HTMX)
    assert len(table_rows(html(response), "//table[@class='standings-detail-table']")) == 3


def test_pages_of_the_standings(cycle):
    nominations = many_dossiers(cycle, 60)
    client = client_for(cycle.secretariat)
    table = "//table[contains(@class,'standings-table')]"
    first = html(client.get(standings_url(cycle)))
    assert [r[1] for r in table_rows(first, table)][:3] == ["1", "2", "3"]
    assert len(table_rows(first, table)) == 50
    assert texts(first, "//nav[@class='pagination']") == ["Page 1 of 2 Next page"]
    assert texts(first, "//*[@id='list-summary']") == ["Showing 1–50 of 60"]
    second = html(client.get(standings_url(cycle), {"page": "2"}))
    rows = table_rows(second, table)
    assert len(rows) == 10
    assert texts(second, "//*[@id='list-summary']") == ["Showing 51–60 of 60"]
    assert texts(second, "//nav[@class='pagination']") == ["Previous page Page 2 of 2"]
    # Together the two pages show every dossier once.
    names = {r[2] for r in table_rows(first, table)} | {r[2] for r in rows}
    assert len(names) == 60
    assert names == {f"{n.agency.name_en} {n.agency.code}" for n in nominations}
    # A page past the end shows the last one; a bad number the first.
    assert texts(
        html(client.get(standings_url(cycle), {"page": "9"})), "//*[@id='list-summary']"
    ) == ["Showing 51–60 of 60"]
    assert texts(
        html(client.get(standings_url(cycle), {"page": "x"})), "//*[@id='list-summary']"
    ) == ["Showing 1–50 of 60"]


def test_a_preview_keeps_its_ticks_across_pages(cycle):
    many_dossiers(cycle, 60)
    client = client_for(cycle.secretariat)
    tree = html(client.get(standings_url(cycle), {"by": "count", "value": "55"}))
    ticked = tree.xpath("//input[@name='nomination' and @type='checkbox' and @checked]/@value")
    carried = tree.xpath(
        "//form[@id='shortlist-form']//input[@name='nomination' and @type='hidden']/@value"
    )
    assert (len(ticked), len(carried)) == (50, 5)
    # The next page's link keeps the rule; there the five are ticked and the fifty carried.
    (next_link,) = tree.xpath("//nav[@class='pagination']/a[@rel='next']/@href")
    assert next_link == "?by=count&value=55&page=2"
    tree = html(client.get(standings_url(cycle) + next_link))
    ticked2 = tree.xpath("//input[@name='nomination' and @type='checkbox' and @checked]/@value")
    carried2 = tree.xpath(
        "//form[@id='shortlist-form']//input[@name='nomination' and @type='hidden']/@value"
    )
    assert (len(ticked2), len(carried2)) == (5, 50)
    assert set(ticked) | set(carried) == set(ticked2) | set(carried2)


def test_the_reviewers_totals_cell_escapes_what_users_wrote(cycle, scored):
    """The reviewers' totals and the flags are built as markup in the view (issue 15):
    a reviewer's name is shown as written, never as markup, and each total links to
    its review record."""
    r1 = cycle.reviewers[0]
    r1.full_name = '<b onmouseover="x()">Lee & Co</b>'
    r1.save(update_fields=["full_name"])
    response = client_for(cycle.secretariat).get(standings_url(cycle))
    body = response.content.decode()
    assert '<b onmouseover="x()">' not in body
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Lee &amp; Co&lt;/b&gt;" in body
    tree = html(response)
    cells = "//table[contains(@class,'standings-table')]/tbody/tr/td[@class='reviewer-totals']"
    links = tree.xpath(f"{cells}//a[@class='review-record-link']")
    assert links and all(a.get("href").startswith("/") for a in links)
    assert '<b onmouseover="x()">Lee & Co</b>' in [a.text_content() for a in links]
    assert not tree.xpath(f"{cells}//b")
