"""Telephone-poll benchmark: `python -m bench.poll [--rows N] [--keep]`.

Creates its own PostgreSQL database on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432/award_bench; a name without "bench" gets the suffix
"_bench_poll", so the database DATABASE_URL names is never touched), migrates it, loads a
sample of N households with COPY, writes the polling firm's responses file (N rows, CSV,
as the firm sends it) and times, side by side:
  - the SERVICE path people run: surveys.services.import_upload (the upload view's call:
    the file streamed to storage, its header read) then import_apply, whose job (run in
    this process, as the eager worker does) parses, stages, checks and writes every row;
    upload -> job done, with the process's peak memory;
  - the reference: PostgreSQL COPY of the same rows (the calls and the interviews) into
    the same tables for a second sample of N households;
  - the tally job on the imported poll (surveys.services.poll_tally_execute), the ORM
    GROUP BYs alone, and the same GROUP BYs as raw SQL;
and prints each target of issue 15 beside its figure and its reference.
The database is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from urllib.parse import urlparse, urlunparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/award_bench"


def bench_url(url: str) -> str:
    """Never the database DATABASE_URL names: a sibling whose name says "bench"."""
    parts = urlparse(url)
    name = parts.path.lstrip("/") or "award"
    if "bench" not in name:
        name = f"{name}_bench_poll"
    return urlunparse(parts._replace(path="/" + name))


def _admin_dsn(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    return urlunparse(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_poll():
    from agencies.models import Agency
    from awards.models import AwardScheme, Edition
    from surveys.demo import district_shares
    from surveys.models import Poll, PollCandidate, Stratum

    scheme = AwardScheme.objects.create(code="bench", name_zh="基準", name_en="Bench")
    edition = Edition.objects.create(
        scheme=scheme, number=1, name_zh="基準", name_en="Bench", time_zone="Asia/Hong_Kong"
    )
    agencies = Agency.objects.bulk_create(
        Agency(code=f"B{i:02d}", name_zh=f"部門{i}", name_en=f"Dept {i}") for i in range(23)
    )
    poll = Poll.objects.create(
        edition=edition,
        title_zh="基準",
        question_zh="?",
        target_sample_size=1_000_000,
        status="fieldwork",
    )
    candidates = PollCandidate.objects.bulk_create(
        PollCandidate(poll=poll, agency=a, order=i) for i, a in enumerate(agencies)
    )
    strata = Stratum.objects.bulk_create(
        Stratum(poll=poll, code=c, name_zh=zh, name_en=en, population_share=s, order=i)
        for i, (c, zh, en, s) in enumerate(district_shares())
    )
    return poll, [c.pk for c in candidates], [s.pk for s in strata]


def _chunks(rows: int, size: int):
    start = 1
    while start <= rows:
        yield start, min(start + size - 1, rows)
        start += size


DISPOSITIONS = ["complete"] * 70 + ["partial"] * 5 + ["refusal"] * 15 + ["non_contact"] * 10


def load_households(poll, stratum_ids, rows: int, *, first_id: int) -> float:
    """COPY the poll's sample: `rows` households, not yet called. Returns seconds."""
    from django.db import connection

    rng = random.Random(poll.pk)
    strata_col = rng.choices(stratum_ids, k=rows)
    connection.ensure_connection()
    pg = connection.connection
    t0 = time.perf_counter()
    with pg.cursor() as cur:
        with cur.copy(
            "COPY surveys_household (id, poll_id, ref, stratum_id, phone_hash, disposition, "
            "attempts) FROM STDIN"
        ) as copy:
            for a, b in _chunks(rows, 100_000):
                copy.write(
                    "".join(
                        f"{first_id + i}\t{poll.pk}\tH{i:07d}\t{strata_col[i - 1]}\t\t\t0\n"
                        for i in range(a, b + 1)
                    )
                )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('surveys_household', 'id'), "
            "(SELECT max(id) FROM surveys_household))"
        )
        cur.execute("ANALYZE surveys_household")
    return time.perf_counter() - t0


def firm_rows(rows: int, codes: list[str]):
    """The firm's rows: (household id, disposition, vote, suggestion), a fixed mix."""
    rng = random.Random(1)
    weights = [1 + (i % 7) for i in range(len(codes))]
    for i in range(1, rows + 1):
        disposition = rng.choice(DISPOSITIONS)
        code = rng.choices(codes, weights)[0] if disposition == "complete" else ""
        suggestion = "改善熱線服務" if i % 10 == 0 else ""
        yield f"H{i:07d}", disposition, code, suggestion


def write_firm_file(path, rows: int, codes: list[str]) -> int:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["住戶編號", "訪問結果", "部門代碼", "建議"])
        writer.writerows(firm_rows(rows, codes))
    return os.path.getsize(path)


