"""The dashboard's nomination sections: what each role has to do now."""

import pytest

from awards.services import nomination_start, nomination_submit
from tests.agencies.test_views import html, texts
from tests.factories import fill_dossier, open_cycle

pytestmark = pytest.mark.django_db


def _submitted(cycle):
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    return nomination


def test_editor_sees_its_nomination_state_and_deadline(client):
    cycle = open_cycle()
    nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    client.force_login(cycle.editor)
    tree = html(client.get("/dashboard/"))
    rows = texts(tree, "//section[@id]//table//tbody/tr | //section//table/tbody/tr")
    assert rows == [
        f"臺北市中山區戶政事務所 服務規劃機關 {cycle.edition.name_zh} 草稿 "
        f"{cycle.day(10).isoformat()} (臺北時間)"
    ]
    # The other agency's editor sees none of it.
    client.force_login(cycle.other_editor)
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section//table/tbody/tr") == []
    assert "貴機關尚無參獎案件。" in texts(tree, "//div[@class='empty']")[0]


def test_authority_sees_what_waits_for_its_recommendation_and_others_do_not(client):
    cycle = open_cycle()
    _submitted(cycle)
    client.force_login(cycle.officer)
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section[@class='role-section']//div[@class='card']/p[1]") == [
        "1 件已送出的自薦書待您推薦。 已推薦 0 件。"
    ]
    client.force_login(cycle.other_officer)
    tree = html(client.get("/dashboard/"))
    assert texts(tree, "//section[@class='role-section']//div[@class='empty']") == [
        "目前沒有待您推薦的案件。"
    ]


@pytest.mark.parametrize("extra_editions", [1, 6])
def test_secretariat_sees_counts_by_state_in_constant_queries(
    client, django_assert_num_queries, extra_editions
):
    cycles = [open_cycle() for _ in range(extra_editions)]
    for cycle in cycles:
        nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    client.force_login(cycles[0].secretariat)
    # the 9th: versions returned by the approver; the 10th: failed outgoing mail
    with django_assert_num_queries(10):
        response = client.get("/dashboard/")
    tree = html(response)
    headings = texts(tree, "//section[@class='role-section']//div[@class='card']/h4")
    assert len(headings) == extra_editions
    assert all(h.endswith("· 共 1 件") for h in headings)
    assert texts(tree, "//a[contains(@class, 'state-draft')]") == ["草稿 1"] * extra_editions
