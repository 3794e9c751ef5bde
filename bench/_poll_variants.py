"""What other data models of the poll import would cost: `python -m bench._poll_variants
[--rows N]` (not part of `make bench`: it measures designs, not the product).

Builds a throwaway database as bench.poll does (DATABASE_URL's server, a name with
"bench"), loads a sample of N households, stages the firm's N rows with the import's own
staging functions, then times, for each way of writing them, the statements alone and
their foreign keys' checks (`SET CONSTRAINTS ALL IMMEDIATE`), and rolls back: the
database's side of an import, without parsing or checks. Two rounds. docs/scaling.md
("Would another data model reach it?") quotes its figures."""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench import poll as bp


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args(argv)
    url = bp.bench_url(os.environ.get("DATABASE_URL") or bp.DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    url = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_variants"
    bp.recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from surveys import staging
    from surveys.models import PollCandidate, PollImport

    rows = args.rows
    try:
        call_command("migrate", verbosity=0)
        poll, _candidates, strata = bp.setup_poll()
        codes = dict(PollCandidate.objects.filter(poll=poll).values_list("agency__code", "pk"))
        bp.load_households(poll, strata, rows, first_id=0)
        imp = PollImport.objects.create(
            poll=poll, kind="responses", filename="firm.csv", sha256="0" * 64
        )
        staging.stage_create()
        staging.stage_write(
            [
                (n, ref, disposition, codes.get(code), suggestion, None, 0)
                for n, (ref, disposition, code, suggestion) in enumerate(
                    bp.firm_rows(rows, list(codes)), 1
                )
            ]
        )
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {staging.STAGE}")
            # The narrow outcome row a different model would write per household.
            cur.execute(
                "CREATE TABLE bench_outcome (id bigserial PRIMARY KEY, household_id bigint "
                "NOT NULL REFERENCES surveys_household (id) DEFERRABLE INITIALLY DEFERRED, "
                "batch_id bigint REFERENCES surveys_pollimport (id) DEFERRABLE INITIALLY "
                "DEFERRED, disposition varchar(16) NOT NULL, callback_at timestamptz)"
            )
            cur.execute("CREATE INDEX ON bench_outcome (household_id)")
        join = (
            f"FROM {staging.STAGE} s JOIN surveys_household h "
            f"ON h.poll_id = {poll.pk} AND h.ref = s.ref"
        )
        calls = (
            "INSERT INTO surveys_callattempt (household_id, disposition, at, source) "
            f"SELECT h.id, s.disposition, now(), 'import' {join} ORDER BY s.rownum"
        )
        interviews = (
            "INSERT INTO surveys_response (poll_id, household_id, stratum_id, disposition, "
            "candidate_id, suggestion, source, batch_id, recorded_at) SELECT h.poll_id, "
            f"h.id, h.stratum_id, s.disposition, s.candidate_id, s.suggestion, 'import', "
            f"{imp.pk}, now() {join} WHERE s.disposition IN ('complete', 'partial') "
            "ORDER BY s.rownum"
        )
        households = (
            "UPDATE surveys_household AS h SET disposition = s.disposition, callback_at = "
            "NULL, attempts = h.attempts + 1, leased_by_id = NULL, leased_until = NULL "
            f"FROM {staging.STAGE} s WHERE h.poll_id = {poll.pk} AND h.ref = s.ref"
        )
        outcomes = (
            "INSERT INTO bench_outcome (household_id, batch_id, disposition) "
            f"SELECT h.id, {imp.pk}, s.disposition {join} ORDER BY s.rownum"
        )
        variants = {
            "as built: calls + interviews + households": [calls, interviews, households],
            "interviews + households, no call rows": [interviews, households],
            "outcome row + interviews, households untouched": [outcomes, interviews],
            "interviews alone": [interviews],
        }
        print(f"{rows:,} staged rows; load average {os.getloadavg()[0]:.2f}")
        for _round in range(2):
            for name, statements in variants.items():
                parts = []
                t0 = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute("BEGIN")
                    for sql in statements:
                        t = time.perf_counter()
                        cur.execute(sql)
                        parts.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    checks = time.perf_counter() - t
                    cur.execute("ROLLBACK")
                total = time.perf_counter() - t0
                print(
                    f"  {name:48s} writes {' + '.join(f'{p:.2f}' for p in parts)} s, "
                    f"FK checks {checks:.2f} s = {rows / total:,.0f} rows/s",
                    flush=True,
                )
        print(f"load average after {os.getloadavg()[0]:.2f}")
    finally:
        connection.close()
        bp.drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
