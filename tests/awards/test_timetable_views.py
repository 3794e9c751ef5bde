"""The stage timetable page (issue 13 point 3): edit, order refusal, quota -1 refused,
extension with a reason, status labels, permissions."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from agencies.enums import Role
from awards.enums import StageKind
from awards.windows import zone_label
from tests.factories import UserFactory, open_cycle
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2026, 12, 2, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def cycle():
    with time_machine.travel(FROZEN, tick=False):
        c = open_cycle()
        c.stages = {s.kind: s for s in c.edition.stages.all()}
        yield c


def _data(cycle, **changes):
    data = {"recommendation_quota": ""}
    for s in cycle.stages.values():
        data[f"{s.pk}-starts_on"] = s.starts_on.isoformat()
        data[f"{s.pk}-ends_on"] = s.ends_on.isoformat()
        for flag in (
            "allows_dossier_edit",
            "allows_scoring",
            "reviewers_see_others",
            "is_site_visit",
        ):
            if getattr(s, flag):
                data[f"{s.pk}-{flag}"] = "on"
    data.update(changes)
    return data


def _url(cycle):
    return reverse("awards:config_stages", args=[cycle.edition.pk])


def test_secretariat_sees_each_stage_with_its_status_and_zone(client, cycle):
    client.force_login(cycle.secretariat)
    r = client.get(_url(cycle))
    html = r.content.decode()
    assert r.status_code == 200
    with translation.override("zh-hant"):
        assert zone_label("Asia/Taipei") in html
    rec = cycle.stages[StageKind.RECOMMENDATION]
    nom = cycle.stages[StageKind.NOMINATION]
    assert f'<tr id="stage-{nom.pk}">' in html
    row = html.split(f'<tr id="stage-{rec.pk}">')[1].split("</tr>")[0]
    assert 'data-status="upcoming"' in row
    row = html.split(f'<tr id="stage-{nom.pk}">')[1].split("</tr>")[0]
    assert 'data-status="open"' in row


def test_edit_dates_and_quota_is_saved_and_audited(client, cycle):
    client.force_login(cycle.secretariat)
    rec = cycle.stages[StageKind.WRITTEN_REVIEW]
    new_end = rec.ends_on + datetime.timedelta(days=2)
    r = client.post(
        _url(cycle),
        _data(cycle, **{f"{rec.pk}-ends_on": new_end.isoformat(), "recommendation_quota": "2"}),
    )
    assert r.status_code == 302
    rec.refresh_from_db()
    cycle.edition.refresh_from_db()
    assert (rec.ends_on, cycle.edition.recommendation_quota) == (new_end, 2)
    entry = AuditEntry.objects.get(action="stage.update")
    assert entry.data["before"] == {"ends_on": (new_end - datetime.timedelta(days=2)).isoformat()}
    assert entry.data["after"] == {"ends_on": new_end.isoformat()}


def test_an_end_before_its_start_and_a_stage_before_its_predecessor_are_refused(client, cycle):
    client.force_login(cycle.secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the English messages
    nom, rec = cycle.stages[StageKind.NOMINATION], cycle.stages[StageKind.RECOMMENDATION]
    typed = (nom.starts_on - datetime.timedelta(days=1)).isoformat()
    early = (nom.ends_on - datetime.timedelta(days=3)).isoformat()
    r = client.post(
        _url(cycle),
        _data(cycle, **{f"{nom.pk}-ends_on": typed, f"{rec.pk}-starts_on": early}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert (
        f"“{nom.name}” cannot end ({typed}) before it starts ({nom.starts_on.isoformat()})." in html
    )
    assert f'value="{typed}"' in html and f'value="{early}"' in html
    nom.refresh_from_db()
    assert nom.ends_on != datetime.date.fromisoformat(typed)
    assert not AuditEntry.objects.filter(action="stage.update").exists()


def test_a_quota_of_minus_one_is_refused_beside_the_field(client, cycle):
    client.force_login(cycle.secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the English messages
    r = client.post(_url(cycle), _data(cycle, recommendation_quota="-1"), HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 400
    assert 'id="quota-error"><li>The quota cannot be negative' in html
    assert 'value="-1"' in html
    cycle.edition.refresh_from_db()
    assert cycle.edition.recommendation_quota is None


def test_extend_a_window_needs_a_reason_and_is_audited(client, cycle):
    client.force_login(cycle.secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the English messages
    nom = cycle.stages[StageKind.NOMINATION]
    url = reverse("awards:config_stage_extend", args=[cycle.edition.pk, nom.pk])
    later = (nom.ends_on + datetime.timedelta(days=1)).isoformat()
    r = client.post(
        url,
        {f"extend-{nom.pk}-ends_on": later, f"extend-{nom.pk}-reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert "Say why the window is extended" in r.content.decode()
    nom.refresh_from_db()
    assert nom.ends_on.isoformat() != later
    r = client.post(url, {f"extend-{nom.pk}-ends_on": later, f"extend-{nom.pk}-reason": "颱風停班"})
    assert r.status_code == 302
    nom.refresh_from_db()
    assert nom.ends_on.isoformat() == later
    entry = AuditEntry.objects.get(action="stage.extend")
    assert (entry.reason, entry.data["after"]) == ("颱風停班", {"ends_on": later})


def test_only_the_secretariat_may_open_the_timetable(client, cycle):
    approver = UserFactory(roles=[Role.APPROVER])
    for user in (approver, cycle.editor):
        client.force_login(user)
        assert client.get(_url(cycle)).status_code == 404
        assert client.post(_url(cycle), _data(cycle, recommendation_quota="5")).status_code == 404
    cycle.edition.refresh_from_db()
    assert cycle.edition.recommendation_quota is None


def test_the_timetable_page_costs_the_same_queries_for_3_stages_or_30(
    client, cycle, django_assert_num_queries
):
    """Literal counts (issue 13, "constant query counts on the new pages"): the page
    reads the session, the user, its roles, the edition and its stages: five queries,
    whatever the number of stages."""
    from tests.factories import StageFactory

    client.force_login(cycle.secretariat)
    url = _url(cycle)
    client.get(url)  # the session and the permission caches warm
    with (
        time_machine.travel(FROZEN, tick=False),
        django_assert_num_queries(6),
    ):  # 6: with its deadline reminder rules
        few = client.get(url)
    last = max(s.ends_on for s in cycle.stages.values())
    for n in range(27):
        day = last + datetime.timedelta(days=n + 1)
        StageFactory(
            edition=cycle.edition,
            kind=StageKind.CEREMONY,
            order=100 + n,
            starts_on=day,
            ends_on=day,
        )
    with time_machine.travel(FROZEN, tick=False), django_assert_num_queries(6):
        many = client.get(url)
    assert few.content.decode().count('<tr id="stage-') == len(cycle.stages)
    assert many.content.decode().count('<tr id="stage-') == len(cycle.stages) + 27


def test_a_save_from_a_page_opened_before_someone_elses_save_is_refused_and_kept(client, cycle):
    """Two secretariat users edit the timetable at once: the later save is refused with
    its entries kept (not lost, not silently overwriting the first); saving again, with
    the refusal seen, goes through."""
    import re

    from django.test import Client

    client.cookies["lang"] = "en"
    client.force_login(cycle.secretariat)
    other = Client()
    other.force_login(UserFactory(roles=[Role.SECRETARIAT]))

    def seen(response):
        return re.search(r'name="seen" value="([0-9a-f]+)"', response.content.decode()).group(1)

    mine, theirs = seen(client.get(_url(cycle))), seen(other.get(_url(cycle)))
    assert mine == theirs
    review = cycle.stages[StageKind.WRITTEN_REVIEW]
    their_end = review.ends_on + datetime.timedelta(days=3)
    my_end = review.ends_on + datetime.timedelta(days=7)
    first = other.post(
        _url(cycle), _data(cycle, seen=theirs, **{f"{review.pk}-ends_on": str(their_end)})
    )
    assert first.status_code == 302

    refused = client.post(
        _url(cycle), _data(cycle, seen=mine, **{f"{review.pk}-ends_on": str(my_end)})
    )
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Someone else changed this timetable after you opened the page" in body
    assert f'value="{my_end.isoformat()}"' in body  # what I typed is still there
    review.refresh_from_db()
    assert review.ends_on == their_end
    assert AuditEntry.objects.filter(action="stage.update").count() == 1

    again = client.post(
        _url(cycle), _data(cycle, seen=seen(refused), **{f"{review.pk}-ends_on": str(my_end)})
    )
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.ends_on == my_end
    assert AuditEntry.objects.filter(action="stage.update").count() == 2
