import io
import re
import subprocess

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from agencies.models import AuditEntry
from awards.enums import NominationState as S
from awards.models import Attachment, DossierSection, Nomination, SectionRevision, Submission
from awards.services import (
    NominationError,
    SaveConflict,
    attachment_add,
    dossier_checklist,
    nomination_mark_eligibility,
    nomination_return,
    nomination_start,
    nomination_submit,
    nomination_transition,
    nomination_withdraw,
    nominations_recommend,
    section_save,
)
from tests.factories import closed_text, during, fill_dossier, open_cycle

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cycle():
    return open_cycle()


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def start(cycle):
    return nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)


def submitted(cycle, django_capture_on_commit_callbacks=None):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    return nomination


def test_start_builds_one_section_per_indicator_after_the_general_ones(cycle):
    nomination = start(cycle)
    headings = list(nomination.sections.values_list("heading_zh", "max_points", "required"))
    assert headings == [
        ("機關簡介", None, True),
        ("聯絡人", None, True),
        ("重要服務統計", None, False),
        ("解決方法／整合性解決方法", 300, True),
        ("實際效果／外部效益", 500, True),
        ("實際效果／內部效益", 100, True),
        ("實際效果／成本合理性", 100, True),
    ]
    assert nomination.state == S.DRAFT
    entry = AuditEntry.objects.get(action="nomination.start")
    assert (entry.actor, entry.to_state) == (cycle.editor, "draft")


def test_start_is_refused_outside_the_nomination_stage_in_the_editions_time_zone(en):
    cycle = open_cycle(nomination=(-10, -1))
    with pytest.raises(NominationError) as info:
        start(cycle)
    assert info.value.messages == [closed_text(cycle.edition)]
    assert not Nomination.objects.exists()


def test_one_nomination_per_agency_per_category_unless_allowed(cycle, en):
    start(cycle)
    with pytest.raises(NominationError) as info:
        start(cycle)
    assert "already has a nomination" in info.value.messages[0]
    cycle.category.nominations_per_agency = 2
    cycle.category.save()
    start(cycle)
    assert Nomination.objects.filter(agency=cycle.agency).count() == 2


def test_a_stale_save_is_refused_and_both_texts_are_kept(cycle):
    nomination = start(cycle)
    section = nomination.sections.get(order=1)
    section_save(actor=cycle.editor, section=section, body="甲的版本", based_on_version=0)
    with pytest.raises(SaveConflict) as info:
        section_save(actor=cycle.editor2, section=section, body="乙的版本", based_on_version=0)
    assert info.value.current_body == "甲的版本"
    assert info.value.your_body == "乙的版本"
    section.refresh_from_db()
    assert (section.body, section.version) == ("甲的版本", 1)
    kept = list(section.revisions.order_by("id").values_list("body", "accepted", "saved_by"))
    assert kept == [("甲的版本", True, cycle.editor.pk), ("乙的版本", False, cycle.editor2.pk)]


def test_a_replayed_autosave_of_the_same_text_is_not_a_conflict(cycle):
    section = start(cycle).sections.get(order=1)
    section_save(actor=cycle.editor, section=section, body="同一段文字", based_on_version=0)
    again = section_save(actor=cycle.editor, section=section, body="同一段文字", based_on_version=0)
    assert again.version == 1
    assert SectionRevision.objects.filter(section=section).count() == 1


def test_chinese_characters_count_one_each_against_the_limit(en):
    cycle = open_cycle(section_max_chars=10)
    section = start(cycle).sections.get(order=1)
    section_save(
        actor=cycle.editor, section=section, body="服務品質獎𠀀十個字好", based_on_version=0
    )
    section.refresh_from_db()
    assert section.version == 1
    assert dossier_checklist(section.nomination)[0]["problem"] == ""
    # Over the limit: saved as a draft (nothing is lost), refused by the checklist.
    section_save(
        actor=cycle.editor, section=section, body="服務品質獎十一個字超過了", based_on_version=1
    )
    section.refresh_from_db()
    assert (section.body, section.version) == ("服務品質獎十一個字超過了", 2)
    assert dossier_checklist(section.nomination)[0]["problem"] == "Too long: 12 of 10 characters."


