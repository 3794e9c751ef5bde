"""The poll import's set-based path for a responses file, at the speed of the database.

The job parses the stored file a row at a time (surveys.importers.RowStream) and checks
in Python only what one row can say about itself (a blank or unknown disposition, a vote
without a complete interview, a date that is not one, an agency code not on the list).
It writes every row into a staging table of its own connection (PostgreSQL COPY, or
executemany on SQLite), a batch at a time with progress committed between batches. Then,
in one transaction, the checks that need the database are one query over the staging
table (household not in the sample, a household twice in the file, a household already
interviewed), and, when no row is wrong, the rows are written by three set-based
statements (INSERT … SELECT for the calls and the interviews, one UPDATE … FROM for the
households). Memory holds one batch and the row errors, whatever the file's size.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from .enums import Disposition, ResponseSource
from .models import CallAttempt, Household, Response

STAGE = "surveys_import_stage"
STAGE_BATCH = 20_000  # rows copied into the staging table between two progress updates
COLUMNS = ("rownum", "ref", "disposition", "candidate_id", "suggestion", "callback_at", "bad")


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def stage_create() -> None:
    """A fresh, empty staging table, private to this database connection."""
    timestamp = "timestamp with time zone" if _postgres() else "text"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (rownum integer NOT NULL, ref text NOT NULL, "
            f"disposition varchar(16), candidate_id integer, suggestion text NOT NULL, "
            f"callback_at {timestamp}, bad integer NOT NULL)"
        )


def stage_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def stage_write(rows: list[tuple]) -> None:
    """Append rows (in COLUMNS order; callback_at an aware datetime or None)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if _postgres():
            with cursor.cursor.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row[:5], adapt(row[5]) if row[5] else None, row[6]) for row in rows],
            )


def _tables():
    return Household._meta.db_table, Response._meta.db_table, CallAttempt._meta.db_table


def stage_household_problems(poll_id: int) -> list[tuple[int, str, int | None, int, bool]]:
    """One query: (row, household id as written, household pk or None, first row with
    this household id, already interviewed) for every row whose household is wrong."""
    household, response, _call = _tables()
    sql = (
        f"SELECT s.rownum, s.ref, h.id, s.first_row, r.id IS NOT NULL "
        f"FROM (SELECT rownum, ref, MIN(rownum) OVER (PARTITION BY ref) AS first_row "
        f"FROM {STAGE}) s "
        f"LEFT JOIN {household} h ON h.poll_id = %s AND h.ref = s.ref "
        f"LEFT JOIN {response} r ON r.household_id = h.id "
        f"WHERE h.id IS NULL OR s.rownum > s.first_row OR r.id IS NOT NULL "
        f"ORDER BY s.rownum"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [poll_id])
        return [(n, ref, pk, first, bool(done)) for n, ref, pk, first, done in cursor.fetchall()]


def stage_apply(poll_id: int, import_id: int) -> int:
    """Write the staged rows (all checked): a call per row, an interview for the complete
    and partial ones, the households' new dispositions. Returns the rows written."""
    household, response, call = _tables()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    callback = f"CASE WHEN s.disposition = '{Disposition.CALLBACK.value}' THEN s.callback_at END"
    source = ResponseSource.IMPORT.value
    interview = f"('{Disposition.COMPLETE.value}', '{Disposition.PARTIAL.value}')"
    join = f"FROM {STAGE} s JOIN {household} h ON h.poll_id = %s AND h.ref = s.ref"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {call} (household_id, interviewer_id, disposition, callback_at, at, "
            f"source) SELECT h.id, NULL, s.disposition, {callback}, %s, %s {join} "
            f"ORDER BY s.rownum",
            [now, source, poll_id],
        )
        written = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {response} (poll_id, household_id, stratum_id, disposition, "
            f"candidate_id, suggestion, interviewer_id, source, batch_id, recorded_at) "
            f"SELECT h.poll_id, h.id, h.stratum_id, s.disposition, s.candidate_id, "
            f"s.suggestion, NULL, %s, %s, %s {join} WHERE s.disposition IN {interview} "
            f"ORDER BY s.rownum",
            [source, import_id, now, poll_id],
        )
        cursor.execute(
            f"UPDATE {household} AS h SET disposition = s.disposition, "
            f"callback_at = {callback}, attempts = h.attempts + 1, leased_by_id = NULL, "
            f"leased_until = NULL FROM {STAGE} s WHERE h.poll_id = %s AND h.ref = s.ref",
            [poll_id],
        )
    return written
