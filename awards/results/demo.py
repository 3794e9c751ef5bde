"""Demo results: the TW 8th edition's first-line category compiled from the review demo's
(invented) scores, approved and published, so the public pages, the history table, the
workbook and the certificates have something real to show. The HK 2002–03 edition's
department, team and individual awards are compiled and published by `load_hk_demo`
(hk_demo.py; here too, if its review is loaded but not compiled); its Best Public Image
Award rule (decided by the poll) is set and left for the user to finish: the poll is
still in fieldwork."""

from __future__ import annotations

import datetime

from django.db import transaction

from agencies.models import User
from awards.enums import StageKind
from awards.models import Category, Edition, Stage

from . import services
from .enums import AwardBasis
from .models import AwardLevel, AwardRule, ResultVersion

TW_AWARD = ("政府服務品質獎", "Government Service Quality Award")
HK_AWARD = ("最佳公眾形象獎", "Best Public Image Award")


def _at(day: datetime.date, hour: int, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


def _stage(edition, kind) -> Stage:
    return Stage.objects.filter(edition=edition, kind=kind).order_by("order").first()


def award_rules_hk(edition) -> None:
    category = Category.objects.get(edition=edition, code="best-public-image")
    AwardRule.objects.get_or_create(
        category=category,
        defaults={
            "basis": AwardBasis.POLL,
            "award_name_zh": HK_AWARD[0],
            "award_name_en": HK_AWARD[1],
        },
    )


def load_results_demo() -> bool:
    """Idempotent: returns False and changes nothing once the 8th edition has results
    (or when the review demo is not loaded) and the programmes are there. The HK 2002–03
    and TW 8th programmes (awards/results/programme_demo.py) are loaded after the results,
    so that the TW winners are asked to give their talks."""
    from .hk_demo import load_hk_results
    from .programme_demo import load_programme_demo

    # HK first: its version is compiled before the poll's award rule is set (the poll is
    # in fieldwork), and both editions' winners are there when the programmes are loaded.
    hk = load_hk_results()
    compiled = _load_results()
    programmes = load_programme_demo()
    return hk or compiled or programmes


def _load_results() -> bool:
    edition = Edition.objects.filter(scheme__code="tw-gsqa", number=8).first()
    if edition is None or ResultVersion.objects.filter(edition=edition).exists():
        return False
    if not edition.nominations.filter(state="finalist").exists():
        return False
    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")
    with transaction.atomic():
        AwardRule.objects.create(
            category=Category.objects.get(edition=edition, code="first-line"),
            basis=AwardBasis.STANDINGS,
            winners=3,
            finalists_only=True,
            award_name_zh=TW_AWARD[0],
            award_name_en=TW_AWARD[1],
        )
        AwardLevel.objects.create(
            edition=edition, name_zh="特優", name_en="Distinction", min_score=850
        )
        hk = Edition.objects.filter(scheme__code="hk-csca", number=2002).first()
        if hk is not None:
            award_rules_hk(hk)
    job = services.results_compile_start(edition=edition, actor=secretariat)
    # Run it here rather than wait for a worker (a worker picking it up later finds it
    # done: a job runs once).
    job = services.job_execute(job_id=job.pk)
    version = services.version_submit(version=services.job_version(job), actor=secretariat)
    tz = edition.tzinfo
    approval = _stage(edition, StageKind.APPROVAL)
    ceremony = _stage(edition, StageKind.CEREMONY)
    services.version_approve(
        version=version,
        actor=approver,
        comment="准予核定。",
        publish_at=_at(approval.ends_on, 17, tz) if approval else None,
        issued_on=ceremony.starts_on if ceremony else None,
    )
    return True
