"""Individual and team nominees (issue 16, part 1): a department nominates an officer or a
team in a category that takes them; the nomination stays the department's. What the
owner, the secretariat, another role (the competent authority) and outsiders (another
department, an unassigned reviewer) see; every refused write changes nothing; the audit
log keeps no personal data; erasure waits for the scheme's retention period."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from awards import nominees
from awards.enums import CategoryKind
from awards.enums import NominationState as S
from awards.models import Nominee, TeamMember
from awards.services import NominationError, nomination_start, nomination_submit
from tests.factories import CategoryFactory, fill_dossier, open_cycle
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    cycle = open_cycle(uses_recommendation=True)
    cycle.team_category = CategoryFactory(
        edition=cycle.edition,
        kind=CategoryKind.TEAM,
        code="team",
        name_zh="團隊獎",
        name_en="Team award",
        nominations_per_agency=3,
    )
    cycle.individual_category = CategoryFactory(
        edition=cycle.edition,
        kind=CategoryKind.INDIVIDUAL,
        code="individual",
        name_zh="個人獎",
        name_en="Individual award",
    )
    return cycle


@pytest.fixture(autouse=True)
def english():
    # The services speak the actor's language; these tests read the English messages
    # (pages are asked for in a language of their own, by cookie).
    with translation.override("en"):
        yield


def client_for(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def start(cycle, category):
    return nomination_start(actor=cycle.editor, agency=cycle.agency, category=category)


def save_individual(cycle, nomination, **over):
    values = {
        "name_zh": "陳大文",
        "name_en": "CHAN Tai-man",
        "post": "高級戶籍員",
        "unit": "櫃台服務組",
        "public_consent": True,
    }
    values.update(over)
    return nominees.nominee_save(actor=cycle.editor, nomination=nomination, **values)


def save_team(cycle, nomination, members=None):
    members = members or [
        nominees.MemberRow("李小明", "課長"),
        nominees.MemberRow("王美玲", "科員"),
    ]
    return nominees.nominee_save(
        actor=cycle.editor,
        nomination=nomination,
        name_zh="便民服務團隊",
        name_en="Counter Service Team",
        members=members,
    )


def text(response):
    return response.content.decode()


# --- the service ------------------------------------------------------------------------


def test_the_category_kind_says_whom_it_takes(cycle):
    assert cycle.category.nominee_kind == "agency"
    assert cycle.team_category.nominee_kind == "team"
    assert cycle.individual_category.nominee_kind == "individual"


def test_an_individual_without_a_post_is_refused_and_nothing_is_saved(cycle):
    nomination = start(cycle, cycle.individual_category)
    with pytest.raises(NominationError) as error:
        save_individual(cycle, nomination, post="  ")
    assert error.value.messages == ["Give the officer's post (rank or job title)."]
    assert not Nominee.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="nomination.nominee").exists()


def test_a_team_with_no_members_is_refused(cycle):
    nomination = start(cycle, cycle.team_category)
    with pytest.raises(NominationError) as error:
        nominees.nominee_save(actor=cycle.editor, nomination=nomination, name_zh="便民團隊")
    assert error.value.messages == [
        "A team needs at least one member: give each member's name and post."
    ]
    assert not Nominee.objects.exists()


def test_a_team_is_saved_with_its_members_and_the_audit_keeps_no_personal_data(cycle):
    nomination = start(cycle, cycle.team_category)
    nominee = save_team(cycle, nomination)
    assert (nominee.kind, nominee.name_zh, nominee.public_consent) == (
        "team",
        "便民服務團隊",
        False,
    )
    assert list(nominee.members.values_list("order", "name", "post")) == [
        (1, "李小明", "課長"),
        (2, "王美玲", "科員"),
    ]
    entry = AuditEntry.objects.get(action="nomination.nominee_created")
    assert entry.data == {
        "kind": "team",
        "changed": ["name_zh", "name_en", "members"],
        "members": 2,
        "consent": False,
    }
    assert "李小明" not in json.dumps(entry.data, ensure_ascii=False)
    assert "便民服務團隊" not in entry.object_repr


def test_changing_the_members_replaces_them_and_records_what_changed(cycle):
    nomination = start(cycle, cycle.team_category)
    save_team(cycle, nomination)
    save_team(cycle, nomination, members=[nominees.MemberRow("李小明", "股長")])
    assert list(TeamMember.objects.values_list("name", "post")) == [("李小明", "股長")]
    entry = AuditEntry.objects.filter(action="nomination.nominee_changed").get()
    assert entry.data["changed"] == ["members"]


def test_an_agency_category_takes_no_nominee(cycle):
    nomination = start(cycle, cycle.category)
    with pytest.raises(NominationError) as error:
        save_individual(cycle, nomination)
    assert error.value.messages == ["This category's nominations are for agencies, not people."]


def test_a_dossier_is_not_submitted_without_its_nominee(cycle):
    nomination = start(cycle, cycle.individual_category)
    fill_dossier(nomination, cycle.editor)
    with pytest.raises(NominationError) as error:
        nomination_submit(actor=cycle.editor, nomination=nomination)
    assert error.value.messages[0] == "Nominee: give the officer's name and post."
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    save_individual(cycle, nomination)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED
    # Submitted: the nominee is fixed with the dossier.
    with pytest.raises(NominationError):
        save_individual(cycle, nomination, name_zh="林志明")
    assert Nominee.objects.get().name_zh == "陳大文"


def test_a_department_may_nominate_several_teams_in_one_category(cycle):
    first = start(cycle, cycle.team_category)
    second = start(cycle, cycle.team_category)
    save_team(cycle, first)
    save_team(cycle, second, members=[nominees.MemberRow("張三", "技工")])
    assert Nominee.objects.filter(nomination__agency=cycle.agency).count() == 2


# --- retention and erasure ----------------------------------------------------------------


def test_erasure_waits_for_the_retention_period_then_replaces_the_data(cycle):
    nomination = start(cycle, cycle.team_category)
    save_team(cycle, nomination)
    last = max(s.ends_on for s in cycle.edition.stages.all())
    ends = nominees.retention_ends_on(nomination)
    # 24 months after the last stage's last day, from the next day.
    assert ends == datetime.date(last.year + 2, last.month, last.day) + datetime.timedelta(days=1)
    with pytest.raises(NominationError) as error:
        nominees.nominee_erase(actor=cycle.secretariat, nomination=nomination, reason="來函")
    assert error.value.messages == [
        f"The scheme keeps nominees' personal data until {ends.isoformat()}; it can be erased "
        "on request from that day."
    ]
    assert Nominee.objects.get().name_zh == "便民服務團隊"
    with time_machine.travel(
        datetime.datetime.combine(ends, datetime.time(12), tzinfo=cycle.edition.tzinfo),
        tick=False,
    ):
        with pytest.raises(NominationError):
            nominees.nominee_erase(actor=cycle.secretariat, nomination=nomination, reason=" ")
        nominees.nominee_erase(
            actor=cycle.secretariat, nomination=nomination, reason="李小明 2019-03-01 來函"
        )
    nominee = Nominee.objects.get()
    assert (nominee.name_zh, nominee.name_en, nominee.post, nominee.unit) == ("—", "", "", "")
    assert nominee.erased_at is not None
    assert not TeamMember.objects.exists()
    entry = AuditEntry.objects.get(action="nomination.nominee_erased")
    assert (entry.reason, entry.data) == ("李小明 2019-03-01 來函", {"kind": "team", "members": 2})


def test_the_export_holds_everything_kept_about_the_nominee(cycle):
    nomination = start(cycle, cycle.individual_category)
    nominee = save_individual(cycle, nomination)
    data = nominees.nominee_export(nomination)
    assert data == {
        "nomination": nomination.pk,
        "edition": cycle.edition.name_zh,
        "category": "個人獎",
        "agency": "臺北市中山區戶政事務所",
        "kind": "individual",
        "name_zh": "陳大文",
        "name_en": "CHAN Tai-man",
        "post": "高級戶籍員",
        "unit": "櫃台服務組",
        "members": [],
        "public_consent": True,
        "consent_recorded_at": nominee.consent_recorded_at.isoformat(),
        "updated_at": nominee.updated_at.isoformat(),
        "erased_at": None,
    }


# --- the pages: owner, other roles, outsiders ----------------------------------------------


def test_starting_in_a_team_category_leads_to_the_nominee_page(cycle):
    response = client_for(cycle.editor).post(
        reverse("awards:nomination_start"),
        {"category": cycle.team_category.pk, "agency": cycle.agency.pk, "title": ""},
    )
    nomination = cycle.agency.nominations.get()
    assert response.status_code == 302
    assert response.url == reverse("awards:nominee", args=[nomination.pk])


def test_the_department_gives_an_individual_on_the_page(cycle):
    nomination = start(cycle, cycle.individual_category)
    client = client_for(cycle.editor)
    url = reverse("awards:nominee", args=[nomination.pk])
    page = text(client.get(url))
    assert "Officer nominated" in page
    assert 'name="post"' in page
    response = client.post(
        url,
        {
            "name_zh": "陳大文",
            "name_en": "CHAN Tai-man",
            "post": "高級戶籍員",
            "unit": "",
            "public_consent": "on",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    nominee = Nominee.objects.get()
    assert (nominee.name_zh, nominee.post, nominee.public_consent) == ("陳大文", "高級戶籍員", True)
    dossier = text(client.get(reverse("awards:dossier", args=[nomination.pk])))
    assert "陳大文" in dossier and "高級戶籍員" in dossier
    assert "Change the nominee's details" in dossier


def test_an_individual_without_a_post_is_refused_beside_the_field_and_kept(cycle):
    nomination = start(cycle, cycle.individual_category)
    response = client_for(cycle.editor).post(
        reverse("awards:nominee", args=[nomination.pk]),
        {"name_zh": "陳大文", "name_en": "CHAN Tai-man", "post": ""},
    )
    page = text(response)
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_post_error"><li>Give the officer&#x27;s post' in page
    assert 'aria-invalid="true"' in page
    assert 'value="CHAN Tai-man"' in page
    assert not Nominee.objects.exists()


def test_a_team_with_no_members_is_refused_beside_the_members_in_chinese(cycle):
    nomination = start(cycle, cycle.team_category)
    form = {
        "name_zh": "便民服務團隊",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
    }
    for i in range(3):
        form[f"members-{i}-name"] = ""
        form[f"members-{i}-post"] = ""
    response = client_for(cycle.editor, lang="zh-hant").post(
        reverse("awards:nominee", args=[nomination.pk]), form
    )
    page = text(response)
    assert response.status_code == 400
    assert 'id="members-error"' in page
    assert "A team needs at least one member" not in page  # translated
    assert 'value="便民服務團隊"' in page
    assert not Nominee.objects.exists()


def test_a_team_on_the_page_with_a_member_without_a_post(cycle):
    nomination = start(cycle, cycle.team_category)
    form = {
        "name_zh": "便民服務團隊",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "李小明",
        "members-0-post": "課長",
        "members-1-name": "王美玲",
        "members-1-post": "",
    }
    client = client_for(cycle.editor)
    response = client.post(reverse("awards:nominee", args=[nomination.pk]), form)
    assert response.status_code == 400
    assert "Give the post of every member." in text(response)
    assert 'value="王美玲"' in text(response)
    form["members-1-post"] = "科員"
    assert client.post(reverse("awards:nominee", args=[nomination.pk]), form).status_code == 302
    assert list(TeamMember.objects.values_list("name", flat=True)) == ["李小明", "王美玲"]


def test_who_sees_the_nominee(cycle):
    nomination = start(cycle, cycle.individual_category)
    save_individual(cycle, nomination)
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    url = reverse("awards:nominee", args=[nomination.pk])
    export = reverse("awards:nominee_export", args=[nomination.pk])
    # The department: read-only once submitted, with the export.
    owner = text(client_for(cycle.editor).get(url))
    assert "陳大文" in owner and 'name="name_zh"' not in owner
    assert "can no longer be changed" in owner
    # The secretariat: the details, the export and the erasure form.
    secretariat = client_for(cycle.secretariat)
    page = text(secretariat.get(url))
    assert "陳大文" in page and 'id="nominee-erase-form"' in page
    assert json.loads(secretariat.get(export).content)["name_zh"] == "陳大文"
    # The competent authority reads the dossier, not the person.
    officer = client_for(cycle.officer)
    dossier = text(officer.get(reverse("awards:dossier", args=[nomination.pk])))
    assert "陳大文" not in dossier and "Officer nominated" not in dossier
    assert officer.get(url).status_code == 404
    assert officer.get(export).status_code == 404
    # Another department, an unassigned reviewer: nothing.
    for outsider in (cycle.other_editor, cycle.reviewer):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).get(export).status_code == 404
    # Signed out: the sign-in page.
    assert client_for(None).get(url).status_code == 302


def test_another_department_cannot_change_or_erase(cycle):
    nomination = start(cycle, cycle.individual_category)
    save_individual(cycle, nomination)
    url = reverse("awards:nominee", args=[nomination.pk])
    response = client_for(cycle.other_editor).post(url, {"name_zh": "X", "post": "Y"})
    assert response.status_code == 404
    erase = reverse("awards:nominee_erase", args=[nomination.pk])
    assert client_for(cycle.editor).post(erase, {"reason": "x"}).status_code == 404
    assert Nominee.objects.get().name_zh == "陳大文"


def test_an_agency_category_has_no_nominee_page(cycle):
    nomination = start(cycle, cycle.category)
    assert (
        client_for(cycle.editor).get(reverse("awards:nominee", args=[nomination.pk])).status_code
        == 404
    )


def test_erasure_refused_on_the_page_before_the_retention_period(cycle):
    nomination = start(cycle, cycle.individual_category)
    save_individual(cycle, nomination)
    response = client_for(cycle.secretariat).post(
        reverse("awards:nominee_erase", args=[nomination.pk]), {"reason": "本人來函"}
    )
    assert response.status_code == 400
    assert "it can be erased on request from that day" in text(response)
    assert "本人來函" in text(response)
    assert Nominee.objects.get().erased_at is None


# --- query counts --------------------------------------------------------------------------


def _members(n):
    return [nominees.MemberRow(f"隊員{i}", "科員") for i in range(n)]


def test_the_nominee_page_keeps_its_queries_whatever_the_team_s_size(
    cycle, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nomination = start(cycle, cycle.team_category)
    client = client_for(cycle.editor)
    url = reverse("awards:nominee", args=[nomination.pk])
    counts = []
    for size in (1, 12):
        save_team(cycle, nomination, members=_members(size))
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            page = text(client.get(url))
        assert (
            page.count('-name" ') >= size or page.count('-name"') >= size
        )  # every member is on the form
        assert f"隊員{size - 1}" in page
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_the_review_page_keeps_its_queries_whatever_the_team_s_size():
    """The assigned reviewer's page names the team and every member at a constant cost."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.models import Assignment
    from tests.factories import review_cycle

    c = review_cycle()
    c.category.kind = CategoryKind.TEAM
    c.category.save(update_fields=["kind"])
    nomination = c.nominations[0]
    nominee = Nominee.objects.create(
        nomination=nomination, kind="team", name_zh="便民服務團隊", name_en="Counter Service Team"
    )
    reviewer = c.reviewers[1]
    assignment = Assignment.objects.create(
        stage=c.written, nomination=nomination, reviewer=reviewer
    )
    client = client_for(reviewer)
    url = reverse("scoring:review", args=[assignment.pk])
    client.get(url)  # warm the session
    counts = []
    for size in (1, 12):
        TeamMember.objects.filter(nominee=nominee).delete()
        TeamMember.objects.bulk_create(
            TeamMember(nominee=nominee, order=i, name=f"隊員{i}", post="科員") for i in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            page = text(client.get(url))
        assert "Counter Service Team" in page and f"隊員{size - 1}" in page
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_my_nominations_name_the_team_at_a_constant_cost(cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cycle.editor)
    url = reverse("awards:nomination_list")
    first = start(cycle, cycle.team_category)
    save_team(cycle, first)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = text(client.get(url))
    assert "Team: Counter Service Team" in page
    for _ in range(2):
        save_team(cycle, start(cycle, cycle.team_category))
    with CaptureQueriesContext(connection) as three:
        page = text(client.get(url))
    assert page.count("Team: Counter Service Team") == 3
    assert len(three) == len(one)
    # Another department's list does not name it.
    assert "Counter Service Team" not in text(client_for(cycle.other_editor).get(url))
