"""The rough edges of issue 14 point 12, in both languages at 1280 × 800: the dossier's
submit asks first; text over the limit is kept across a reload and says how far over it
is; leaving the editor with unsaved text warns; the standings tables fit without
scrolling and the verify button stays on one line; the demo's labels are in the page's
language; the workbook's sheet names follow the session's language."""

import io
import re

import pytest
from playwright.sync_api import expect

from awards.enums import NominationState as S
from awards.enums import StageKind
from awards.models import Category, DossierSection, Edition, Nomination
from awards.services import nomination_start
from tests.factories import fill_dossier, open_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = ["zh-hant", "en"]

TEXT = {
    "zh-hant": {
        "submit": "送出自薦書",
        "confirm": "確定現在送出自薦書嗎？送出後即鎖定，並製作 PDF 快照供評審委員閱覽。",
        "my": "我的參獎案件",
        "over_by": "（超出上限 3 字）",
        "over_saved": "已儲存，但超出 20 字上限 3 字：送出前請刪減。",
        "saved": re.compile(r"^已儲存 \d\d:\d\d\s*$"),
        "too_long": "超過字數：23 字，上限 20 字。",
    },
    "en": {
        "submit": "Submit the dossier",
        "confirm": "Submit the dossier now? It is then locked and a PDF snapshot is made for "
        "the reviewers.",
        "my": "My nominations",
        "over_by": "(3 over the limit)",
        "over_saved": "Saved, but 3 characters over the limit of 20: shorten it before you submit.",
        "saved": re.compile(r"^Saved \d\d:\d\d\s*$"),
        "too_long": "Too long: 23 of 20 characters.",
    },
}


def in_language(context, live_server, lang):
    context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])


def editor_page(cycle, nomination, sign_in, context, live_server, lang):
    in_language(context, live_server, lang)
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")
    page.set_viewport_size(VIEWPORT)
    return page


