"""Issue 14, point 11, in a real browser: a poll whose 3rd–4th place lead (0.003) is inside
its margin of error (±0.018) carries the "too close to call" caveat onto the approver's
page and, as a note, onto the public winners page (English and Chinese); a tally whose
worker goes silent says it has stalled within its heartbeat interval, in local time.
axe-core's WCAG checks on each page; screenshots at 1280 × 800."""

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from awards.results import services
from tests.factories import tally_run
from tests.results.helpers import compile_version, poll_cycle
from workflow.models import Job
from workflow.zones import zone_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLOSE_VOTES = (1500, 1200, 907, 893)


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def test_approver_sees_the_close_call_before_approving_and_the_public_sees_a_note(
    live_server, context, sign_in, page, shot, axe_violations
):
    cycle = poll_cycle(votes=CLOSE_VOTES)
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    english(context, live_server)

    approver = sign_in(cycle.approver, f"/cycle/results/versions/{version.pk}/")
    approver.set_viewport_size({"width": 1280, "height": 800})
    caveat = approver.locator("#steps #close-call-best-public-image")
    expect(caveat).to_be_visible()
    expect(caveat).to_contain_text("Too close to call")
    expect(caveat).to_contain_text(
        "the last winner (Department 3) leads the next (Department 4) by 0.003, within the "
        "margin of error of that lead (±0.018, 95 %)"
    )
    # the caveat comes before the approve button
    caveat_box, button_box = (
        caveat.bounding_box(),
        approver.locator("#approve-button").bounding_box(),
    )
    assert caveat_box["y"] < button_box["y"]
    shot(approver, "approval-close-call-en")
    assert axe_violations(approver) == []

    approver.locator("#id_approve-comment").fill("核定，惟第三名差距在誤差範圍內。")
    approver.locator("#approve-button").click()
    expect(approver.locator("#version-status")).to_have_text("Approved")

    # the public winners page, signed out
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + f"/results/{cycle.edition.scheme.code}/{cycle.edition.number}/")
    expect(page.locator("ol.winner-list li")).to_have_count(3)
    note = page.get_by_role("note")
    expect(note).to_have_text(
        "Note: in the household telephone poll, the lead of the last winner (Department 3) "
        "over the next-placed department (0.003) was within the poll's margin of error for "
        "that lead (±0.018, 95 %)."
    )
    expect(page.locator("main")).not_to_contain_text("Department 4")
    shot(page, "public-close-call-en")
    assert axe_violations(page) == []

    context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.get_by_role("note")).to_contain_text("部門3")
    shot(page, "public-close-call-zh")
    assert axe_violations(page) == []


def test_a_silent_tally_says_it_stalled_within_its_heartbeat_interval(
    live_server, context, sign_in, shot, axe_violations, settings
):
    settings.SURVEYS_TALLY_HEARTBEAT_SECONDS = 3
    cycle = poll_cycle(votes=CLOSE_VOTES)
    now = timezone.now()
    run = tally_run(
        cycle.poll,
        status="running",
        progress=10,
        started_at=now,
        heartbeat_at=now,
        requested_by=cycle.secretariat,
    )
    english(context, live_server)
    page = sign_in(cycle.secretariat, f"/poll/{cycle.poll.pk}/tally/{run.pk}/")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("label[for='tally-bar']")).to_contain_text("10 %")
    # no heartbeat comes: the page, following the run every second, says it has stalled
    stalled = page.locator("#tally-stalled")
    expect(stalled).to_be_visible(timeout=8000)
    expect(stalled.get_by_role("heading")).to_have_text("This tally has stalled")
    local = timezone.localtime(now, cycle.edition.tzinfo).strftime("%Y-%m-%d %H:%M:%S")
    with translation.override("en"):
        english_zone = zone_name(cycle.edition.time_zone)
    expect(stalled).to_contain_text(f"has sent no sign of life since {local} ({english_zone})")
    expect(stalled).to_contain_text("at 10 %: it has probably stopped.")
    shot(page, "tally-stalled-en")
    assert axe_violations(page) == []
    # the worker comes back: the message goes away by itself
    Job.objects.filter(pk=run.job_id).update(heartbeat_at=timezone.now(), progress=60)
    expect(stalled).to_have_count(0, timeout=3000)
    expect(page.locator("label[for='tally-bar']")).to_contain_text("60 %")


def test_history_of_the_demo_labels_the_demonstration_edition_and_leaves_it_out(
    demo, live_server, context, page, shot, axe_violations
):
    """Issue 14, point 8: the demo's 8th edition (invented scores, published) is listed,
    labelled, and not counted in the total, which stays the seed's 1143 / 342 / 203."""
    from awards.results.demo import load_results_demo
    from scoring.demo import load_review_demo

    load_review_demo()
    assert load_results_demo()
    english(context, live_server)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/results/tw-gsqa/history/")
    rows = page.locator("#history-table tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.nth(7).locator("th")).to_contain_text("Demonstration data")
    expect(page.locator("#history-table tfoot tr.total td")).to_have_text(
        ["1143", "342", "203", "17.8 %", "—"]
    )
    expect(page.locator("#demo-note")).to_contain_text("left out of the totals")
    expect(page.locator("#winners-note")).to_be_visible()
    shot(page, "history-demo-en")
    assert axe_violations(page) == []
