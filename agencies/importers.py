"""Agency list import: a CSV (UTF-8) or XLSX file in, every row or nothing out.

`import_agencies()` reads the file, checks every row and the links between rows, and
only when nothing is wrong writes all of it in one transaction with one audit entry.
Otherwise it raises AgencyImportError with every problem found, each naming the row as a
spreadsheet shows it (the header is row 1) and the column. It knows nothing of HTTP, so
the import page (through a background job: `agency_import_start()` stores the file and
queues a workflow.Job that `agency_import_handler()` runs) and `manage.py import_agencies`
share it.

A ZIP-based file is inspected by agencies.uploads before openpyxl opens it: a zip bomb is
refused as a problem of the whole file.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from workflow import jobs

from . import uploads
from .enums import AgencyType
from .models import Agency, AgencyImportJob
from .services import audit_record, path_segment

COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "agency_type",
    "parent_code",
    "is_competent_authority",
    "is_active",
)
REQUIRED = ("code", "name_zh")
BOOLEAN_DEFAULTS = {"is_competent_authority": False, "is_active": True}
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "否"})

# Files people rename to .csv by mistake, by their first bytes.
SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!", "RAR"),
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other old Office files
UTF8_BOM = b"\xef\xbb\xbf"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
VALUE_SHOWN = 120  # characters of a bad line or row quoted back in a problem


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file: row as a spreadsheet numbers it (header = 1, None
    for the whole file), field is the column name ("" for the whole row or file)."""

    row: int | None
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        params = {"row": self.row, "field": self.field, "message": self.message}
        if self.row is not None and self.field:
            return _("Row %(row)s, field %(field)s: %(message)s") % params
        if self.row is not None:
            return _("Row %(row)s: %(message)s") % params
        if self.field:
            return _("Field %(field)s: %(message)s") % params
        return self.message


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int
    unchanged: int
    created_codes: tuple[str, ...] = ()
    updated_codes: tuple[str, ...] = ()
    # Codes written with full-width or other look-alike characters, read in their
    # NFKC form: (row, column, as written, as read).
    normalised: tuple[tuple[int, str, str, str], ...] = ()


def _problem_order(problem: ImportProblem):
    """File first, then by row; in a row, the row itself, then columns in COLUMNS order,
    then columns unknown to the import."""
    if problem.field in COLUMNS:
        column = COLUMNS.index(problem.field)
    else:
        column = len(COLUMNS) if problem.field else -1
    return (problem.row or 0, column)


class AgencyImportError(Exception):
    def __init__(self, problems):
        problems = sorted(problems, key=_problem_order)
        super().__init__(f"agency import refused: {len(problems)} problem(s)")
        self.problems = problems


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    values: dict[str, object] = dataclasses.field(default_factory=dict)
    normalised: list[tuple[int, str, str, str]] = dataclasses.field(default_factory=list)

    @property
    def code(self) -> str:
        return self.values.get("code", "")

    @property
    def parent_code(self) -> str:
        return self.values.get("parent_code", "")


def import_agencies(*, data: bytes, filename: str, actor=None, beat=None) -> ImportResult:
    """Create or update (by code) the agencies listed in a CSV or XLSX file, all or none.
    `beat(percent)`, if given, hears of the progress (the background job's heartbeat)."""
    beat = beat or (lambda percent: None)
    table = _read_table(data)
    beat(40)
    columns, records, problems = _read_header(table)
    agency_types = _agency_types()
    rows = []
    for number, cells in records:
        row = _Row(number, {name: _cell(cells, index) for name, index in columns.items()})
        problems += _check_row(row, agency_types)
        rows.append(row)
    if not rows:
        problems.append(
            ImportProblem(None, "", "", _("There are no agency rows under the header."))
        )
    beat(60)
    with transaction.atomic():
        known = dict(Agency.objects.values_list("code", "parent__code"))
        problems += _check_links(rows, known, has_parent_column="parent_code" in columns)
        if problems:
            raise AgencyImportError(problems)
        beat(75)
        return _write(rows, set(columns), filename=filename, actor=actor)


# --- Reading the file into rows of text ------------------------------------------------


