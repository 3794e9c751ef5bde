"""The programme after the awards (issue 16 parts 2–5, docs/programme.md): events as data
(audited before -> after, bad dates refused beside the field), obligations asked of
winners or agencies (mail, a transition table), registration with a waiting list,
attendance and visitor counts, a missed obligation opening a revocation, and the public
programme page and iCalendar feeds of a published edition only."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import time_machine
from django.test import Client, TestCase
from django.urls import reverse

from agencies.enums import Role
from awards.enums import StageKind
from awards.results import programme_services as services
from awards.results.enums import (
    EventKind,
    ObligationKind,
    ObligationStatus,
    RegistrationStatus,
)
from awards.results.models import Award, Obligation, ProgrammeEvent, Registration, VisitorCount
from tests.conftest import html, table_rows, texts
from tests.factories import StageFactory, UserFactory
from workflow.models import AuditEntry, OutboundMail

from .helpers import approved_version, scored_cycle

pytestmark = pytest.mark.django_db

# 10:00 on 2 December 2026 in Taipei (02:00 UTC).
NOW = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)
TPE = datetime.timezone(datetime.timedelta(hours=8))


def at(day: int, hour: int, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=TPE)


def client_for(user=None, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(clock):
    """A published edition (3 winners), a ceremony stage from today to 31 December so
    that its programme lies within the edition's dates, and the people."""
    cycle = scored_cycle(agencies=6, winners=3)
    cycle.version = approved_version(cycle, published=True)
    StageFactory(
        edition=cycle.edition,
        kind=StageKind.CEREMONY,
        order=9,
        name_zh="頒獎典禮",
        name_en="Award ceremony",
        starts_on=datetime.date(2026, 12, 2),
        ends_on=datetime.date(2026, 12, 31),
    )
    cycle.awards = list(Award.objects.filter(version=cycle.version).order_by("order"))
    cycle.winner = cycle.awards[0]
    cycle.editor = UserFactory(
        roles=[(Role.AGENCY_EDITOR, cycle.winner.agency)], full_name="得獎機關承辦人"
    )
    outsider_agency = next(a for a in cycle.agencies if a.pk != cycle.winner.agency_id)
    cycle.outsider_agency = outsider_agency
    cycle.other_editor = UserFactory(
        roles=[(Role.AGENCY_EDITOR, outsider_agency)], full_name="他機關承辦人"
    )
    return cycle


def event_values(**overrides):
    values = {
        "kind": EventKind.SEMINAR,
        "name_zh": "經驗分享座談會",
        "name_en": "Experience-sharing seminar",
        "starts_at": at(10, 14),
        "ends_at": at(10, 17),
        "venue_zh": "國家發展委員會大禮堂",
        "venue_en": "NDC auditorium",
        "capacity": 1,
        "description_zh": "得獎機關分享服務經驗。",
        "description_en": "Winners share their practice.",
        "is_published": True,
        "outside_reason": "",
    }
    return values | overrides


def make_event(world, **overrides):
    return services.event_save(
        edition=world.edition, actor=world.secretariat, values=event_values(**overrides)
    )


# --- events ------------------------------------------------------------------------------


def test_an_event_is_saved_and_its_change_audited_before_and_after(world):
    event = make_event(world)
    assert (event.kind, event.capacity, event.starts_at) == ("seminar", 1, at(10, 14))
    services.event_save(
        edition=world.edition,
        actor=world.secretariat,
        event=event,
        values=event_values(capacity=40, venue_zh="臺北國際會議中心"),
    )
    entries = list(
        AuditEntry.objects.filter(object_type="results.programmeevent", object_id=str(event.pk))
        .order_by("pk")
        .values_list("action", "data")
    )
    assert entries[0][0] == "results.programme.event_created"
    assert entries[1] == (
        "results.programme.event_changed",
        {
            "config": True,
            "edition": world.edition.pk,
            "before": {"capacity": 1, "venue_zh": "國家發展委員會大禮堂"},
            "after": {"capacity": 40, "venue_zh": "臺北國際會議中心"},
        },
    )


