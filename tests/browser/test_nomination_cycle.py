"""The dossier issue's whole path in one browser run, across the three roles:
editor writes with an attachment (autosave) and submits -> the PDF snapshot shows the
Chinese text -> the competent authority returns it -> the editor fixes and resubmits ->
the authority recommends it -> the secretariat marks it eligible."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from agencies.models import AuditEntry
from awards.models import Nomination
from tests.browser.test_dossier import tiny_png
from tests.factories import open_cycle, open_stage

pytestmark = pytest.mark.browser


def test_a_dossier_from_writing_to_eligible_in_the_browser(live_server, sign_in, shot, tmp_path):
    cycle = open_cycle(quota=2)
    agency, category = cycle.agency.name_zh, cycle.category.name_zh

    # The editor starts and writes the dossier; autosave keeps every section.
    page = sign_in(cycle.editor, "/dashboard/")
    page.get_by_role("link", name="開始撰寫自薦書").first.click()
    page.get_by_role("radio", name=re.compile(category)).check()
    page.get_by_role("button", name="建立自薦書").click()
    expect(page).to_have_url(re.compile(r"/cycle/nominations/\d+/$"))
    nomination = Nomination.objects.get(agency=cycle.agency)
    sections = list(nomination.sections.order_by("order"))
    for section in sections:
        page.locator(f"#body-{section.pk}").fill(f"{section.heading_zh}：服務流程簡化，民眾滿意。")
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("已儲存", timeout=10000)
    page.locator("#file-dossier").set_input_files(
        files=[{"name": "流程改造成果.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.locator("#attachments").get_by_role("button", name="上傳").click()
    expect(page.locator(".messages")).to_contain_text("已上傳「流程改造成果.png」")
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="送出自薦書").click()
    expect(page.locator(".messages")).to_contain_text("已送出第 1 版")
    shot(page, "01-submitted")

    # The PDF snapshot opens and carries the Chinese text.
    href = page.get_by_role("link", name="第 1 版 PDF").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "v1.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert agency in text
    assert "服務流程簡化，民眾滿意。" in text

    # The competent authority returns it with a reason.
    open_stage(cycle.edition, "recommendation")  # the authority's window opens
    officer = sign_in(cycle.officer, f"/cycle/recommendations/{cycle.edition.pk}/")
    row = officer.get_by_role("row", name=re.compile(agency))
    row.get_by_text("退回修正").click()
    row.get_by_label("退回理由").fill("請補充外部效益的數據。")
    row.get_by_role("button", name="退回機關").click()
    expect(officer.locator(".messages")).to_contain_text(agency)
    shot(officer, "02-returned-by-authority")

    # The editor reads the reason, fixes a section and resubmits.
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")
    expect(page.locator(".state-reason")).to_contain_text("請補充外部效益的數據。")
    external = sections[4]
    page.locator(f"#body-{external.pk}").fill("外部效益：滿意度由 85% 提升至 92%。")
    expect(page.locator(f"#status-{external.pk}")).to_contain_text("已儲存", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="送出自薦書").click()
    expect(page.locator(".messages")).to_contain_text("已送出第 2 版")

    # The authority recommends it, ranked first.
    officer = sign_in(cycle.officer, f"/cycle/recommendations/{cycle.edition.pk}/")
    officer.get_by_label(f"{agency} · {category} 的排序").fill("1")
    officer.get_by_role("button", name="儲存推薦").click()
    expect(officer.locator(".messages")).to_have_text("推薦已儲存：共排序 1 件自薦書。")

    # The secretariat marks it eligible.
    open_stage(cycle.edition, "eligibility_check")
    secretariat = sign_in(cycle.secretariat, "/cycle/eligibility/")
    row = secretariat.get_by_role("row", name=re.compile(agency))
    row.get_by_role("button", name=re.compile("^符合資格")).click()
    expect(secretariat.locator(".messages")).to_contain_text(agency)
    expect(
        secretariat.get_by_role("row", name=re.compile(agency)).locator(".badge").first
    ).to_have_text("符合資格")
    shot(secretariat, "03-eligible")

    nomination.refresh_from_db()
    assert (nomination.state, nomination.recommendation_rank) == ("eligible", 1)
    trail = list(
        AuditEntry.objects.filter(action="nomination.transition", object_id=str(nomination.pk))
        .order_by("id")
        .values_list("actor__email", "from_state", "to_state")
    )
    assert trail == [
        (cycle.editor.email, "draft", "submitted"),
        (cycle.officer.email, "submitted", "returned"),
        (cycle.editor.email, "returned", "submitted"),
        (cycle.officer.email, "submitted", "recommended"),
        (cycle.secretariat.email, "recommended", "eligible"),
    ]
