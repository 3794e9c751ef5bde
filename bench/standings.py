"""Standings of 1,000 dossiers × 7 reviewers × 6 indicators with z-score normalisation.

`python -m bench.standings [--dossiers N] [--reviewers K] [--repeat R]`. Builds a
throwaway database (a test database next to DATABASE_URL's when that is set, else a
temporary SQLite file), migrates it, creates one edition with its own rubric of six
indicators (1000 points), N eligible nominations each assigned to K reviewers with
submitted reviews (and a second edition of 10, for the query count at N = 10), then
times, best of R runs:
- scoring.selectors.stage_standings (one query of the per-review sums stored at
  submission, as review_transition stores them, plus one vectorised pass in Python)
  beside a raw SQL aggregate of the same scores (SELECT assignment, SUM(points) … GROUP
  BY assignment), the reference issue 15 names;
- the whole standings page (the view, its template, the session) through Django's test
  Client as the secretariat, DEBUG off, with its size in KiB and its query count at N
  and at 10 (median of R runs as well);
- one dossier's detail fragment (htmx).
Each figure is printed beside its target (issue 15). Figures only; the constant query
counts are asserted in tests/scoring/test_standings*.py."""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

RUBRIC = {
    "total_points": 1000,
    "dimensions": [
        {
            "name_zh": "服務品質",
            "name_en": "Service quality",
            "max_points": 400,
            "indicators": [
                {"name_zh": "服務流程", "max_points": 200},
                {"name_zh": "顧客關係", "max_points": 200},
            ],
        },
        {
            "name_zh": "效率",
            "name_en": "Efficiency",
            "max_points": 300,
            "indicators": [
                {"name_zh": "資訊提供", "max_points": 100},
                {"name_zh": "線上服務", "max_points": 100},
                {"name_zh": "處理時效", "max_points": 100},
            ],
        },
        {
            "name_zh": "創新",
            "name_en": "Innovation",
            "max_points": 300,
            "indicators": [{"name_zh": "創新服務", "max_points": 300}],
        },
    ],
}


def build(dossiers: int, reviewers: int, code: str = "bench"):
    from django.utils import timezone

    from agencies.enums import Role
    from agencies.models import Agency, User
    from agencies.services import agency_create, role_grant
    from awards.enums import CategoryKind, StageKind
    from awards.enums import NominationState as S
    from awards.models import AwardScheme, Category, Edition, Nomination, Stage
    from awards.services import category_rubric_create
    from rubrics.models import Indicator
    from scoring.enums import Aggregation, ReviewState
    from scoring.models import Assignment, Review, ReviewPolicy, Score
    from scoring.services.reviews import review_sums_store

    scheme = AwardScheme.objects.create(code=code, name_zh="基準獎", name_en="Bench award")
    edition = Edition.objects.create(scheme=scheme, number=1, name_zh="第一屆", name_en="Edition 1")
    ReviewPolicy.objects.create(edition=edition, aggregation=Aggregation.ZSCORE)
    today = timezone.now().astimezone(edition.tzinfo).date()
    stage = Stage.objects.create(
        edition=edition,
        kind=StageKind.WRITTEN_REVIEW,
        name_zh="初審",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
        allows_scoring=True,
        reviewers_per_dossier=reviewers,
        score_weight=100,
    )
    category = Category.objects.create(
        edition=edition, code="c1", kind=CategoryKind.FIRST_LINE, name_zh="第一線服務機關"
    )
    category_rubric_create(category=category, **RUBRIC)
    indicators = list(
        Indicator.objects.filter(dimension__rubric__category=category).order_by(
            "dimension__order", "order"
        )
    )
    authority = agency_create(code=f"CA{code}", name_zh="主管機關", is_competent_authority=True)
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"{code}{i:05d}",
            name_zh=f"基準機關{i}",
            parent=authority,
            depth=1,
            path=f"{authority.path}{i:010d}/",
        )
        for i in range(dossiers)
    )
    owner = User.objects.create_user(f"secretariat@{code}.test")
    role_grant(user=owner, role=Role.SECRETARIAT)
    panel = [
        User.objects.create_user(f"reviewer{j}@{code}.test", full_name=f"評審委員{j + 1}")
        for j in range(reviewers)
    ]
    nominations = Nomination.objects.bulk_create(
        (
            Nomination(
                edition=edition, category=category, agency=a, created_by=owner, state=S.ELIGIBLE
            )
            for a in agencies
        ),
        batch_size=500,
    )
    assignments = Assignment.objects.bulk_create(
        (Assignment(stage=stage, nomination=n, reviewer=r) for n in nominations for r in panel),
        batch_size=500,
    )
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        (Review(assignment=a, state=ReviewState.SUBMITTED, submitted_at=now) for a in assignments),
        batch_size=500,
    )
    rng = random.Random(4)
    leniency = {r.pk: rng.uniform(-0.15, 0.15) for r in panel}
    quality = {n.pk: rng.uniform(0.45, 0.9) for n in nominations}
    scores = []
    for review, assignment in zip(reviews, assignments, strict=True):
        level = quality[assignment.nomination_id] + leniency[assignment.reviewer_id]
        for ind in indicators:
            raw = ind.max_points * min(max(level + rng.uniform(-0.08, 0.08), 0), 1)
            scores.append(Score(review=review, indicator=ind, points=round(raw)))
    Score.objects.bulk_create(scores, batch_size=1000)
    # The sums review_transition stores when a review is submitted through the service.
    review_sums_store(reviews)
    return stage, category, len(scores), owner, nominations