def test_the_form_refuses_an_event_ending_before_it_starts_beside_the_field(world):
    client = client_for(world.secretariat)
    url = reverse("results:programme_event_new", args=[world.edition.pk])
    response = client.post(
        url,
        {
            "kind": "ceremony",
            "name_zh": "頒獎典禮",
            "starts_at": "2026-12-20T15:00",
            "ends_at": "2026-12-20T14:00",
            "venue_zh": "總統府",
        },
    )
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//*[@id='id_ends_at']/following-sibling::ul[@class='errorlist']/li") == [
        "An event cannot end before it starts."
    ]
    assert tree.xpath("//*[@id='id_name_zh']/@value") == ["頒獎典禮"]
    assert tree.xpath("//*[@id='id_starts_at']/@value") == ["2026-12-20T15:00"]
    assert ProgrammeEvent.objects.count() == 0


def test_an_event_outside_the_editions_dates_needs_a_reason(world):
    client = client_for(world.secretariat, lang="zh-hant")
    url = reverse("results:programme_event_new", args=[world.edition.pk])
    data = {
        "kind": "roving",
        "name_zh": "巡迴展覽",
        "starts_at": "2027-03-01T10:00",
        "ends_at": "2027-06-30T18:00",
        "venue_zh": "新光三越",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    errors = texts(
        html(response), "//*[@id='id_outside_reason']/following-sibling::ul[@class='errorlist']/li"
    )
    assert len(errors) == 1 and "2026-12-31" in errors[0]
    assert ProgrammeEvent.objects.count() == 0
    response = client.post(url, data | {"outside_reason": "巡迴展覽於次年舉行。"})
    assert response.status_code == 302
    event = ProgrammeEvent.objects.get()
    assert event.outside_reason == "巡迴展覽於次年舉行。"
    # typed in the edition's zone (Taipei), stored as that moment
    assert event.starts_at == datetime.datetime(2027, 3, 1, 2, 0, tzinfo=datetime.UTC)


def test_the_programme_list_shows_events_with_constant_queries(world, django_assert_num_queries):
    client = client_for(world.secretariat)
    url = reverse("results:programme_events", args=[world.edition.pk])
    make_event(world)
    client.get(url)  # warm the session
    with django_assert_num_queries(7):
        response = client.get(url)
    for i in range(5):
        event = make_event(world, name_zh=f"成果發表會{i}", kind=EventKind.PRESENTATION)
        services.obligations_ask(
            event=event, actor=world.secretariat, kind=ObligationKind.TALK, all_winners=True
        )
    with django_assert_num_queries(7):
        response = client.get(url)
    rows = table_rows(html(response), "//table[@id='programme-events']")
    assert len(rows) == 6
    assert rows[1][0] == "Experience-sharing seminar" or rows[0][0] == "Experience-sharing seminar"
    assert rows[-1][4] == "3 (0 confirmed)"


# --- obligations -------------------------------------------------------------------------


def test_asking_all_winners_creates_one_obligation_each_and_mails_their_editors(world):
    event = make_event(world, kind=EventKind.EXHIBITION, capacity=None)
    with TestCase.captureOnCommitCallbacks(execute=False):
        created = services.obligations_ask(
            event=event,
            actor=world.secretariat,
            kind=ObligationKind.EXHIBIT,
            detail="3 公尺攤位",
            all_winners=True,
        )
    assert sorted(o.agency_id for o in created) == sorted(a.agency_id for a in world.awards)
    assert {o.award_id for o in created} == {a.pk for a in world.awards}
    mail = OutboundMail.objects.get(user=world.editor)
    assert (mail.kind, mail.object_type, mail.object_id) == (
        "programme_obligation_asked",
        "results.obligation",
        str(Obligation.objects.get(agency=world.winner.agency).pk),
    )
    assert "3 公尺攤位" in mail.body
    # asking again asks no one twice
    again = services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.EXHIBIT, all_winners=True
    )
    assert again == []
    assert Obligation.objects.filter(event=event).count() == 3


