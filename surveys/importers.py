"""Reading the polling firm's files: CSV (UTF-8, UTF-8 with BOM, Big5) or XLSX, and
validating their rows against the poll. No writes here: surveys.services applies them."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import uploads

from .enums import AAPOR_CODES, Disposition, ImportKind

# The hard ceiling for one uploaded file (a 4,500-household file is about 300 kB; a
# million responses about 22 MB). Uploads stream to disk and the job reads them a buffer
# at a time, so the ceiling is the disk's, not the memory's.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024
SUGGESTION_MAX_CHARS = 2000


def import_max_bytes() -> int:
    return getattr(settings, "SURVEYS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the person uploading."""


# Fields each kind of file can fill, in order; True = required.
FIELDS = {
    ImportKind.SAMPLE: [("household_id", True), ("stratum", False), ("phone", False)],
    ImportKind.RESPONSES: [
        ("household_id", True),
        ("disposition", True),
        ("agency_code", False),
        ("suggestion", False),
        ("callback_at", False),
    ],
}

FIELD_LABELS = {
    "household_id": gettext_lazy("Household id"),
    "stratum": gettext_lazy("Stratum (district) code"),
    "phone": gettext_lazy("Telephone number (hashed, never stored)"),
    "disposition": gettext_lazy("Disposition"),
    "agency_code": gettext_lazy("Vote (agency code)"),
    "suggestion": gettext_lazy("Suggestion"),
    "callback_at": gettext_lazy("Call back at"),
}

ALIASES = {
    "household_id": {"household_id", "household", "hh_id", "hhid", "住戶編號", "住戶", "戶號"},
    "stratum": {"stratum", "district", "地區", "區", "分層"},
    "phone": {"phone", "tel", "telephone", "電話", "電話號碼"},
    "disposition": {"disposition", "result", "outcome", "結果", "訪問結果"},
    "agency_code": {"agency_code", "vote", "department", "部門", "部門代碼", "投票"},
    "suggestion": {"suggestion", "comment", "comments", "建議", "意見"},
    "callback_at": {"callback_at", "callback", "回電時間"},
}


@dataclass
class Table:
    file_format: str
    encoding: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Header:
    """What the upload request learns from the first rows of a file: its format, the
    encoding of a CSV, and the column names."""

    file_format: str
    encoding: str
    headers: list[str]


ENCODING_PREFIX = 64 * 1024  # bytes of a CSV the upload request decodes to guess its encoding
CHUNK = 1024 * 1024  # bytes decoded at a time when the job checks a whole CSV
UTF8_BOM = b"\xef\xbb\xbf"
# Encoding name -> (codec, bytes to skip). "big5-bom": Big5 text behind a UTF-8 byte
# order mark, as some polling firms' exports write it (Excel adds the mark, the text
# stays Big5): read as Big5 after the mark.
CODECS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "big5": "big5hkscs", "big5-bom": "big5hkscs"}
SKIP = {"big5-bom": len(UTF8_BOM)}


def _not_text() -> ImportFileError:
    return ImportFileError(
        _("The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8) or XLSX.")
    )


def _binary(source):
    """A seekable binary file object for bytes, a memoryview or a file (left as it is)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    return source


def _prefix(source, size: int) -> bytes:
    source = _binary(source)
    source.seek(0)
    data = source.read(size)
    source.seek(0)
    return data


def decode_csv(content: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 with BOM, then UTF-8, then Big5 (HKSCS)."""
    encoding = detect_encoding(content)
    body = bytes(content)[SKIP.get(encoding, 0) :]
    return body.decode(CODECS[encoding]).removeprefix("\ufeff"), encoding


