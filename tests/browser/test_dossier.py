"""The agency editor's dossier in a real browser: start, write with autosave, attach a
file with a Chinese name, submit, open the PDF snapshot; and the bad inputs the editor
can meet (conflict, deadline, fake PDF, big file, empty section, too much text, a
crafted POST for another agency)."""

import datetime
import os
import re
import struct
import subprocess
import zlib

import pytest
from playwright.sync_api import expect

from awards.enums import NominationState as S
from awards.enums import StageKind
from awards.models import Attachment, DossierSection, Nomination, Stage, Submission
from awards.services import nomination_return, nomination_start, section_save
from tests.factories import closed_text, fill_dossier, open_cycle, open_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tiny_png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x0b\x4f\x8a"))
        + chunk(b"IEND", b"")
    )


def english(context, live_server):
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def start(cycle):
    return nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)


def sections_of(nomination):
    return list(nomination.sections.order_by("order"))


def test_editor_writes_attaches_submits_and_opens_the_pdf(
    live_server, sign_in, shot, tmp_path, output_path
):
    cycle = open_cycle()
    page = sign_in(cycle.editor, "/cycle/nominations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的參獎案件")
    expect(page.locator(".empty").first).to_contain_text("尚無參獎案")
    shot(page, "00-list-empty")

    page.get_by_role("link", name=re.compile("開始撰寫自薦書")).click()
    expect(page.get_by_role("radio", name=re.compile("服務規劃機關"))).to_be_checked()
    shot(page, "00-start")
    page.get_by_role("button", name="建立自薦書").click()
    expect(page).to_have_url(re.compile(r"/cycle/nominations/\d+/$"))
    nomination = Nomination.objects.get(agency=cycle.agency)
    sections = sections_of(nomination)
    expect(page.get_by_role("heading", level=1)).to_contain_text(cycle.agency.name_zh)

    # Autosave: type, wait for "已儲存", reload, the text is still there.
    profile = page.get_by_label("「機關簡介」內容")
    profile.fill("本所位於臺北市中山區。\n\n- 戶籍登記\n- 印鑑證明")
    status = page.locator(f"#status-{sections[0].pk}")
    expect(status).to_contain_text(re.compile(r"已儲存 \d\d:\d\d"))
    expect(page.locator(f"#count-{sections[0].pk} [data-count]")).to_have_text("26")
    expect(page.locator(f"#check-{sections[0].pk}")).to_have_class(re.compile(r"\bok\b"))
    page.reload()
    expect(profile).to_have_value("本所位於臺北市中山區。\n\n- 戶籍登記\n- 印鑑證明")

    # An attachment with a Chinese name, for the whole dossier.
    page.locator("#file-dossier").set_input_files(
        files=[{"name": "服務成果照片.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.locator("#attachments").get_by_role("button", name="上傳").click()
    expect(page.locator(".messages")).to_contain_text("已上傳「服務成果照片.png」")
    expect(
        page.locator("#attachments").get_by_role("link", name="服務成果照片.png")
    ).to_be_visible()
    assert Attachment.objects.get(nomination=nomination).original_name == "服務成果照片.png"

    # The other sections: autosave for each, and the no-JavaScript Save button for one.
    for section in sections[1:-1]:
        box = page.locator(f"#body-{section.pk}")
        box.fill(f"{section.heading_zh}：本機關推動便民服務，成效良好。")
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("已儲存", timeout=10000)
    last = sections[-1]
    page.locator(f"#body-{last.pk}").fill("成本合理性：以既有人力推動，未增加預算。")
    page.locator(f"#section-{last.pk}").get_by_role("button", name=re.compile("儲存")).click()
    expect(page.locator(".messages")).to_contain_text(
        re.compile(r"已於 \d\d:\d\d 儲存「實際效果／成本合理性」。")
    )
    shot(page, "01-editor-page")

    page.get_by_role("link", name="預覽評審所見內容").first.click()
    expect(page.get_by_role("heading", name=re.compile("機關簡介"))).to_be_visible()
    expect(page.locator(".document-body ul").first).to_contain_text("戶籍登記")
    shot(page, "03-preview")
    page.go_back()

    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="送出自薦書").click()
    expect(page.locator(".messages")).to_contain_text("已送出第 1 版")
    expect(page.locator(".badge.state-submitted")).to_have_text("已送出")
    expect(page.locator("textarea[name=body]")).to_have_count(0)
    submission = Submission.objects.get(nomination=nomination)
    expect(page.locator(".submissions-table")).to_contain_text(submission.pdf_sha256)
    shot(page, "04-submitted")
    page.locator("nav.site-nav").get_by_role("link", name="我的參獎案件").click()
    row = page.locator(".nominations-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("已送出")
    shot(page, "05-list")
    page.go_back()

    link = page.get_by_role("link", name="第 1 版 PDF")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "snapshot.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "臺北市中山區戶政事務所" in text
    assert "服務成果照片.png" in text
    # The competent authority returns it (its own page is tested elsewhere); the editor
    # reads the reason, corrects the section and submits version 2. The authority returns
    # during its recommendation window (awards.windows), when a returned dossier may be
    # corrected and submitted again.
    open_stage(cycle.edition, StageKind.RECOMMENDATION)
    nomination_return(
        actor=cycle.officer,
        nomination=nomination,
        authority=cycle.authority,
        reason="請補充外部效益的數據。",
    )
    page.reload()
    expect(page.locator(".state-reason")).to_contain_text("主管機關退回：請補充外部效益的數據。")
    expect(page.locator(".badge.state-returned")).to_have_text("已退回修正")
    external = sections[4]
    page.locator(f"#body-{external.pk}").fill("外部效益：民眾滿意度由 85% 提升至 92%。")
    expect(page.locator(f"#status-{external.pk}")).to_contain_text("已儲存")
    shot(page, "08-returned")
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="送出自薦書").click()
    expect(page.locator(".messages")).to_contain_text("已送出第 2 版")
    expect(page.locator(".submissions-table tbody tr")).to_have_count(2)
    assert (
        Submission.objects.get(nomination=nomination, version=2).content["sections"][4]["body"]
        == "外部效益：民眾滿意度由 85% 提升至 92%。"
    )

    # The first page as an image, next to the screenshots, to look at.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf)]
        + [os.path.join(output_path, "06-pdf-page")],
        check=True,
    )


def test_a_concurrent_save_is_refused_and_both_texts_are_kept(live_server, context, sign_in, shot):
    cycle = open_cycle()
    english(context, live_server)
    nomination = start(cycle)
    section = sections_of(nomination)[0]
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")
    # editor2 saves the same section from elsewhere while this page is open.
    section_save(actor=cycle.editor2, section=section, body="乙寫的機關簡介", based_on_version=0)

    page.locator(f"#body-{section.pk}").fill("甲寫的機關簡介")
    conflict = page.locator(f"#conflict-{section.pk} .conflict")
    expect(conflict).to_contain_text(
        re.compile(
            rf"Someone else \({re.escape(cycle.editor2.full_name)}\) saved this section at "
            r"\d\d:\d\d\. Your text was not saved over theirs; both are kept\."
        )
    )
    expect(page.locator(f"#status-{section.pk}")).to_contain_text("Not saved")
    expect(page.locator(f"#body-{section.pk}")).to_have_value("甲寫的機關簡介")
    expect(page.locator(f"#theirs-{section.pk}")).to_have_value("乙寫的機關簡介")
    expect(page.locator(f"#version-{section.pk}")).to_have_value("1")
    page.locator(f"#body-{section.pk}").blur()  # leaving the box does not overwrite theirs
    shot(page, "02-conflict")
    section.refresh_from_db()
    assert (section.body, section.version) == ("乙寫的機關簡介", 1)
    assert list(section.revisions.order_by("id").values_list("body", "accepted")) == [
        ("乙寫的機關簡介", True),
        ("甲寫的機關簡介", False),
    ]

    page.get_by_role("link", name="Use their text").click()
    expect(page.locator(f"#body-{section.pk}")).to_have_value("乙寫的機關簡介")
    # Typing after that saves on top of their version.
    page.locator(f"#body-{section.pk}").fill("乙寫的機關簡介，甲補充一句。")
    expect(page.locator(f"#status-{section.pk}")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    expect(page.locator(f"#conflict-{section.pk} .conflict")).to_have_count(0)
    section.refresh_from_db()
    assert (section.body, section.version) == ("乙寫的機關簡介，甲補充一句。", 2)


def test_after_the_deadline_nothing_changes(live_server, context, sign_in, shot):
    cycle = open_cycle()
    english(context, live_server)
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    section = sections_of(nomination)[0]
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")
    expect(page.locator(f"#body-{section.pk}")).to_be_editable()

    # The form stays open while the stage closes.
    past = cycle.today - datetime.timedelta(days=1)
    Stage.objects.filter(edition=cycle.edition, kind=StageKind.NOMINATION).update(
        starts_on=past - datetime.timedelta(days=20), ends_on=past
    )
    Stage.objects.filter(edition=cycle.edition, kind=StageKind.RECOMMENDATION).update(
        starts_on=past, ends_on=past
    )
    page.locator(f"#body-{section.pk}").fill("截止後才寫的文字")
    expected = closed_text(cycle.edition)
    expect(page.locator(f"#status-{section.pk}")).to_have_text(expected)
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="Submit the dossier").click()
    expect(page.locator("#submit-errors li")).to_have_text(expected)
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    assert not Submission.objects.exists()
    section.refresh_from_db()
    assert section.body == "機關簡介：本機關推動便民服務，成效良好。"
    # Reopened, the page says why it is read-only.
    expect(page.locator(".message.warning")).to_have_text(expected)
    expect(page.locator("textarea[name=body]")).to_have_count(0)


def test_bad_files_an_empty_section_and_too_much_text_are_refused(
    live_server, context, sign_in, shot, axe_violations
):
    from tests import bombs

    cycle = open_cycle(attachment_max_mb=1, section_max_chars=20)
    english(context, live_server)
    nomination = start(cycle)
    sections = sections_of(nomination)
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")

    def refused_beside(key, message):
        """The refusal is under the control that was used, in view, and named by it."""
        control = page.locator(f"#file-{key}")
        error = page.locator(f"#file-error-{key}")
        expect(error).to_have_text(message)
        expect(error).to_be_in_viewport()
        expect(control).to_be_focused()
        expect(control).to_have_attribute("aria-describedby", f"file-help-{key} file-error-{key}")
        expect(page.locator(f"#file-error-{key}").locator("xpath=..")).to_have_attribute(
            "aria-live", "polite"
        )
        expect(page.locator(".message.error")).to_have_count(0)

    # An executable named .pdf.
    uploads = page.locator(f"#section-{sections[3].pk}")
    uploads.locator("input[type=file]").set_input_files(
        files=[
            {"name": "成果報告.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64}
        ]
    )
    uploads.get_by_role("button", name="Upload").click()
    refused_beside(
        sections[3].pk,
        "“成果報告.pdf” is not a PDF, JPEG, PNG, DOCX or XLSX file "
        "(checked by its content, not its name).",
    )
    # A zip bomb named .xlsx, in the same section.
    uploads.locator("input[type=file]").set_input_files(
        files=[
            {"name": "成果統計.xlsx", "mimeType": "application/zip", "buffer": bombs.ratio_bomb()}
        ]
    )
    uploads.get_by_role("button", name="Upload").click()
    refused_beside(
        sections[3].pk,
        "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed. It looks "
        "like a “zip bomb”, which would take the server down when opened. Save the document "
        "again from its program, or send a smaller one.",
    )
    assert axe_violations(page) == []
    page.screenshot(path=shot(page, "05-zip-bomb-refused-full").replace("-full", "-in-view"))
    # A PDF named .docx, for the whole dossier.
    page.locator("#file-dossier").set_input_files(
        files=[{"name": "服務說明.docx", "mimeType": "application/pdf", "buffer": bombs.PDF}]
    )
    page.locator("#attachments").get_by_role("button", name="Upload").click()
    refused_beside(
        "dossier",
        "“服務說明.docx” is a PDF document but its name ends in .docx. Rename it or choose the "
        "right file.",
    )
    # A real PNG over the 1 MB limit.
    big = tiny_png() + b"\x00" * (1024 * 1024 + 10)
    page.locator("#file-dossier").set_input_files(
        files=[{"name": "大張照片.png", "mimeType": "image/png", "buffer": big}]
    )
    page.locator("#attachments").get_by_role("button", name="Upload").click()
    refused_beside("dossier", "“大張照片.png” is 1.0 MB; each file may be at most 1 MB.")
    assert axe_violations(page) == []
    page.screenshot(path=shot(page, "06-big-file-refused-full").replace("-full", "-in-view"))
    assert not Attachment.objects.exists()

    # Too much text: the counter warns while typing; it is saved as a draft (nothing lost
    # on a reload) with how far over it is, and submitting refuses it.
    box = page.locator(f"#body-{sections[0].pk}")
    box.fill("一二三四五六七八九十一二三四五六七八九十𠀀")
    counter = page.locator(f"#count-{sections[0].pk}")
    expect(counter.locator("[data-count]")).to_have_text("21")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(page.locator(f"#status-{sections[0].pk}")).to_have_text(
        "Saved, but 1 character over the limit of 20: shorten it before you submit."
    )
    assert DossierSection.objects.get(pk=sections[0].pk).version == 1

    # Submitting with empty required sections names each one.
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="Submit the dossier").click()
    report = page.get_by_role("alert").filter(has_text="The dossier was not submitted")
    expect(report.get_by_role("heading")).to_have_text("The dossier was not submitted")
    expect(report.get_by_role("listitem")).to_have_text(
        [
            "“Agency profile”: Too long: 21 of 20 characters.",
            "“Contact person”: Required: not written yet.",
            "“Solution / Integrated solution”: Required: not written yet.",
            "“Actual effect / External benefit”: Required: not written yet.",
            "“Actual effect / Internal benefit”: Required: not written yet.",
            "“Actual effect / Cost reasonableness”: Required: not written yet.",
        ]
    )
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    assert not Submission.objects.exists()
    shot(page, "07-refusals")


def test_a_crafted_post_for_another_agencys_nomination_changes_nothing(
    live_server, context, sign_in
):
    cycle = open_cycle()
    theirs = nomination_start(
        actor=cycle.other_editor, agency=cycle.other_agency, category=cycle.category
    )
    target = sections_of(theirs)[0]
    mine = start(cycle)
    page = sign_in(cycle.editor, f"/cycle/nominations/{mine.pk}/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    for path, form in [
        (f"/cycle/nominations/{theirs.pk}/sections/{target.pk}/", {"body": "x", "version": "0"}),
        (f"/cycle/nominations/{theirs.pk}/submit/", {}),
        (f"/cycle/nominations/{theirs.pk}/withdraw/", {"reason": "x"}),
    ]:
        response = page.request.post(
            live_server.url + path,
            form={"csrfmiddlewaretoken": token, **form},
            headers={"Referer": page.url},
        )
        assert response.status == 404, path
    target.refresh_from_db()
    theirs.refresh_from_db()
    assert (target.body, target.version, theirs.state) == ("", 0, S.DRAFT)
    page.goto(live_server.url + f"/cycle/nominations/{theirs.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text(cycle.other_agency.name_zh)


def test_a_failed_autosave_says_so_instead_of_saved(live_server, context, sign_in):
    from django.contrib.sessions.models import Session

    cycle = open_cycle()
    english(context, live_server)
    nomination = start(cycle)
    section = sections_of(nomination)[0]
    page = sign_in(cycle.editor, f"/cycle/nominations/{nomination.pk}/")
    page.locator(f"#body-{section.pk}").fill("第一次")
    status = page.locator(f"#status-{section.pk}")
    expect(status).to_contain_text("Saved")
    Session.objects.all().delete()  # signed out elsewhere, or the session expired
    page.locator(f"#body-{section.pk}").fill("第二次")
    expect(status).to_have_text(
        "Not saved: the server could not be reached. Keep this page open and press Save."
    )
    expect(page.locator(f"#body-{section.pk}")).to_have_value("第二次")
    section.refresh_from_db()
    assert section.body == "第一次"