def test_the_agency_confirms_its_own_obligation_only(world):
    event = make_event(world, kind=EventKind.SEMINAR)
    (own,) = services.obligations_ask(
        event=event,
        actor=world.secretariat,
        kind=ObligationKind.TALK,
        agencies=[world.winner.agency],
    )
    url = reverse("results:obligation_action", args=[own.pk, "confirm"])
    # the other agency's editor: 404, nothing changed
    assert client_for(world.other_editor).post(url).status_code == 404
    own.refresh_from_db()
    assert own.status == ObligationStatus.ASKED
    # the secretariat may not confirm for the agency (not its transition): 404
    assert client_for(world.secretariat).post(url).status_code == 404
    # the agency's editor sees it on their page and confirms
    page = client_for(world.editor).get(reverse("results:my_programme"))
    rows = table_rows(html(page), "//table[@id='my-obligations']")
    assert rows == [
        [
            "Experience-sharing seminar Experience-sharing seminar",
            "2026-12-10 14:00 · NDC auditorium",
            world.winner.agency.name_en or world.winner.agency.name_zh,
            "A talk",
            "Asked Confirm we will bring it",
        ]
    ]
    other_page = client_for(world.other_editor).get(reverse("results:my_programme"))
    assert html(other_page).xpath("//table[@id='my-obligations']") == []
    response = client_for(world.editor).post(url)
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == ObligationStatus.CONFIRMED
    entry = AuditEntry.objects.get(object_type="results.obligation", action__endswith="transition")
    assert (entry.actor, entry.from_state, entry.to_state) == (world.editor, "asked", "confirmed")
    # the secretariat records it delivered
    deliver = reverse("results:obligation_action", args=[own.pk, "deliver"])
    assert client_for(world.editor).post(deliver).status_code == 404
    assert client_for(world.secretariat).post(deliver).status_code == 302
    own.refresh_from_db()
    assert own.status == ObligationStatus.DELIVERED


# --- registration, waiting list, attendance ----------------------------------------------


def test_registration_up_to_capacity_then_waiting_list_then_promotion_by_mail(world):
    event = make_event(world, capacity=1)
    url = reverse("results:programme_register", args=[event.pk])
    first, second = world.editor, world.other_editor
    response = client_for(first).post(url, follow=True)
    assert texts(html(response), "//ul[@class='messages']/li") == [
        "You are registered for “Experience-sharing seminar”."
    ]
    response = client_for(second).post(url, follow=True)
    assert texts(html(response), "//ul[@class='messages']/li") == [
        "“Experience-sharing seminar” is full: you are on its waiting list (number 1). "
        "You will be told by mail if a place becomes free."
    ]
    assert texts(html(response), f"//*[@id='my-registration-{event.pk}']") == [
        "You are on the waiting list."
    ]
    assert list(Registration.objects.order_by("pk").values_list("user", "status")) == [
        (first.pk, "registered"),
        (second.pk, "waiting"),
    ]
    # registering twice: refused beside the event, nothing changed
    response = client_for(second).post(url)
    assert response.status_code == 400
    assert texts(html(response), f"//*[@id='register-error-{event.pk}']/li") == [
        "You are already on the waiting list of this event."
    ]
    response = client_for(first).post(url)
    assert texts(html(response), f"//*[@id='register-error-{event.pk}']/li") == [
        "You are already registered for this event."
    ]
    assert Registration.objects.count() == 2
    # someone else cannot cancel the first's registration
    mine = Registration.objects.get(user=first)
    cancel = reverse("results:registration_cancel", args=[mine.pk])
    assert client_for(second).post(cancel).status_code == 404
    # the first cancels: the second gets the place and is told by mail
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert client_for(first).post(cancel).status_code == 302
    assert list(Registration.objects.order_by("pk").values_list("user", "status")) == [
        (first.pk, "cancelled"),
        (second.pk, "registered"),
    ]
    mail = OutboundMail.objects.get(kind="programme_place_given")
    assert mail.user == second
    assert "Experience-sharing seminar" in mail.body or "經驗分享座談會" in mail.body
    # the first may register again (and joins the waiting list: the place is taken)
    client_for(first).post(url)
    assert Registration.objects.get(user=first, status="waiting")


