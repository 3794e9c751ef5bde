"""The award rules configuration services (awards.results.config_services): each edit is
saved and audited before → after; each refusal names the problem and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from awards.results import config_services as cs
from awards.results.models import AwardLevel, AwardRule, AwardSelection
from tests.factories import CategoryFactory, PollCandidateFactory, PollFactory, secretariat_user
from tests.results.helpers import approved_version, poll_cycle, scored_cycle
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _rule_values(rule, **changes):
    values = {f: getattr(rule, f) for f in cs.RULE_FIELDS}
    values.update(changes)
    return values


def _config_entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _refused(call, **kwargs):
    with pytest.raises(cs.ConfigError) as info:
        call(**kwargs)
    return info.value


def test_rule_edit_is_saved_and_audited_before_and_after():
    cycle = scored_cycle(winners=2)
    cs.award_rule_save(
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, winners=3, min_score=Decimal("600")),
    )
    rule = AwardRule.objects.get(category=cycle.category)
    assert (rule.winners, rule.min_score) == (3, Decimal("600.00"))
    [entry] = _config_entries("config.award_rule")
    assert entry.actor == cycle.secretariat
    assert entry.data == {
        "config": True,
        "edition": cycle.edition.pk,
        "before": {"min_score": None, "winners": 2},
        "after": {"min_score": "600.00", "winners": 3},
    }


def test_a_new_rule_is_audited_as_created():
    cycle = scored_cycle()
    other = CategoryFactory(edition=cycle.edition, code="other", name_en="Other category")
    cs.award_rule_save(
        category=other,
        actor=cycle.secretariat,
        values={"basis": "selection", "award_name_zh": "特別獎", "award_name_en": "Special Award"},
    )
    [entry] = _config_entries("config.award_rule")
    assert entry.data["before"] is None
    assert entry.data["after"] == {
        "basis": "selection",
        "award_name_zh": "特別獎",
        "award_name_en": "Special Award",
        "winners": None,
        "min_score": None,
        "finalists_only": False,
    }


def test_more_winners_than_finalists_is_refused_naming_the_category_and_the_count():
    cycle = scored_cycle(winners=2)
    error = _refused(
        cs.award_rule_save,
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, winners=4),
    )
    assert error.errors == {
        "winners": [f"“{cycle.category.name}” has 3 finalists, fewer than the 4 winners asked for."]
    }
    assert AwardRule.objects.get(category=cycle.category).winners == 2
    assert _config_entries("config.award_rule") == []


def test_without_finalists_only_the_count_is_of_eligible_or_finalist_nominations():
    cycle = scored_cycle(winners=2)
    error = _refused(
        cs.award_rule_save,
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, winners=7, finalists_only=False),
    )
    assert error.errors["winners"] == [
        f"“{cycle.category.name}” has 6 eligible or finalist nominations, fewer than the 7 "
        "winners asked for."
    ]
    cs.award_rule_save(
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, winners=6, finalists_only=False),
    )
    assert AwardRule.objects.get(category=cycle.category).winners == 6


def test_negative_counts_and_scores_are_refused():
    cycle = scored_cycle(winners=2)
    error = _refused(
        cs.award_rule_save,
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, winners=-1, min_score=Decimal("-5")),
    )
    assert error.errors == {
        "winners": ["The number of winners cannot be negative."],
        "min_score": ["The minimum score cannot be negative."],
    }
    assert AwardRule.objects.get(category=cycle.category).winners == 2


def test_levels_added_edited_removed_and_audited():
    cycle = scored_cycle(levels=False)
    level = cs.award_level_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        name_zh="特優",
        name_en="Distinction",
        min_score=Decimal("850"),
    )
    cs.award_level_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        level=level,
        name_zh="特優",
        name_en="Distinction",
        min_score=Decimal("800"),
    )
    entries = _config_entries("config.award_level")
    assert [e.data["before"] for e in entries] == [None, {"min_score": "850.00"}]
    assert entries[1].data["after"] == {"min_score": "800.00"}
    cs.award_level_delete(level=level, actor=cycle.secretariat)
    assert AwardLevel.objects.filter(edition=cycle.edition).count() == 0
    [removed] = _config_entries("config.award_level_delete")
    assert removed.data["after"] is None
    assert removed.data["before"]["name_zh"] == "特優"


def test_duplicate_levels_are_refused_beside_the_field():
    cycle = scored_cycle()  # 特優 ≥ 800, 優等 ≥ 700
    error = _refused(
        cs.award_level_save,
        edition=cycle.edition,
        actor=cycle.secretariat,
        name_zh="特優",
        name_en="merit",
        min_score=Decimal("700"),
    )
    assert error.errors == {
        "name_zh": ["This edition already has a level named “特優”."],
        "name_en": ["This edition already has a level named “merit”."],
        "min_score": ["The level “優等” already starts at 700 points."],
    }
    error = _refused(
        cs.award_level_save,
        edition=cycle.edition,
        actor=cycle.secretariat,
        name_zh="",
        name_en="",
        min_score=Decimal("-1"),
    )
    assert error.errors == {
        "name_zh": ["Give the level's name in Chinese."],
        "min_score": ["The minimum score cannot be negative."],
    }
    assert AwardLevel.objects.filter(edition=cycle.edition).count() == 2
    assert _config_entries("config.award_level") == []


def test_special_award_selection_needs_a_selection_rule_and_is_audited():
    cycle = scored_cycle()
    special = CategoryFactory(edition=cycle.edition, code="special", name_en="Special Award")
    agency = cycle.agencies[0]
    error = _refused(
        cs.award_selection_add,
        category=special,
        actor=cycle.secretariat,
        agency=agency,
        citation_zh="創新卓越",
        citation_en="",
    )
    assert error.errors == {
        "category": [
            "“Special Award” is not a special award: set its rule to “selected by the panel” first."
        ]
    }
    cs.award_rule_save(category=special, actor=cycle.secretariat, values={"basis": "selection"})
    selection = cs.award_selection_add(
        category=special,
        actor=cycle.secretariat,
        agency=agency,
        citation_zh="創新卓越",
        citation_en="",
    )
    error = _refused(
        cs.award_selection_add,
        category=special,
        actor=cycle.secretariat,
        agency=agency,
        citation_zh="",
        citation_en="",
    )
    assert error.errors == {
        "agency": [f"{agency.name} is already selected for “Special Award”."],
        "citation_zh": ["Give the citation in Chinese (printed on the certificate)."],
    }
    [entry] = _config_entries("config.award_selection")
    assert entry.data["after"] == {
        "category_id": special.pk,
        "agency_id": agency.pk,
        "citation_zh": "創新卓越",
        "citation_en": "",
    }
    cs.award_selection_delete(selection=selection, actor=cycle.secretariat)
    assert not AwardSelection.objects.filter(category=special).exists()
    assert _config_entries("config.award_selection_delete")[0].data["after"] is None


def test_every_edit_is_refused_once_a_version_is_approved():
    cycle = scored_cycle(winners=2)
    version = approved_version(cycle)
    frozen = (
        f"The award rules of this edition cannot be changed: result version {version.number} "
        "was approved, and its results are frozen. Changing the rules now would make them "
        "disagree with the approved results."
    )
    level = AwardLevel.objects.get(edition=cycle.edition, name_zh="特優")
    attempts = [
        lambda: cs.award_rule_save(
            category=cycle.category,
            actor=cycle.secretariat,
            values=_rule_values(cycle.rule, winners=1),
        ),
        lambda: cs.award_rule_delete(category=cycle.category, actor=cycle.secretariat),
        lambda: cs.award_level_save(
            edition=cycle.edition,
            actor=cycle.secretariat,
            name_zh="甲等",
            name_en="",
            min_score=Decimal("600"),
        ),
        lambda: cs.award_level_delete(level=level, actor=cycle.secretariat),
    ]
    for attempt in attempts:
        with pytest.raises(cs.ConfigError) as info:
            attempt()
        assert info.value.errors == {None: [frozen]}
    assert AwardRule.objects.get(category=cycle.category).winners == 2
    assert AwardLevel.objects.filter(edition=cycle.edition).count() == 2
    assert not AuditEntry.objects.filter(action__startswith="config.").exists()


def test_poll_award_count_is_the_polls_places_and_at_most_its_candidates():
    poll = PollFactory(award_places=3, status="draft")
    for i in range(4):
        PollCandidateFactory(poll=poll, order=i)
    category = CategoryFactory(edition=poll.edition, code="best-public-image", name_en="BPIA")
    sec = secretariat_user()
    error = _refused(
        cs.award_rule_save,
        category=category,
        actor=sec,
        values={"basis": "poll", "winners": 5},
    )
    assert error.errors == {
        "winners": ["“BPIA”: 5 places is more than the poll's 4 candidate departments."]
    }
    cs.award_rule_save(category=category, actor=sec, values={"basis": "poll", "winners": 2})
    poll.refresh_from_db()
    assert poll.award_places == 2
    [entry] = _config_entries("config.poll_settings")
    assert (entry.data["before"], entry.data["after"]) == (
        {"award_places": 3},
        {"award_places": 2},
    )
    assert entry.data["edition"] == poll.edition_id


def test_poll_award_count_is_refused_once_the_poll_is_published():
    cycle = poll_cycle(places=3)
    error = _refused(
        cs.award_rule_save,
        category=cycle.category,
        actor=cycle.secretariat,
        values={"basis": "poll", "winners": 2},
    )
    assert error.errors == {
        "winners": [
            "The poll's results are published; changing this would change who won. It can "
            "no longer be changed."
        ]
    }
    cycle.poll.refresh_from_db()
    assert cycle.poll.award_places == 3
    assert AwardRule.objects.get(category=cycle.category).winners is None


def test_no_poll_no_poll_decided_award():
    cycle = scored_cycle()
    error = _refused(
        cs.award_rule_save,
        category=cycle.category,
        actor=cycle.secretariat,
        values=_rule_values(cycle.rule, basis="poll", winners=3),
    )
    assert error.errors == {
        "basis": [
            "This edition has no telephone poll, so no award can be decided by it. Set up the "
            "poll first."
        ]
    }


def test_a_stale_level_save_is_refused():
    cycle = scored_cycle()
    level = AwardLevel.objects.get(edition=cycle.edition, name_zh="特優")
    seen = cs.fingerprint(level, cs.LEVEL_FIELDS)
    cs.award_level_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        level=level,
        seen=seen,
        name_zh="特優",
        name_en="Distinction",
        min_score=Decimal("820"),
    )
    error = _refused(
        cs.award_level_save,
        edition=cycle.edition,
        actor=cycle.secretariat,
        level=AwardLevel.objects.get(pk=level.pk),
        seen=seen,
        name_zh="特優",
        name_en="Distinction",
        min_score=Decimal("900"),
    )
    assert list(error.errors) == [None]
    assert AwardLevel.objects.get(pk=level.pk).min_score == Decimal("820.00")
