"""The stage timetable in a real browser (issue 13 point 3): the secretariat opens
nominations by editing the dates, extends a window with a reason, and an end before its
start is refused beside the field with what was typed kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from awards.enums import StageKind
from tests.factories import open_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_opens_nominations_and_extends_a_window(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = open_cycle(nomination=(3, 10), recommendation=(11, 17))  # not open yet
    stages = {s.kind: s for s in cycle.edition.stages.all()}
    nomination = stages[StageKind.NOMINATION]
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.secretariat, f"/cycle/editions/{cycle.edition.pk}/configuration/stages/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage timetable")
    expect(page.locator("#zone-note")).to_contain_text("Taipei time (Asia/Taipei)")
    row = page.locator(f"#stage-{nomination.pk}")
    expect(row.locator(".badge")).to_have_text("Upcoming")
    assert axe_violations(page) == []
    shot(page, "01-timetable-en")

    # A bad input: the nomination stage ending before it starts.
    starts = page.get_by_label("Nomination: Starts on")
    ends = page.get_by_label("Nomination: Ends on")
    starts.fill(cycle.day(0).isoformat())
    ends.fill(cycle.day(-2).isoformat())
    page.get_by_role("button", name="Save the timetable").click()
    expect(page.locator(f"#id_{nomination.pk}-ends_on-error")).to_have_text(
        f"“Nomination” cannot end ({cycle.day(-2).isoformat()}) before it starts "
        f"({cycle.day(0).isoformat()})."
    )
    expect(page.get_by_label("Nomination: Starts on")).to_have_value(cycle.day(0).isoformat())
    expect(page.get_by_label("Nomination: Ends on")).to_have_value(cycle.day(-2).isoformat())
    nomination.refresh_from_db()
    assert nomination.starts_on == cycle.day(3)
    shot(page, "02-end-before-start-en")

    # Open nominations today.
    page.get_by_label("Nomination: Ends on").fill(cycle.day(10).isoformat())
    page.get_by_role("button", name="Save the timetable").click()
    expect(page.locator(".messages")).to_have_text("The timetable is saved.")
    expect(page.locator(f"#stage-{nomination.pk} .badge")).to_have_text("Open now")
    nomination.refresh_from_db()
    assert (nomination.starts_on, nomination.ends_on) == (cycle.day(0), cycle.day(10))

    # Extend the written review's window, with a reason.
    recommendation = stages[StageKind.WRITTEN_REVIEW]
    box = page.locator(f"#extend-{recommendation.pk}")
    box.locator("summary").click()
    box.get_by_label("New last day").fill(cycle.day(65).isoformat())
    box.get_by_label("Reason").fill("委員請假，延長五天")
    shot(page, "03-extend-en")
    box.get_by_role("button", name="Extend").click()
    expect(page.locator(".messages")).to_have_text(
        f"“Written review” now ends on {cycle.day(65).isoformat()}."
    )
    recommendation.refresh_from_db()
    assert recommendation.ends_on == cycle.day(65)