def fits(page, selector=".table-wrap"):
    """[(scrollWidth, clientWidth)] of each element: equal when nothing is cut off."""
    return page.evaluate(
        "s => [...document.querySelectorAll(s)].map(e => [e.scrollWidth, e.clientWidth])",
        selector,
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_submit_asks_first_and_leaving_with_unsaved_text_warns(
    live_server, context, sign_in, shot, axe_violations, lang
):
    t = TEXT[lang]
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(nomination, cycle.editor)
    first = nomination.sections.order_by("order").first()
    page = editor_page(cycle, nomination, sign_in, context, live_server, lang)
    dialogs = []

    def answer(dialog, accept):
        dialogs.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    # Typing, then leaving at once (before the autosave answered): the browser asks.
    page.once("dialog", lambda d: answer(d, accept=False))
    box = page.locator(f"#body-{first.pk}")
    box.press("End")
    box.press_sequentially("補充說明")
    page.locator("nav.breadcrumbs").get_by_role("link", name=t["my"]).click()
    expect(page).to_have_url(re.compile(rf"/cycle/nominations/{nomination.pk}/$"))
    assert dialogs == [("beforeunload", "")]
    # The blur saved the text meanwhile; now leaving is silent.
    expect(page.locator(f"#status-{first.pk}")).to_have_text(t["saved"])
    assert DossierSection.objects.get(pk=first.pk).body.endswith("補充說明")
    shot(page, f"01-stayed-after-the-leave-warning-{lang}")
    page.locator("nav.breadcrumbs").get_by_role("link", name=t["my"]).click()
    expect(page).to_have_url(f"{live_server.url}/cycle/nominations/")
    assert len(dialogs) == 1

    # Submitting asks first; cancelling changes nothing.
    page.go_back()
    page.once("dialog", lambda d: answer(d, accept=False))
    page.get_by_role("button", name=t["submit"]).click()
    expect(page.get_by_role("button", name=t["submit"])).to_be_visible()
    assert dialogs[-1] == ("confirm", t["confirm"])
    assert Nomination.objects.get(pk=nomination.pk).state == S.DRAFT
    assert axe_violations(page) == []
    shot(page, f"02-submit-cancelled-{lang}")
    page.once("dialog", lambda d: answer(d, accept=True))
    page.get_by_role("button", name=t["submit"]).click()
    expect(page.locator("#submissions")).to_be_visible()
    assert dialogs[-1] == ("confirm", t["confirm"])
    assert Nomination.objects.get(pk=nomination.pk).state == S.SUBMITTED
    shot(page, f"03-submitted-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_over_the_limit_is_kept_across_a_reload_and_says_how_far_over(
    live_server, context, sign_in, shot, axe_violations, lang
):
    t = TEXT[lang]
    cycle = open_cycle(section_max_chars=20)
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    first = nomination.sections.order_by("order").first()
    page = editor_page(cycle, nomination, sign_in, context, live_server, lang)
    too_long = "一二三四五六七八九十一二三四五六七八九十超過𠀀"  # 23 characters
    box = page.locator(f"#body-{first.pk}")
    box.fill(too_long)
    counter = page.locator(f"#count-{first.pk}")
    expect(counter.locator("[data-count]")).to_have_text("23")
    expect(counter.locator("[data-over]")).to_have_text(t["over_by"])
    status = page.locator(f"#status-{first.pk}")
    expect(status).to_have_text(t["over_saved"])
    assert DossierSection.objects.get(pk=first.pk).body == too_long

    # Nothing is lost on a reload, and the page says so again (no leave warning: saved).
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.reload()
    assert dialogs == []
    expect(page.locator(f"#body-{first.pk}")).to_have_value(too_long)
    expect(counter.locator("[data-over]")).to_have_text(t["over_by"])
    expect(counter.locator("[data-over]")).to_be_visible()
    expect(status).to_have_text(t["over_saved"])
    expect(page.locator(f"#check-{first.pk} .cell-note")).to_have_text(t["too_long"])
    assert axe_violations(page) == []
    page.locator(f"#section-{first.pk}").scroll_into_view_if_needed()
    page.screenshot(path=shot(page, f"01-over-the-limit-kept-{lang}").replace(".png", "-view.png"))

    # Shortening it clears the warning as it is typed.
    box.fill(too_long[:20])
    expect(counter.locator("[data-over]")).to_be_hidden()
    expect(status).to_have_text(t["saved"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_demo_pages_fit_1280_and_speak_the_pages_language(
    demo, live_server, context, sign_in, shot, axe_violations, lang
):
    from openpyxl import load_workbook

    from agencies.models import User
    from awards.results.demo import load_results_demo
    from awards.results.models import ResultVersion
    from scoring.demo import load_review_demo

    load_review_demo()
    load_results_demo()
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    category = Category.objects.get(edition=edition, code="first-line")
    written = edition.stages.get(kind=StageKind.WRITTEN_REVIEW)
    in_language(context, live_server, lang)
    secretariat = User.objects.get(email="secretariat@demo.test")

    # Standings: every column in view at 1280 px, in both tables.
    page = sign_in(
        secretariat, f"/cycle/review/stages/{written.pk}/categories/{category.pk}/standings/"
    )
    page.set_viewport_size(VIEWPORT)
    expect(page.locator("table.standings-table tbody tr")).to_have_count(12)
    assert [w == c for w, c in fits(page)] == [True]
    shot(page, f"01-stage-standings-{lang}")
    page.goto(
        f"{live_server.url}/cycle/review/editions/{edition.pk}/categories/{category.pk}/final/"
    )
    expect(page.locator("#final-table tbody tr")).to_have_count(12)
    assert [w == c for w, c in fits(page)] == [True]
    shot(page, f"02-final-standings-{lang}")

    # The verify button's label is on one line.
    page.goto(f"{live_server.url}/verify/")
    button = page.locator(".verify-input button")
    lines = button.evaluate(
        "b => { const r = document.createRange(); r.selectNodeContents(b);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    assert lines == 1
    page.screenshot(path=shot(page, f"03-verify-{lang}"))

    # The demo's labels: the 9th edition's year is a year, its name says "demonstration"
    # in the page's language; the demo reviews' note is Chinese data, not mixed languages.
    page.goto(f"{live_server.url}/cycle/")
    ninth = page.locator("tr", has=page.locator("a", has_text=re.compile("第九屆|9th")))
    year = str(Edition.objects.get(scheme__code="tw-gsqa", number=9).year_label)
    assert re.fullmatch(r"\d{4}", year)
    if lang == "zh-hant":
        expect(ninth).to_contain_text("第九屆政府服務品質獎（系統示範）")
        expect(ninth).not_to_contain_text("demonstration")
    else:
        expect(ninth).to_contain_text("9th Government Service Quality Award (demonstration)")
    expect(ninth).to_contain_text(year)
    shot(page, f"04-editions-{lang}")
    page.goto(f"{live_server.url}/cycle/eligibility/?edition={edition.pk}")
    expect(page.locator("body")).not_to_contain_text("Demo data")
    shot(page, f"05-eligibility-{lang}")

    # The workbook made in this session has its sheet names in this language.
    version = ResultVersion.objects.filter(edition=edition).order_by("-number").first()
    page.goto(f"{live_server.url}/cycle/results/versions/{version.pk}/")
    page.locator("#workbook-button").click()
    link = page.locator("#job-workbook-file")
    for _ in range(20):
        if link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(link).to_be_visible()
    shot(page, f"06-workbook-ready-{lang}")
    response = context.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok
    names = load_workbook(io.BytesIO(response.body())).sheetnames
    expected = {
        "zh-hant": ["摘要", "第一線服務機關排名", "評審評分", "實地測試紀錄"],
        "en": ["Summary", "First-line service a… standings", "Reviewer scores"],
    }[lang]
    assert names[: len(expected)] == expected
    assert all(len(n) <= 31 for n in names)
    assert "history" not in {n.casefold() for n in names}