RAW_SQL = """
SELECT r.assignment_id, SUM(s.points)
FROM scoring_score s
JOIN scoring_review r ON r.id = s.review_id
JOIN scoring_assignment a ON a.id = r.assignment_id
WHERE a.stage_id = %s AND a.withdrawn_at IS NULL AND r.state = 'submitted'
GROUP BY r.assignment_id
"""


def best_of(repeat: int, func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()  # warm
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = func()
            times.append(time.perf_counter() - start)
    return min(times), times, len(queries), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--reviewers", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.DEBUG = False
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
        from scoring.selectors import stage_standings

        load_before = os.getloadavg()
        started = time.perf_counter()
        stage, category, n_scores, secretariat, nominations = build(args.dossiers, args.reviewers)
        small = build(10, args.reviewers, code="small")
        built = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no planner statistics yet; autovacuum would
            # gather them on a live server. Without them PostgreSQL picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        def standings():
            stage.edition.__dict__.pop("_review_policy_cache", None)
            return stage_standings(stage, category)

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [stage.pk])
                return cursor.fetchall()

        def page(client, url):
            def get():
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response

            return get

        s_best, s_times, s_queries, table = best_of(args.repeat, standings)
        r_best, r_times, r_queries, sums = best_of(args.repeat, raw)
        assert len(table.rows) == args.dossiers
        assert len(sums) == args.dossiers * args.reviewers
        # The same scores: each reviewer's raw total in the standings equals the SQL sum.
        raw_total = sum(float(v) for _a, v in sums)
        standings_total = sum(t.total for row in table.rows for t in row.reviewer_totals)
        assert abs(raw_total - standings_total) < 1e-6, (raw_total, standings_total)

        client = Client()
        client.force_login(secretariat)
        url = reverse("scoring:standings", args=[stage.pk, category.pk])
        v_best, v_times, v_queries, response = best_of(args.repeat, page(client, url))
        size = len(response.content)
        small_client = Client()
        small_client.force_login(small[3])
        small_url = reverse("scoring:standings", args=[small[0].pk, small[1].pk])
        _b, _t, small_queries, _r = best_of(1, page(small_client, small_url))
        detail_url = reverse(
            "scoring:standings_detail", args=[stage.pk, category.pk, nominations[0].pk]
        )
        client.defaults["HTTP_HX_REQUEST"] = "true"
        d_best, d_times, d_queries, _r = best_of(args.repeat, page(client, detail_url))
        load_after = os.getloadavg()

        ratio = s_best / r_best
        print(
            f"standings, {args.dossiers:,} dossiers × {args.reviewers} reviewers × 6 indicators "
            f"= {n_scores:,} scores ({connection.vendor}, built in {built:.1f} s), "
            f"best of {args.repeat}, z-score:"
        )
        print(
            f"  selector {ms(s_best)} = {ratio:.1f}× raw SQL {ms(r_best)} (target ≤ 3×)   "
            f"{s_queries} queries, {len(table.rows):,} rows, top score {table.rows[0].score:.2f}"
        )
        print(
            f"  page (whole view, DEBUG off) {ms(v_best)}, median "
            f"{ms(statistics.median(v_times))} (target ≤ 150 ms; selector {ms(s_best)} of it)"
        )
        print(f"  page size {size / 1024:.0f} KiB (target ≤ 300 KiB)")
        print(
            f"  page queries {v_queries} at N = {args.dossiers:,}, {small_queries} at N = 10 "
            f"(target: unchanged)"
        )
        print(f"  one dossier's detail (htmx) {ms(d_best)}   {d_queries} queries")
        print(
            "  machine load average (1, 5, 15 min): before "
            + ", ".join(f"{x:.2f}" for x in load_before)
            + "; after "
            + ", ".join(f"{x:.2f}" for x in load_after)
            + f"; {os.cpu_count()} CPUs"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
