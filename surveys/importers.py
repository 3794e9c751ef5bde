"""Reading the polling firm's files: CSV (UTF-8, UTF-8 with BOM, Big5) or XLSX, and
validating their rows against the poll. No writes here: surveys.services applies them."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import uploads

from .enums import AAPOR_CODES, Disposition, ImportKind

# The hard ceiling for one uploaded file (a 4,500-household file is about 300 kB).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
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
CODECS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "big5": "big5hkscs"}


def _not_text() -> ImportFileError:
    return ImportFileError(
        _("The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8) or XLSX.")
    )


def decode_csv(content: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 with BOM, then UTF-8, then Big5 (HKSCS)."""
    encoding = detect_encoding(content)
    return content.decode(CODECS[encoding]).removeprefix("\ufeff"), encoding


def _decodes(content, codec: str, *, prefix: bool) -> bool:
    """Whether the content (or its first ENCODING_PREFIX bytes, a character cut at the
    end allowed) decodes, a chunk at a time: no decoded copy of the file is kept."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(content)
    stop = min(len(view), ENCODING_PREFIX) if prefix else len(view)
    try:
        for start in range(0, stop, CHUNK):
            decoder.decode(view[start : min(start + CHUNK, stop)], final=False)
        if not prefix or stop == len(view):
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(content, *, prefix: bool = False) -> str:
    """The encoding name of a CSV: "utf-8-sig", "utf-8" or "big5", judged on the whole
    file, or with prefix=True on its first ENCODING_PREFIX bytes (the upload request)."""
    if bytes(content[:3]) == b"\xef\xbb\xbf":
        return "utf-8-sig"
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
    return bytes(content[:4]) == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


class RowStream:
    """The non-blank rows of a file (the header first), one at a time, as lists of
    stripped strings: a csv reader over the stored bytes, or openpyxl's read-only
    iter_rows. `fraction()` says how far the reading has got (0..1), for progress."""

    def __init__(self, content, filename: str, *, encoding: str = ""):
        if not content:
            raise ImportFileError(_("The file is empty."))
        self.content = content
        self.file_format = "xlsx" if _is_xlsx(content, filename) else "csv"
        self.encoding = ""
        self._workbook = None
        self._done = 0
        self._total = 0
        if self.file_format == "xlsx":
            self._rows = self._open_xlsx()
        else:
            self.encoding = encoding or detect_encoding(content, prefix=True)
            self._rows = self._open_csv()

    def _open_csv(self):
        self._raw = io.BytesIO(self.content)
        self._total = len(self.content)
        text = io.TextIOWrapper(self._raw, encoding=CODECS[self.encoding], newline="")
        first_line = text.readline()
        delimiter = max([",", ";", "\t"], key=first_line.count)
        text.seek(0)
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
        try:
            self._workbook = load_workbook(io.BytesIO(self.content), read_only=True, data_only=True)
            sheet = self._workbook.worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
        self._total = sheet.max_row or 0  # from the sheet's dimension, when it declares one
        return ([_clean(v) for v in row] for row in sheet.iter_rows(values_only=True))

    def __iter__(self):
        try:
            for row in self._rows:
                self._done += 1
                if any(c for c in row):
                    yield row
        finally:
            self.close()

    def fraction(self) -> float:
        if not self._total:
            return 0.0
        done = self._raw.tell() if self.file_format == "csv" else self._done
        return min(1.0, done / self._total)

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None


def read_header(content, filename: str) -> Header:
    """The header of a file, reading only its first rows (the upload request): the rest
    is read by the background job. A file with no data row under the header is refused."""
    stream = RowStream(content, filename)
    rows = iter(stream)
    try:
        header = next(rows, None)
        if header is None:
            raise ImportFileError(_("The file is empty."))
        if next(rows, None) is None:
            raise ImportFileError(_("The file has a header row but no data rows."))
    finally:
        stream.close()
    return Header(stream.file_format, stream.encoding, [h.strip() for h in header])


def read_table(content: bytes, filename: str) -> Table:
    """A whole (small) file in memory: for tests and the shell. Imports stream it."""
    header = read_header(content, filename)
    rows = list(RowStream(content, filename))
    return Table(header.file_format, header.encoding, header.headers, rows[1:])


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
