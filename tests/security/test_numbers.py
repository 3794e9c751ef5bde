"""Numbers typed by people are digits, nothing else (issue 11).

Python's int() and Decimal() read "1_0" as 10 (and "１０", "١٠", "1e1" too), and
str.isdigit() is true for "²", which int() then refuses with a server error. Every
numeric input is now read by agencies.numbers: each bad input below gets a clear message
(or a 404 for an id) and changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.numbers import int_list, parse_decimal, parse_int
from awards.enums import NominationState as S
from awards.models import Nomination
from scoring.models import Assignment, Review, TieDecision
from scoring.services import ShortlistError, review_open, rubric_indicators, shortlist_preview
from tests.conftest import html, texts
from tests.factories import open_cycle, review_cycle
from tests.scoring.standings_helpers import assign, give, split
from tests.security.helpers import client_for, submitted_nomination

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", 10),
        (" 7 ", 7),
        ("１０", 10),  # full-width digits from a Chinese input method
        ("1_0", None),
        ("²", None),
        ("١٠", None),
        ("1e1", None),
        ("1.0", None),
        ("-1", None),
        ("+1", None),
        ("", None),
        (None, None),
        ("9" * 16, None),
    ],
)
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", Decimal("12.5")),
        ("１２．５", Decimal("12.5")),
        ("12，5", Decimal("12.5")),
        ("-5", Decimal("-5")),
        (".5", Decimal("0.5")),
        ("1_0", None),
        ("1e1", None),
        ("NaN", None),
        ("Infinity", None),
        ("١٠", None),
        ("10 0", None),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


def test_int_list():
    assert int_list(["1", "2"]) == [1, 2]
    assert int_list(["1", "1_0"]) is None


# --- the scoring form --------------------------------------------------------------------


@pytest.fixture
def reviewing():
    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.reviewer = c.reviewers[1]
    c.assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nominations[0], reviewer=c.reviewer
    )
    review_open(c.assignment)
    return c


@pytest.mark.parametrize("value", ["1_0", "1e1", "١٠"])
def test_the_scoring_form_refuses_1_0_beside_the_field(reviewing, value):
    c = reviewing
    data = {"version": "0", "action": "save", "overall_comment": ""}
    for indicator, points in zip(c.indicators, [value, "100", "", "", ""], strict=True):
        data[f"points-{indicator.pk}"] = points
        data[f"comment-{indicator.pk}"] = ""
    response = client_for(c.reviewer).post(reverse("scoring:review", args=[c.assignment.pk]), data)
    assert response.status_code == 400
    tree = html(response)
    field = f"points-{c.indicators[0].pk}"
    message = f"“Service process”: “{value}” is not a number."
    assert texts(tree, "//div[@id='review-errors']//li") == [message]
    assert texts(tree, f"//ul[@id='{field}-error']/li") == [message]
    assert tree.xpath(f"//input[@id='{field}']/@value") == [value]
    review = Review.objects.get(assignment=c.assignment)
    assert (review.version, [s.points for s in review.scores.all()]) == (0, [None] * 5)


def test_full_width_digits_are_read_as_points(reviewing):
    c = reviewing
    data = {"version": "0", "action": "save", "overall_comment": ""}
    for indicator, points in zip(c.indicators, ["１５０", "", "", "", ""], strict=True):
        data[f"points-{indicator.pk}"] = points
    response = client_for(c.reviewer).post(reverse("scoring:review", args=[c.assignment.pk]), data)
    assert response.status_code == 302
    review = Review.objects.get(assignment=c.assignment)
    assert [s.points for s in review.scores.all()] == [Decimal("150.0")] + [None] * 4


def test_a_site_test_naming_a_superscript_indicator_is_not_a_500(reviewing):
    c = reviewing
    c.written.is_site_visit = True
    c.written.save()
    response = client_for(c.reviewer).post(
        reverse("scoring:site_test_add", args=[c.assignment.pk]),
        {"kind": "", "tested_at": "", "subject": "", "findings": "", "indicators": ["²"]},
    )
    # The form is refused for its missing fields; the odd indicator id is ignored.
    assert response.status_code == 400
    assert texts(html(response), "//h1")[0].startswith(c.nominations[0].agency.name_en)


# --- shortlisting and ties -----------------------------------------------------------------


def test_the_shortlist_threshold_and_counts_refuse_1_0():
    c = review_cycle()
    with pytest.raises(ShortlistError) as caught:
        shortlist_preview(c.written, c.category, by="threshold", value="7_50")
    assert caught.value.messages == ["Threshold: enter a number of points, e.g. 750."]
    with pytest.raises(ShortlistError) as caught:
        shortlist_preview(c.written, c.category, by="count", value="1_0")
    assert caught.value.messages == ["Number of dossiers: enter a whole number of at least 1."]


@pytest.mark.parametrize("place", ["1_0", "²", "０"])
def test_tie_places_refuse_odd_digits(place):
    c = review_cycle()
    n1, n2, n3 = c.nominations[:3]
    r1 = c.reviewers[1]
    give(c, assign(c, n1, r1), split(900))
    give(c, assign(c, n2, r1), split(800))
    give(c, assign(c, n3, r1), split(800))
    response = client_for(c.chair).post(
        reverse("scoring:ties", args=[c.written.pk, c.category.pk]),
        {"group": [n2.pk, n3.pk], f"place-{n2.pk}": "1", f"place-{n3.pk}": place, "reason": "x"},
    )
    assert response.status_code == 200  # the ties page shows its errors in place
    assert texts(html(response), "//*[@id='tie-errors']//li") == [
        "Places: give each tied dossier a different place, from 1 to 2."
    ]
    assert not TieDecision.objects.exists()


# --- the competent authority's ranks --------------------------------------------------------


@pytest.mark.parametrize("rank", ["1_0", "²", "1e1"])
def test_a_rank_of_1_0_is_refused(rank):
    cycle = open_cycle(quota=20)
    nomination = submitted_nomination(cycle)
    url = reverse("awards:recommendation_edit", args=[cycle.edition.pk])
    response = client_for(cycle.officer).post(url, {f"rank-{nomination.pk}": rank})
    assert response.status_code == 200
    items = html(response).xpath('//div[@id="ranking-errors"]//li')
    assert [i.text_content().strip() for i in items] == [
        "Rank of Zhongshan District Household Registration Office · Service planning "
        "agencies: Enter a whole number, in digits only."
    ]
    assert Nomination.objects.get(pk=nomination.pk).state == S.SUBMITTED


# --- ids in query strings ------------------------------------------------------------------


def test_odd_ids_in_query_strings_are_not_500s():
    cycle = open_cycle()
    client = client_for(cycle.editor)
    client.raise_request_exception = True
    response = client.get(reverse("awards:nomination_start"), {"category": "²"})
    assert response.status_code == 200
