"""The rubric editor in the browser, as the secretariat: add an indicator and watch the
live sums, a focus point empty in one language refused, a dimension whose indicators do
not add up refused with the dimension named, then fixed and saved; reorder; axe."""

import pytest
from playwright.sync_api import expect

from awards import demo_data
from awards.services import category_rubric_create
from rubrics.models import Dimension, Indicator
from tests.factories import CategoryFactory, secretariat_user

pytestmark = pytest.mark.browser


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def test_the_secretariat_edits_a_rubric(live_server, context, sign_in, shot, axe_violations):
    category = CategoryFactory()
    category_rubric_create(category=category, **demo_data.TW8_PLANNING_RUBRIC)
    english(context, live_server)
    path = f"/cycle/editions/{category.edition_id}/configuration/rubrics/{category.pk}/"
    page = sign_in(secretariat_user(), path)
    expect(page.locator("h1")).to_contain_text("Edit the rubric of")
    expect(page.locator("#d1-sum")).to_have_text("Indicators: 700 of 700")
    assert axe_violations(page) == []

    # Add an indicator to 實際效果: nothing is saved yet.
    page.get_by_role("button", name="Add an indicator to dimension 2").click()
    expect(page.locator("p[role=status]")).to_contain_text("Not saved yet")
    expect(page.locator("#d1-i3-name_zh")).to_be_focused()
    page.locator("#d1-i3-name_zh").fill("服務擴散")
    page.locator("#d1-i3-name_en").fill("Spread of the service")
    page.locator("#d1-i3-max_points").fill("50")
    # The live sum follows the typing, before any save.
    expect(page.locator("#d1-sum")).to_have_text("Indicators: 750 of 700")
    expect(page.locator("#d1-sum")).to_have_class("sum mismatch")
    page.locator("#d1-i3-fp0-zh").fill("推廣至其他機關")
    shot(page, "01-added")

    # The focus point has no English: refused beside that field, the typing kept.
    page.get_by_role("button", name="Save the rubric").first.click()
    expect(page.locator("#d1-i3-fp0-en-error")).to_have_text(
        "Focus point 1 of “服務擴散” is empty in English: write it in both languages, "
        "or clear both."
    )
    expect(page.locator("#d1-i3-name_zh")).to_have_value("服務擴散")
    assert not Indicator.objects.filter(name_zh="服務擴散").exists()
    assert axe_violations(page) == []

    # Now in both languages: the sum is refused with the dimension named.
    page.locator("#d1-i3-fp0-en").fill("Spread to other agencies")
    page.get_by_role("button", name="Save the rubric").first.click()
    message = "Dimension “實際效果”: its indicators add up to 750, but the dimension is worth 700."
    expect(page.locator("#d1-max_points-error")).to_have_text(message)
    expect(page.locator("#editor-problems")).to_contain_text(message)
    expect(page.locator("#d1-i3-fp0-en")).to_have_value("Spread to other agencies")
    shot(page, "02-sum-refused")
    assert not Indicator.objects.filter(name_zh="服務擴散").exists()

    # Fixed: 外部效益 500 → 450, the live sum agrees, the save goes through.
    page.locator("#d1-i0-max_points").fill("450")
    expect(page.locator("#d1-sum")).to_have_text("Indicators: 700 of 700")
    expect(page.locator("#d1-sum")).to_have_class("sum")
    page.get_by_role("button", name="Save the rubric").first.click()
    expect(page.locator(".messages")).to_contain_text("The rubric was saved.")
    added = Indicator.objects.get(name_zh="服務擴散")
    assert (added.max_points, added.focus_points_en) == (50, "Spread to other agencies")
    assert Indicator.objects.get(name_zh="外部效益").max_points == 450

    # Reorder: 實際效果 first, then save.
    page.get_by_role("button", name="Move down dimension 1").click()
    expect(page.locator("#d0-name_zh")).to_have_value("實際效果")
    page.get_by_role("button", name="Save the rubric").first.click()
    expect(page.locator(".messages")).to_contain_text("The rubric was saved.")
    assert list(Dimension.objects.order_by("order").values_list("name_zh", flat=True)) == [
        "實際效果",
        "解決方法",
    ]
    shot(page, "03-saved")