def _decodes(source, codec: str, *, prefix: bool, skip: int = 0) -> bool:
    """Whether the content (or its first ENCODING_PREFIX bytes, a character cut at the
    end allowed) decodes, a chunk at a time: no decoded copy of the file is kept."""
    source = _binary(source)
    decoder = codecs.getincrementaldecoder(codec)()
    source.seek(skip)
    left = ENCODING_PREFIX if prefix else None
    try:
        while True:
            chunk = source.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                break
            decoder.decode(chunk, final=False)
            if left is not None:
                left -= len(chunk)
                if left <= 0:
                    return True  # the prefix decodes; the job reads the rest
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        source.seek(0)
    return True


def detect_encoding(content, *, prefix: bool = False) -> str:
    """The encoding name of a CSV: "utf-8-sig", "utf-8", "big5" or "big5-bom", judged on
    the whole file, or with prefix=True on its first ENCODING_PREFIX bytes (the upload
    request). `content` is bytes or a binary file."""
    if _prefix(content, 3) == UTF8_BOM:
        if _decodes(content, "utf-8", prefix=prefix, skip=3):
            return "utf-8-sig"
        if _decodes(content, CODECS["big5"], prefix=prefix, skip=3):
            return "big5-bom"
        raise _not_text()
    for name in ("utf-8", "big5"):
        if _decodes(content, CODECS[name], prefix=prefix):
            return name
    raise _not_text()


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_xlsx(content, filename: str) -> bool:
    return _prefix(content, 4) == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


class RowStream:
    """The non-blank rows of a file (the header first), one at a time, as lists of
    stripped strings: a csv reader over the stored file (bytes or a binary file, read a
    buffer at a time), or openpyxl's read-only iter_rows. `fraction()` says how far the
    reading has got (0..1), for progress."""

    def __init__(self, content, filename: str, *, encoding: str = ""):
        content = _binary(content)
        if not _prefix(content, 1):
            raise ImportFileError(_("The file is empty."))
        self.content = content
        self.file_format = "xlsx" if _is_xlsx(content, filename) else "csv"
        self.encoding = ""
        self._workbook = None
        self._done = 0
        self._total = 0
        self.header_row = 0  # the header's row number in the file (1 unless blank rows lead)
        if self.file_format == "xlsx":
            self._rows = self._open_xlsx()
        else:
            self.encoding = encoding or detect_encoding(content, prefix=True)
            self._rows = self._open_csv()

    def _open_csv(self):
        raw = self.content
        self._total = raw.seek(0, io.SEEK_END)
        raw.seek(SKIP.get(self.encoding, 0))
        self._raw = raw
        text = io.TextIOWrapper(raw, encoding=CODECS[self.encoding], newline="")
        try:
            first_line = text.readline()
        except UnicodeDecodeError:
            raise _not_text() from None
        delimiter = max([",", ";", "\t"], key=first_line.count)
        text.detach()  # the file stays open for the reader below
        raw.seek(SKIP.get(self.encoding, 0))
        text = io.TextIOWrapper(raw, encoding=CODECS[self.encoding], newline="")
        self._text = text
        reader = csv.reader(text, csv.excel, delimiter=delimiter)

        def rows():
            try:
                for row in reader:
                    yield [c.strip() for c in row]
            except UnicodeDecodeError:
                raise _not_text() from None

        return rows()

    def _open_xlsx(self):
        from openpyxl import load_workbook  # slow import: only when an XLSX arrives

        try:
            uploads.inspect_zip(self.content)  # a zip bomb is refused before openpyxl unpacks it
        except uploads.UploadRefused as refused:
            raise ImportFileError(refused.message) from None
        self.content.seek(0)
        try:
            self._workbook = load_workbook(self.content, read_only=True, data_only=True)
            sheet = self._workbook.worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
        self._sheet = sheet
        self._total = sheet.max_row or 0  # from the sheet's dimension, when it declares one
        return ([_clean(v) for v in row] for row in sheet.iter_rows(values_only=True))

    def merged_header_cells(self) -> list[str]:
        """The merged ranges (like "B1:C1") that touch the header row of an XLSX: read
        in read-only mode, a merged header names only its first column, so the others
        would silently lose their name (and their data)."""
        if self.file_format != "xlsx" or not self.header_row:
            return []
        from agencies.importers import xlsx_merged_ranges

        with self._workbook._archive.open(self._sheet._worksheet_path) as xml:
            ranges = xlsx_merged_ranges(xml)
        return [ref for ref, first, last in ranges if first <= self.header_row <= last]

    def __iter__(self):
        try:
            for row in self._rows:
                self._done += 1
                if any(c for c in row):
                    if not self.header_row:
                        self.header_row = self._done
                    yield row
        finally:
            self.close()

    def fraction(self) -> float:
        if not self._total:
            return 0.0
        done = self._raw.tell() if self.file_format == "csv" else self._done
        return min(1.0, done / self._total)

    def close(self) -> None:
        text = getattr(self, "_text", None)
        if text is not None:
            self._text = None
            try:
                text.detach()  # the stored file stays open: it is its owner's to close
            except ValueError:
                pass  # already detached
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None