def test_only_civil_servants_register(world):
    event = make_event(world)
    url = reverse("results:programme_register", args=[event.pk])
    for user in (world.reviewers[0], world.approver):
        assert client_for(user).post(url).status_code == 404
    assert Registration.objects.count() == 0
    # and only for seminars and presentations
    ceremony = make_event(world, kind=EventKind.CEREMONY)
    url = reverse("results:programme_register", args=[ceremony.pk])
    assert client_for(world.editor).post(url).status_code == 404


def test_attendance_and_visitor_counts(world):
    event = make_event(world, capacity=10)
    for user in (world.editor, world.other_editor):
        services.event_register(event=event, user=user)
    reg_a, reg_b = Registration.objects.order_by("pk")
    client = client_for(world.secretariat)
    response = client.post(
        reverse("results:programme_attendance", args=[event.pk]), {"attended": [reg_a.pk]}
    )
    assert response.status_code == 302
    assert list(Registration.objects.order_by("pk").values_list("attended", flat=True)) == [
        True,
        False,
    ]
    exhibition = make_event(
        world, kind=EventKind.EXHIBITION, starts_at=at(20, 10), ends_at=at(23, 18)
    )
    url = reverse("results:programme_visitors", args=[exhibition.pk])
    assert client.post(url, {"day": "2026-12-20", "visitors": "2400"}).status_code == 302
    assert client.post(url, {"day": "2026-12-21", "visitors": "2600"}).status_code == 302
    response = client.post(url, {"day": "2026-12-25", "visitors": "99"})
    assert response.status_code == 400
    assert texts(
        html(response), "//*[@id='id_day']/following-sibling::ul[@class='errorlist']/li"
    ) == ["The event runs from 2026-12-20 to 2026-12-23."]
    assert html(response).xpath("//*[@id='id_visitors']/@value") == ["99"]
    page = client.get(reverse("results:programme_event", args=[exhibition.pk]))
    assert texts(html(page), "//*[@id='visitors-total']") == ["In all: 5000 visitors."]
    assert VisitorCount.objects.count() == 2
    # a total for the whole event (no day) is the figure shown, whatever the days say
    assert client.post(url, {"day": "", "visitors": "9100"}).status_code == 302
    page = client.get(reverse("results:programme_event", args=[exhibition.pk]))
    assert texts(html(page), "//*[@id='visitors-total']") == ["In all: 9100 visitors."]
    assert texts(html(page), "//*[@id='visitor-counts']/li") == [
        "2026-12-20: 2400",
        "2026-12-21: 2600",
        "Whole event: 9100",
    ]


# --- a missed obligation opens a revocation ----------------------------------------------


