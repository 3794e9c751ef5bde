"""Telephone-poll benchmark: `python -m bench.poll [--rows N] [--keep]`.

Creates its own PostgreSQL database on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432/award_bench; a name without "bench" gets the suffix
"_bench_poll", so the database DATABASE_URL names is never touched), migrates it, loads N households and N
responses with COPY (psycopg 3), then times side by side:
  - the tally job (surveys.services.poll_tally_execute: GROUP BYs through the ORM + statistics),
  - the ORM GROUP BYs alone (surveys.services.tally_inputs),
  - the same GROUP BYs as raw SQL.
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


FK_CHECKS = [
    # (what, query that must return 0): the foreign keys, checked set-based after the load
    (
        "household.poll",
        "SELECT count(*) FROM surveys_household h LEFT JOIN surveys_poll p ON p.id = h.poll_id WHERE p.id IS NULL",
    ),
    (
        "household.stratum",
        "SELECT count(*) FROM surveys_household h LEFT JOIN surveys_stratum s ON s.id = h.stratum_id WHERE h.stratum_id IS NOT NULL AND s.id IS NULL",
    ),
    (
        "response.household",
        "SELECT count(*) FROM surveys_response r LEFT JOIN surveys_household h ON h.id = r.household_id WHERE h.id IS NULL",
    ),
    (
        "response.poll",
        "SELECT count(*) FROM surveys_response r LEFT JOIN surveys_poll p ON p.id = r.poll_id WHERE p.id IS NULL",
    ),
    (
        "response.stratum",
        "SELECT count(*) FROM surveys_response r LEFT JOIN surveys_stratum s ON s.id = r.stratum_id WHERE r.stratum_id IS NOT NULL AND s.id IS NULL",
    ),
    (
        "response.candidate",
        "SELECT count(*) FROM surveys_response r LEFT JOIN surveys_pollcandidate c ON c.id = r.candidate_id WHERE r.candidate_id IS NOT NULL AND c.id IS NULL",
    ),
]


def load(poll, candidate_ids, stratum_ids, rows: int, fk_triggers: bool = False) -> dict:
    """COPY `rows` households and as many responses in one transaction; returns timings.

    By default the per-row foreign-key triggers are switched off for the load
    (session_replication_role = replica, as pg_restore does in effect) and every foreign
    key is then checked set-based with one anti-join per key; that check is part of the
    measured time. --fk-triggers keeps PostgreSQL's per-row checks instead."""
    from django.db import connection

    rng = random.Random(1)
    weights = [1 + (i % 7) for i in range(len(candidate_ids))]
    # precomputed column values so the timing is dominated by COPY, not by random()
    strata_col = rng.choices(stratum_ids, k=rows)
    cand_col = rng.choices(candidate_ids, weights, k=rows)
    poll_id = poll.pk
    connection.ensure_connection()
    pg = connection.connection
    timings = {}
    pg.autocommit = False
    with pg.cursor() as cur:
        if not fk_triggers:
            cur.execute("SET session_replication_role = replica")
        t0 = time.perf_counter()
        with cur.copy(
            "COPY surveys_household (id, poll_id, ref, stratum_id, phone_hash, disposition, "
            "attempts) FROM STDIN"
        ) as copy:
            for a, b in _chunks(rows, 100_000):
                copy.write(
                    "".join(
                        f"{i}\t{poll_id}\tH{i:07d}\t{strata_col[i - 1]}\t\tcomplete\t1\n"
                        for i in range(a, b + 1)
                    )
                )
        t1 = time.perf_counter()
        with cur.copy(
            "COPY surveys_response (id, poll_id, household_id, stratum_id, disposition, "
            "candidate_id, suggestion, source, recorded_at) FROM STDIN"
        ) as copy:
            for a, b in _chunks(rows, 100_000):
                copy.write(
                    "".join(
                        f"{i}\t{poll_id}\t{i}\t{strata_col[i - 1]}\tcomplete\t{cand_col[i - 1]}"
                        f"\t\timport\t2003-01-15 10:00:00+08\n"
                        for i in range(a, b + 1)
                    )
                )
        t2 = time.perf_counter()
        if not fk_triggers:
            for what, query in FK_CHECKS:
                cur.execute(query)
                broken = cur.fetchone()[0]
                if broken:
                    raise RuntimeError(f"{broken} rows break the foreign key {what}")
            cur.execute("SET session_replication_role = origin")
        pg.commit()
        t3 = time.perf_counter()
        for table in ("surveys_household", "surveys_response"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    pg.commit()
    pg.autocommit = True
    with pg.cursor() as cur:
        cur.execute("ANALYZE surveys_household")
        cur.execute("ANALYZE surveys_response")
    timings["households_s"] = t1 - t0
    timings["responses_s"] = t2 - t1
    timings["check_commit_s"] = t3 - t2
    return timings


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
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--fk-triggers", action="store_true", help="per-row FK checks during COPY")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.poll needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    url = bench_url(url)
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        poll, candidate_ids, stratum_ids = setup_poll()
        timings = load(poll, candidate_ids, stratum_ids, args.rows, args.fk_triggers)
        total = timings["households_s"] + timings["responses_s"] + timings["check_commit_s"]
        rate_resp = args.rows / timings["responses_s"]
        rate_all = 2 * args.rows / total

        from surveys import services

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

        raw()  # warm the cache once for all three
        raw_s, raw_all = best_of(raw, args.repeat)
        orm_s, orm_all = best_of(orm, args.repeat)
        job_s, job_all = best_of(job, args.repeat)
        run = results["run"]
        assert run.inputs["votes"] == args.rows, run.inputs

        def ms(xs):
            return ", ".join(f"{x * 1000:.0f}" for x in xs)

        print(
            f"PostgreSQL {connection.pg_version // 10000}, {args.rows:,} households + {args.rows:,} responses"
        )
        print(
            f"import (COPY) responses : {timings['responses_s']:.2f} s  = {rate_resp:,.0f} rows/s"
        )
        print(f"import (COPY) households: {timings['households_s']:.2f} s")
        print(
            f"FK check + commit       : {timings['check_commit_s']:.2f} s  ({'per-row triggers' if args.fk_triggers else 'set-based anti-joins'})"
        )
        print(
            f"import total (2 tables) : {total:.2f} s  = {rate_all:,.0f} rows/s including checks and commit"
        )
        print(f"raw SQL GROUP BY (2 q)  : {raw_s * 1000:.0f} ms median  [{ms(raw_all)}]")
        print(
            f"ORM tally_inputs (2 q)  : {orm_s * 1000:.0f} ms median  [{ms(orm_all)}]  = {orm_s / raw_s:.2f}x raw"
        )
        print(
            f"tally job (whole run)   : {job_s * 1000:.0f} ms median  [{ms(job_all)}]  = {job_s / raw_s:.2f}x raw"
        )
        print(f"winners: {', '.join(run.results['winners'])}; deff {run.results['deff']}")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