def copy_reference(poll, candidates: dict[str, int], rows: int, *, first_id: int) -> float:
    """COPY the same rows as the file into the same tables (a call per row, an interview
    per complete or partial row) for the poll's households: the database's own speed."""
    from django.db import connection

    pg = connection.connection
    t0 = time.perf_counter()
    pg.autocommit = False
    with pg.cursor() as cur:
        with cur.copy(
            "COPY surveys_callattempt (household_id, disposition, at, source) FROM STDIN"
        ) as copy:
            for i, (_ref, disposition, _code, _s) in enumerate(
                firm_rows(rows, list(candidates)), 1
            ):
                copy.write_row((first_id + i, disposition, "2026-01-15 10:00:00+08", "import"))
        with cur.copy(
            "COPY surveys_response (poll_id, household_id, stratum_id, disposition, "
            "candidate_id, suggestion, source, recorded_at) FROM STDIN"
        ) as copy:
            for i, (_ref, disposition, code, suggestion) in enumerate(
                firm_rows(rows, list(candidates)), 1
            ):
                if disposition in ("complete", "partial"):
                    copy.write_row(
                        (
                            poll.pk,
                            first_id + i,
                            None,
                            disposition,
                            candidates.get(code),
                            suggestion,
                            "import",
                            "2026-01-15 10:00:00+08",
                        )
                    )
    pg.commit()
    pg.autocommit = True
    return time.perf_counter() - t0


class PhaseClock:
    """Times the import job's database work by kind while active: its statements (an
    execute wrapper) and its commits (Django's DatabaseWrapper._commit, wrapped here in
    the bench; nothing of the job is changed). The rest of the job's time is Python:
    reading, checking and COPYing rows into the staging table."""

    KINDS = {
        "SELECT s.rownum": "check",
        "INSERT INTO surveys_callattempt": "calls",
        "INSERT INTO surveys_response": "responses",
        "UPDATE surveys_household": "households",
    }

    def __init__(self, connection):
        self.connection = connection
        self.seconds = dict.fromkeys([*self.KINDS.values(), "commit"], 0.0)

    def total(self) -> float:
        return sum(self.seconds.values())

    def _wrapper(self, execute, sql, params, many, context):
        kind = next((k for prefix, k in self.KINDS.items() if sql.startswith(prefix)), None)
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if kind:
                self.seconds[kind] += time.perf_counter() - t0

    def __enter__(self):
        self._wrap = self.connection.execute_wrapper(self._wrapper)
        self._wrap.__enter__()
        original = self._commit = self.connection._commit

        def timed_commit():
            t0 = time.perf_counter()
            try:
                return original()
            finally:
                self.seconds["commit"] += time.perf_counter() - t0

        self.connection._commit = timed_commit
        return self

    def __exit__(self, *exc):
        self.connection._commit = self._commit
        self._wrap.__exit__(*exc)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


RAW_VOTES = (
    "SELECT stratum_id, candidate_id, count(*) FROM surveys_response "
    "WHERE poll_id = %s AND disposition = 'complete' AND candidate_id IS NOT NULL "
    "GROUP BY stratum_id, candidate_id"
)
RAW_DISPOSITIONS = (
    "SELECT disposition, count(*) FROM surveys_household WHERE poll_id = %s GROUP BY disposition"
)


