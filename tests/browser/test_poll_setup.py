"""The poll set-up through a real browser, as the demo's secretariat (not a superuser):
the HK 2002–03 edition has no poll, so one is created from the poll list; strata whose
shares do not add up to 100 % are refused beside the field with the typing kept, then
fixed; the fieldwork dates and the interviewer are set; axe finds no WCAG 2.1 AA
violation. No URL under /admin/ is visited."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from agencies.models import User
from awards.models import Edition
from surveys.models import Poll

pytestmark = pytest.mark.browser


def test_poll_setup_main_path_and_bad_weights(demo, live_server, sign_in, shot, axe_violations):
    secretariat = User.objects.get(email="secretariat@demo.test")
    interviewer = User.objects.get(email="interviewer@demo.test")
    hk = Edition.objects.get(scheme__code="hk-csca", number=2002)
    assert not Poll.objects.filter(edition=hk).exists()
    visited = []
    page = sign_in(secretariat, "/poll/")
    page.on("request", lambda r: visited.append(r.url))
    page.locator("#poll-new-link").click()
    # axe runs on the new page only once it has loaded (run during the navigation it finds no document).
    expect(page).to_have_url(f"{live_server.url}/poll/new/")
    expect(page.locator("#id_edition")).to_be_visible()
    assert axe_violations(page) == []
    page.locator("#id_edition").select_option(str(hk.pk))
    page.locator("#id_title_zh").fill("最佳公眾形象獎住戶電話訪問")
    page.locator("#id_question_zh").fill("你認為哪一個部門的公眾形象最好？")
    page.locator("#id_target_sample_size").fill("4500")
    page.locator("#poll-new-button").click()
    poll = Poll.objects.get(edition=hk)
    expect(page).to_have_url(f"{live_server.url}/poll/{poll.pk}/setup/")
    assert (poll.status, poll.target_sample_size, poll.award_places) == ("draft", 4500, 3)

    # Strata whose shares add up to 90 %: refused beside the field, the typing kept.
    typed = "HKI | 港島 | Hong Kong Island | 20\nKLN | 九龍 | Kowloon | 30\nNT | 新界 | New Territories | 40"
    page.locator("#id_strata").fill(typed)
    page.locator("#strata-button").click()
    with translation.override("zh-hant"):
        refusal = _("The population shares add up to %(total)s %%; they must add up to 100 %%.") % {
            "total": "90"
        }
    expect(page.locator("#strata-form .errorlist")).to_have_text(refusal)
    expect(page.locator("#id_strata")).to_have_value(typed)
    assert poll.strata.count() == 0
    shot(page, "poll-setup-refused")
    assert axe_violations(page) == []

    page.locator("#id_strata").fill(typed.replace("| 40", "| 50"))
    page.locator("#strata-button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert [(s.code, str(s.population_share)) for s in poll.strata.order_by("order")] == [
        ("HKI", "0.200000"),
        ("KLN", "0.300000"),
        ("NT", "0.500000"),
    ]

    page.locator("#id_fieldwork_starts_on").fill("2003-01-06")
    page.locator("#id_fieldwork_ends_on").fill("2003-01-24")
    page.locator("#id_sampling_frame_zh").fill("全港住宅電話號碼，隨機抽樣")
    page.locator("#settings-button").click()
    expect(page.locator(".messages")).to_be_visible()
    poll.refresh_from_db()
    assert (str(poll.fieldwork_starts_on), str(poll.fieldwork_ends_on)) == (
        "2003-01-06",
        "2003-01-24",
    )

    page.locator("#id_candidates").fill("HK-HKO\nHK-FSD\nHK-IMMD\nHK-POST")
    page.locator("#candidates-button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert list(poll.candidates.order_by("order").values_list("agency__code", flat=True)) == [
        "HK-HKO",
        "HK-FSD",
        "HK-IMMD",
        "HK-POST",
    ]

    page.locator(f"#interviewer-{interviewer.pk}").check()
    page.locator("#interviewers-button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert list(poll.interviewers.all()) == [interviewer]
    shot(page, "poll-setup-saved")
    assert axe_violations(page) == []
    assert not [u for u in visited if "/admin/" in u]
