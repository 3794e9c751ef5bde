"""Issue 14, points 8, 9 (returned versions on the secretariat's dashboard) and 11 (the
poll's caveats carried into results): the tally's "too close to call" flag in the compiled
version, on the approval page and as a note on the public winners page; the versions list
refreshed when a compile finishes; the history page counting winners as published, with
revocations and demonstration editions said."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agencies.enums import Role
from awards.models import AwardScheme, Edition
from awards.results import services
from awards.results.models import Award
from awards.results.selectors import jobs_of
from tests.conftest import html, squash, table_rows, texts
from tests.factories import AgencyFactory, EditionFactory, UserFactory

from .helpers import approved_version, compile_version, poll_cycle, scored_cycle

pytestmark = pytest.mark.django_db

# 4,500 votes: the 3rd place leads the 4th by 14 votes (0.003), inside ±0.018.
CLOSE_VOTES = (1500, 1200, 907, 893)
CLEAR_VOTES = (1500, 1200, 900, 100)


def client_for(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


# --- the compiled version -----------------------------------------------------------------


def test_a_within_margin_tally_puts_its_caveat_in_the_compiled_version():
    cycle = poll_cycle(votes=CLOSE_VOTES)
    assert cycle.run.results["close_call"]["within_margin"] is True
    with translation.override("en"):
        version = compile_version(cycle)
    (category,) = version.data["categories"]
    assert [r["agency_code"] for r in category["rows"] if r["winner"]] == ["DEP1", "DEP2", "DEP3"]
    assert category["close_call"] == {
        "last_winner": "DEP3",
        "next": "DEP4",
        "lead": 0.003111,
        "moe_of_lead": 0.018479,  # 1.96 * sqrt((p3 + p4 - lead**2) / 4500)
        "within_margin": True,
        "last_winner_zh": "部門3",
        "last_winner_en": "Department 3",
        "next_zh": "部門4",
        "next_en": "Department 4",
    }
    assert category["warnings"] == [
        "Too close to call: in the poll the last winner (部門3) leads the next (部門4) by "
        "0.003, within the margin of error of that lead (±0.018, 95 %)."
    ]
    assert version.data["poll"]["close_call"] == cycle.run.results["close_call"]


def test_a_clear_tally_compiles_without_a_caveat():
    cycle = poll_cycle(votes=CLEAR_VOTES)
    version = compile_version(cycle)
    (category,) = version.data["categories"]
    assert category["close_call"] is None
    assert category["warnings"] == []
    assert version.data["poll"]["close_call"]["within_margin"] is False


# --- the approval page: three personas ------------------------------------------------------


def _submitted(cycle):
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    return version


def test_approval_page_shows_the_caveat_to_the_approver_and_the_secretariat_only():
    cycle = poll_cycle(votes=CLOSE_VOTES)
    version = _submitted(cycle)
    url = reverse("results:version", args=[version.pk])
    expected = [
        "Too close to call · Best Public Image Award",
        "In the telephone poll the last winner (Department 3) leads the next (Department 4) by "
        "0.003, within the margin of error of that lead (±0.018, 95 %). The poll cannot tell "
        "these two apart; approving confirms the winners as the tally ranked them.",
    ]
    # the approver: the caveat sits in the approval section, above the approve form
    tree = html(client_for(cycle.approver).get(url))
    (steps,) = tree.xpath("//section[@id='steps']")
    assert texts(steps, ".//div[@id='close-call-best-public-image']/p") == expected
    assert steps.xpath(".//div[@id='close-call-best-public-image']/following::form")[0].get(
        "id"
    ) == ("approve-form")
    # the secretariat sees it too (and the warning under the standings)
    tree = html(client_for(cycle.secretariat).get(url))
    assert texts(tree, "//div[@id='close-call-best-public-image']/p") == expected
    # in Chinese the names are the Chinese ones
    tree = html(client_for(cycle.approver, "zh-hant").get(url))
    assert "部門3" in squash(" ".join(texts(tree, "//div[@id='close-call-best-public-image']")))
    # an agency editor of the last winner: no such page
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.departments[2])])
    response = client_for(editor).get(url)
    assert response.status_code == 404
    assert b"close-call" not in response.content


def test_approval_page_without_a_close_call_has_no_caveat():
    cycle = poll_cycle(votes=CLEAR_VOTES)
    version = _submitted(cycle)
    tree = html(client_for(cycle.approver).get(reverse("results:version", args=[version.pk])))
    assert tree.xpath("//div[contains(@class,'close-call')]") == []


# --- the public winners page ------------------------------------------------------------------


def _public_url(edition):
    return reverse("results:public_edition", args=[edition.scheme.code, edition.number])


def test_public_winners_page_notes_the_close_call_without_naming_the_runner_up():
    cycle = poll_cycle(votes=CLOSE_VOTES)
    approved_version(cycle)
    url = _public_url(cycle.edition)
    note = (
        "Note: in the household telephone poll, the lead of the last winner (Department 3) "
        "over the next-placed department (0.003) was within the poll's margin of error for "
        "that lead (±0.018, 95 %)."
    )
    for user in (None, UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.departments[3])])):
        response = client_for(user).get(url)
        tree = html(response)
        assert texts(tree, "//p[@role='note']") == [note]
        assert "Department 4" not in response.content.decode()
    tree = html(client_for(None, "zh-hant").get(url))
    (zh,) = texts(tree, "//p[@role='note']")
    assert "部門3" in zh and "部門4" not in zh


def test_public_winners_page_of_a_clear_poll_has_no_note():
    cycle = poll_cycle(votes=CLEAR_VOTES)
    approved_version(cycle)
    tree = html(client_for(None).get(_public_url(cycle.edition)))
    assert tree.xpath("//p[@role='note']") == []


# --- the versions list after a compile --------------------------------------------------------


def test_finished_compile_job_swaps_the_versions_list_in_out_of_band():
    cycle = scored_cycle()
    secretariat = cycle.secretariat
    edition_page = html(
        client_for(secretariat).get(reverse("results:edition", args=[cycle.edition.pk]))
    )
    assert texts(edition_page, "//section[@id='versions-section']/div[@class='empty']") == [
        "Nothing compiled yet."
    ]
    compile_version(cycle)
    job = jobs_of(cycle.edition, "compile").get()
    response = client_for(secretariat).get(
        reverse("results:job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    tree = html(response)
    (section,) = tree.xpath("//section[@id='versions-section']")
    assert section.get("hx-swap-oob") == "true"
    assert [row[:2] for row in table_rows(section, ".//table[@id='versions']")] == [
        ["Version 1", "Compiled"]
    ]
    # the approver polling the same job sees the same list; a reviewer gets nothing
    tree = html(
        client_for(cycle.approver).get(
            reverse("results:job", args=[job.pk]), headers={"HX-Request": "true"}
        )
    )
    assert len(tree.xpath("//section[@id='versions-section']//tbody/tr")) == 1
    reviewer = UserFactory(roles=[Role.REVIEWER])
    response = client_for(reviewer).get(
        reverse("results:job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404


# --- the secretariat's dashboard: returned versions -------------------------------------------


def test_secretariat_dashboard_lists_a_returned_version_with_a_link():
    cycle = scored_cycle()
    version = _submitted(cycle)
    services.version_return(
        version=version, actor=cycle.approver, comment="請補充優良事蹟摘要，並確認第3名分數。"
    )
    url = reverse("dashboard")
    tree = html(client_for(cycle.secretariat).get(url))
    (box,) = tree.xpath("//div[@id='results-returned']")
    assert texts(box, "./p") == [
        "1 version of the results was returned by the approver with comments:"
    ]
    assert box.xpath(".//a/@href") == [reverse("results:version", args=[version.pk])]
    assert texts(box, ".//q") == ["請補充優良事蹟摘要，並確認第3名分數。"]
    # the approver's dashboard has no secretariat section; an agency editor neither
    for user in (cycle.approver, UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory())])):
        tree = html(client_for(user).get(url))
        assert tree.xpath("//div[@id='results-returned']") == []
    # submitted again: nothing is returned any more
    services.version_submit(version=version, actor=cycle.secretariat)
    tree = html(client_for(cycle.secretariat).get(url))
    assert tree.xpath("//div[@id='results-returned']") == []
    assert tree.xpath("//a[@href='/cycle/results/']") != []


# --- history: winners as published, revocations, demonstration editions ---------------------


def _history(scheme, lang="en"):
    return html(client_for(None, lang).get(reverse("results:history", args=[scheme.code])))


def test_history_counts_a_revoked_award_as_won_and_in_its_own_column():
    cycle = scored_cycle()
    Edition.objects.filter(pk=cycle.edition.pk).update(number=2, name_en="Edition 2")
    EditionFactory(
        scheme=cycle.edition.scheme,
        number=1,
        name_en="Edition 1",
        recorded_participants=40,
        recorded_finalists=12,
        recorded_winners=6,
    )
    version = approved_version(cycle)
    award = Award.objects.filter(version=version).order_by("order").first()
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質未維持")
    tree = _history(cycle.edition.scheme)
    rows = table_rows(tree, "//table[@id='history-table']")
    assert rows[1] == ["Edition 2", "6", "3", "2", "33.3 %", "1"]
    assert [texts(r, "./th|./td") for r in tree.xpath("//table[@id='history-table']/tfoot/tr")] == [
        ["Editions recorded from reports", "40", "12", "6", "15.0 %", "—"],
        ["Total", "46", "15", "8", "17.4 %", "1"],
    ]
    assert texts(tree, "//table[@id='history-table']/thead//th")[-1] == "Revoked since"


def test_history_labels_a_demonstration_edition_and_leaves_it_out_of_the_totals():
    cycle = scored_cycle()
    Edition.objects.filter(pk=cycle.edition.pk).update(number=2, name_en="Edition 2", is_demo=True)
    EditionFactory(
        scheme=cycle.edition.scheme,
        number=1,
        name_en="Edition 1",
        recorded_participants=40,
        recorded_finalists=12,
        recorded_winners=6,
    )
    approved_version(cycle)
    tree = _history(cycle.edition.scheme)
    rows = table_rows(tree, "//table[@id='history-table']")
    assert rows[1] == ["Edition 2 Demonstration data", "6", "3", "2", "33.3 %", "0"]
    # the total is the recorded edition's alone, so no separate subtotal row
    assert [texts(r, "./th|./td") for r in tree.xpath("//table[@id='history-table']/tfoot/tr")] == [
        ["Total", "40", "12", "6", "15.0 %", "—"],
    ]
    assert texts(tree, "//li[@id='demo-note']") == [
        "1 edition marked “Demonstration data” holds invented nominations, scores and "
        "results: it is shown, but left out of the totals."
    ]
    assert "No. 2 (demo)" in texts(tree, "//svg/text")


def test_demo_marks_its_invented_editions():
    from awards.demo import load_demo
    from scoring.demo import load_review_demo

    load_demo()
    load_review_demo()
    scheme = AwardScheme.objects.get(code="tw-gsqa")
    assert dict(scheme.editions.values_list("number", "is_demo")) == {
        1: False,
        2: False,
        3: False,
        4: False,
        5: False,
        6: False,
        7: False,
        8: True,
        9: True,
    }


def test_history_still_hides_an_unpublished_edition():
    cycle = scored_cycle()
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    services.version_approve(
        version=version,
        actor=cycle.approver,
        comment="核定",
        publish_at=timezone.now() + datetime.timedelta(days=3),
    )
    tree = _history(cycle.edition.scheme)
    assert tree.xpath("//table") == []
    assert len(texts(tree, "//p[@id='unpublished-note']")) == 1
