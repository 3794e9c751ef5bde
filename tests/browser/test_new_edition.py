"""Issue 13's "done when" (the part of the configuration area built so far): the demo's
secretariat, a non-superuser, makes the next TW edition by copying the 8th with its
dates shifted a year, sees the preview, saves and sees the hub with the copied rubric,
fixes a rubric sum, sets the review policy, opens nominations on the stage timetable;
then the demo's agency
editor starts a nomination in the new edition and sees the copied rubric's sections and
focus points. Neither of them visits a URL under /admin/.

Set DOCS_SCREENSHOTS=1 to write the pages' screenshots used by docs/setup-edition.md
into docs/img/."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agencies.models import User
from awards.copying import next_edition_number, stage_field
from awards.models import Edition, Nomination
from awards.selectors import edition_today
from scoring.models import ReviewPolicy
from scoring.services import policy_stages
from workflow.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def _docs_shot(page, shot, name):
    shot(page, name)
    if os.environ.get("DOCS_SCREENSHOTS"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=True)


def test_secretariat_copies_the_8th_edition_and_an_agency_nominates_in_the_copy(
    demo, live_server, context, sign_in, shot, axe_violations
):
    _english(context, live_server)
    visited: list[str] = []
    context.on("request", lambda request: visited.append(request.url))

    secretariat = User.objects.get(email="secretariat@demo.test")
    assert not secretariat.is_superuser
    eighth = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    number = next_edition_number(eighth.scheme)  # 10: the demo has a 9th already
    name_zh = f"第{number}屆政府服務品質獎"
    name_en = f"{number}th Government Service Quality Award"

    # The navigation's Configuration link leads to the configuration start page.
    page = sign_in(secretariat)
    page.get_by_role("link", name="Configuration", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configuration")
    assert axe_violations(page) == []
    _docs_shot(page, shot, "setup-1-configuration")

    page.get_by_role("link", name=f"New edition from {eighth.name_en}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"New edition from {eighth.name_en}")
    nomination = eighth.stages.get(kind="nomination")
    starts = page.locator(f"input[name={stage_field(nomination.pk, 'starts')}]")
    expect(starts).to_have_value("2016-11-19")  # a year after 2015-11-19
    expect(page.locator("#id_number")).to_have_value(str(number))
    expect(page.get_by_text("Dates are days in Taipei time.")).to_be_visible()

    page.locator("#id_name_zh").fill(name_zh)
    page.locator("#id_name_en").fill(name_en)
    page.locator("#id_year_label").fill("2017")
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#id_name_zh")).to_have_value(name_zh)
    expect(starts).to_have_value("2016-11-19")
    # The rubric to be copied, with its focus points, is in the preview.
    first_line = eighth.categories.get(code="first-line")
    indicator = (
        first_line.rubric.dimensions.order_by("order").first().indicators.order_by("order").first()
    )
    page.get_by_text(f"{first_line.name_en}: rubric of").click()
    expect(page.get_by_text(indicator.focus_points_en.splitlines()[0]).first).to_be_visible()
    assert axe_violations(page) == []
    _docs_shot(page, shot, "setup-2-preview")

    # A stage put before its predecessor is refused beside the field; nothing is made.
    recommendation = eighth.stages.get(kind="recommendation")
    page.locator(f"input[name={stage_field(recommendation.pk, 'starts')}]").fill("2017-01-01")
    page.get_by_role("button", name="Create the edition").click()
    error = page.locator(f"#id_{stage_field(recommendation.pk, 'starts')}_error")
    expect(error).to_contain_text("these stages must follow each other")
    expect(page.get_by_role("alert")).to_contain_text("The edition was not created")
    expect(page.locator("#id_name_zh")).to_have_value(name_zh)
    assert not Edition.objects.filter(scheme=eighth.scheme, number=number).exists()
    assert axe_violations(page) == []
    _docs_shot(page, shot, "setup-3-refused")

    # Put the stage back where the one-year shift had it, and create the edition.
    page.locator(f"input[name={stage_field(recommendation.pk, 'starts')}]").fill(
        recommendation.starts_on.replace(year=recommendation.starts_on.year + 1).isoformat()
    )
    page.get_by_role("button", name="Create the edition").click()

    # The hub of the new edition, with the copied rubric; its dates, a year after the
    # 8th's, are all past.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Configuration of {name_en}")
    expect(page.get_by_text("was created from")).to_be_visible()
    new = Edition.objects.get(scheme=eighth.scheme, number=number)
    assert new.categories.count() == eighth.categories.count()
    new_nomination = new.stages.get(kind="nomination")
    assert new_nomination.starts_on == datetime.date(2016, 11, 19)
    expect(page.locator("table.categories-table tbody tr")).to_have_count(3)
    expect(page.get_by_text(f"{first_line.name_en}: rubric of")).to_be_visible()
    expect(page.locator("table.stages-table .badge.open")).to_have_count(0)
    assert axe_violations(page) == []
    _docs_shot(page, shot, "setup-4-hub")

    # Open nominations on the stage timetable: the stages keep their lengths and order,
    # the first starting yesterday (as the secretariat would type it).
    page.get_by_role("link", name="Stage timetable").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage timetable")
    expect(page.locator("#zone-note")).to_contain_text("Taipei time (Asia/Taipei)")
    cursor = edition_today(new) - datetime.timedelta(days=1)
    for stage in new.stages.order_by("order", "starts_on", "pk"):
        end = cursor + (stage.ends_on - stage.starts_on)
        page.locator(f"#id_{stage.pk}-starts_on").fill(cursor.isoformat())
        page.locator(f"#id_{stage.pk}-ends_on").fill(end.isoformat())
        cursor = end + datetime.timedelta(days=1)
    page.get_by_role("button", name="Save the timetable").click()
    expect(page.locator(".messages")).to_contain_text("The timetable is saved.")
    expect(page.locator(f"#stage-{new_nomination.pk} .badge")).to_have_text("Open now")
    assert axe_violations(page) == []
    new_nomination.refresh_from_db()
    assert new_nomination.starts_on == edition_today(new) - datetime.timedelta(days=1)

    # The history: "copied from", then each stage the timetable moved, before → after.
    page.goto(f"{live_server.url}/cycle/editions/{new.pk}/configuration/")
    page.get_by_role("link", name="Configuration history").last.click()
    rows = page.locator("table.history-table tbody tr")
    expect(rows).to_have_count(1 + new.stages.count())
    expect(rows.filter(has_text=new_nomination.name_en)).to_contain_text("2016-11-19")
    expect(page.locator("table.history-table")).to_contain_text(f"Copied from {eighth.name_en}")
    assert axe_violations(page) == []
    _docs_shot(page, shot, "setup-5-history")
    assert AuditEntry.objects.filter(action="edition.copy", object_id=str(new.pk)).count() == 1

    # The rubric editor: one indicator changed so its dimension no longer sums is refused
    # with the dimension named; put back, the rubric saves.
    page.goto(f"{live_server.url}/cycle/editions/{new.pk}/configuration/")
    page.get_by_role("link", name=f"Rubric of {first_line.name_en}", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Edit the rubric of")
    new_rubric = new.categories.get(code="first-line").rubric
    dimension = new_rubric.dimensions.order_by("order").first()
    first = dimension.indicators.order_by("order").first()
    points = page.locator("#d0-i0-max_points")
    points.fill(str(first.max_points + 10))
    page.get_by_role("button", name="Save the rubric").first.click()
    expect(page.locator("#d0-max_points-error")).to_contain_text(f"Dimension “{dimension.name_zh}”")
    expect(points).to_have_value(str(first.max_points + 10))
    first.refresh_from_db()
    assert first.max_points == indicator.max_points
    assert axe_violations(page) == []
    points.fill(str(first.max_points))
    page.get_by_role("button", name="Save the rubric").first.click()
    expect(page.locator(".messages")).to_contain_text("The rubric was saved.")

    # The review policy: z-score, and the two scoring stages weighted 30/70.
    page.goto(f"{live_server.url}/cycle/editions/{new.pk}/configuration/review-policy/")
    expect(page.locator("h1")).to_contain_text("Review policy")
    page.get_by_label("Per-reviewer z-score normalisation").check()
    scoring_stages = list(policy_stages(new))
    assert len(scoring_stages) == 2
    for stage, weight in zip(scoring_stages, ("30", "70"), strict=True):
        page.get_by_label(f"Weight of {stage.name_en} (%)").fill(weight)
    page.get_by_role("button", name="Save the review policy").click()
    expect(page.locator(".messages")).to_contain_text("The review policy was saved.")
    assert ReviewPolicy.objects.get(edition=new).aggregation == "zscore"
    assert [s.score_weight for s in policy_stages(new)] == [30, 70]
    assert axe_violations(page) == []

    # The agency editor starts a nomination in the new edition and sees the copied
    # rubric's sections and focus points.
    editor = User.objects.get(email="editor@demo.test")
    page = sign_in(editor, "/cycle/nominations/start/")
    category = new.categories.get(code="first-line")
    page.locator(f"#category-{category.pk}").check()
    page.get_by_role("button", name="Start the dossier").click()
    nomination_row = Nomination.objects.get(edition=new)
    assert nomination_row.category == category
    copied = (
        category.rubric.dimensions.order_by("order").first().indicators.order_by("order").first()
    )
    assert copied.pk != indicator.pk and copied.name_zh == indicator.name_zh
    expect(page.locator("h2.section-heading", has_text=copied.name_en).first).to_be_visible()
    expect(page.get_by_text(copied.focus_points_en.splitlines()[0]).first).to_be_visible()
    assert axe_violations(page) == []

    admin_urls = [url for url in visited if "/admin/" in url]
    assert admin_urls == []
    assert any("/configuration/" in url for url in visited)
