"""The results workbook (XLSX) of one result version, and the background job that makes it.

Sheets, in the language of the request that queued the job (job.params["language"]):
summary; one standings sheet per category, from the version's frozen snapshot (never
recomputed); every reviewer's scores in the weighted stages (one row per score; the big
one, written as plain values); the site-visit test log; the poll's tally with its margins
and its suggestions (when the results used a poll); the scheme's history statistics.
Everything but the history (the scheme's, not the version's) and the awards' serials
and revocations is read from the version's frozen snapshot and record
(models.VersionRecord, written at compile), never from live rows.

openpyxl is imported inside the functions (it is slow to import) and used in write-only
mode, so a workbook of 100,000 score rows streams to the file instead of being held as
cell objects (see bench/workbook.py).

Formula neutralisation. openpyxl stores a string that starts with "=" as a formula, and a
spreadsheet re-reads a text cell the user edits (F2, Enter) as input, where "=", "+", "-"
and "@" start a formula. The usual CSV remedy, a leading apostrophe, would change the
text. Instead such a string (also one starting with a tab or carriage return, or equal to
an error code like "#N/A") is written as an explicit text cell (data type "s": an inline
string, never an <f> element) with the cell style's `quotePrefix` set — exactly what Excel
stores when a user types '=1+1: the cell shows and holds =1+1, Excel and LibreOffice treat
it as text, and it stays text when edited. Numbers (e.g. a negative score) stay numbers.
"""

from __future__ import annotations

import datetime
import math
import tempfile
from collections.abc import Callable, Iterable

from django.core.files import File
from django.utils import translation
from django.utils.translation import gettext as _

from agencies.enums import AffiliationType
from awards.enums import NominationState

from .compilation import ResultsError
from .enums import AwardBasis, VersionStatus
from .frozen import record_of

SCORE = "0.00"
RATE = "0.0%"
WHEN = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"
DECIMALS = "0.000"

