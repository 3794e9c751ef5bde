"""The HK 2002–03 Best Public Image Award poll through a real browser (issue 5, "Done
when"): 23 departments, 4,500 sampled households; an interviewer records calls from the
keyboard, including a callback that comes back when due; the rest arrive in a Big5 CSV
from the polling firm with bad rows (report shown, file fixed, imported); the tally job
runs with a progress bar; the top three are shown with their margins of error."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import User
from surveys.demo import firm_file_csv, firm_file_rows, load_poll_demo
from surveys.models import Household, PollTallyRun, Response

pytestmark = pytest.mark.browser


@pytest.fixture
def poll(demo):
    return load_poll_demo()


def _call(page, key, *, vote=None, suggestion=None, callback=None):
    expect(page.get_by_role("heading", level=1)).to_contain_text("住戶")
    page.keyboard.press(key)
    if vote:
        value = page.locator("#id_candidate option", has_text=vote).get_attribute("value")
        page.locator("#id_candidate").select_option(value=value)
    if suggestion:
        page.keyboard.press("s")
        page.keyboard.type(suggestion)
    if callback:
        page.locator("#id_callback_at").fill(callback)
    ref = page.locator(".household-ref").inner_text()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text(f"住戶 {ref}：已儲存。")


def _next(page):
    """Enter on the autofocused "next household" button, once the page has focused it
    (pressing before that, right after a load, goes nowhere)."""
    button = page.get_by_role("button", name="開啟下一戶")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def test_hk_poll_from_calls_to_the_best_public_image_award(
    poll, live_server, sign_in, shot, tmp_path, request, axe_violations
):
    assert poll.candidates.count() == 23
    assert poll.households.count() == 4500
    interviewer = User.objects.get(email="interviewer@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")

    # --- the interviewer, keyboard first ---------------------------------------------
    page = sign_in(interviewer, f"/poll/{poll.pk}/call/")
    expect(page.get_by_role("heading", level=1)).to_have_text("下一戶待致電住戶")
    expect(page.locator(".call-start")).to_contain_text("4500 戶住戶待致電。")
    shot(page, "01-call-next")
    page.keyboard.press("Enter")  # the autofocused button
    expect(page.locator(".household-ref")).to_have_text("HK00001")
    expect(page.locator("#id_disposition_0")).to_be_focused()
    shot(page, "02-household")
    _call(page, "1", vote="香港天文台", suggestion="天氣預報好準確")
    expect(page.locator(".messages")).to_contain_text("住戶 HK00001：已儲存。")

    _next(page)
    expect(page.locator(".household-ref")).to_have_text("HK00002")
    tomorrow = timezone.localtime(timezone.now() + datetime.timedelta(days=1), poll.edition.tzinfo)
    _call(page, "5", callback=tomorrow.strftime("%Y-%m-%dT10:30"))
    expect(page.locator(".messages")).to_contain_text("HK00002")
    _next(page)
    expect(page.locator(".household-ref")).to_have_text("HK00003")
    # a complete interview without a vote is refused, shown on the form
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".errorlist")).to_contain_text("完成訪問必須有投票。")
    shot(page, "03-household-error")
    _call(page, "3")  # refusal
    _next(page)
    _call(page, "4")  # non-contact
    _next(page)
    _call(page, "1", vote="消防處")
    expect(page.locator("table.my-calls tbody tr")).to_have_count(5)
    shot(page, "04-after-calls")

    # time passes: the callback is due and comes back first
    Household.objects.filter(ref="HK00002").update(
        callback_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.reload()
    _next(page)
    expect(page.locator(".household-ref")).to_have_text("HK00002")
    expect(page.locator(".lead")).to_contain_text("已約回電")
    _call(page, "1", vote="入境事務處", suggestion='=HYPERLINK("x")')
    page.goto(live_server.url + f"/poll/{poll.pk}/my-calls/")
    expect(page.locator("table.my-calls tbody tr")).to_have_count(6)
    shot(page, "05-my-calls")
    assert Response.objects.filter(poll=poll).count() == 3

    # --- the polling firm's Big5 file, with bad rows -----------------------------------
    done = set(
        Household.objects.filter(poll=poll).exclude(disposition="").values_list("ref", flat=True)
    )
    good_rows = firm_file_rows(poll, skip=done)
    assert len(good_rows) == 4495
    bad_rows = [list(r) for r in good_rows]
    bad_rows[0][2] = "HK-XYZ" if bad_rows[0][1] == "complete" else bad_rows[0][2]
    bad_rows[0][1] = "complete"
    bad_rows[0][2] = "HK-XYZ"  # unknown agency code
    bad_rows[1] = ["HK99999", "complete", "HK-FSD", ""]  # not in the sample
    bad_rows[2] = ["HK00001", "complete", "HK-FSD", ""]  # a second vote
    bad_rows[3][1] = ""  # blank disposition
    bad_rows[3][2] = ""
    bad_path = tmp_path / "firm-2003-01.csv"
    bad_path.write_bytes(firm_file_csv(bad_rows, "big5"))

    page = sign_in(secretariat, f"/poll/{poll.pk}/imports/")
    page.locator("#id_file").set_input_files(str(bad_path))
    page.get_by_role("button", name="上載並選擇欄位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("firm-2003-01.csv")
    expect(page.locator(".lead")).to_contain_text("CSV (big5)")
    expect(page.locator("#id_household_id")).to_have_value("住戶編號")
    expect(page.locator("#id_agency_code")).to_have_value("部門代碼")
    page.get_by_role("button", name="檢查並匯入").click()
    report = page.locator("#import-errors tbody tr")
    expect(report).to_have_count(4)
    expect(report.nth(0)).to_contain_text("HK-XYZ")
    expect(report.nth(0)).to_contain_text("部門代碼不明。")
    expect(report.nth(1)).to_contain_text("住戶不在樣本中。")
    expect(report.nth(2)).to_contain_text("此住戶已完成訪問：每戶只可投一票。")
    expect(report.nth(3)).to_contain_text("訪問結果空白。")
    shot(page, "06-import-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="下載錯誤報告（CSV）").click()
    assert download.value.suggested_filename.endswith("-errors.csv")
    assert Response.objects.filter(poll=poll).count() == 3  # nothing imported

    # fixed and imported again
    fixed = [good_rows[0], good_rows[1], good_rows[2], good_rows[3]] + bad_rows[4:]
    fixed_path = tmp_path / "firm-2003-01-fixed.csv"
    fixed_path.write_bytes(firm_file_csv(fixed, "big5"))
    page.goto(live_server.url + f"/poll/{poll.pk}/imports/")
    page.locator("#id_file").set_input_files(str(fixed_path))
    page.get_by_role("button", name="上載並選擇欄位").click()
    # The rows are read by a background job: queued to a broker with no worker yet, so
    # the job page shows its progress bar, then follows the job by itself (htmx).
    from config.celery import app
    from surveys.models import PollImport
    from surveys.tasks import poll_import

    app.conf.task_always_eager = False
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", True))
    page.get_by_role("button", name="檢查並匯入").click()
    expect(page.locator("#import-job-bar")).to_be_visible()
    expect(page.locator("#import-job .lead .badge")).to_have_text("排隊中")
    expect(page.get_by_role("button", name="檢查並匯入")).to_have_count(0)  # not twice
    shot(page, "07-import-queued")
    assert axe_violations(page) == []
    imp = PollImport.objects.get(filename="firm-2003-01-fixed.csv")
    assert imp.job_status == "queued"
    poll_import.apply(kwargs={"import_id": imp.pk})
    expect(page.locator("#import-job .message.success")).to_have_text(
        "已匯入 4495 列。", timeout=10_000
    )
    expect(page.locator("#import-job-bar")).to_have_count(0)
    expect(page.locator("#import-job .lead")).to_contain_text("4495 列")
    shot(page, "07-import-done")
    assert axe_violations(page) == []
    app.conf.task_always_eager = True
    # the same file again changes nothing
    page.goto(live_server.url + f"/poll/{poll.pk}/imports/")
    page.locator("#id_file").set_input_files(str(fixed_path))
    page.get_by_role("button", name="上載並選擇欄位").click()
    expect(page.locator(".messages")).to_contain_text("沒有任何改變")

    page.goto(live_server.url + f"/poll/{poll.pk}/fieldwork/")
    completes = Response.objects.filter(poll=poll, disposition="complete").count()
    expect(page.locator("#completes")).to_have_text(f"{completes} / 4500")
    shot(page, "08-fieldwork")

    # --- the tally: queued to a broker with no worker yet, so the bar shows ------------
    from config.celery import app

    app.conf.task_always_eager = False
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", True))
    page.goto(live_server.url + f"/poll/{poll.pk}/tally/")
    page.get_by_role("button", name="進行點票").click()
    expect(page.locator("#tally-bar")).to_be_visible()
    expect(page.locator("#run-status")).to_have_text("排隊中")
    shot(page, "09-tally-progress")
    # a second start while it runs is told
    page.goto(live_server.url + f"/poll/{poll.pk}/tally/")
    page.get_by_role("button", name="進行點票").click()
    expect(page.locator(".messages")).to_contain_text("此電話訪問已有點票在執行")
    run = PollTallyRun.objects.get(poll=poll)
    # the worker picks it up; the page follows by itself (htmx, every second)
    from surveys.tasks import poll_tally

    poll_tally.apply(kwargs={"run_id": run.pk})
    expect(page.locator("#run-status")).to_have_text("已完成", timeout=10_000)
    winners = page.locator("#winners li")
    expect(winners).to_have_count(3)
    for item in winners.all():
        expect(item).to_contain_text(re.compile(r"\d+\.\d % ± \d+\.\d"))
    expect(page.locator("svg.bar-chart rect.bar")).to_have_count(23)
    shot(page, "10-tally-done")
    run.refresh_from_db()
    assert run.inputs["votes"] == completes
    assert len(run.results["winners"]) == 3

    # English
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.reload()
    expect(page.get_by_role("heading", name="Best Public Image Award")).to_be_visible()
    shot(page, "11-tally-done-en")


def test_bad_uploads_are_refused_with_a_message(
    poll, live_server, sign_in, shot, tmp_path, settings
):
    secretariat = User.objects.get(email="secretariat@demo.test")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    page = sign_in(secretariat, f"/poll/{poll.pk}/imports/")
    page.locator("#id_file").set_input_files(str(empty))
    page.get_by_role("button", name="上載並選擇欄位").click()
    expect(page.locator(".errorlist")).to_contain_text("檔案是空的")
    settings.SURVEYS_IMPORT_MAX_BYTES = 1024
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 1000)
    page.locator("#id_file").set_input_files(str(big))
    page.get_by_role("button", name="上載並選擇欄位").click()
    expect(page.locator(".errorlist")).to_contain_text("上限為 0.0 MB")
    shot(page, "12-upload-refused")
    # other roles see nothing of the poll
    editor = User.objects.get(email="editor-hk@demo.test")
    page = sign_in(editor, f"/poll/{poll.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("電話訪問"))


def test_poll_pages_have_no_wcag_violations(poll, live_server, sign_in, axe_violations):
    from surveys import services

    interviewer = User.objects.get(email="interviewer@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")
    page = sign_in(interviewer, f"/poll/{poll.pk}/call/")
    assert axe_violations(page) == []
    _next(page)
    expect(page.locator(".household-ref")).to_have_text("HK00001")
    assert axe_violations(page) == []
    run = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    page = sign_in(secretariat, f"/poll/{poll.pk}/")
    for path in ("", "fieldwork/", "imports/", f"tally/{run.pk}/", "suggestions/"):
        page.goto(live_server.url + f"/poll/{poll.pk}/{path}")
        assert (path, axe_violations(page)) == (path, [])