def test_the_pdf_snapshot_labels_are_translated_not_hard_coded(
    cycle, django_capture_on_commit_callbacks, tmp_path, en
):
    """The snapshot is an official document in Chinese whatever the editor's language;
    its labels come from the catalogue (no string left in the template untranslated)."""
    from tests import bombs

    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    optional = nomination.sections.get(required=False)
    section_save(actor=cycle.editor, section=optional, body="", based_on_version=optional.version)
    attachment_add(
        actor=cycle.editor,
        nomination=nomination,
        upload=SimpleUploadedFile("服務說明.pdf", bombs.PDF, content_type="application/pdf"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission = nomination_submit(actor=cycle.editor, nomination=nomination)
    path = tmp_path / "snapshot.pdf"
    with submission.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    # The title (pdftotext splits it at the ideographic space, or not, as the edition's
    # number is long or short), never the English msgid.
    assert any(line.split()[-1] == "自薦書" for line in lines)
    assert "self-nomination dossier" not in text
    for label in ("參獎機關", "參獎類別", "版次", "附件", "檔名", "類型", "大小", "SHA-256"):
        assert label in lines, label
    assert "第 1 版，" in text and " 送出" in text
    assert "評核重點：" in text
    assert "（未填寫）" in text
    assert re.search(r"\d+ 分", text)
    assert "服務說明.pdf" in text
    for english in ("Nominating agency", "Award category", "Version", "Focus points", "File"):
        assert english not in text
    # For a person to look at: the first page as a PNG beside the test's other output.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), tmp_path / "page"],
        check=True,
    )


def test_submit_refuses_an_incomplete_dossier_naming_each_empty_required_section(cycle, en):
    nomination = start(cycle)
    section_save(
        actor=cycle.editor,
        section=nomination.sections.get(order=1),
        body="簡介",
        based_on_version=0,
    )
    with pytest.raises(NominationError) as info:
        nomination_submit(actor=cycle.editor, nomination=nomination)
    assert info.value.messages == [
        "“Contact person”: Required: not written yet.",
        "“Solution / Integrated solution”: Required: not written yet.",
        "“Actual effect / External benefit”: Required: not written yet.",
        "“Actual effect / Internal benefit”: Required: not written yet.",
        "“Actual effect / Cost reasonableness”: Required: not written yet.",
    ]
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    assert not Submission.objects.exists()
    checklist = dossier_checklist(nomination)
    assert [i["ok"] for i in checklist] == [True, False, True, False, False, False, False]


def test_submit_locks_records_the_version_and_a_pdf_with_chinese_text(
    cycle, django_capture_on_commit_callbacks, tmp_path
):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    with django_capture_on_commit_callbacks(execute=True):
        submission = nomination_submit(actor=cycle.editor, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED
    assert submission.version == 1
    assert [s["heading_zh"] for s in submission.content["sections"]][
        3
    ] == "解決方法／整合性解決方法"
    with submission.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == submission.pdf_sha256
    path = tmp_path / "snapshot.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "臺北市中山區戶政事務所" in text
    assert "本機關推動便民服務，成效良好。" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert embedded and all("Noto-Sans-CJK" in name for name in embedded), fonts
    # e-mail after commit, one to each: the editors and the competent authority's officer
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cycle.editor.email, cycle.editor2.email, cycle.officer.email]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert all("臺北市中山區戶政事務所" in m.subject for m in mail.outbox)
    entry = AuditEntry.objects.get(action="nomination.transition")
    assert (entry.actor, entry.from_state, entry.to_state) == (cycle.editor, "draft", "submitted")
    # locked: no more edits
    with pytest.raises(NominationError):
        section_save(
            actor=cycle.editor, section=nomination.sections.first(), body="改", based_on_version=1
        )


def test_a_second_submission_is_refused_and_leaves_one(cycle, en):
    nomination = submitted(cycle)
    stale_copy = Nomination.objects.get(pk=nomination.pk)
    stale_copy.state = S.DRAFT  # as a second tab still believes
    with pytest.raises(NominationError) as info:
        nomination_submit(actor=cycle.editor, nomination=stale_copy)
    assert info.value.messages == ["This dossier has already been submitted (it is “Submitted”)."]
    assert Submission.objects.filter(nomination=nomination).count() == 1


def test_authority_returns_editor_fixes_and_resubmits_then_recommends(cycle):
    nomination = submitted(cycle)
    with during(cycle.edition, "recommendation"):
        with pytest.raises(NominationError):
            nomination_return(
                actor=cycle.officer, nomination=nomination, authority=cycle.authority, reason=""
            )
        nomination_return(
            actor=cycle.officer,
            nomination=nomination,
            authority=cycle.authority,
            reason="請補充成本資料",
        )
        nomination.refresh_from_db()
        assert (nomination.state, nomination.state_reason) == (S.RETURNED, "請補充成本資料")
        section = nomination.sections.get(order=7)
        section_save(
            actor=cycle.editor,
            section=section,
            body="成本合理性：已補充",
            based_on_version=section.version,
        )
        second = nomination_submit(actor=cycle.editor, nomination=nomination)
        assert second.version == 2
        nominations_recommend(
            actor=cycle.officer,
            authority=cycle.authority,
            edition=cycle.edition,
            ranking=[nomination.pk],
        )
        nomination.refresh_from_db()
        assert (nomination.state, nomination.recommendation_rank) == (S.RECOMMENDED, 1)
    with during(cycle.edition, "eligibility_check"):
        nomination_mark_eligibility(actor=cycle.secretariat, nomination=nomination, eligible=True)
    nomination.refresh_from_db()
    assert nomination.state == S.ELIGIBLE
    trail = list(
        AuditEntry.objects.filter(action="nomination.transition")
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert trail == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "recommended"),
        ("recommended", "eligible"),
    ]


