"""agencies.uploads: the type of a file by its content, and ZIP archives refused before
any parser opens them when they would unpack to too much."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies import uploads
from tests import bombs

BOMB = (
    " It looks like a “zip bomb”, which would take the server down when opened. Save the "
    "document again from its program, or send a smaller one."
)
DAMAGED = (
    "This file is damaged or forged: the sizes in its table of contents do not match its "
    "content. Save it again from its program and upload the new copy."
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


def zipped(entries, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refusal(data, **kwargs):
    with pytest.raises(uploads.UploadRefused) as caught:
        uploads.detect(data, **kwargs)
    return caught.value.message


def test_types_by_content_not_by_name():
    assert uploads.detect(bombs.PDF) == "pdf"
    assert uploads.detect(PNG) == "png"
    assert uploads.detect(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpg"
    assert uploads.detect(bombs.xlsx([["code", "name_zh"]])) == "xlsx"
    assert uploads.detect(bombs.docx()) == "docx"
    pptx_types = bombs.XLSX_TYPES.replace("/xl/workbook.xml", "/ppt/presentation.xml").replace(
        "spreadsheetml.sheet", "presentationml.presentation"
    )
    assert uploads.detect(zipped({"[Content_Types].xml": pptx_types})) == "pptx"
    macro_types = bombs.XLSX_TYPES.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert uploads.detect(zipped({"[Content_Types].xml": macro_types})) == "xlsm"
    odt = zipped(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
        compression=zipfile.ZIP_STORED,
    )
    assert uploads.detect(odt) == "odt"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    assert uploads.detect(ole + "Workbook\x00".encode("utf-16-le")) == "xls"
    assert uploads.detect(ole + "WordDocument\x00".encode("utf-16-le")) == "doc"
    assert uploads.detect(ole) == "ole"
    assert uploads.detect(zipped({"evil.exe": b"MZ"})) == "zip"
    assert uploads.detect("code,name_zh\nTW-TXG,臺中市政府\n".encode()) == "text"
    assert uploads.detect("code,name_zh\nTW-TXG,臺中市政府\n".encode("big5")) == "text"
    assert uploads.detect(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 50) is None
    assert uploads.detect(b"") is None


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened():
    assert refusal(bombs.ratio_bomb()) == (
        "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed." + BOMB
    )


def test_a_highly_compressed_entry_under_the_total_limit_is_refused_for_its_ratio():
    assert refusal(bombs.ratio_bomb(50)) == (
        "This file was refused: its content is compressed more than 100 to 1." + BOMB
    )


def test_too_many_entries_are_refused():
    assert refusal(bombs.entries_bomb()) == (
        "This file was refused: it holds 2502 files; at most 2000 are allowed." + BOMB
    )


def test_a_header_that_lies_about_its_size_is_found_out_by_reading_the_stream():
    data = bombs.lying_bomb()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert declared == 1024
    assert refusal(data) == DAMAGED


def test_an_archive_inside_the_archive_is_refused():
    assert refusal(bombs.nested_bomb()) == (
        "This file was refused: it holds another archive (sheet1.xml) inside it." + BOMB
    )


def test_an_embedded_workbook_in_a_document_is_checked_against_the_same_budget(settings):
    assert uploads.detect(bombs.docx(embedded=bombs.xlsx([["a", 1]]))) == "docx"
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 150 * bombs.MB
    assert refusal(bombs.docx(embedded=bombs.ratio_bomb(50))) == (
        "This file was refused: its content is compressed more than 100 to 1." + BOMB
    )
    inner = bombs.docx(embedded=bombs.xlsx([["a", 1]]))
    assert refusal(bombs.docx(embedded=inner)).startswith(
        "This file was refused: it holds another archive (Microsoft_Excel_Worksheet.xlsx)"
    )


def test_limits_are_settings(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 3
    assert refusal(bombs.xlsx([["a"]])).startswith("This file was refused: it holds ")
    settings.UPLOAD_ZIP_MAX_ENTRIES = 2000
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1000
    assert refusal(bombs.xlsx([["a"]])).startswith("This file was refused: it would unpack to 0")


def test_an_encrypted_entry_is_refused():
    data = bytearray(zipped({"[Content_Types].xml": bombs.XLSX_TYPES}))
    # Set the "encrypted" flag in the central directory, as a password-protected ZIP has.
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    assert refusal(bytes(data)) == (
        "This file is encrypted (password-protected). Remove the password and upload it again."
    )


def test_check_upload_wants_the_name_to_agree_with_the_content():
    def check(name, content):
        try:
            return uploads.check_upload(
                SimpleUploadedFile(name, content),
                accept=("pdf", "docx", "xlsx"),
                max_bytes=bombs.MB,
                not_accepted="%(name)s: not taken.",
            )
        except uploads.UploadRefused as refused:
            return refused.message

    assert check("報告.docx", bombs.PDF) == (
        "“報告.docx” is a PDF document but its name ends in .docx. Rename it or choose the "
        "right file."
    )
    assert check("報告.pdf", bombs.docx()) == (
        "“報告.pdf” is a Word document (.docx) but its name ends in .pdf. Rename it or "
        "choose the right file."
    )
    assert check("表.xlsx", bombs.ratio_bomb()).startswith("This file was refused:")
    assert check("圖.png", PNG) == "圖.png: not taken."
    assert check("big.pdf", bombs.PDF + b"\x00" * bombs.MB) == (
        "“big.pdf” is 1.0 MB; each file may be at most 1 MB."
    )
    checked = check("C:\\Users\\me\\報告.PDF", bombs.PDF)
    assert (checked.name, checked.kind, checked.size) == ("報告.PDF", "pdf", len(bombs.PDF))
    assert check("表.xlsx", bombs.xlsx([["a"]])).kind == "xlsx"
    assert check("說明.docx", bombs.docx()).kind == "docx"


def test_check_import_refuses_bombs_and_a_misnamed_table_and_leaves_the_rest():
    def check(name, content):
        try:
            return uploads.check_import(content, name)
        except uploads.UploadRefused as refused:
            return refused.message

    assert check("agencies.xlsx", bombs.ratio_bomb()).startswith("This file was refused:")
    assert check("agencies.csv", bombs.xlsx([["a"]])) == (
        "“agencies.csv” is an Excel workbook (.xlsx) but its name ends in .csv. Rename it or "
        "choose the right file."
    )
    assert check("agencies.xlsx", b"code,name_zh\n") == (
        "“agencies.xlsx” is a text (CSV) file but its name ends in .xlsx. Rename it or "
        "choose the right file."
    )
    # Other types are the importer's to explain, in its own words.
    assert check("photo.csv", PNG) == "png"
    assert check("agencies.txt", b"code,name_zh\n") == "text"
    assert check("agencies.xlsx", bombs.xlsx([["a"]])) == "xlsx"
