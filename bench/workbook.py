"""The results workbook of an edition with 100,000 score rows vs a bare openpyxl write-only
workbook of the same rows.

`python -m bench.workbook [--dossiers N] [--reviewers K] [--repeat R]`. Builds a throwaway
database (a test database next to DATABASE_URL's when that is set, else a temporary
SQLite file), migrates it, creates one edition with the TW 8th first-line rubric (five
indicators), N nominations each scored by K reviewers of the panel in one weighted stage
(N × K × 5 scores; 2,000 × 10 × 5 = 100,000 by default; every third score and every
review carry a comment), compiles the results (the compile job), then times, best of R:

  - awards.results.workbook.build_workbook(version, out): every sheet, reading the scores
    from the database;
  - a bare openpyxl write-only workbook of the same 100,000 rows (same eleven columns,
    the values already in a list: no query, no styles, no neutralisation);
  - the same bare write with the rows read by one joined values_list query.

Target: build_workbook ≤ 1.2 × the bare write (the issue's performance requirement).
Figures only; the workbook's content is asserted in tests/results/test_workbook.py."""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import shutil
import sys
import tempfile
import time

TARGET = 1.2


def build(dossiers: int, reviewers: int):
    from django.utils import timezone

    from agencies.enums import AffiliationType
    from agencies.models import Agency, User
    from agencies.services import agency_create
    from awards import demo_data
    from awards.enums import CategoryKind, StageKind
    from awards.enums import NominationState as S
    from awards.models import AwardScheme, Category, Edition, Nomination, Stage
    from awards.results.models import AwardRule
    from awards.services import category_rubric_create
    from rubrics.models import Indicator
    from scoring.enums import ReviewState
    from scoring.models import Assignment, Panel, PanelMember, Review, Score
    from scoring.services.reviews import review_sums_store

    scheme = AwardScheme.objects.create(code="bench", name_zh="基準獎", name_en="Bench award")
    edition = Edition.objects.create(
        scheme=scheme, number=1, name_zh="第一屆", name_en="Edition 1", time_zone="Asia/Taipei"
    )
    today = timezone.now().astimezone(edition.tzinfo).date()
    stage = Stage.objects.create(
        edition=edition,
        kind=StageKind.WRITTEN_REVIEW,
        name_zh="初審（書面審查）",
        name_en="Written review",
        # Ended yesterday: results are compiled only after the last scoring stage closes
        # (the rows below are written directly, so no window is needed to score).
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today - datetime.timedelta(days=1),
        allows_scoring=True,
        reviewers_per_dossier=reviewers,
        score_weight=100,
    )
    category = Category.objects.create(
        edition=edition,
        code="c1",
        kind=CategoryKind.FIRST_LINE,
        name_zh="第一線服務機關",
        name_en="First-line service agencies",
    )
    category_rubric_create(category=category, **demo_data.TW8_FIRST_LINE_RUBRIC)
    AwardRule.objects.create(category=category, winners=30, finalists_only=False)
    indicators = list(
        Indicator.objects.filter(dimension__rubric__category=category).order_by(
            "dimension__order", "order"
        )
    )
    authority = agency_create(code="CA00", name_zh="主管機關", is_competent_authority=True)
    agencies = Agency.objects.bulk_create(
        (
            Agency(
                code=f"AG{i:05d}",
                name_zh=f"基準機關{i}",
                name_en=f"Bench agency {i}",
                parent=authority,
                depth=1,
                path=f"{authority.path}{i:010d}/",
            )
            for i in range(dossiers)
        ),
        batch_size=1000,
    )
    owner = User.objects.create_user("secretariat@bench.test")
    kinds = list(AffiliationType)
    panel_users = [
        User.objects.create_user(
            f"reviewer{j}@bench.test",
            full_name=f"評審委員{j + 1}",
            affiliation_type=kinds[j % len(kinds)],
        )
        for j in range(reviewers)
    ]
    panel = Panel.objects.create(edition=edition, category=category)
    PanelMember.objects.bulk_create(
        PanelMember(panel=panel, user=u, affiliation_type=u.affiliation_type) for u in panel_users
    )
    nominations = Nomination.objects.bulk_create(
        (
            Nomination(
                edition=edition,
                category=category,
                agency=a,
                created_by=owner,
                state=S.FINALIST,
                title=f"基準機關{i}的便民服務",
                submitted_at=timezone.now(),
            )
            for i, a in enumerate(agencies)
        ),
        batch_size=1000,
    )
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(stage=stage, nomination=n, reviewer=r)
            for n in nominations
            for r in panel_users
        ),
        batch_size=1000,
    )
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        (
            Review(
                assignment=a,
                state=ReviewState.SUBMITTED,
                submitted_at=now - datetime.timedelta(minutes=i),
                overall_comment=f"整體表現良好，第{i}號審查意見。",
            )
            for i, a in enumerate(assignments)
        ),
        batch_size=1000,
    )
    rng = random.Random(6)
    leniency = {r.pk: rng.uniform(-0.15, 0.15) for r in panel_users}
    quality = {n.pk: rng.uniform(0.45, 0.9) for n in nominations}
    scores = []
    for review, assignment in zip(reviews, assignments, strict=True):
        level = quality[assignment.nomination_id] + leniency[assignment.reviewer_id]
        for ind in indicators:
            raw = ind.max_points * min(max(level + rng.uniform(-0.08, 0.08), 0), 1)
            comment = "服務流程清楚，可再簡化。" if len(scores) % 3 == 0 else ""
            scores.append(Score(review=review, indicator=ind, points=round(raw), comment=comment))
    Score.objects.bulk_create(scores, batch_size=2000)
    # The sums review_transition stores when a review is submitted through the service.
    review_sums_store(reviews)
    return edition, owner, len(scores)