def test_a_missed_obligation_shows_on_the_award_and_opens_its_revocation(world):
    event = make_event(world, kind=EventKind.PRESENTATION, name_zh="成果發表會")
    services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.TALK, all_winners=True
    )
    obligation = Obligation.objects.get(event=event, award=world.winner)
    services.obligation_transition(obligation, ObligationStatus.MISSED, actor=world.secretariat)
    client = client_for(world.secretariat)
    summary = client.get(reverse("results:award_summary", args=[world.winner.pk]))
    tree = html(summary)
    assert texts(tree, f"//*[@id='missed-{obligation.pk}']") == [
        "A talk at “Experience-sharing seminar”: missed. Open a revocation"
    ]
    href = tree.xpath(f"//*[@id='revoke-from-{obligation.pk}']/@href")[0]
    page = client.get(href)
    assert "Opened from a missed obligation" in texts(html(page), "//*[@id='revoke-obligation']")[0]
    # another award's revocation cannot cite it: 404
    other = world.awards[1]
    url = reverse("results:award_revoke", args=[other.pk]) + f"?obligation={obligation.pk}"
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("results:award_revoke", args=[world.winner.pk]),
        {
            "reason": "未依規定出席成果發表會。",
            "revoked_on": "2026-12-02",
            "obligation": obligation.pk,
        },
    )
    assert response.status_code == 302
    award = Award.objects.get(pk=world.winner.pk)
    assert (award.revoked_on, award.revoked_for) == (datetime.date(2026, 12, 2), obligation)
    entry = AuditEntry.objects.get(action="results.award.revoke")
    assert entry.data["obligation"] == obligation.pk
    summary = client.get(reverse("results:award_summary", args=[world.winner.pk]))
    assert texts(html(summary), f"//*[@id='missed-{obligation.pk}']") == [
        "A talk at “Experience-sharing seminar”: missed. The award was revoked for it on "
        "2026-12-02."
    ]


# --- public page and feeds ---------------------------------------------------------------


def test_the_public_programme_shows_published_events_in_both_languages(
    world, django_assert_num_queries
):
    make_event(world, kind=EventKind.CEREMONY, name_zh="頒獎典禮", name_en="Award ceremony")
    make_event(world, name_zh="內部籌備會", name_en="Internal meeting", is_published=False)
    url = reverse(
        "results:public_programme", args=[world.edition.scheme.code, world.edition.number]
    )
    with django_assert_num_queries(3):
        response = Client().get(url)
    assert texts(html(response), "//section[contains(@class,'programme-event')]/h2") == [
        "頒獎典禮 頒獎典禮"
    ]
    response = client_for(lang="en").get(url)
    tree = html(response)
    assert texts(tree, "//section[contains(@class,'programme-event')]/h2") == [
        "Award ceremony Award ceremony"
    ]
    assert texts(tree, "//p[@class='event-when']") == ["2026-12-10 14:00 – 17:00 · NDC auditorium"]
    for i in range(4):
        make_event(world, name_zh=f"座談{i}", name_en=f"Seminar {i}")
    with django_assert_num_queries(3):
        response = Client().get(url)
    assert len(html(response).xpath("//section[contains(@class,'programme-event')]")) == 5


def test_the_ics_feeds_list_published_events_and_parse(world):
    ceremony = make_event(world, kind=EventKind.CEREMONY, name_zh="頒獎典禮", name_en="Ceremony")
    make_event(world, name_en="Hidden", is_published=False)
    exhibition = make_event(world, kind=EventKind.EXHIBITION, name_en="Exhibition")
    services.obligations_ask(
        event=exhibition,
        actor=world.secretariat,
        kind=ObligationKind.EXHIBIT,
        agencies=[world.winner.agency],
    )
    args = [world.edition.scheme.code, world.edition.number]
    response = Client().get(reverse("results:programme_ics", args=args))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert [(str(e["summary"]), str(e["uid"]), str(e["location"])) for e in events] == [
        ("頒獎典禮", f"programme-event-{ceremony.pk}@testserver", "國家發展委員會大禮堂"),
        ("經驗分享座談會", f"programme-event-{exhibition.pk}@testserver", "國家發展委員會大禮堂"),
    ]
    assert [e.decoded("dtstart") for e in events] == [at(10, 14), at(10, 14)]
    assert [e.decoded("dtend") for e in events] == [at(10, 17), at(10, 17)]
    assert [e.categories for e in events] == [["頒獎典禮"], ["展覽"]]
    # the agency's feed: only the events it takes part in
    agency_url = reverse("results:agency_ics", args=[*args, world.winner.agency.code])
    cal = icalendar.Calendar.from_ical(Client().get(agency_url).content)
    assert [str(e["uid"]) for e in cal.walk("VEVENT")] == [
        f"programme-event-{exhibition.pk}@testserver"
    ]
    # in English when asked in English
    cal = icalendar.Calendar.from_ical(
        client_for(lang="en").get(reverse("results:programme_ics", args=args)).content
    )
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Ceremony", "Exhibition"]


