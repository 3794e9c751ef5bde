"""The secretariat's eligibility list with 2,000 nominations: server time and queries.

`python -m bench.nominations [--rows N] [--repeat R]`. Builds a throwaway database
(a test database next to DATABASE_URL's when that is set, else a temporary SQLite
file), migrates it, creates one edition with N nominations from N agencies under ten
competent authorities, then renders the list through Django's test Client as a
secretariat user: the first page, and a page filtered by edition, category, state,
authority and a search. Prints the median server time of R runs and the query count.
Figures only; nothing is asserted about time (the constant query count is asserted in
tests/awards/test_oversight_views.py)."""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time


def build(rows: int):
    """One edition, ten authorities, `rows` agencies each with one nomination."""
    from django.utils import timezone

    from agencies.enums import Role
    from agencies.models import Agency, User
    from agencies.services import agency_create, role_grant
    from awards.enums import CategoryKind, StageKind
    from awards.enums import NominationState as S
    from awards.models import AwardScheme, Category, Edition, Nomination, Stage, Submission

    scheme = AwardScheme.objects.create(code="bench", name_zh="基準獎", name_en="Bench award")
    edition = Edition.objects.create(
        scheme=scheme, number=1, name_zh="第一屆", name_en="Edition 1", recommendation_quota=5
    )
    today = timezone.now().astimezone(edition.tzinfo).date()
    Stage.objects.bulk_create(
        [
            Stage(
                edition=edition,
                kind=StageKind.NOMINATION,
                name_zh="自薦",
                starts_on=today - datetime.timedelta(days=30),
                ends_on=today - datetime.timedelta(days=10),
                order=1,
            ),
            Stage(
                edition=edition,
                kind=StageKind.RECOMMENDATION,
                name_zh="推薦",
                starts_on=today - datetime.timedelta(days=9),
                ends_on=today + datetime.timedelta(days=5),
                order=2,
            ),
        ]
    )
    categories = Category.objects.bulk_create(
        Category(edition=edition, code=f"c{i}", kind=CategoryKind.FIRST_LINE, name_zh=f"類別{i}")
        for i in range(4)
    )
    authorities = [
        agency_create(code=f"CA{i:02d}", name_zh=f"主管機關{i}", is_competent_authority=True)
        for i in range(10)
    ]
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"AG{i:05d}",
            name_zh=f"基準機關{i}",
            name_en=f"Bench agency {i}",
            parent=authorities[i % 10],
            depth=1,
        )
        for i in range(rows)
    )
    for i, agency in enumerate(agencies):  # the tree path agencies.services would give
        agency.path = f"{authorities[i % 10].path}{agency.pk}/"
    Agency.objects.bulk_update(agencies, ["path"], batch_size=500)
    secretariat = User.objects.create_user("secretariat@bench.test")
    role_grant(user=secretariat, role=Role.SECRETARIAT)
    cycle = [S.SUBMITTED, S.RECOMMENDED, S.RECOMMENDED, S.ELIGIBLE, S.INELIGIBLE, S.RETURNED]
    now = timezone.now()
    nominations = Nomination.objects.bulk_create(
        (
            Nomination(
                edition=edition,
                category=categories[i % 4],
                agency=agency,
                created_by=secretariat,
                state=cycle[i % len(cycle)],
                recommendation_rank=(i % 5) + 1 if cycle[i % len(cycle)] != S.SUBMITTED else None,
                submitted_at=now,
            )
            for i, agency in enumerate(agencies)
        ),
        batch_size=500,
    )
    Submission.objects.bulk_create(
        (
            Submission(
                nomination=n,
                version=1,
                submitted_by=secretariat,
                content={},
                pdf=f"snapshots/{n.pk}/v1.pdf",
                pdf_sha256="0" * 64,
            )
            for n in nominations
        ),
        batch_size=500,
    )
    return secretariat, edition, categories[1], authorities[3]


def measure(client, url: str, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, translations, the session
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    rows = response.content.decode().count('<th scope="row">')
    return statistics.median(times), times, len(queries), rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="award-bench-")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(
            folder, "bench.sqlite3"
        )
    # No setup_test_environment(): its instrumented template rendering (a context copy
    # per template, for response.context) would be timed too, and production has none.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        secretariat, edition, category, authority = build(args.rows)
        built = time.perf_counter() - started
        client = Client()
        client.force_login(secretariat)
        url = reverse("awards:eligibility_list")
        pages = {
            "first page": url,
            "filtered page": (
                f"{url}?edition={edition.pk}&category={category.pk}&state=recommended"
                f"&authority={authority.pk}&q=Bench"
            ),
        }
        print(
            f"eligibility list, {args.rows:,} nominations ({connection.vendor}, "
            f"data built in {built:.1f} s), median of {args.repeat} runs:"
        )
        for name, page in pages.items():
            median, times, queries, rows = measure(client, page, args.repeat)
            spread = ", ".join(f"{t * 1000:.0f}" for t in times)
            print(
                f"  {name:<14} {median * 1000:7.1f} ms   {queries:2d} queries   "
                f"{rows:2d} rows shown   [{spread}] ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