def compile_version(edition, actor):
    from awards.results import services

    job = services.job_start(edition=edition, kind="compile", actor=actor)
    job = services.job_execute(job_id=job.pk)
    assert job.status == "done", job.error
    return services.job_version(job)


def joined_rows(edition) -> list[tuple]:
    """The reviewer-score rows with their display values, by one joined query (the
    bare write's input): the same columns and order as the workbook's sheet."""
    from agencies.enums import AffiliationType
    from awards.results.workbook import scores_in_order

    labels = {k.value: str(k.label) for k in AffiliationType}
    tz = edition.tzinfo
    rows = []
    for (
        stage,
        category,
        code,
        agency,
        reviewer,
        kind,
        indicator,
        points,
        comment,
        overall,
        at,
    ) in (
        scores_in_order(edition)
        .values_list(
            "review__assignment__stage__name_zh",
            "review__assignment__nomination__category__name_zh",
            "review__assignment__nomination__agency__code",
            "review__assignment__nomination__agency__name_zh",
            "review__assignment__reviewer__full_name",
            "review__assignment__reviewer__affiliation_type",
            "indicator__name_zh",
            "points",
            "comment",
            "review__overall_comment",
            "review__submitted_at",
        )
        .iterator(chunk_size=4000)
    ):
        rows.append(
            (
                stage,
                category,
                code,
                agency,
                reviewer,
                labels.get(kind, kind),
                indicator,
                points,
                comment or None,
                overall or None,
                at.astimezone(tz).replace(tzinfo=None),
            )
        )
    return rows


def bare_write(headers, rows, out) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("scores")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(out)


def interleaved(repeat: int, funcs: dict):
    """Run the candidates in turn, `repeat` rounds, so a busy machine slows them alike;
    the best (wall, CPU) seconds of each, and each one's last result."""
    wall = {k: [] for k in funcs}
    cpu = {k: [] for k in funcs}
    results = {}
    for _ in range(repeat):
        for name, func in funcs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            results[name] = func()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    return {k: (min(wall[k]), min(cpu[k])) for k in funcs}, results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one build_workbook")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.utils import translation

    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="award-bench-")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(
            folder, "bench.sqlite3"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from awards.results.workbook import build_workbook, reviewer_score_columns

        translation.activate("zh-hant")
        started = time.perf_counter()
        edition, actor, n_scores = build(args.dossiers, args.reviewers)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        version = compile_version(edition, actor)
        built = time.perf_counter() - started

        headers = [h for h, _w, _f in reviewer_score_columns()]
        rows = joined_rows(edition)
        assert len(rows) == n_scores

        def workbook():
            out = io.BytesIO()
            counts = build_workbook(version, out)
            return counts, out.tell()

        def bare():
            out = io.BytesIO()
            bare_write(headers, rows, out)
            return out.tell()

        def bare_with_query():
            out = io.BytesIO()
            bare_write(headers, joined_rows(edition), out)
            return out.tell()

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            workbook()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

        best, results = interleaved(
            args.repeat, {"workbook": workbook, "bare": bare, "bare_query": bare_with_query}
        )
        counts, w_bytes = results["workbook"]
        assert counts["reviewer_scores"] == n_scores, counts
        (w_wall, w_cpu), (b_wall, b_cpu), (q_wall, q_cpu) = (
            best["workbook"],
            best["bare"],
            best["bare_query"],
        )
        print(
            f"workbook, {args.dossiers} dossiers × {args.reviewers} reviewers × 5 indicators "
            f"= {n_scores:,} score rows ({connection.vendor}, built and compiled in "
            f"{built:.1f} s), best of {args.repeat} interleaved rounds, wall / CPU:"
        )
        sheets = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        print(
            f"  build_workbook, all sheets          {w_wall:6.2f} s / {w_cpu:6.2f} s  "
            f"{w_bytes / 1e6:4.1f} MB ({sheets} rows)"
        )
        print(
            f"  bare write_only, rows in a list     {b_wall:6.2f} s / {b_cpu:6.2f} s  "
            f"{results['bare'] / 1e6:4.1f} MB (the reviewer-score rows)"
        )
        print(f"  bare write_only + one joined query  {q_wall:6.2f} s / {q_cpu:6.2f} s")
        ratio = w_wall / b_wall
        print(
            f"  build_workbook / bare               {ratio:6.2f} × / {w_cpu / b_cpu:6.2f} ×   "
            f"target ≤ {TARGET} ×: {'met' if ratio <= TARGET else 'NOT met'}"
        )
        print(
            f"  build_workbook / bare + query       {w_wall / q_wall:6.2f} × / "
            f"{w_cpu / q_cpu:6.2f} ×"
        )
    finally:
        translation.deactivate()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