def best_of(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="responses in the file")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tally figure")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.poll needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    url = bench_url(url)
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import tempfile

    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    rows = args.rows
    load_before = os.getloadavg()
    try:
        call_command("migrate", verbosity=0)
        poll, candidate_ids, stratum_ids = setup_poll()
        from surveys.models import Poll, PollCandidate

        codes = dict(PollCandidate.objects.filter(poll=poll).values_list("agency__code", "pk"))
        load_households(poll, stratum_ids, rows, first_id=0)
        # A second poll with its own sample, for the COPY reference.
        from awards.models import Edition

        edition = Edition.objects.create(
            scheme=poll.edition.scheme,
            number=2,
            name_zh="參照",
            name_en="Reference",
            time_zone="Asia/Hong_Kong",
        )
        ref_poll = Poll.objects.create(
            edition=edition,
            title_zh="參照",
            question_zh="?",
            target_sample_size=rows,
            status="fieldwork",
        )
        load_households(ref_poll, stratum_ids, rows, first_id=rows)

        from surveys import services

        with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
            path = os.path.join(tmp, "firm.csv")
            size = write_firm_file(path, rows, list(codes))
            rss_before = peak_rss_mb()
            phases = PhaseClock(connection)
            t0 = time.perf_counter()
            with open(path, "rb") as fh:
                imp, already = services.import_upload(
                    poll=poll,
                    kind="responses",
                    filename="firm.csv",
                    upload=File(fh, name="firm.csv"),
                    actor=None,
                )
            t1 = time.perf_counter()
            mapping = {"household_id": "住戶編號", "disposition": "訪問結果"}
            mapping |= {"agency_code": "部門代碼", "suggestion": "建議"}
            # Outside any transaction the job is queued on commit at once, and the eager
            # worker of the test settings runs it here: upload -> job done.
            with phases:
                imp = services.import_apply(imp=imp, mapping=mapping, actor=None)
            t2 = time.perf_counter()
            imp.refresh_from_db()
            rss_after = peak_rss_mb()
        assert (imp.status, imp.job_status, imp.row_count) == ("imported", "done", rows), (
            imp.status,
            imp.job_status,
            imp.error,
            imp.errors[:3],
        )
        service_s = t2 - t0
        copy_s = copy_reference(ref_poll, codes, rows, first_id=rows)

        def raw():
            with connection.cursor() as cur:
                cur.execute(RAW_VOTES, [poll.pk])
                cur.fetchall()
                cur.execute(RAW_DISPOSITIONS, [poll.pk])
                cur.fetchall()

        def orm():
            services.tally_inputs(poll)

        results = {}

        def job():
            run = services.poll_tally_start(poll=poll, actor=None)
            services.poll_tally_execute(run_id=run.pk)
            run.refresh_from_db()
            assert run.status == "done", run.error
            results["run"] = run

        with connection.cursor() as cur:
            cur.execute("ANALYZE surveys_response")
            cur.execute("ANALYZE surveys_household")
        t3 = time.perf_counter()
        job()  # the first tally after the import: the one "import + tally" counts
        first_tally_s = time.perf_counter() - t3
        raw()
        raw_s, raw_all = best_of(raw, args.repeat)
        orm_s, orm_all = best_of(orm, args.repeat)
        job_s, job_all = best_of(job, args.repeat)
        run = results["run"]

        def ms(xs):
            return ", ".join(f"{x * 1000:.0f}" for x in xs)

        def verdict(ok):
            return "ok" if ok else "MISSED"

        rate = rows / service_s
        copy_rate = rows / copy_s
        total = service_s + first_tally_s
        load_after = os.getloadavg()
        print(
            f"PostgreSQL {connection.pg_version // 10000}; {rows:,} responses in a "
            f"{size / 1024 / 1024:.1f} MB CSV against a sample of {rows:,} households; "
            f"{imp.imported_count:,} rows imported"
        )
        print(
            f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
            f"({os.cpu_count()} CPUs)"
        )
        print(
            f"service upload (stream to storage, header): {(t1 - t0) * 1000:.0f} ms; "
            f"job (parse, stage, check, write): {t2 - t1:.2f} s"
        )
        print(
            f"service path upload -> job done : {service_s:.2f} s = {rate:,.0f} rows/s   "
            f"target >= 50,000 rows/s: {verdict(rate >= 50_000)}"
        )
        print(
            f"reference COPY of the same rows : {copy_s:.2f} s = {copy_rate:,.0f} rows/s   "
            f"service / COPY = {service_s / copy_s:.2f}x  target <= 3x: "
            f"{verdict(service_s <= 3 * copy_s)}"
        )
        print(
            f"import + first tally            : {total:.2f} s (tally {first_tally_s:.2f} s)   "
            f"target < 30 s: {verdict(total < 30)}"
        )
        print(
            f"peak memory of the process      : {rss_after:.0f} MB (before the import "
            f"{rss_before:.0f} MB; file {size / 1024 / 1024:.0f} MB)"
        )
        parse_s = (t2 - t1) - phases.total()
        print(
            "where the job's time goes        : parse, check rows and COPY into staging "
            f"(Python) {parse_s:.2f} s; household checks (1 query) {phases.seconds['check']:.2f} s; "
            f"writes {phases.seconds['calls']:.2f} s calls + {phases.seconds['responses']:.2f} s "
            f"interviews + {phases.seconds['households']:.2f} s households; commits (the "
            f"foreign keys' deferred checks, at the last) {phases.seconds['commit']:.2f} s"
        )
        print(f"raw SQL GROUP BY (2 q)  : {raw_s * 1000:.0f} ms median  [{ms(raw_all)}]")
        print(
            f"ORM tally_inputs (2 q)  : {orm_s * 1000:.0f} ms median  [{ms(orm_all)}]  = {orm_s / raw_s:.2f}x raw"
        )
        print(
            f"tally job (whole run)   : {job_s * 1000:.0f} ms median  [{ms(job_all)}]  = "
            f"{job_s / raw_s:.2f}x raw (was 1.33x: keep)"
        )
        print(f"winners: {', '.join(run.results['winners'])}; deff {run.results['deff']}")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
