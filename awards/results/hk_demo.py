"""Demo results of the HK 2002–03 edition (issue 16, part 7): the department, team and
individual awards compiled from the review demo's invented scores (scoring.hk_demo),
approved and published, so that the HK public pages and programme have winners.

The seed (000) names the award (傑出顧客服務獎) but not how many departments won it; the
award rules here are assumed: four winners among the eight finalists, one team and one
officer. The Best Public Image Award is decided by the telephone poll, whose demo is in
fieldwork: its rule is set (award_rules_hk) after this version is compiled, and once the
poll's tally is published, compiling again gives a second version with all four awards."""

from __future__ import annotations

import datetime

from django.db import transaction

from agencies.models import User
from awards.enums import StageKind
from awards.models import Category, Edition, Stage

from . import services
from .enums import AwardBasis
from .models import AwardRule, ResultVersion

# category code -> winners, finalists only, award name (zh, en)
HK_RULES = [
    ("department", 4, True, ("傑出顧客服務獎", "Outstanding Customer Service Award")),
    ("team", 1, False, ("傑出顧客服務團隊獎", "Outstanding Customer Service Team Award")),
    (
        "individual",
        1,
        False,
        ("傑出顧客服務個人獎", "Outstanding Customer Service Individual Award"),
    ),
]


def _at(day: datetime.date, hour: int, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


def _stage(edition, kind) -> Stage | None:
    return Stage.objects.filter(edition=edition, kind=kind).order_by("order").first()


def award_rules_hk_reviewed(edition) -> None:
    """The standings-based rules of the reviewed categories (idempotent)."""
    for code, winners, finalists_only, (zh, en) in HK_RULES:
        AwardRule.objects.get_or_create(
            category=Category.objects.get(edition=edition, code=code),
            defaults={
                "basis": AwardBasis.STANDINGS,
                "winners": winners,
                "finalists_only": finalists_only,
                "award_name_zh": zh,
                "award_name_en": en,
            },
        )


def _poll_published(edition) -> bool:
    from surveys.models import Poll

    return Poll.objects.filter(edition=edition, published_run__isnull=False).exists()


def load_hk_demo() -> bool:
    """The reviewed HK 2002–03 edition (scoring.hk_demo), then its results. Idempotent:
    returns False and changes nothing once both are there. Run before
    `load_results_demo`, so that the programme asks the HK winners to the seminar."""
    from scoring.hk_demo import load_hk_review_demo

    reviewed = load_hk_review_demo()
    compiled = load_hk_results()
    return reviewed or compiled


def load_hk_results() -> bool:
    """Idempotent: returns False and changes nothing once the HK 2002–03 edition has
    results, or when its review demo is not loaded (no finalists)."""
    from .demo import award_rules_hk

    edition = Edition.objects.filter(scheme__code="hk-csca", number=2002).first()
    if edition is None or ResultVersion.objects.filter(edition=edition).exists():
        return False
    if not edition.nominations.filter(state="finalist").exists():
        return False
    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")
    with transaction.atomic():
        award_rules_hk_reviewed(edition)
        # A poll still in fieldwork cannot decide its award yet: its rule (set by an
        # earlier load of the TW results demo) is set again once this version exists.
        if not _poll_published(edition):
            AwardRule.objects.filter(category__edition=edition, basis=AwardBasis.POLL).delete()
        job = services.results_compile_start(edition=edition, actor=secretariat)
        job = services.job_execute(job_id=job.pk)
        version = services.job_version(job)
        if version is None:  # the compile job failed: leave nothing half done
            raise services.ResultsError(*(job.error or "compile failed").splitlines())
        version = services.version_submit(version=version, actor=secretariat)
        approval = _stage(edition, StageKind.APPROVAL)
        ceremony = _stage(edition, StageKind.CEREMONY)
        tz = edition.tzinfo
        services.version_approve(
            version=version,
            actor=approver,
            comment="批准。",
            publish_at=_at(approval.ends_on, 17, tz) if approval else None,
            issued_on=ceremony.starts_on if ceremony else None,
        )
        award_rules_hk(edition)
    return True