def _read_table(data: bytes) -> list[list[str]]:
    """The file's rows as lists of stripped strings, or AgencyImportError."""
    if not data.strip() or data.strip() == UTF8_BOM:
        raise AgencyImportError([ImportProblem(None, "", "", _("The file is empty."))])
    if data.startswith(b"PK\x03\x04"):
        return _nonblank(_read_xlsx(data))
    if data.startswith(OLE2):
        raise AgencyImportError(
            [
                ImportProblem(
                    None,
                    "",
                    "",
                    _(
                        "This is an old Excel workbook (.xls). Save it as an Excel workbook "
                        "(.xlsx) or as “CSV UTF-8” and import again."
                    ),
                )
            ]
        )
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise AgencyImportError([_not_a_table(kind)])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = _("The file is UTF-16 text, not UTF-8. Save it as “CSV UTF-8” and import again.")
        raise AgencyImportError([ImportProblem(None, "", "", message)])
    text = _decode(data)
    if "\x00" in text or len(CONTROL.findall(text)) > max(3, len(text) // 100):
        raise AgencyImportError([_not_a_table("")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _nonblank([[cell.strip() for cell in record] for record in reader])
    except csv.Error:
        message = _(
            "This row cannot be read as CSV. Save the file as “CSV UTF-8” and import again."
        )
        raise AgencyImportError([ImportProblem(reader.line_num, "", "", message)]) from None


def _nonblank(table: list[list[str]]) -> list[list[str]]:
    if not any(any(row) for row in table):
        raise AgencyImportError([ImportProblem(None, "", "", _("The file is empty."))])
    return table


def _not_a_table(kind: str) -> ImportProblem:
    if kind:
        message = _(
            "This is a %(kind)s file, not a CSV or Excel (.xlsx) file. Save the agency list "
            "as “CSV UTF-8” or as an Excel workbook (.xlsx) and import again."
        ) % {"kind": kind}
    else:
        message = _(
            "The file is neither CSV text nor an Excel workbook (.xlsx). Save the agency list "
            "as “CSV UTF-8” or as an Excel workbook (.xlsx) and import again."
        )
    return ImportProblem(None, "", "", message)


def _decode(data: bytes) -> str:
    """UTF-8 text (BOM or not); otherwise say which line first fails, and if it is Big5."""
    body = data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + (len(data) - len(body))
    line_number = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    line = data[line_start : line_end if line_end != -1 else len(data)].rstrip(b"\r")
    big5 = _decode_big5(data)
    if big5 is None:
        shown = line.decode("utf-8", errors="replace")
        if CONTROL.search(shown) or "\x00" in shown:
            raise AgencyImportError([_not_a_table("")])
        message = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and import again.")
    else:
        shown = _decode_big5(line) or line.decode("utf-8", errors="replace")
        message = _(
            "The file is not UTF-8; it looks like Big5. Save it as “CSV UTF-8” and import again."
        )
    problem = ImportProblem(line_number, "", _shortened(shown), message)
    raise AgencyImportError([problem])


def _decode_big5(data: bytes) -> str | None:
    """Text in Big5 as Windows writes it in Taiwan (cp950) or Hong Kong (HKSCS), or None."""
    for codec in ("cp950", "big5hkscs"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def _read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's rows; a ZIP that is no workbook openpyxl can open is refused."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # What openpyxl raises, by way of zipfile and lxml, for a ZIP that is no workbook.
    unreadable = (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        IndexError,
    )
    try:
        uploads.inspect_zip(data)  # before openpyxl unpacks anything
    except uploads.UploadRefused as refused:
        raise AgencyImportError([ImportProblem(None, "", "", refused.message)]) from None
    try:
        with warnings.catch_warnings():
            # Styles or extensions openpyxl does not know do not matter to an import.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                table = [
                    [_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
                ]
                with book._archive.open(sheet._worksheet_path) as xml:
                    merged = [ref for ref, first, _last in xlsx_merged_ranges(xml) if first == 1]
            finally:
                book.close()
    except unreadable:
        raise AgencyImportError([_not_a_table("ZIP")]) from None
    if merged:
        message = _(
            "The header row has merged cells (%(cells)s): each column needs its own name, "
            "or its data would be lost. Unmerge the cells, name every column, and import "
            "again."
        ) % {"cells": ", ".join(merged)}
        raise AgencyImportError([ImportProblem(1, "", "", message)])
    return table


MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def xlsx_merged_ranges(xml) -> list[tuple[str, int, int]]:
    """The merged ranges of a worksheet, from its XML (a binary file, read a megabyte at
    a time: openpyxl's read-only mode does not report them), as (ref, first row, last
    row)."""
    found, tail = [], b""
    while True:
        chunk = xml.read(1024 * 1024)
        if not chunk:
            break
        data = tail + chunk
        end = 0
        for match in MERGE_CELL.finditer(data):
            c1, r1, c2, r2 = match.groups()
            ref = f"{c1.decode()}{r1.decode()}" + (f":{c2.decode()}{r2.decode()}" if c2 else "")
            found.append((ref, int(r1), int(r2 or r1)))
            end = match.end()
        tail = data[max(end, len(data) - 200) :]
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


# --- The header ------------------------------------------------------------------------


def _normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _read_header(table):
    """Map column name -> index, the data rows (number, cells) without blank ones, and
    the header's problems. A row 1 that is no header at all ends the import here."""
    header = [_normalise(cell) for cell in table[0]]
    expected = ", ".join(COLUMNS)
    if not set(header) & set(COLUMNS):
        problems = [_not_header(table[0], header, expected)]
        for number, cells in enumerate(table[1:6], start=2):
            if set(REQUIRED) <= {_normalise(cell) for cell in cells}:
                message = _(
                    "Row %(row)s looks like the header: delete the rows above it and import again."
                ) % {"row": number}
                problems.append(ImportProblem(number, "", _joined(cells), message))
                break
        raise AgencyImportError(problems)

    problems = []
    columns = {}
    for index, name in enumerate(header):
        if not name:
            continue
        if name in columns:
            message = _("This column appears more than once in the header.")
            problems.append(ImportProblem(1, name, table[0][index], message))
        elif name in COLUMNS:
            columns[name] = index
        else:
            message = _("Unknown column. The columns are: %(columns)s.") % {"columns": expected}
            problems.append(ImportProblem(1, name, table[0][index], message))
    for name in REQUIRED:
        if name not in columns:
            message = _("The required column %(column)s is missing.") % {"column": name}
            problems.append(ImportProblem(1, name, "", message))
    records = [
        (number, cells)
        for number, cells in enumerate(table[1:], start=2)
        if any(_cell(cells, index) for index in columns.values())
    ]
    return columns, records, problems


def _not_header(cells, header, expected) -> ImportProblem:
    for separator in (";", "\t", "|"):
        if len(header) == 1 and set(header[0].split(separator)) & set(COLUMNS):
            message = _(
                "The columns are separated by “%(separator)s”, not commas. Save the file as "
                "“CSV UTF-8” and import again."
            ) % {"separator": separator if separator != "\t" else "Tab"}
            return ImportProblem(1, "", _joined(cells), message)
    message = _(
        "Row 1 is not the header. The header must be the first row, with the columns: %(columns)s."
    ) % {"columns": expected}
    return ImportProblem(1, "", _joined(cells), message)


def _shortened(text: str) -> str:
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"


def _joined(cells) -> str:
    return _shortened(", ".join(cell for cell in cells if cell))


# --- One row at a time -----------------------------------------------------------------


def _agency_types() -> dict[str, str]:
    """Every accepted spelling of an agency type (value, Chinese or English label)."""
    lookup = {}
    for choice in AgencyType:
        lookup[choice.value] = choice.value
        for language in ("en", "zh-hant"):
            with translation.override(language):
                lookup[str(choice.label).strip().lower()] = choice.value
    return lookup


def _check_row(row: _Row, agency_types: dict[str, str]) -> list[ImportProblem]:
    problems = []
    cells = row.cells

    def problem(name, message):
        problems.append(ImportProblem(row.number, name, cells[name], message))

    for name, missing in (
        ("code", _("A code is required.")),
        ("name_zh", _("A Chinese name is required.")),
    ):
        if name in cells and not cells[name]:
            problem(name, missing)
    for name in ("code", "name_zh", "name_en", "parent_code"):
        if name not in cells:
            continue
        model_field = "code" if name == "parent_code" else name
        limit = Agency._meta.get_field(model_field).max_length
        value = cells[name]
        if name in ("code", "parent_code"):
            # Full-width look-alikes (ＨＫ－ＩＭＭＤ) are the same code (HK-IMMD): read in
            # NFKC, so they match the agency instead of creating a second one; the
            # result lists each such cell.
            value = unicodedata.normalize("NFKC", value).strip()
            if value != cells[name]:
                row.normalised.append((row.number, name, cells[name], value))
        if len(value) > limit:
            problem(name, _("Too long: at most %(limit)s characters.") % {"limit": limit})
        else:
            row.values[name] = value
    if "agency_type" in cells:
        value = cells["agency_type"]
        kind = agency_types.get(value.lower()) if value else AgencyType.OTHER.value
        if kind is None:
            message = _(
                "Unknown agency type. Use one of %(values)s, or the type's Chinese or English name."
            ) % {"values": ", ".join(AgencyType.values)}
            problem("agency_type", message)
        else:
            row.values["agency_type"] = kind
    for name, default in BOOLEAN_DEFAULTS.items():
        if name not in cells:
            continue
        word = cells[name].lower()
        if not word:
            row.values[name] = default
        elif word in TRUE_WORDS:
            row.values[name] = True
        elif word in FALSE_WORDS:
            row.values[name] = False
        else:
            problem(
                name,
                _("Not a yes/no value. Use 1 or 0, true or false, yes or no, 是 or 否, Y or N."),
            )
    return problems


# --- Links between rows ----------------------------------------------------------------


def _check_links(rows, known: dict[str, str | None], *, has_parent_column: bool):
    """Duplicate codes, unknown parents and cycles, given the codes already stored
    (code -> parent code)."""
    problems = []
    by_code: dict[str, list[_Row]] = {}
    for row in rows:
        if row.code:
            by_code.setdefault(row.code, []).append(row)
    for code, same in by_code.items():
        for row in same if len(same) > 1 else ():
            others = ", ".join(str(other.number) for other in same if other is not row)
            message = _("The code %(code)s also appears in row %(rows)s.") % {
                "code": code,
                "rows": others,
            }
            problems.append(ImportProblem(row.number, "code", row.cells["code"], message))
    if not has_parent_column:
        return problems

    # Parents after the import: what is stored, overridden by the file.
    parents = dict(known)
    for code, same in by_code.items():
        parents[code] = same[0].parent_code or None
    for row in rows:
        parent = row.parent_code
        if parent and parent not in by_code and parent not in known:
            message = _("No agency has the code %(code)s, in this file or in the system.") % {
                "code": parent
            }
            problems.append(ImportProblem(row.number, "parent_code", parent, message))
        elif parent and parent == row.code:
            message = _("An agency cannot be its own parent.")
            problems.append(ImportProblem(row.number, "parent_code", parent, message))

    reported = set()
    for code in by_code:
        chain = [code]
        parent = parents.get(code)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = parents.get(parent)
        if parent is None:
            continue
        cycle = chain[chain.index(parent) :]
        if cycle == [code]:
            continue  # its own parent, reported above
        in_file = [member for member in cycle if member in by_code] or [code]
        start = min(in_file, key=lambda member: by_code[member][0].number)
        turned = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
        message = _("The parent links go round in a circle: %(cycle)s.") % {
            "cycle": " → ".join([*turned, start])
        }
        for member in in_file:
            row = by_code[member][0]
            if row.number not in reported:
                reported.add(row.number)
                problems.append(ImportProblem(row.number, "parent_code", row.parent_code, message))
    return problems


# --- Writing ---------------------------------------------------------------------------


def _write(rows: list[_Row], present: set[str], *, filename: str, actor) -> ImportResult:
    fields = [name for name in COLUMNS[1:] if name in present and name != "parent_code"]
    codes = [row.code for row in rows]
    existing = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
    Agency.objects.bulk_create(
        [
            Agency(
                **{name: row.values[name] for name in ("code", *fields)},
                path="/",
                depth=0,
            )
            for row in rows
            if row.code not in existing
        ]
    )
    agencies = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
    parent_codes = {row.parent_code for row in rows if row.parent_code}
    parent_ids = dict(Agency.objects.filter(code__in=parent_codes).values_list("code", "pk"))

    created, updated, unchanged = [], [], []
    for row in rows:
        agency = agencies[row.code]
        before = {name: getattr(agency, name) for name in (*fields, "parent_id")}
        for name in fields:
            setattr(agency, name, row.values[name])
        if "parent_code" in present:
            agency.parent_id = parent_ids.get(row.parent_code)
        after = {name: getattr(agency, name) for name in (*fields, "parent_id")}
        if row.code not in existing:
            created.append(agency)
        elif after != before:
            updated.append(agency)
        else:
            unchanged.append(agency)
    Agency.objects.bulk_update(created + updated, [*fields, "parent"], batch_size=500)
    _refresh_all_paths()

    result = ImportResult(
        filename=filename,
        created=len(created),
        updated=len(updated),
        unchanged=len(unchanged),
        created_codes=tuple(agency.code for agency in created),
        updated_codes=tuple(agency.code for agency in updated),
        normalised=tuple(note for row in rows for note in row.normalised),
    )
    audit_record(
        actor=actor,
        action="agency.import",
        # An import touches many agencies; the entry hangs on the file's first row and
        # lists the rest in its data.
        obj=agencies[rows[0].code],
        data={
            "filename": filename,
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "created_codes": list(result.created_codes),
            "updated_codes": list(result.updated_codes),
        }
        | ({"normalised": [list(note) for note in result.normalised]} if result.normalised else {}),
    )
    return result


def _refresh_all_paths() -> None:
    """Recompute path and depth of every agency from the parent links, in memory, and
    save the ones that changed: correct whatever the depth and the order of the file."""
    nodes = {pk: (parent_id, path, depth) for pk, parent_id, path, depth in _tree_rows()}
    computed: dict[int, tuple[str, int]] = {}
    for pk in nodes:
        chain = []
        current = pk
        while current is not None and current not in computed:
            if current in chain:
                raise ValueError(f"The stored agencies' parent links form a cycle at {current}.")
            chain.append(current)
            current = nodes[current][0]
        path, depth = computed[current] if current is not None else ("/", -1)
        for node in reversed(chain):
            path, depth = path + path_segment(node), depth + 1
            computed[node] = (path, depth)
    changed = [
        Agency(pk=pk, path=path, depth=depth)
        for pk, (path, depth) in computed.items()
        if (path, depth) != nodes[pk][1:]
    ]
    Agency.objects.bulk_update(changed, ["path", "depth"], batch_size=500)


def _tree_rows():
    return Agency.objects.order_by().values_list("pk", "parent_id", "path", "depth")


# --- The background job (run by workflow.jobs; the kind is declared in agencies/jobs.py) ---

JOB_KIND = "agency_import"
STALE_SECONDS = 120  # a running job silent this long has lost its worker


def stale_seconds() -> int:
    return getattr(settings, "AGENCY_IMPORT_JOB_STALE_SECONDS", STALE_SECONDS)


def agency_import_start(*, data: bytes, filename: str, actor, language: str) -> AgencyImportJob:
    """Store an uploaded agency list (already checked by its content) and queue the job
    that reads and imports it, in the uploader's language. The web request does nothing
    slower than this."""
    with transaction.atomic():
        record = AgencyImportJob.objects.create(
            filename=uploads.display_name(filename),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            requested_by=actor,
        )
        job, _created = jobs.enqueue(
            kind=JOB_KIND,
            target=record,
            actor=actor,
            language=language or settings.LANGUAGE_CODE,
            params={"filename": record.filename, "sha256": record.sha256, "size": len(data)},
        )
        record.job = job
        record.save(update_fields=["job"])
    return record


def agency_import_execute(*, job_id: int) -> AgencyImportJob:
    """Run the import's job (the Celery task workflow.job_run does the same). Running
    it again does nothing more: the claim succeeds once. `job_id` is the import's id."""
    record = AgencyImportJob.objects.get(pk=job_id)
    if record.job_id:
        jobs.run(record.job_id)
    return AgencyImportJob.objects.select_related("job", "requested_by").get(pk=job_id)


def agency_import_handler(job, beat) -> dict:
    """The job: import the stored file in the uploader's language (the runner has set
    it). A refused file keeps its problems on the record, for the report; either way the
    stored file is emptied."""
    record = AgencyImportJob.objects.select_related("requested_by").get(pk=job.target_id)
    beat(5)
    try:
        result = import_agencies(
            data=bytes(record.content),
            filename=record.filename,
            actor=record.requested_by,
            beat=beat,
        )
    except AgencyImportError as refused:
        record.detail = {"problems": [dataclasses.asdict(p) for p in refused.problems]}
        record.content = b""
        record.save(update_fields=["detail", "content"])
        raise jobs.JobError(str(refused)) from refused
    except (DatabaseError, ValueError):
        AgencyImportJob.objects.filter(pk=record.pk).update(content=b"")
        raise
    counts = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    if result.normalised:  # said on the result page
        counts["normalised"] = [
            {"row": row, "field": field, "written": written, "read": read}
            for row, field, written, read in result.normalised
        ]
    record.detail = counts
    record.content = b""
    record.save(update_fields=["detail", "content"])
    return counts
