"""The poll set-up page and the new-poll page: who may see them, each form action, a
refusal beside its field with what was typed kept, and a planned read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.enums import Role
from surveys.models import Poll
from tests.conftest import html, squash, texts
from tests.factories import (
    AgencyFactory,
    EditionFactory,
    PollCandidateFactory,
    StratumFactory,
    UserFactory,
    interviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_cookie(client):
    client.cookies["lang"] = "en"


def _settings_data(poll, **changes):
    data = {
        "title_zh": poll.title_zh,
        "title_en": poll.title_en,
        "question_zh": poll.question_zh,
        "question_en": poll.question_en,
        "suggestion_question_zh": "",
        "suggestion_question_en": "",
        "target_sample_size": str(poll.target_sample_size),
        "award_places": str(poll.award_places),
        "tie_rule": poll.tie_rule,
        "sampling_frame_zh": "",
        "sampling_frame_en": "",
        "fieldwork_starts_on": "",
        "fieldwork_ends_on": "",
    }
    data.update(changes)
    return data


def test_the_page_per_persona(client, poll, secretariat, interviewer):
    url = reverse("surveys:config_poll", args=[poll.pk])
    client.force_login(secretariat)
    page = html(client.get(url))
    assert texts(page, "//h1") == [f"Poll set-up{poll.title} · {poll.edition.name}"]
    assert page.xpath("//textarea[@name='strata']")[0].text_content().strip() == (
        "A | 甲區 | District A | 60\nB | 乙區 | District B | 40"
    )
    assert page.xpath("//input[@name='target_sample_size']/@value") == ["20"]
    assert texts(page, "//form[@id='interviewers-form']//label") == ["訪問員 甲 (iv@example.test)"]
    detail = html(client.get(reverse("surveys:poll_detail", args=[poll.pk])))
    assert detail.xpath("//a[@id='poll-setup-link']/@href") == [url]
    approver = UserFactory(roles=[Role.APPROVER])
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    for other in (interviewer, approver, editor):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert (
            client.post(
                reverse("surveys:config_poll_settings", args=[poll.pk]),
                _settings_data(poll, target_sample_size="99"),
            ).status_code
            == 404
        )
    poll.refresh_from_db()
    assert poll.target_sample_size == 20


def test_settings_saved_through_the_page(client, poll, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("surveys:config_poll_settings", args=[poll.pk]),
        _settings_data(
            poll,
            target_sample_size="4500",
            fieldwork_starts_on="2003-01-06",
            fieldwork_ends_on="2003-01-24",
        ),
        follow=True,
    )
    assert texts(html(response), "//ul[@class='messages']/li") == [
        "The poll's settings were saved."
    ]
    poll.refresh_from_db()
    assert (poll.target_sample_size, str(poll.fieldwork_ends_on)) == (4500, "2003-01-24")


def test_a_zero_sample_size_is_refused_beside_the_field_with_the_typing_kept(
    client, poll, secretariat
):
    client.force_login(secretariat)
    response = client.post(
        reverse("surveys:config_poll_settings", args=[poll.pk]),
        _settings_data(
            poll,
            target_sample_size="0",
            title_en="A new title",
            fieldwork_starts_on="2003-01-24",
            fieldwork_ends_on="2003-01-06",
        ),
    )
    assert response.status_code == 400
    form = html(response).xpath("//form[@id='settings-form']")[0]
    assert texts(
        form,
        ".//input[@name='target_sample_size']/following-sibling::ul[@class='errorlist']/li",
    ) == ["The sample size must be at least 1 completed interview."]
    assert texts(
        form, ".//input[@name='fieldwork_ends_on']/following-sibling::ul[@class='errorlist']/li"
    ) == ["The fieldwork cannot end (2003-01-06) before it starts (2003-01-24)."]
    assert form.xpath(".//input[@name='title_en']/@value") == ["A new title"]
    assert form.xpath(".//input[@name='target_sample_size']/@value") == ["0"]
    poll.refresh_from_db()
    assert (poll.target_sample_size, poll.title_en) == (
        20,
        "Best Public Image Award telephone poll",
    )


def test_candidates_through_the_page(client, poll, secretariat):
    client.force_login(secretariat)
    page = html(client.get(reverse("surveys:config_poll", args=[poll.pk])))
    assert page.xpath("//textarea[@name='candidates']")[0].text_content().strip() == (
        "X  X Dept\nY  Y Dept\nZ  Z Dept"
    )
    url = reverse("surveys:config_poll_candidates", args=[poll.pk])
    typed = "Z  Z Dept\nQQ"
    response = client.post(url, {"candidates": typed})
    assert response.status_code == 400
    form = html(response).xpath("//form[@id='candidates-form']")[0]
    assert texts(form, ".//ul[@class='errorlist']/li") == ["No agency has the code QQ."]
    assert form.xpath(".//textarea")[0].text_content().strip() == typed
    response = client.post(url, {"candidates": "Z  Z Dept\nX"})
    assert response.status_code == 302
    assert list(poll.candidates.order_by("order").values_list("agency__code", flat=True)) == [
        "Z",
        "X",
    ]


def test_strata_through_the_page(client, poll, secretariat):
    client.force_login(secretariat)
    url = reverse("surveys:config_poll_strata", args=[poll.pk])
    typed = "A | 甲區 | District A | 60\nB | 乙區 | District B | 39"
    response = client.post(url, {"strata": typed})
    assert response.status_code == 400
    form = html(response).xpath("//form[@id='strata-form']")[0]
    assert texts(form, ".//ul[@class='errorlist']/li") == [
        "The population shares add up to 99 %; they must add up to 100 %."
    ]
    assert form.xpath(".//textarea[@name='strata']")[0].text_content().strip() == typed
    response = client.post(url, {"strata": "A | 甲區 | District A | 6O"})
    assert texts(html(response), "//form[@id='strata-form']//ul[@class='errorlist']/li") == [
        "Line 1: the share “6O” is not a number."
    ]
    response = client.post(
        url, {"strata": "A | 甲區 | District A | 55\n\nB | 乙區 | District B | 45"}
    )
    assert response.status_code == 302
    assert [str(s.population_share) for s in poll.strata.order_by("order")] == [
        "0.550000",
        "0.450000",
    ]


def test_interviewers_through_the_page(client, poll, secretariat, interviewer):
    clerk = UserFactory(full_name="書記 丙")
    client.force_login(secretariat)
    url = reverse("surveys:config_poll_interviewers", args=[poll.pk])
    response = client.post(url, {"interviewers": [interviewer.pk, clerk.pk]})
    assert response.status_code == 400
    page = html(response)
    assert texts(page, "//ul[@id='interviewers-errors']/li") == [
        "書記 丙 cannot be listed: not a poll interviewer. Give them the poll interviewer role "
        "first."
    ]
    assert page.xpath(f"//input[@id='interviewer-{interviewer.pk}']/@checked") == ["checked"]
    assert list(poll.interviewers.all()) == []
    response = client.post(url, {"interviewers": [interviewer.pk]})
    assert response.status_code == 302
    assert list(poll.interviewers.all()) == [interviewer]


def test_a_new_poll_for_an_edition_without_one(client, poll, secretariat):
    edition = EditionFactory(name_en="HK 2003")
    client.force_login(secretariat)
    url = reverse("surveys:config_poll_new")
    listing = html(client.get(reverse("surveys:poll_list")))
    assert listing.xpath("//a[@id='poll-new-link']/@href") == [url]
    page = html(client.get(url))
    # Editions that already have a poll are not offered.
    assert texts(page, "//select[@name='edition']/option")[1:] == [
        f"{edition.scheme.name} · {edition.name}"
    ]
    data = {
        "edition": edition.pk,
        "title_zh": "電話訪問",
        "question_zh": "哪一個部門最好？",
        "target_sample_size": "-1",
        "award_places": "3",
        "tie_rule": "share",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        squash(
            html(response).xpath(
                "string(//input[@name='target_sample_size']/following-sibling::ul)"
            )
        )
        == "The sample size must be at least 1 completed interview."
    )
    assert not Poll.objects.filter(edition=edition).exists()
    response = client.post(url, {**data, "target_sample_size": "4500"})
    created = Poll.objects.get(edition=edition)
    assert response.url == reverse("surveys:config_poll", args=[created.pk])
    assert (created.status, created.target_sample_size) == ("draft", 4500)


@pytest.mark.parametrize("many", [False, True])
def test_query_count_does_not_grow_with_strata_and_interviewers(
    client, poll, secretariat, django_assert_num_queries, many
):
    if many:
        for i in range(10):
            StratumFactory(poll=poll, code=f"M{i}", population_share="0.01")
            poll.interviewers.add(interviewer_user(email=f"iv{i}@example.test"))
            PollCandidateFactory(poll=poll, order=10 + i)
    client.force_login(secretariat)
    url = reverse("surveys:config_poll", args=[poll.pk])
    client.get(url)
    with django_assert_num_queries(10):
        response = client.get(url)
    boxes = html(response).xpath("//form[@id='interviewers-form']//input[@type='checkbox']")
    assert len(boxes) == (10 if many else 0)