def test_an_unpublished_editions_programme_and_feeds_are_404(clock):
    cycle = scored_cycle()
    approved_version(cycle, published=False)  # approved, under embargo
    services.event_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        values=event_values(outside_reason="測試"),
    )
    args = [cycle.edition.scheme.code, cycle.edition.number]
    for name in ("results:public_programme", "results:programme_ics"):
        assert Client().get(reverse(name, args=args)).status_code == 404
    agency_url = reverse("results:agency_ics", args=[*args, cycle.agencies[0].code])
    assert Client().get(agency_url).status_code == 404


def test_my_programme_lists_open_events_with_constant_queries(world, django_assert_num_queries):
    client = client_for(world.other_editor)
    url = reverse("results:my_programme")
    event = make_event(world)
    services.obligations_ask(
        event=event,
        actor=world.secretariat,
        kind=ObligationKind.TALK,
        agencies=[world.outsider_agency],
    )
    client.get(url)
    with django_assert_num_queries(8):
        client.get(url)
    for i in range(4):
        e = make_event(world, name_zh=f"座談{i}", kind=EventKind.PRESENTATION)
        services.obligations_ask(
            event=e,
            actor=world.secretariat,
            kind=ObligationKind.TALK,
            agencies=[world.outsider_agency],
        )
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(html(response).xpath("//div[@id='open-events']/section")) == 5
    assert len(table_rows(html(response), "//table[@id='my-obligations']")) == 5
    assert RegistrationStatus.REGISTERED  # the enum exists for the template's comparisons


def test_the_event_page_lists_obligations_with_constant_queries(world, django_assert_num_queries):
    event = make_event(world, kind=EventKind.EXHIBITION, capacity=None)
    client = client_for(world.secretariat)
    url = reverse("results:programme_event", args=[event.pk])
    services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.EXHIBIT, all_winners=True
    )
    client.get(url)
    with django_assert_num_queries(QUERIES_EVENT_PAGE):
        client.get(url)
    services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.POSTER, agencies=world.agencies
    )
    with django_assert_num_queries(QUERIES_EVENT_PAGE):
        response = client.get(url)
    assert len(table_rows(html(response), "//table[@id='obligations']")) == 3 + 6


QUERIES_EVENT_PAGE = 9


def test_winners_with_an_open_obligation_are_a_message_group(world):
    """Issue 18's group "winners with an open obligation": the editors of winners asked or
    confirmed, not those whose obligation was delivered or missed; the message is logged
    on the obligation and links to the agency's programme page."""
    from awards.messaging import WINNERS_WITH_OPEN_OBLIGATION, group_choices, group_message_send
    from workflow.models import Notification

    assert WINNERS_WITH_OPEN_OBLIGATION in dict(group_choices())
    event = make_event(world, kind=EventKind.PRESENTATION, name_zh="成果發表會")
    services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.TALK, all_winners=True
    )
    missed = Obligation.objects.exclude(award=world.winner).first()
    services.obligation_transition(missed, ObligationStatus.MISSED, actor=world.secretariat)
    stage = world.edition.stages.get(kind=StageKind.CEREMONY)
    OutboundMail.objects.all().delete()
    sent = group_message_send(
        actor=world.secretariat,
        stage=stage,
        group=WINNERS_WITH_OPEN_OBLIGATION,
        texts={
            "subject_zh": "{agency}：請確認成果發表",
            "body_zh": "{name} 您好：請於 {link} 確認。",
            "subject_en": "{agency}: please confirm your talk",
            "body_en": "Dear {name}, please confirm at {link}.",
        },
    )
    recipients = set(OutboundMail.objects.values_list("user_id", flat=True))
    assert world.editor.pk in recipients
    assert sent == len(recipients)
    mine = OutboundMail.objects.get(user=world.editor)
    obligation = Obligation.objects.get(event=event, award=world.winner)
    assert (mine.object_type, mine.object_id) == ("results.obligation", str(obligation.pk))
    assert Notification.objects.get(user=world.editor, kind="group_message").link.endswith(
        reverse("results:my_programme")
    )
    # the agency whose obligation was missed is not in the group
    from agencies.models import RoleAssignment

    missed_editors = set(
        RoleAssignment.objects.filter(agency=missed.agency, role=Role.AGENCY_EDITOR).values_list(
            "user_id", flat=True
        )
    )
    assert not (missed_editors & recipients)


