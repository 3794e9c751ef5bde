"""Decision sensitivity of 200 dossiers × 7 reviewers, 1,000 bootstrap draws.

`python -m bench.sensitivity [--dossiers N] [--reviewers K] [--draws B] [--repeat R]`.
Builds one category's frozen inputs in memory (awards.results.sensitivity.CategoryInput:
every dossier scored by each of the K reviewers of the panel in the written review,
reviewers with their own leniency, the best 20 finalists scored again by the same
panel in a site visit, 30 % + 70 %, top 5 win, finalists only) and times, best of R,
`category_sensitivity` under each method in use: the four methods' rankings and
winners, leave-one-reviewer-out, the bootstrap of B draws, the small samples and the
margin. No database: the job reads the version's frozen record (one row) and does
exactly this. Each figure is printed beside its target (issue 17: ≤ 2 s for
200 × 7). The correctness on hand-computed cases is tested in
tests/results/test_sensitivity.py."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

TARGET_SECONDS = 2.0


def build(dossiers: int, reviewers: int, method: str):
    from awards.results.sensitivity import CategoryInput

    rng = random.Random(17)
    quality = {n: rng.gauss(650, 90) for n in range(1, dossiers + 1)}
    lenient = {r: rng.gauss(0, 40) for r in range(1, reviewers + 1)}
    written = {
        (r, n): round(min(max(q + lenient[r] + rng.gauss(0, 50), 0), 1000), 1)
        for n, q in quality.items()
        for r in lenient
    }
    finalists = sorted(quality, key=lambda n: -quality[n])[:20]
    site = {
        (r, n): round(min(max(quality[n] + lenient[r] + rng.gauss(0, 40), 0), 1000), 1)
        for n in finalists
        for r in lenient
    }
    nominations = sorted(quality)
    return CategoryInput(
        id=1,
        method=method,
        maximum=1000.0,
        min_reviews=5,
        winners=5,
        min_score=None,
        finalists_only=True,
        stages=[(1, 30.0), (2, 70.0)],
        nominations=nominations,
        state={n: "finalist" if n in finalists else "eligible" for n in nominations},
        incomplete=dict.fromkeys(nominations, False),
        totals={1: written, 2: site},
        names={r: f"評審委員{r}" for r in lenient},
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--reviewers", type=int, default=7)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from awards.results.sensitivity import category_sensitivity
    from scoring.aggregation import Method

    print(
        f"{args.dossiers} dossiers × {args.reviewers} reviewers "
        f"({args.dossiers * args.reviewers} written totals + {20 * args.reviewers} site-visit "
        f"totals), {args.draws} draws, best of {args.repeat}; load {os.getloadavg()[0]:.1f}"
    )
    worst = 0.0
    for method in (Method.MEAN, Method.TRIMMED_MEAN, Method.MEDIAN, Method.ZSCORE):
        inp = build(args.dossiers, args.reviewers, method)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = category_sensitivity(inp, draws=args.draws, seed="bench")
            times.append(time.perf_counter() - started)
        best = min(times)
        worst = max(worst, best)
        changed = sum(1 for m in result["methods"] if m["added"] or m["dropped"])
        print(
            f"  method in use {method:<13} {best:6.3f} s   (target ≤ {TARGET_SECONDS:.1f} s)"
            f"   methods changing a winner: {changed}, rows {len(result['rows'])}"
        )
    print(f"  slowest {worst:.3f} s beside the target {TARGET_SECONDS:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
