"""Reading the polling firm's files: CSV (UTF-8, UTF-8 with BOM, Big5) or XLSX, and
validating their rows against the poll. No writes here: surveys.services applies them."""

from __future__ import annotations

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


def decode_csv(content: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 with BOM, then UTF-8, then Big5 (HKSCS)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("big5hkscs"), "big5"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8) or XLSX.")
        ) from exc


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # slow import: only when an XLSX arrives

    try:
        uploads.inspect_zip(content)  # a zip bomb is refused before openpyxl unpacks it
    except uploads.UploadRefused as refused:
        raise ImportFileError(refused.message) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The XLSX file cannot be opened.")) from exc
    sheet = workbook.worksheets[0]
    rows = [[_clean(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_table(content: bytes, filename: str) -> Table:
    if not content or not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        rows, fmt, encoding = _read_xlsx(content), "xlsx", ""
    else:
        text, encoding = decode_csv(content)
        first_line = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first_line.count)
        rows = [
            [c.strip() for c in row]
            for row in csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
        ]
        fmt = "csv"
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [h.strip() for h in rows[0]]
    if len(rows) == 1:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return Table(fmt, encoding, headers, rows[1:])


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
