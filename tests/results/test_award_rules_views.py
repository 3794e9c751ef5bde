"""The award rules page: who may see it, each form action through the page, a refusal
shown beside its field with what was typed kept, and a planned read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.enums import Role
from awards.results.models import AwardLevel, AwardRule, AwardSelection
from tests.conftest import html, squash, texts
from tests.factories import CategoryFactory, UserFactory
from tests.results.helpers import approved_version, scored_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["lang"] = "en"


def _url(cycle, name="results:config_award_rules", *args):
    return reverse(name, args=[cycle.edition.pk, *args])


def test_the_page_per_persona(client):
    cycle = scored_cycle(winners=2)
    url = _url(cycle)
    client.force_login(cycle.secretariat)
    page = html(client.get(url))
    assert texts(page, "//h1") == [f"Award rules{cycle.edition.scheme.name} · {cycle.edition.name}"]
    assert page.xpath(f"//input[@name='rule-{cycle.category.pk}-winners']/@value") == ["2"]
    assert squash(page.xpath(f"string(//p[@id='pool-{cycle.category.pk}'])")) == (
        "6 eligible or finalist nominations · 3 finalists"
    )
    assert [
        v
        for v in page.xpath(
            "//form[starts-with(@id,'level-form-')]//input[contains(@name,'name_zh')]/@value"
        )
    ] == [
        "特優",
        "優等",
    ]
    # The results page links here instead of the admin.
    edition_page = html(client.get(reverse("results:edition", args=[cycle.edition.pk])))
    assert edition_page.xpath("//a[@id='award-rules-link']/@href") == [url]
    assert not edition_page.xpath("//a[contains(@href,'/admin/')]")
    # The approver sees results, not the configuration; agency editors and reviewers: 404.
    for other in (
        cycle.approver,
        cycle.outsider,
        UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])]),
    ):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert (
            client.post(
                _url(cycle, "results:config_award_rule_save", cycle.category.pk),
                {
                    f"rule-{cycle.category.pk}-basis": "standings",
                    f"rule-{cycle.category.pk}-winners": "1",
                },
            ).status_code
            == 404
        )
    assert AwardRule.objects.get(category=cycle.category).winners == 2
    client.force_login(cycle.approver)
    edition_page = html(client.get(reverse("results:edition", args=[cycle.edition.pk])))
    assert not edition_page.xpath("//a[@id='award-rules-link']")


def test_saving_a_rule_through_the_page(client):
    cycle = scored_cycle(winners=2)
    client.force_login(cycle.secretariat)
    p = f"rule-{cycle.category.pk}"
    response = client.post(
        _url(cycle, "results:config_award_rule_save", cycle.category.pk),
        {
            f"{p}-basis": "standings",
            f"{p}-winners": "3",
            f"{p}-finalists_only": "on",
            f"{p}-award_name_zh": "品質獎",
            f"{p}-min_score": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(_url(cycle), 302)]
    assert texts(html(response), "//ul[@class='messages']/li") == [
        f"The award rule of “{cycle.category.name}” was saved."
    ]
    rule = AwardRule.objects.get(category=cycle.category)
    assert (rule.winners, rule.award_name_zh, rule.min_score) == (3, "品質獎", None)


def test_too_many_winners_is_refused_beside_the_field_with_the_typing_kept(client):
    cycle = scored_cycle(winners=2)
    client.force_login(cycle.secretariat)
    p = f"rule-{cycle.category.pk}"
    response = client.post(
        _url(cycle, "results:config_award_rule_save", cycle.category.pk),
        {
            f"{p}-basis": "standings",
            f"{p}-winners": "5",
            f"{p}-finalists_only": "on",
            f"{p}-award_name_zh": "新名稱",
        },
    )
    assert response.status_code == 400
    page = html(response)
    form = page.xpath(f"//form[@id='rule-form-{cycle.category.pk}']")[0]
    assert texts(
        form, ".//input[@name='" + p + "-winners']/following-sibling::ul[@class='errorlist']/li"
    ) == [f"“{cycle.category.name}” has 3 finalists, fewer than the 5 winners asked for."]
    assert form.xpath(f".//input[@name='{p}-winners']/@value") == ["5"]
    assert form.xpath(f".//input[@name='{p}-award_name_zh']/@value") == ["新名稱"]
    rule = AwardRule.objects.get(category=cycle.category)
    assert (rule.winners, rule.award_name_zh) == (2, "政府服務品質獎")


def test_levels_through_the_page(client):
    cycle = scored_cycle()
    client.force_login(cycle.secretariat)
    response = client.post(
        _url(cycle, "results:config_award_level_add"),
        {"level-new-name_zh": "優等", "level-new-name_en": "", "level-new-min_score": "650"},
    )
    assert response.status_code == 400
    form = html(response).xpath("//form[@id='level-form-new']")[0]
    assert texts(form, ".//ul[@class='errorlist']/li") == [
        "This edition already has a level named “優等”."
    ]
    assert form.xpath(".//input[@name='level-new-min_score']/@value") == ["650"]
    response = client.post(
        _url(cycle, "results:config_award_level_add"),
        {
            "level-new-name_zh": "甲等",
            "level-new-name_en": "Commendation",
            "level-new-min_score": "650",
        },
    )
    assert response.status_code == 302
    assert list(
        AwardLevel.objects.filter(edition=cycle.edition).values_list("name_zh", flat=True)
    ) == ["特優", "優等", "甲等"]
    level = AwardLevel.objects.get(edition=cycle.edition, name_zh="甲等")
    client.post(_url(cycle, "results:config_award_level_delete", level.pk))
    assert not AwardLevel.objects.filter(pk=level.pk).exists()


def test_special_award_selection_through_the_page(client):
    cycle = scored_cycle()
    special = CategoryFactory(edition=cycle.edition, code="special", name_en="Special Award")
    AwardRule.objects.create(category=special, basis="selection")
    client.force_login(cycle.secretariat)
    agency = cycle.agencies[1]
    p = f"selection-{special.pk}"
    response = client.post(
        _url(cycle, "results:config_award_selection_add", special.pk),
        {f"{p}-agency": agency.pk, f"{p}-citation_zh": "", f"{p}-citation_en": "Bold"},
    )
    assert response.status_code == 400
    form = html(response).xpath(f"//form[@id='selection-form-{special.pk}']")[0]
    assert texts(form, ".//ul[@class='errorlist']/li") == [
        "Give the citation in Chinese (printed on the certificate)."
    ]
    assert texts(form, ".//textarea[@name='" + p + "-citation_en']") == ["Bold"]
    response = client.post(
        _url(cycle, "results:config_award_selection_add", special.pk),
        {f"{p}-agency": agency.pk, f"{p}-citation_zh": "勇於創新", f"{p}-citation_en": ""},
    )
    assert response.status_code == 302
    selection = AwardSelection.objects.get(category=special)
    assert (selection.agency, selection.citation_zh, selection.created_by) == (
        agency,
        "勇於創新",
        cycle.secretariat,
    )


def test_frozen_results_show_why_and_offer_no_save(client):
    cycle = scored_cycle()
    approved_version(cycle)
    client.force_login(cycle.secretariat)
    page = html(client.get(_url(cycle)))
    assert squash(page.xpath("string(//div[@id='frozen-note'])")) == (
        "Result version 1 of this edition was approved, so its results are frozen: the award "
        "rules can no longer be changed."
    )
    assert not page.xpath("//form[starts-with(@id,'rule-form-')]//button")
    # Every field of the rule and level forms is disabled, not only their buttons.
    forms = page.xpath("//form[starts-with(@id,'rule-form-') or starts-with(@id,'level-form-')]")
    assert forms and all(f.xpath("./fieldset[@disabled]") for f in forms)
    p = f"rule-{cycle.category.pk}"
    response = client.post(
        _url(cycle, "results:config_award_rule_save", cycle.category.pk),
        {f"{p}-basis": "standings", f"{p}-winners": "1"},
    )
    assert response.status_code == 400
    assert "result version 1 was approved" in squash(
        html(response).xpath(
            f"string(//form[@id='rule-form-{cycle.category.pk}']//ul[@role='alert'])"
        )
    )
    assert AwardRule.objects.get(category=cycle.category).winners == 2


def test_query_count_does_not_grow_with_categories_levels_and_selections(
    client, django_assert_num_queries
):
    cycle = scored_cycle()
    client.force_login(cycle.secretariat)
    url = _url(cycle)
    client.get(url)
    with django_assert_num_queries(10):
        few = client.get(url)
    for i in range(4):
        category = CategoryFactory(edition=cycle.edition, code=f"special-{i}")
        AwardRule.objects.create(category=category, basis="selection")
        for agency in cycle.agencies[:3]:
            AwardSelection.objects.create(category=category, agency=agency, citation_zh="好")
        AwardLevel.objects.create(edition=cycle.edition, name_zh=f"等{i}", min_score=100 + i)
    with django_assert_num_queries(10):
        many = client.get(url)
    assert len(html(few).xpath("//div[contains(@class,'award-rule')]")) == 1
    assert len(html(many).xpath("//div[contains(@class,'award-rule')]")) == 5
    assert len(html(many).xpath("//ul[@class='selections']/li")) == 12


def test_a_stale_save_is_refused_not_lost(client):
    cycle = scored_cycle(winners=2)
    client.force_login(cycle.secretariat)
    p = f"rule-{cycle.category.pk}"
    page = html(client.get(_url(cycle)))
    [seen] = page.xpath(f"//input[@name='{p}-seen']/@value")
    data = {f"{p}-basis": "standings", f"{p}-finalists_only": "on", f"{p}-seen": seen}
    save = _url(cycle, "results:config_award_rule_save", cycle.category.pk)
    # Another secretary saves first, from the same page.
    assert client.post(save, {**data, f"{p}-winners": "3"}).status_code == 302
    response = client.post(save, {**data, f"{p}-winners": "1"})
    assert response.status_code == 400
    form = html(response).xpath(f"//form[@id='rule-form-{cycle.category.pk}']")[0]
    assert texts(form, ".//ul[@role='alert']/li") == [
        "Someone else saved this in the meantime; nothing was changed. Reload the page to see "
        "their change, then make yours again."
    ]
    assert form.xpath(f".//input[@name='{p}-winners']/@value") == ["1"]
    assert AwardRule.objects.get(category=cycle.category).winners == 3