def test_a_later_approved_version_takes_over_the_obligations_of_the_awards_it_keeps(world):
    event = make_event(world, kind=EventKind.PRESENTATION, name_zh="成果發表會")
    services.obligations_ask(
        event=event, actor=world.secretariat, kind=ObligationKind.TALK, all_winners=True
    )
    missed = Obligation.objects.get(event=event, award=world.winner)
    services.obligation_transition(missed, ObligationStatus.MISSED, actor=world.secretariat)
    from awards.results import services as results_services

    results_services.award_revoke(
        award=world.winner,
        actor=world.secretariat,
        reason="未依規定出席成果發表會。",
        revoked_on=datetime.date(2026, 12, 2),
        obligation=missed,
    )
    before = {o.pk: (o.award.key, o.status) for o in Obligation.objects.select_related("award")}
    # The same results compiled and approved again: version 2 supersedes version 1.
    second = approved_version(world, published=True)
    assert second.number == world.version.number + 1
    moved = {o.pk: o for o in Obligation.objects.select_related("award")}
    assert {pk: (o.award.key, o.status) for pk, o in moved.items()} == before
    assert {o.award.version_id for o in moved.values()} == {second.pk}
    # The revocation for the missed obligation comes along with the serial.
    kept = next(a for a in Award.objects.filter(version=second) if a.key == world.winner.key)
    assert (kept.serial, kept.revoked_on, kept.revoked_for) == (
        world.winner.serial,
        datetime.date(2026, 12, 2),
        missed,
    )
    entries = AuditEntry.objects.filter(action="results.obligation.moved")
    assert entries.count() == 3
    entry = entries.get(object_id=str(missed.pk))
    assert entry.actor == world.approver
    assert entry.data == {
        "from_award": world.winner.pk,
        "to_award": kept.pk,
        "version": second.number,
    }
    # The new award's summary lists the missed obligation and its revocation.
    summary = client_for(world.secretariat).get(reverse("results:award_summary", args=[kept.pk]))
    assert texts(html(summary), f"//*[@id='missed-{missed.pk}']") == [
        "A talk at “Experience-sharing seminar”: missed. The award was revoked for it on "
        "2026-12-02."
    ]


def test_the_ask_form_offers_the_editions_participants_only(world):
    from tests.factories import AgencyFactory

    stranger = AgencyFactory(name_zh="未參賽機關", name_en="Agency without a nomination")
    event = make_event(world, kind=EventKind.EXHIBITION, capacity=None)
    client = client_for(world.secretariat)
    url = reverse("results:programme_event", args=[event.pk])
    tree = html(client.get(url))
    offered = {int(v) for v in tree.xpath("//select[@name='agencies']/option/@value")}
    assert offered == {a.pk for a in world.agencies}
    assert stranger.pk not in offered
    # A stale or forged choice outside them: refused beside the field, nothing asked.
    response = client.post(
        reverse("results:programme_ask", args=[event.pk]),
        {"kind": ObligationKind.EXHIBIT, "agencies": [str(stranger.pk)]},
    )
    assert response.status_code == 400
    errors = texts(
        html(response),
        "//div[contains(@class,'form-row')][.//select[@name='agencies']]//ul[@class='errorlist']/li",
    )
    assert errors and "not one of the available choices" in errors[0]
    assert not Obligation.objects.filter(event=event).exists()