def test_recommendation_over_the_quota_changes_nothing(en):
    cycle = open_cycle(quota=1)
    first = submitted(cycle)
    cycle.category.nominations_per_agency = 2
    cycle.category.save()
    second = submitted(cycle)
    with during(cycle.edition, "recommendation"), pytest.raises(NominationError) as info:
        nominations_recommend(
            actor=cycle.officer,
            authority=cycle.authority,
            edition=cycle.edition,
            ranking=[second.pk, first.pk],
        )
    assert info.value.messages == ["You recommended 2 nominations; the quota is 1."]
    assert set(Nomination.objects.values_list("state", flat=True)) == {S.SUBMITTED}


def test_an_authority_cannot_recommend_another_authoritys_nominations(cycle, en):
    nomination = submitted(cycle)
    with pytest.raises(NominationError):
        nominations_recommend(
            actor=cycle.other_officer,
            authority=cycle.other_authority,
            edition=cycle.edition,
            ranking=[nomination.pk],
        )
    with pytest.raises(NominationError):
        nomination_return(
            actor=cycle.other_officer,
            nomination=nomination,
            authority=cycle.other_authority,
            reason="x",
        )
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


def test_reranking_and_unranking(cycle):
    cycle.category.nominations_per_agency = 2
    cycle.category.save()
    a, b = submitted(cycle), submitted(cycle)
    with during(cycle.edition, "recommendation"):
        nominations_recommend(
            actor=cycle.officer,
            authority=cycle.authority,
            edition=cycle.edition,
            ranking=[a.pk, b.pk],
        )
        nominations_recommend(
            actor=cycle.officer, authority=cycle.authority, edition=cycle.edition, ranking=[b.pk]
        )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.state, a.recommendation_rank) == (S.SUBMITTED, None)
    assert (b.state, b.recommendation_rank) == (S.RECOMMENDED, 1)


def test_without_recommendation_submission_goes_straight_to_the_secretariat():
    cycle = open_cycle(uses_recommendation=False)
    nomination = submitted(cycle)
    with during(cycle.edition, "eligibility_check"):
        nomination_mark_eligibility(
            actor=cycle.secretariat, nomination=nomination, eligible=False, reason="不符參獎資格"
        )
    nomination.refresh_from_db()
    assert (nomination.state, nomination.state_reason) == (S.INELIGIBLE, "不符參獎資格")


def test_eligible_needs_a_recommendation_when_the_edition_uses_them(cycle):
    nomination = submitted(cycle)
    with pytest.raises(NominationError):
        nomination_mark_eligibility(actor=cycle.secretariat, nomination=nomination, eligible=True)
    with pytest.raises(NominationError):
        nomination_mark_eligibility(
            actor=cycle.secretariat, nomination=nomination, eligible=False, reason="  "
        )
    nomination.refresh_from_db()
    assert nomination.state == S.SUBMITTED


def test_transitions_outside_the_table_are_refused(cycle, en):
    nomination = start(cycle)
    with pytest.raises(NominationError) as info:
        nomination_transition(nomination=nomination, to_state=S.ELIGIBLE, actor=cycle.secretariat)
    assert info.value.messages == ["A nomination that is “Draft” cannot become “Eligible”."]


def test_withdraw_before_written_review_but_not_after(en):
    cycle = open_cycle()
    nomination = start(cycle)
    nomination_withdraw(actor=cycle.editor, nomination=nomination, reason="本年度不參加")
    nomination.refresh_from_db()
    assert nomination.state == S.WITHDRAWN
    late = open_cycle(written_review=(-1, 30), recommendation=(-3, -2))
    nomination = nomination_start(actor=late.editor, agency=late.agency, category=late.category)
    with pytest.raises(NominationError) as info:
        nomination_withdraw(actor=late.editor, nomination=nomination)
    assert "can no longer be withdrawn" in info.value.messages[0]


def test_editing_after_the_deadline_is_refused(en):
    cycle = open_cycle()
    nomination = start(cycle)
    stage = cycle.edition.stages.get(kind="nomination")
    stage.starts_on, stage.ends_on = cycle.day(-10), cycle.day(-1)
    stage.save()
    section = nomination.sections.first()
    with pytest.raises(NominationError) as info:
        section_save(actor=cycle.editor, section=section, body="遲交", based_on_version=0)
    assert info.value.messages == [closed_text(cycle.edition)]
    assert DossierSection.objects.get(pk=section.pk).body == ""


