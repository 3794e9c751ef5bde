"""Files that must be refused, built in memory: zip bombs dressed as Office documents,
and real small documents that must be accepted."""

from __future__ import annotations

import functools
import io
import struct
import zipfile

MB = 1024 * 1024

XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCX_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>服務流程說明</w:t></w:r></w:p></w:body></w:document>"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _xlsx_shell(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", XLSX_TYPES)
    archive.writestr("xl/workbook.xml", "<workbook/>")


@functools.cache
def ratio_bomb(megabytes: int = 200) -> bytes:
    """A few hundred kB that claim to be a workbook and unpack to `megabytes` of zeros
    (about 1,000 to 1), with honest headers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _xlsx_shell(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * MB
            for _ in range(megabytes):
                entry.write(block)
    return buffer.getvalue()


@functools.cache
def entries_bomb(count: int = 2500) -> bytes:
    """A workbook with thousands of tiny entries (each costs a parser a file handle)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _xlsx_shell(archive)
        for number in range(count):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    return buffer.getvalue()


@functools.cache
def lying_bomb() -> bytes:
    """A workbook whose sheet says (in both headers) it unpacks to 1 kB, but its
    compressed stream holds 30 MB: only reading the stream finds out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _xlsx_shell(archive)
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (5 * MB))
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local header
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == info.filename.encode():
            struct.pack_into("<I", data, central + 24, 1024)  # central directory
            break
        central = data.find(b"PK\x01\x02", central + 4)
    else:  # pragma: no cover - the archive was just written
        raise AssertionError("central directory entry not found")
    return bytes(data)


@functools.cache
def nested_bomb() -> bytes:
    """A workbook carrying another ZIP archive as one of its parts."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("payload.txt", "x")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _xlsx_shell(archive)
        archive.writestr("xl/worksheets/sheet1.xml", inner.getvalue())
    return buffer.getvalue()


def xlsx(rows) -> bytes:
    """A real workbook, written by openpyxl, with the rows on its first sheet."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx(*, embedded: bytes | None = None) -> bytes:
    """A small real Word document (opens in Word and LibreOffice); `embedded`, if given,
    is stored as the workbook behind a chart, as Word does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", DOCX_BODY)
        if embedded is not None:
            archive.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", embedded)
    return buffer.getvalue()
