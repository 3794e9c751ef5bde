"""What leaves the system as a file: the import error report (CSV) and the suggestions
(XLSX). Every cell that a spreadsheet could read as a formula is neutralised."""

from __future__ import annotations

import csv
import io

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix an apostrophe to text a spreadsheet would run as a formula (=, +, -, @,
    tab, carriage return), so it is shown as text. Numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def errors_csv(imp) -> bytes:
    from .importers import row_error_text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "message"])
    for e in imp.errors:
        writer.writerow(
            [
                neutralise(e["row"]),
                neutralise(e["column"]),
                neutralise(e["value"]),
                neutralise(row_error_text(e)),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def suggestions_xlsx(rows, headers: list[str]) -> bytes:
    """rows: iterable of (department code, department name, household id, suggestion)."""
    from openpyxl import Workbook  # slow import: only when exporting

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("suggestions")
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def results_csv(rows: list[dict], headers: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow(
            [
                neutralise(v)
                for v in (
                    r["rank"],
                    r["code"],
                    r["name"],
                    r["votes"],
                    r["estimate"],
                    r["moe"],
                    "✓" if r["winner"] else "",
                )
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