# First characters that make a spreadsheet read text as a formula (OWASP CSV injection),
# and "#" for strings that openpyxl would store as an error value.
FORMULA_STARTS = frozenset("=+-@\t\r#")
SHEET_TITLE_MAX = 31
SHEET_TITLE_BAD = str.maketrans("", "", "[]:*?/\\")
TICK = "✓"
CHUNK = 4000
IN_MEMORY_BYTES = 16 * 1024 * 1024


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\, no leading
    or trailing apostrophe, not Excel's reserved "History"; a repeated name gets " (2)",
    " (3)"… (Excel compares names without case)."""
    base = " ".join(str(name).translate(SHEET_TITLE_BAD).split()).strip("'") or "Sheet"
    title = base[:SHEET_TITLE_MAX]
    n = 2
    used.add("history")  # Excel reserves this name (Track Changes)
    while title.casefold() in used:
        suffix = f" ({n})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        n += 1
    used.add(title.casefold())
    return title


def _fit(template: str, name: str) -> str:
    """template % name, shortening `name` (not the template's words) to fit a sheet name."""
    title = template % {"name": name}
    over = len(title) - SHEET_TITLE_MAX
    if over > 0:
        title = template % {"name": name[: max(len(name) - over - 1, 1)] + "…"}
    return title


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


class _Book:
    """A write-only workbook with the few shared styles, and cell makers that keep the
    per-value work small: plain values stay plain; only formatted numbers, dates and
    neutralised text become cell objects."""

    def __init__(self, tz):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.tz = tz
        self.wb = Workbook(write_only=True)
        self.Cell = WriteOnlyCell
        self.cell_class = Cell
        self.column_letter = get_column_letter
        self.illegal = ILLEGAL_CHARACTERS_RE
        self.bold = Font(bold=True)
        self.used: set[str] = set()
        self.rows: dict[str, int] = {}

    # --- values ---------------------------------------------------------------------

    def local(self, when):
        """An aware datetime in the edition's time zone, without tzinfo (openpyxl
        refuses aware datetimes)."""
        if when is None:
            return None
        return when.astimezone(self.tz).replace(tzinfo=None)

    def clean(self, text: str) -> str:
        """Free text without the control characters XLSX cannot hold."""
        return self.illegal.sub("", text) if text else text

    def text(self, ws, value: str):
        """A string as text, never a formula (see the module docstring)."""
        value = self.clean(value)
        if not value or value[0] not in FORMULA_STARTS:
            return value
        cell = self.Cell(ws)
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    def cell(self, ws, value, fmt: str | None = None):
        if isinstance(value, str):
            return self.text(ws, value)
        if value is None or isinstance(value, (bool, self.cell_class)):
            return value
        if isinstance(value, datetime.datetime):
            value = self.local(value) if value.tzinfo else value
            fmt = fmt or WHEN
        elif isinstance(value, datetime.date):
            fmt = fmt or DATE
        elif isinstance(value, float):
            return self.number(ws, value, fmt)
        if fmt is None:
            return value
        cell = self.Cell(ws, value)
        cell.number_format = fmt
        return cell

    def number(self, ws, value: float, fmt: str | None):
        """A float written with all its digits. openpyxl writes "%.16g", which loses the
        last bit of about half of all doubles; a score read back must equal the
        standings exactly, so the cell holds repr(value), the shortest exact text."""
        if not math.isfinite(value):
            return None
        cell = self.Cell(ws)
        if fmt:
            cell.number_format = fmt
        cell.data_type = "n"
        cell._value = repr(value)
        return cell

    def styled(self, ws, value, fmt: str):
        """A cell with a number format. It may be appended in many rows: openpyxl writes
        a row's cells before the next row is appended."""
        cell = self.Cell(ws, value)
        cell.number_format = fmt
        return cell

    # --- sheets ---------------------------------------------------------------------

    def sheet(self, key: str, title: str, columns: list[tuple[str, float, str | None]]):
        """A sheet with set column widths, a bold frozen header row; returns (ws, row)
        where row(values) appends with each column's number format."""
        ws = self.wb.create_sheet(sheet_title(title, self.used))
        for i, (_header, width, _fmt) in enumerate(columns, start=1):
            ws.column_dimensions[self.column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.append([self.header(ws, header) for header, _w, _f in columns])
        formats = [fmt for _h, _w, fmt in columns]
        self.rows.setdefault(key, 0)

        def row(values: Iterable):
            ws.append(
                [
                    self.cell(ws, v, formats[i] if i < len(formats) else None)
                    for i, v in enumerate(values)
                ]
            )
            self.rows[key] += 1

        return ws, row

    def header(self, ws, text):
        """A bold text cell (a header may hold a category's or indicator's name, so it
        is neutralised like any text)."""
        text = self.clean(str(text))
        cell = self.Cell(ws)
        cell.value = text
        if text[:1] in FORMULA_STARTS:
            cell.data_type = "s"
            cell.quotePrefix = True
        cell.font = self.bold
        return cell

    def heading_row(self, ws, texts: Iterable):
        ws.append([self.header(ws, t) if t not in (None, "") else None for t in texts])


# --- the sheets ------------------------------------------------------------------------


def _inputs_label(key: str) -> str:
    return {
        "nominations": _("Nominations read"),
        "scores": _("Scores read"),
        "tie_decisions": _("Tie decisions read"),
        "poll_run": _("Poll tally run"),
    }.get(key, key)


def _user(user) -> str:
    return user.get_full_name() if user else ""


def _summary(book: _Book, version, data: dict) -> None:
    from .selectors import awards_of

    edition = version.edition
    ws, row = book.sheet(
        "summary",
        _("Summary"),
        [
            (_("Item"), 26, None),
            (_("Value"), 34, None),
            ("", 22, None),
            ("", 16, None),
            ("", 14, None),
            ("", 8, None),
            ("", 10, None),
            ("", 22, None),
            ("", 12, None),
            ("", 12, None),
            ("", 30, None),
        ],
    )
    pairs = [
        (_("Award scheme"), edition.scheme.name),
        (_("Edition"), edition.name),
        (_("Version"), version.number),
        (_("Status"), _label(VersionStatus, version.status)),
        (_("Compiled at"), version.compiled_at),
        (_("Compiled by"), _user(version.compiled_by)),
        (_("Submitted for approval at"), version.submitted_at),
        (_("Approved or returned at"), version.decided_at),
        (_("Approved or returned by"), _user(version.decided_by)),
        (_("Publication time"), version.publish_at),
        (_("Checksum of the inputs (SHA-256)"), version.checksum),
    ]
    pairs += [(_inputs_label(k), v) for k, v in sorted((version.inputs or {}).items())]
    for label, value in pairs:
        row([label, value])

    ws.append([])
    book.heading_row(
        ws,
        [
            _("Category"),
            _("Award"),
            _("Decided by"),
            _("Number of dossiers"),
            _("Winners"),
            _("Winners set"),
            _("Minimum score"),
            _("Warnings"),
        ],
    )
    for c in data["categories"]:
        row(
            [
                localized_dict(c, "name"),
                localized_dict(c, "award_name"),
                _label(AwardBasis, c["basis"]),
                len(c["rows"]),
                sum(1 for r in c["rows"] if r["winner"]),
                c["winners"],
                book.cell(ws, c["min_score"], SCORE),
                "\n".join(c["warnings"]),
            ]
        )

    ws.append([])
    book.heading_row(
        ws,
        [
            _("Category"),
            _("Award"),
            _("Agency"),
            _("Agency code"),
            _("Individual or team"),
            _("Level"),
            _("Rank"),
            _("Final score"),
            _("Serial number"),
            _("Issued on"),
            _("Revoked on"),
            _("Reason for revocation"),
        ],
    )
    for a in awards_of(version):
        row(
            [
                a.category.name,
                a.name,
                a.agency.name,
                a.agency.code,
                _nominee_cell(a),
                a.level,
                a.rank,
                book.cell(ws, a.score, SCORE),
                a.serial or "",
                a.issued_on,
                a.revoked_on,
                a.revocation_reason,
            ]
        )


def _nominee_cell(award) -> str:
    """The individual (with post) or team an award names, for the secretariat's workbook."""
    nominee = award.nominee
    if nominee is None:
        return ""
    if nominee.post:
        return f"{nominee.name} ({nominee.post})"
    return nominee.name


def localized_dict(d: dict, field: str) -> str:
    """localized() for a snapshot dict: <field>_en in English, <field>_zh otherwise."""
    zh = d.get(f"{field}_zh") or ""
    en = d.get(f"{field}_en") or ""
    if (translation.get_language() or "").startswith("en"):
        return en or zh
    return zh or en


def _standings_sheet(book: _Book, category: dict) -> None:
    name = localized_dict(category, "name") or category["code"]
    if category["basis"] == AwardBasis.STANDINGS:
        _scored_standings(book, category, name)
    elif category["basis"] == AwardBasis.POLL:
        _poll_standings(book, category, name)
    else:
        _selection_standings(book, category, name)


def _agency_columns():
    return [
        (_("Agency code"), 12, None),
        (_("Agency (Chinese)"), 24, None),
        (_("Agency (English)"), 30, None),
    ]


def _scored_standings(book: _Book, category: dict, name: str) -> None:
    columns = [
        (_("Position"), 8, None),
        (_("Rank"), 7, None),
        *_agency_columns(),
        (_("Dossier title"), 30, None),
        (_("Nomination state"), 12, None),
        (_("Final score"), 11, SCORE),
    ]
    columns += [
        (
            _("%(stage)s (weight %(weight)s)")
            % {"stage": localized_dict(s, "name"), "weight": s["weight"]},
            16,
            SCORE,
        )
        for s in category["stages"]
    ]
    columns += [
        (
            _("%(name)s (of %(points)s)")
            % {"name": localized_dict(d, "name"), "points": d["max_points"]},
            16,
            SCORE,
        )
        for d in category["dimensions"]
    ]
    columns += [
        (
            _("%(name)s (of %(points)s, raw mean)")
            % {"name": localized_dict(i, "name"), "points": i["max_points"]},
            16,
            SCORE,
        )
        for i in category["indicators"]
    ]
    columns += [
        (_("Tied"), 7, None),
        (_("Tie decided by the chair"), 10, None),
        (_("Scores missing"), 9, None),
        (_("Winner"), 8, None),
        (_("Level"), 10, None),
    ]
    _ws, row = book.sheet("standings", _fit(_("%(name)s standings"), name), columns)
    for r in category["rows"]:
        row(
            [
                r["position"],
                r["rank"],
                r["agency_code"],
                r["agency_zh"],
                r["agency_en"],
                r["title"],
                _label(NominationState, r["state"]),
                r["score"],
                *r["stage_scores"],
                *r["dimension_scores"],
                *r["indicator_scores"],
                TICK if r["tied"] else "",
                TICK if r["decided"] else "",
                TICK if r["incomplete"] else "",
                TICK if r["winner"] else "",
                localized_dict(r, "level"),
            ]
        )


def _poll_standings(book: _Book, category: dict, name: str) -> None:
    _ws, row = book.sheet(
        "standings",
        _fit(_("%(name)s standings"), name),
        [
            (_("Rank"), 7, None),
            *_agency_columns(),
            (_("Votes"), 9, None),
            (_("Share of votes (weighted estimate)"), 14, RATE),
            (_("Winner"), 8, None),
        ],
    )
    for r in category["rows"]:
        row(
            [
                r["rank"],
                r["agency_code"],
                r["agency_zh"],
                r["agency_en"],
                r["votes"],
                r["share"],
                TICK if r["winner"] else "",
            ]
        )


def _selection_standings(book: _Book, category: dict, name: str) -> None:
    _ws, row = book.sheet(
        "standings",
        _fit(_("%(name)s standings"), name),
        [
            (_("Position"), 8, None),
            *_agency_columns(),
            (_("Winner"), 8, None),
            (_("Citation (Chinese)"), 40, None),
            (_("Citation (English)"), 40, None),
        ],
    )
    for r in category["rows"]:
        row(
            [
                r["position"],
                r["agency_code"],
                r["agency_zh"],
                r["agency_en"],
                TICK if r["winner"] else "",
                r["citation_zh"],
                r["citation_en"],
            ]
        )


def reviewer_score_columns() -> list[tuple[str, float, str | None]]:
    return [
        (_("Stage"), 16, None),
        (_("Category"), 16, None),
        (_("Agency code"), 12, None),
        (_("Agency"), 24, None),
        (_("Reviewer"), 14, None),
        (_("Affiliation type"), 12, None),
        (_("Indicator"), 22, None),
        (_("Points given"), 9, None),
        (_("Comment"), 40, None),
        (_("Overall comment"), 40, None),
        (_("Submitted at"), 17, WHEN),
    ]


def scores_in_order(edition):
    """Every score of a submitted review in the edition's weighted stages (active
    assignments only, as compiled), in a fixed order: stage, category, agency, reviewer,
    indicator."""
    from scoring.enums import ReviewState
    from scoring.models import Score
    from scoring.selectors.standings import weighted_stages

    return Score.objects.filter(
        review__state=ReviewState.SUBMITTED,
        review__assignment__stage__in=weighted_stages(edition),
        review__assignment__withdrawn_at__isnull=True,
    ).order_by(
        "review__assignment__stage__order",
        "review__assignment__stage_id",
        "review__assignment__nomination__category__order",
        "review__assignment__nomination__category_id",
        "review__assignment__nomination__agency__code",
        "review__assignment__nomination_id",
        "review__assignment__reviewer__full_name",
        "review__assignment__reviewer_id",
        "indicator__dimension__order",
        "indicator__dimension_id",
        "indicator__order",
        "indicator_id",
    )


def _review_cells(book: _Book, ws, frozen: dict) -> dict[int, tuple[tuple, tuple]]:
    """review id -> (the cells before the indicator, the cells after the comment): what
    every score row of a review shares, made once per review, from the frozen record."""
    text = book.text
    stages = {pk: text(ws, localized_pair(names)) for pk, names in frozen["stages"].items()}
    nominations = {
        pk: (
            text(ws, localized_pair((czh, cen))),
            text(ws, code),
            text(ws, localized_pair((zh, en))),
        )
        for pk, (_category_id, czh, cen, code, zh, en) in frozen["nominations"].items()
    }
    kinds = {k.value: str(k.label) for k in AffiliationType}
    people: dict[int, object] = {}
    out = {}
    for pk, (stage_id, nom_id, user_id, name, kind, overall, at) in frozen["reviews"].items():
        category, code, agency = nominations[str(nom_id)]
        if user_id not in people:
            people[user_id] = text(ws, name)
        when = datetime.datetime.fromisoformat(at) if at else None
        out[int(pk)] = (
            (stages[str(stage_id)], category, code, agency, people[user_id], kinds.get(kind, kind)),
            (
                text(ws, overall) if overall else None,
                None if when is None else book.styled(ws, book.local(when), WHEN),
            ),
        )
    return out


def localized_pair(names) -> str:
    zh, en = names
    return localized_dict({"name_zh": zh, "name_en": en}, "name")


def _reviewer_scores(book: _Book, frozen: dict, beat) -> None:
    """The big sheet, one row per score, from the version's frozen record (never the live
    scores). What a review's rows share (names, overall comment, time) is made once per
    review; a score row is then a tuple of plain values and the review's shared cells."""
    ws, _row = book.sheet("reviewer_scores", _("Reviewer scores"), reviewer_score_columns())
    reviews = _review_cells(book, ws, frozen)
    indicators = {
        int(pk): book.text(ws, localized_pair(names)) for pk, names in frozen["indicators"].items()
    }
    n = 0
    append = ws.append
    clean = book.clean
    text = book.text
    scores = frozen["scores"]
    expected = len(scores)
    step = max(expected // 4, 10000)
    for review_id, indicator_id, points, comment in scores:
        head, tail = reviews[review_id]
        if comment:
            comment = text(ws, comment) if comment[0] in FORMULA_STARTS else clean(comment)
        append((*head, indicators[indicator_id], points, comment or None, *tail))
        n += 1
        if beat and n % step == 0:
            beat(20 + min(60, 60 * n // max(expected, 1)))
    book.rows["reviewer_scores"] = n


def _site_tests(book: _Book, frozen: dict) -> None:
    from scoring.enums import SiteTestKind

    _ws, row = book.sheet(
        "site_tests",
        _("Site-visit tests"),
        [
            (_("Stage"), 16, None),
            (_("Agency code"), 12, None),
            (_("Agency"), 24, None),
            (_("Assessor"), 14, None),
            (_("Test"), 14, None),
            (_("Date and time of the test"), 17, WHEN),
            (_("What was tested"), 30, None),
            (_("Findings"), 50, None),
            (_("Indicators it bears on"), 30, None),
            (_("Evidence files"), 9, None),
        ],
    )
    for t in frozen["site_tests"]:
        row(
            [
                localized_dict(t, "stage"),
                t["agency_code"],
                localized_dict(t, "agency"),
                t["assessor"],
                _label(SiteTestKind, t["kind"]),
                datetime.datetime.fromisoformat(t["tested_at"]),
                t["subject"],
                t["findings"],
                "、".join(localized_pair(names) for names in t["indicators"]),
                t["evidence"],
            ]
        )


def _poll_tally(book: _Book, data: dict, frozen: dict) -> None:
    from surveys.enums import Disposition

    poll = data["poll"]
    ws, row = book.sheet(
        "poll",
        _("Telephone poll tally"),
        [
            (_("Rank"), 7, None),
            *_agency_columns(),
            (_("Votes"), 9, None),
            (_("Share of votes"), 11, RATE),
            (_("Weighted estimate"), 11, RATE),
            (_("Margin of error (95 %)"), 11, RATE),
            (_("Winner"), 8, None),
        ],
    )
    for r in poll["rows"]:
        row(
            [
                r.get("rank"),
                r.get("code"),
                r.get("name_zh"),
                r.get("name_en"),
                r.get("votes"),
                r.get("share"),
                r.get("estimate"),
                r.get("moe"),
                TICK if r.get("winner") else "",
            ]
        )
    results = frozen.get("poll") or {}
    ws.append([])
    book.heading_row(ws, [_("Poll"), localized_dict(poll, "title")])
    facts = [
        (_("Votes counted"), poll.get("n_votes"), None),
        (_("Respondents weighted"), results.get("n_weighted"), None),
        (_("Design effect"), results.get("deff"), DECIMALS),
        (_("Response rate (AAPOR RR1)"), results.get("rr1"), RATE),
        (_("Cooperation rate (AAPOR COOP1)"), results.get("coop1"), RATE),
    ]
    for label, value, fmt in facts:
        if value is not None:
            ws.append([label, book.cell(ws, value, fmt)])
    dispositions = results.get("dispositions") or {}
    if dispositions:
        ws.append([])
        book.heading_row(ws, [_("Disposition"), _("Households")])
        for code, count in dispositions.items():
            ws.append([_label(Disposition, code) or _("Not called"), count])
    strata = results.get("strata") or []
    if strata:
        ws.append([])
        book.heading_row(
            ws, [_("Stratum"), _("Code"), _("Population share"), _("Votes"), _("Weight")]
        )
        for s in strata:
            ws.append(
                [
                    book.text(ws, localized_dict(s, "name")),
                    book.text(ws, s.get("code") or ""),
                    book.cell(ws, s.get("population_share"), RATE),
                    s.get("votes"),
                    book.cell(ws, s.get("weight"), DECIMALS),
                ]
            )


def _suggestions(book: _Book, frozen: dict) -> None:
    items = (frozen.get("poll") or {}).get("suggestions") or []
    if not items:
        return
    _ws, row = book.sheet(
        "suggestions",
        _("Public suggestions"),
        [
            (_("Agency code"), 12, None),
            (_("Agency"), 24, None),
            (_("Household id"), 14, None),
            (_("Suggestion"), 80, None),
        ],
    )
    for code, zh, en, household, text in items:
        row([code, localized_pair((zh, en)) if code else "", household, text])


def _history(book: _Book, scheme) -> None:
    from .history import scheme_history

    history = scheme_history(scheme)
    ws, row = book.sheet(
        "history",
        _("History statistics"),
        [
            (_("Edition"), 16, None),
            (_("Participants"), 12, None),
            (_("Finalists"), 12, None),
            (_("Winners"), 12, None),
            (_("Award rate"), 10, RATE),
            (_("Source"), 22, None),
        ],
    )

    def source(r):
        return _("Recorded (from reports)") if r.recorded else _("Counted from this system")

    for r in history.rows:
        row([r.edition.name, r.participants, r.finalists, r.winners, r.rate, source(r)])
    for label, total in (
        (_("Total of the recorded editions"), history.recorded_total),
        (_("Total"), history.total),
    ):
        if total is not None:
            row(
                [
                    book.header(ws, label),
                    total.participants,
                    total.finalists,
                    total.winners,
                    total.rate,
                    source(total),
                ]
            )


# --- entry points ------------------------------------------------------------------------


def _check(version) -> dict:
    data = version.data if version is not None else None
    if version is None:
        raise ResultsError(_("Choose the result version the workbook is made of."))
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("categories"), list)
        and all(isinstance(c, dict) and "rows" in c for c in data["categories"])
    )
    if not ok:
        raise ResultsError(
            _(
                "Version %(n)d has no readable results snapshot, so no workbook can be made "
                "of it. Compile the results again."
            )
            % {"n": version.number}
        )
    return data


def build_workbook(version, out, beat: Callable[[int], None] | None = None) -> dict:
    """Write the results workbook of `version` (a ResultVersion) to the binary file
    object `out`, in the active language. Returns the rows written per sheet kind
    ({"summary", "standings", "reviewer_scores", "site_tests", "poll", "suggestions",
    "history"}: count; kinds without a sheet are absent)."""
    data = _check(version)
    edition = version.edition
    book = _Book(edition.tzinfo)
    beat = beat or (lambda _p: None)
    _summary(book, version, data)
    beat(10)
    for category in data["categories"]:
        _standings_sheet(book, category)
    beat(20)
    frozen = record_of(version)
    _reviewer_scores(book, frozen, beat)
    beat(80)
    _site_tests(book, frozen)
    beat(85)
    if data.get("poll"):
        _poll_tally(book, data, frozen)
        _suggestions(book, frozen)
    beat(90)
    _history(book, edition.scheme)
    book.wb.save(out)
    beat(98)
    return dict(book.rows)


def workbook_filename(version) -> str:
    edition = version.edition
    return f"results-{edition.scheme.code}-{edition.number}-v{version.number}.xlsx"


def workbook_execute(job, beat: Callable[[int], None]) -> dict:
    """The "workbook" job: build the workbook of the job's version, in the language the
    request had (job.params["language"]), as job.file. Returns the job's result."""
    from .services import job_version

    language = (job.params or {}).get("language") or "zh-hant"
    version = job_version(job)
    with translation.override(language):
        if version is not None and version.edition_id != job.target_id:
            raise ResultsError(_("The version belongs to another edition."))
        _check(version)
        with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as out:
            rows = build_workbook(version, out, beat=beat)
            size = out.tell()
            out.seek(0)
            name = workbook_filename(version)
            job.file.save(name, File(out, name=name), save=False)
    return {"language": language, "version": version.number, "rows": rows, "bytes": size}
