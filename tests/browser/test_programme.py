"""The programme after the awards in a real browser (issue 16 parts 2–5): the secretariat
schedules the ceremony, the exhibition (departments asked to exhibit), a roving
exhibition venue and a sharing seminar, with the bad dates refused beside the field; a
winner confirms its talk; an officer of another department registers, a third person
goes to the waiting list, registering twice is refused; attendance is recorded; the
public programme page and the .ics feed list the published events (parsed with
icalendar) and an unpublished edition's feed is 404. Then a winner misses its results
presentation, the missed obligation shows on its award and a revocation is completed
from it. axe-core's checks on every new page."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.enums import Role
from awards.enums import StageKind
from awards.results.models import Award, Obligation, ProgrammeEvent, Registration
from tests.factories import StageFactory, UserFactory
from tests.results.helpers import approved_version, scored_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def published_world():
    """A published edition with 3 winners, its programme stage running from today for
    120 days (so that events in it need no reason), and the people."""
    cycle = scored_cycle(agencies=6, winners=3)
    cycle.version = approved_version(cycle, published=True)
    cycle.today = timezone.now().astimezone(cycle.edition.tzinfo).date()
    StageFactory(
        edition=cycle.edition,
        kind=StageKind.CEREMONY,
        order=9,
        name_zh="頒獎典禮及展覽",
        name_en="Ceremony and exhibition",
        starts_on=cycle.today,
        ends_on=cycle.today + datetime.timedelta(days=120),
    )
    cycle.winner = Award.objects.get(version=cycle.version, agency=cycle.agencies[0])
    cycle.winner_editor = UserFactory(
        roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])], full_name="得獎機關承辦人"
    )
    # an officer of another department (not a winner: agencies 3 and up)
    cycle.officer = UserFactory(
        roles=[(Role.AGENCY_EDITOR, cycle.agencies[3])], full_name="其他部門同仁"
    )
    cycle.latecomer = UserFactory(
        roles=[(Role.AGENCY_EDITOR, cycle.agencies[4])], full_name="晚到的同仁"
    )
    return cycle


def day(cycle, offset: int) -> str:
    return (cycle.today + datetime.timedelta(days=offset)).isoformat()


def fill_event(page, *, kind, name_zh, name_en, starts, ends, venue_zh, capacity="", reason=""):
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_name_zh").fill(name_zh)
    page.locator("#id_name_en").fill(name_en)
    page.locator("#id_starts_at").fill(starts)
    page.locator("#id_ends_at").fill(ends)
    page.locator("#id_venue_zh").fill(venue_zh)
    page.locator("#id_capacity").fill(capacity)
    page.locator("#id_outside_reason").fill(reason)
    page.locator("#id_is_published").check()


def add_event(page, live_server, cycle, **values):
    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/programme/new/")
    fill_event(page, **values)
    page.locator("#event-save").click()
    expect(page.locator("ul.messages")).to_contain_text("was saved")


def test_secretariat_schedules_the_programme_and_the_public_reads_it(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = published_world()
    english(context, live_server)
    page = sign_in(cycle.secretariat, f"/cycle/results/editions/{cycle.edition.pk}/programme/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Programme")
    expect(page.locator(".empty")).to_contain_text("No events yet")
    assert axe_violations(page) == []

    # the ceremony, first typed ending before it starts: refused beside the field
    page.locator("#event-new-link").click()
    fill_event(
        page,
        kind="ceremony",
        name_zh="頒獎典禮",
        name_en="Award ceremony",
        starts=f"{day(cycle, 30)}T15:00",
        ends=f"{day(cycle, 30)}T14:00",
        venue_zh="香港中央圖書館",
    )
    page.locator("#event-save").click()
    expect(page.locator("#id_ends_at ~ ul.errorlist")).to_have_text(
        "An event cannot end before it starts."
    )
    expect(page.locator("#id_name_zh")).to_have_value("頒獎典禮")
    expect(page.locator("#id_starts_at")).to_have_value(f"{day(cycle, 30)}T15:00")
    shot(page, "event-form-error")
    assert axe_violations(page) == []
    assert ProgrammeEvent.objects.count() == 0
    page.locator("#id_ends_at").fill(f"{day(cycle, 30)}T17:00")
    page.locator("#event-save").click()
    expect(page.locator("ul.messages")).to_contain_text("“Award ceremony” was saved")

    # the exhibition: every department asked to exhibit, in one action
    add_event(
        page,
        live_server,
        cycle,
        kind="exhibition",
        name_zh="傑出顧客服務展覽",
        name_en="Outstanding Customer Service Exhibition",
        starts=f"{day(cycle, 26)}T10:00",
        ends=f"{day(cycle, 29)}T18:00",
        venue_zh="香港中央圖書館展覽館",
    )
    departments = [a.code for a in cycle.agencies]
    page.locator("#id_kind").select_option("exhibit")
    page.locator("#id_detail").fill("展覽攤位一個")
    values = [str(a.pk) for a in cycle.agencies]
    page.locator("#id_agencies").select_option(values)
    page.locator("#ask-button").click()
    expect(page.locator("ul.messages")).to_have_text(
        f"{len(departments)} agencies were asked and told by mail."
    )
    expect(page.locator("#obligations tbody tr")).to_have_count(len(departments))
    shot(page, "event-exhibition")
    assert axe_violations(page) == []

    # a roving exhibition venue after the edition's dates: a reason is needed
    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/programme/new/")
    fill_event(
        page,
        kind="roving",
        name_zh="巡迴展覽：新城市廣場",
        name_en="Roving exhibition: New Town Plaza",
        starts=f"{day(cycle, 130)}T10:00",
        ends=f"{day(cycle, 140)}T21:00",
        venue_zh="沙田新城市廣場",
    )
    page.locator("#event-save").click()
    expect(page.locator("#id_outside_reason ~ ul.errorlist")).to_contain_text(
        "outside the edition's dates"
    )
    expect(page.locator("#id_name_zh")).to_have_value("巡迴展覽：新城市廣場")
    page.locator("#id_outside_reason").fill("巡迴展覽於典禮後數月舉行。")
    page.locator("#event-save").click()
    expect(page.locator("#event-facts")).to_contain_text("巡迴展覽於典禮後數月舉行。")

    # the sharing seminar, one place; all winners asked to give a talk
    add_event(
        page,
        live_server,
        cycle,
        kind="seminar",
        name_zh="經驗分享研討會",
        name_en="Experience-sharing seminar",
        starts=f"{day(cycle, 40)}T14:30",
        ends=f"{day(cycle, 40)}T17:00",
        venue_zh="公務員培訓處",
        capacity="1",
    )
    seminar = ProgrammeEvent.objects.get(kind="seminar")
    page.locator("#id_kind").select_option("talk")
    page.locator("#id_all_winners").check()
    page.locator("#ask-button").click()
    expect(page.locator("ul.messages")).to_have_text("3 agencies were asked and told by mail.")

    page.goto(live_server.url + f"/cycle/results/editions/{cycle.edition.pk}/programme/")
    expect(page.locator("#programme-events tbody tr")).to_have_count(4)
    shot(page, "programme-list")
    assert axe_violations(page) == []

    # the winner confirms its talk
    winner_page = sign_in(cycle.winner_editor, "/cycle/results/my-programme/")
    talk = Obligation.objects.get(event=seminar, agency=cycle.agencies[0])
    winner_page.locator(f"#confirm-{talk.pk}").click()
    expect(winner_page.locator(f"#my-obligation-{talk.pk}")).to_contain_text("Confirmed")
    talk.refresh_from_db()
    assert talk.status == "confirmed"

    # an officer of another department registers; registering twice is refused
    officer_page = sign_in(cycle.officer, "/cycle/results/my-programme/")
    expect(officer_page.locator(f"#event-{seminar.pk}")).to_contain_text("1 place left.")
    officer_page.locator(f"#register-{seminar.pk}").click()
    expect(officer_page.locator("ul.messages")).to_have_text(
        "You are registered for “Experience-sharing seminar”."
    )
    shot(officer_page, "my-programme")
    assert axe_violations(officer_page) == []
    # a second tab still shows the button: registering again is refused beside it
    officer_page.go_back()
    officer_page.reload()
    response = officer_page.request.post(
        live_server.url + f"/cycle/results/programme/{seminar.pk}/register/",
        headers={"Referer": live_server.url + "/cycle/results/my-programme/"},
        form={
            "csrfmiddlewaretoken": officer_page.locator(
                "input[name=csrfmiddlewaretoken]"
            ).first.input_value()
        },
    )
    assert response.status == 400
    assert "You are already registered for this event." in response.text()

    # past capacity: the waiting list, and said so
    late_page = sign_in(cycle.latecomer, "/cycle/results/my-programme/")
    expect(late_page.locator(f"#event-{seminar.pk}")).to_contain_text("Full")
    late_page.locator(f"#register-{seminar.pk}").click()
    expect(late_page.locator("ul.messages")).to_contain_text(
        "is full: you are on its waiting list (number 1)"
    )
    assert list(
        Registration.objects.filter(event=seminar).order_by("pk").values_list("status", flat=True)
    ) == ["registered", "waiting"]

    # attendance recorded by the secretariat (signed in again: one browser context)
    page = sign_in(cycle.secretariat, f"/cycle/results/programme/{seminar.pk}/")
    expect(page.locator("#waiting-list li")).to_have_count(1)
    registration = Registration.objects.get(event=seminar, user=cycle.officer)
    page.locator(f"#attended-{registration.pk}").check()
    page.locator("#attendance-button").click()
    expect(page.locator("ul.messages")).to_have_text("Attendance recorded (1 changed).")
    registration.refresh_from_db()
    assert registration.attended is True
    shot(page, "event-seminar")
    assert axe_violations(page) == []

    # the public programme page and the feed, signed out
    public = context.browser.new_context()
    public.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    visitor = public.new_page()
    base = f"/results/{cycle.edition.scheme.code}/{cycle.edition.number}/programme/"
    visitor.goto(live_server.url + base)
    expect(visitor.locator("section.programme-event h2")).to_have_text(
        [
            "Outstanding Customer Service Exhibition Exhibition",
            "Award ceremony Award ceremony",
            "Experience-sharing seminar Experience-sharing seminar",
            "Roving exhibition: New Town Plaza Roving exhibition venue",
        ]
    )
    shot(visitor, "public-programme-en")
    assert axe_violations(visitor) == []
    feed = visitor.request.get(live_server.url + visitor.locator("#ics-link").get_attribute("href"))
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(feed.body())
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == [
        "Outstanding Customer Service Exhibition",
        "Award ceremony",
        "Experience-sharing seminar",
        "Roving exhibition: New Town Plaza",
    ]
    ceremony = cal.walk("VEVENT")[1]
    tz = cycle.edition.tzinfo
    assert ceremony.decoded("dtstart").astimezone(tz).replace(tzinfo=None) == (
        datetime.datetime.fromisoformat(f"{day(cycle, 30)}T15:00")
    )
    visitor.get_by_role("button", name="繁體中文").click()
    expect(visitor.locator("section.programme-event h2").first).to_contain_text("傑出顧客服務展覽")
    shot(visitor, "public-programme-zh")
    assert axe_violations(visitor) == []

    # an unpublished edition: its programme and feed are not found
    hidden = scored_cycle()
    approved_version(hidden, published=False)
    response = visitor.goto(
        live_server.url
        + f"/results/{hidden.edition.scheme.code}/{hidden.edition.number}/programme.ics"
    )
    assert response.status == 404
    public.close()


def test_a_missed_results_presentation_opens_a_revocation(
    live_server, context, sign_in, shot, axe_violations
):
    from awards.results import programme_services

    cycle = published_world()
    english(context, live_server)
    start = timezone.now() + datetime.timedelta(days=45)
    presentation = programme_services.event_save(
        edition=cycle.edition,
        actor=cycle.secretariat,
        values={
            "kind": "presentation",
            "name_zh": "成果發表會",
            "name_en": "Results presentation",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=6),
            "venue_zh": "國家發展委員會大禮堂",
            "is_published": True,
        },
    )
    programme_services.obligations_ask(
        event=presentation, actor=cycle.secretariat, kind="talk", all_winners=True
    )
    talk = Obligation.objects.get(event=presentation, award=cycle.winner)
    page = sign_in(cycle.secretariat, f"/cycle/results/programme/{presentation.pk}/")
    page.locator(f"#obligation-{talk.pk}-miss").click()
    expect(page.locator(f"#obligation-{talk.pk}")).to_contain_text("Missed")

    # the missed obligation shows on the winner's award
    page.goto(live_server.url + f"/cycle/results/awards/{cycle.winner.pk}/summary/")
    expect(page.locator(f"#missed-{talk.pk}")).to_contain_text(
        "A talk at “Results presentation”: missed."
    )
    shot(page, "award-missed-obligation")
    assert axe_violations(page) == []
    page.locator(f"#revoke-from-{talk.pk}").click()
    expect(page.locator("#revoke-obligation")).to_contain_text("Opened from a missed obligation")
    expect(page.locator("#id_reason")).to_have_value(
        "Missed its obligation in the programme: A talk at “Results presentation”."
    )
    shot(page, "revoke-from-obligation")
    assert axe_violations(page) == []
    page.locator("#revoke-button").click()
    expect(page.locator("ul.messages")).to_contain_text("was revoked")
    award = Award.objects.get(pk=cycle.winner.pk)
    assert award.revoked_on is not None
    assert award.revoked_for == talk
    page.goto(live_server.url + f"/cycle/results/awards/{cycle.winner.pk}/summary/")
    expect(page.locator(f"#missed-{talk.pk}")).to_contain_text("The award was revoked for it on")