def test_attachments_are_checked_by_content_and_size(en):
    cycle = open_cycle(attachment_max_mb=1, dossier_attachments_max_mb=2)
    nomination = start(cycle)
    fake = SimpleUploadedFile("成果報告.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(NominationError) as info:
        attachment_add(actor=cycle.editor, nomination=nomination, upload=fake)
    assert info.value.messages == [
        "“成果報告.pdf” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its content, "
        "not its name)."
    ]
    big = SimpleUploadedFile("大檔案.png", PNG + b"\x00" * (1024 * 1024))
    with pytest.raises(NominationError) as info:
        attachment_add(actor=cycle.editor, nomination=nomination, upload=big)
    assert info.value.messages == ["“大檔案.png” is 1.0 MB; each file may be at most 1 MB."]
    assert not Attachment.objects.exists()

    good = attachment_add(
        actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile("服務流程圖.png", PNG)
    )
    assert (good.original_name, good.file_type, good.size) == ("服務流程圖.png", "png", len(PNG))
    assert good.file.name.startswith(f"dossiers/{nomination.pk}/")
    assert good.file.name.endswith(".png") and "服務" not in good.file.name
    # A name that disagrees with the content is refused, not stored under another name.
    for misnamed, message in (
        (
            "x.bin",
            "“x.bin” is a PDF document but its name ends in .bin. Rename it or choose the "
            "right file.",
        ),
        (
            "報告.docx",
            "“報告.docx” is a PDF document but its name ends in .docx. Rename it or choose "
            "the right file.",
        ),
        (
            "報告",
            "“報告” is a PDF document but its name has no extension. Rename it to end in "
            ".pdf, or choose the right file.",
        ),
    ):
        with pytest.raises(NominationError) as info:
            attachment_add(
                actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile(misnamed, PDF)
            )
        assert info.value.messages == [message]
    assert Attachment.objects.count() == 1
    pdf = attachment_add(
        actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile("x.PDF", PDF)
    )
    assert (pdf.file_type, pdf.original_name) == ("pdf", "x.PDF")
    for _ in range(2):
        attachment_add(
            actor=cycle.editor,
            nomination=nomination,
            upload=SimpleUploadedFile("p.png", PNG + b"\x00" * 900_000),
        )
    with pytest.raises(NominationError) as info:
        attachment_add(
            actor=cycle.editor,
            nomination=nomination,
            upload=SimpleUploadedFile("q.png", PNG + b"\x00" * 900_000),
        )
    assert "the limit is 2 MB" in info.value.messages[0]


def test_office_documents_are_told_apart_from_other_zip_files():
    import zipfile

    from awards import filetypes

    def zipped(names):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name in names:
                z.writestr(name, "x")
        buf.seek(0)
        return buf

    assert filetypes.detect(zipped(["[Content_Types].xml", "word/document.xml"])) == "docx"
    assert filetypes.detect(zipped(["[Content_Types].xml", "xl/workbook.xml"])) == "xlsx"
    assert filetypes.detect(zipped(["evil.exe"])) is None
    assert filetypes.detect(io.BytesIO(b"\x7fELF\x02\x01")) is None
    assert filetypes.detect(io.BytesIO(b"\xff\xd8\xff\xe0JFIF")) == "jpg"


def test_removing_a_file_an_earlier_version_cites_keeps_it_for_that_version(cycle):
    from awards.services import attachment_remove

    nomination = start(cycle)
    cited = attachment_add(
        actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile("流程圖.png", PNG)
    )
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    with during(cycle.edition, "recommendation"):
        nomination_return(
            actor=cycle.officer,
            nomination=nomination,
            authority=cycle.authority,
            reason="請更換流程圖",
        )
        fresh = attachment_add(
            actor=cycle.editor,
            nomination=nomination,
            upload=SimpleUploadedFile("新流程圖.png", PNG),
        )
        attachment_remove(actor=cycle.editor, attachment=cited)
        attachment_remove(actor=cycle.editor, attachment=fresh)
        cited.refresh_from_db()
        assert cited.removed_at is not None
        assert cited.file.storage.exists(cited.file.name)  # version 1 still cites it
        assert not Attachment.objects.filter(pk=fresh.pk).exists()  # never submitted: gone
        second = nomination_submit(actor=cycle.editor, nomination=nomination)
    assert second.content["attachments"] == []
    first = nomination.submissions.get(version=1)
    assert [a["name"] for a in first.content["attachments"]] == ["流程圖.png"]
