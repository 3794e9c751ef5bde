"""Shared builders for the results tests: a scored cycle (written review for every
dossier, finalists scored in the site visit), compiled, submitted, approved, published.
Scores are given directly (tests.factories.score_directly); the scoring services are
tested on their own."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.utils import timezone

from agencies.enums import Role
from awards.enums import NominationState
from awards.models import Nomination
from awards.results import services
from awards.results.models import AwardLevel, AwardRule
from scoring.models import Assignment
from tests.factories import UserFactory, close_scoring, review_cycle
from tests.scoring.standings_helpers import give, split

# Written-review totals per dossier (in order of cycle.nominations) and site-visit totals
# for the finalists (the first three dossiers).
WRITTEN = [800, 760, 700, 600, 500, 400]
SITE = [900, 700, 800]


def scored_cycle(*, agencies: int = 6, winners: int = 2, levels: bool = True):
    """review_cycle() with: every dossier scored by every reviewer in the written review;
    the first three finalists scored by two reviewers in the site visit; an award rule
    (standings, `winners` winners, finalists only) and, if `levels`, two award levels
    (特優 ≥ 800, 優等 ≥ 700). Final scores (30 % written + 70 % site):
    n0 = 0.3·800 + 0.7·900 = 870, n1 = 0.3·760 + 0.7·700 = 718, n2 = 0.3·700 + 0.7·800 = 770;
    so the order is n0 870, n2 770, n1 718, then the non-finalists by written score."""
    cycle = review_cycle(agencies=agencies, reviewers=3, site_assessors=0)
    for i, nomination in enumerate(cycle.nominations):
        for reviewer in cycle.reviewers:
            a = Assignment.objects.create(
                stage=cycle.written, nomination=nomination, reviewer=reviewer
            )
            give(cycle, a, split(WRITTEN[i % len(WRITTEN)]))
    finalists = cycle.nominations[:3]
    Nomination.objects.filter(pk__in=[n.pk for n in finalists]).update(
        state=NominationState.FINALIST
    )
    for i, nomination in enumerate(finalists):
        for reviewer in cycle.reviewers[:2]:
            a = Assignment.objects.create(
                stage=cycle.site_visit, nomination=nomination, reviewer=reviewer
            )
            give(cycle, a, split(SITE[i]))
    cycle.rule = AwardRule.objects.create(
        category=cycle.category,
        winners=winners,
        award_name_zh="政府服務品質獎",
        award_name_en="Government Service Quality Award",
    )
    if levels:
        AwardLevel.objects.create(
            edition=cycle.edition, name_zh="特優", name_en="Distinction", min_score=800
        )
        AwardLevel.objects.create(
            edition=cycle.edition, name_zh="優等", name_en="Merit", min_score=700
        )
    cycle.approver = UserFactory(roles=[Role.APPROVER], full_name="核定長官")
    return cycle


def compile_version(cycle):
    """Compile now (the job runs in-process once the transaction 'commits') and return
    the new version. The scoring stages are over by then (results compile only after
    the last one closes)."""
    close_scoring(cycle.edition)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.results_compile_start(edition=cycle.edition, actor=cycle.secretariat)
    job.refresh_from_db()
    assert job.status == "done", job.error
    return services.job_version(job)


def approved_version(cycle, *, published: bool = True):
    version = compile_version(cycle)
    services.version_submit(version=version, actor=cycle.secretariat)
    publish_at = timezone.now() - datetime.timedelta(minutes=1) if published else None
    return services.version_approve(
        version=version, actor=cycle.approver, comment="核定", publish_at=publish_at
    )


def poll_cycle(votes=(50, 40, 30, 20, 10), places: int = 3):
    """An HK-like edition whose Best Public Image Award is decided by a household poll:
    one candidate department per entry of `votes` (codes DEP1…), the votes recorded in one
    stratum, the tally run and published, and the award rule (basis poll)."""
    import types

    from awards.enums import CategoryKind
    from surveys import services as poll_services
    from surveys.enums import PollStatus
    from tests.factories import (
        AgencyFactory,
        CategoryFactory,
        EditionFactory,
        PollCandidateFactory,
        PollFactory,
        StratumFactory,
        poll_votes,
    )

    edition = EditionFactory(time_zone="Asia/Hong_Kong", uses_recommendation=False)
    category = CategoryFactory(
        edition=edition,
        kind=CategoryKind.SPECIAL,
        code="best-public-image",
        name_zh="最佳公眾形象獎",
        name_en="Best Public Image Award",
    )
    poll = PollFactory(edition=edition, award_places=places, status=PollStatus.CLOSED)
    stratum = StratumFactory(poll=poll, population_share=1)
    departments = [
        AgencyFactory(code=f"DEP{i}", name_zh=f"部門{i}", name_en=f"Department {i}")
        for i in range(1, len(votes) + 1)
    ]
    candidates = [
        PollCandidateFactory(poll=poll, agency=a, order=i) for i, a in enumerate(departments)
    ]
    poll_votes(poll, dict(zip(candidates, votes, strict=True)), stratum=stratum)
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = poll_services.poll_tally_start(poll=poll, actor=secretariat)
    run.refresh_from_db()
    poll_services.poll_publish(poll=poll, run=run, actor=secretariat)
    rule = AwardRule.objects.create(
        category=category,
        basis="poll",
        award_name_zh="最佳公眾形象獎",
        award_name_en="Best Public Image Award",
    )
    return types.SimpleNamespace(
        edition=edition,
        category=category,
        poll=poll,
        run=run,
        departments=departments,
        rule=rule,
        secretariat=secretariat,
        approver=UserFactory(roles=[Role.APPROVER]),
    )


# The decision-sensitivity case (tests/results/test_sensitivity.py): three reviewers' totals
# for three finalist dossiers, keyed 10, 20, 30 (in order of cycle.nominations). One winner:
# the mean gives the first (640), the median and trimmed mean the second (600).
TABLE = {10: (900, 500, 520), 20: (600, 600, 600), 30: (400, 450, 500)}


def disputed_cycle(*, scored=True):
    """review_cycle() with three finalists scored in the written review by three
    reviewers as in TABLE (the site visit unscored), one winner, the mean."""
    cycle = review_cycle(agencies=3, reviewers=3, site_assessors=0)
    if scored:
        for nomination, row in zip(cycle.nominations, TABLE.values(), strict=True):
            for reviewer, total in zip(cycle.reviewers, row, strict=True):
                a = Assignment.objects.create(
                    stage=cycle.written, nomination=nomination, reviewer=reviewer
                )
                give(cycle, a, split(total))
    Nomination.objects.filter(pk__in=[n.pk for n in cycle.nominations]).update(
        state=NominationState.FINALIST
    )
    AwardRule.objects.create(category=cycle.category, winners=1, award_name_zh="品質獎")
    cycle.approver = UserFactory(roles=[Role.APPROVER], full_name="核定長官")
    return cycle