def header_problem(stream: RowStream, header: list[str]) -> str:
    """Why a header row cannot be mapped as it is ("" if it can): merged cells, or two
    columns with the same name (one would hide the other)."""
    merged = stream.merged_header_cells()
    if merged:
        return _(
            "The header row has merged cells (%(cells)s): each column needs its own name, "
            "or its data would be lost. Unmerge the cells, name every column, and upload "
            "the file again."
        ) % {"cells": ", ".join(merged)}
    seen, twice = set(), []
    for name in header:
        if name and name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        return _(
            "Two columns have the same name (%(names)s): give each column its own name and "
            "upload the file again."
        ) % {"names": ", ".join(twice)}
    return ""


def read_header(content, filename: str) -> Header:
    """The header of a file, reading only its first rows (the upload request): the rest
    is read by the background job. A file with no data row under the header is refused,
    and so is a header whose columns cannot all be told apart."""
    stream = RowStream(content, filename)
    rows = iter(stream)
    try:
        header = next(rows, None)
        if header is None:
            raise ImportFileError(_("The file is empty."))
        if next(rows, None) is None:
            raise ImportFileError(_("The file has a header row but no data rows."))
        header = [h.strip() for h in header]
        problem = header_problem(stream, header)
        if problem:
            raise ImportFileError(problem)
    finally:
        stream.close()
    return Header(stream.file_format, stream.encoding, header)


def read_table(content: bytes, filename: str) -> Table:
    """A whole (small) file in memory: for tests and the shell. Imports stream it."""
    header = read_header(content, filename)
    rows = list(RowStream(content, filename))
    return Table(header.file_format, header.encoding, header.headers, rows[1:])


def normalise_code(value: str) -> str:
    """An agency code as the system writes it: NFKC (full-width look-alikes such as
    ＨＫ－ＩＭＭＤ become HK-IMMD), upper case, no surrounding spaces."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    mapping = {}
    lowered = {h.strip().lower(): h for h in headers}
    for name, _required in FIELDS[kind]:
        for alias in ALIASES[name]:
            if alias.lower() in lowered:
                mapping[name] = lowered[alias.lower()]
                break
    return mapping


def parse_disposition(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    lowered = value.lower().replace("-", "_").replace(" ", "_")
    for d in Disposition:
        if lowered == d.value:
            return d.value
    for d, code in AAPOR_CODES.items():
        if value == code or value.rstrip("0") == code.rstrip("0"):
            return d.value
    from django.utils import translation

    for lang in ("zh-hant", "en"):
        with translation.override(lang):
            for d in Disposition:
                if value.lower() == str(d.label).lower():
                    return d.value
    return None


def parse_datetime(value: str, tz) -> datetime.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M"):
        try:
            naive = datetime.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive, tz)
    return None


def row_error_text(error: dict) -> str:
    """A stored row error in the reader's language."""
    msgid = error.get("msgid")
    if not msgid:
        return error.get("message", "")
    text = _(msgid)
    params = error.get("params") or {}
    return text % params if params else text
