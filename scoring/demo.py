"""Review data for the demo: the TW 8th edition's first-line category, reviewed.

The seed documents publish the 8th edition's rules and timetable, not its scores, so the
scores here are invented (deterministically) to show the review half of the product with
a finished cycle: a panel with a chair, a declared conflict, three reviewers per dossier
in the written review, five finalists, site visits with mystery-shopper tests, and final
standings weighted 30 % written + 70 % site visit, normalised per reviewer. The stages of
2016 are long closed, so these records are written as history (the services refuse
scoring outside a stage's dates, as they should), and each is marked as demo data."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, User
from agencies.services import user_create
from awards import demo_data
from awards.enums import NominationState, StageKind
from awards.models import Category, DossierSection, Edition, Nomination, Stage, Submission
from awards.services import _snapshot_content, dossier_sections_create, nomination_transition

from .enums import Aggregation, ConflictSource, MemberKind, ReviewState, SiteTestKind
from .models import (
    AgencyServiceArea,
    Assignment,
    Conflict,
    ConflictDeclaration,
    ExpertiseArea,
    Panel,
    PanelMember,
    Review,
    ReviewRevision,
    Score,
    SiteTest,
)
from .services.conflicts import is_conflicted, review_policy
from .services.reviews import review_transition

NOMINEES = [
    "TW-TPE-ZSHR",
    "TW-TPE-DALO",
    "TW-TPE-FIRE",
    "TW-NTPC-BQHR",
    "TW-NTPC-BQLO",
    "TW-NTPC-TAX",
    "TW-KHH-FSLO",
    "TW-KHH-HLTH",
    "TW-ILA-TAX",
    "TW-ILA-LDHR",
    "TW-NTBT",
    "TW-BLI",
]

PANEL = [
    # email, name, affiliation type, affiliation, chair
    ("chair@demo.test", "評審召集人 吳教授", AffiliationType.ACADEMIA, "國立臺灣大學", True),
    ("reviewer@demo.test", None, None, None, False),  # the demo reviewer, already a user
    (
        "reviewer2@demo.test",
        "評審委員 周董事長",
        AffiliationType.PRIVATE_SECTOR,
        "服務業協會",
        False,
    ),
    (
        "reviewer3@demo.test",
        "評審委員 許會計師",
        AffiliationType.PROFESSIONAL_BODY,
        "會計師公會",
        False,
    ),
    ("reviewer4@demo.test", "評審委員 劉參事", AffiliationType.GOVERNMENT, "行政院研考單位", False),
    ("reviewer5@demo.test", "評審委員 蔡委員", AffiliationType.LEGISLATURE, "立法院", False),
]

# The TW scheme's areas of expertise (from the agencies the seed's briefing names), the
# agency types that serve each, and the areas each demo reviewer holds.
EXPERTISE_AREAS = [
    ("戶政", "Household registration", "household_registration"),
    ("地政", "Land administration", "land"),
    ("稅務", "Taxation", "tax"),
    ("醫療", "Health care", "health"),
    ("警政", "Policing", "police"),
    ("觀光", "Tourism", "tourism"),
]
REVIEWER_AREAS = {
    "chair@demo.test": ["戶政", "地政"],
    "reviewer@demo.test": ["戶政", "稅務"],
    "reviewer2@demo.test": ["觀光", "醫療"],
    "reviewer3@demo.test": ["稅務", "地政"],
    "reviewer4@demo.test": ["警政", "戶政"],
    "reviewer5@demo.test": ["醫療", "地政"],
}

# Stored as a reason, like the demo's other Chinese data (comments, dossier text): one
# language, that of the TW scheme. Pages around it are translated; the data is not.
DEMO_NOTE = "示範資料（非實際評分）"


def _stage(edition, kind) -> Stage:
    return edition.stages.get(kind=kind)


def _at(day: datetime.date, hour: int, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


def _users(panel: Panel, password: str) -> list[PanelMember]:
    members = []
    for email, name, affiliation_type, affiliation, chair in PANEL:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email,
                password=password,
                full_name=name,
                roles=[(Role.REVIEWER, None)],
                affiliation_type=affiliation_type,
                affiliation=affiliation,
            )
        members.append(
            PanelMember.objects.create(
                panel=panel,
                user=user,
                kind=MemberKind.REVIEWER,
                affiliation_type=user.affiliation_type or AffiliationType.ACADEMIA,
                is_chair=chair,
            )
        )
    assessor = User.objects.get(email="assessor@demo.test")
    members.append(
        PanelMember.objects.create(
            panel=panel,
            user=assessor,
            kind=MemberKind.SITE_ASSESSOR,
            affiliation_type=assessor.affiliation_type or AffiliationType.PRIVATE_SECTOR,
        )
    )
    return members


def _nominations(edition, category, editor, written: Stage) -> list[Nomination]:
    nominations = []
    authority = User.objects.filter(email="authority@demo.test").first()
    secretariat = User.objects.filter(email="secretariat@demo.test").first()
    submitted_at = _at(written.starts_on - datetime.timedelta(days=20), 10, edition.tzinfo)
    for code in NOMINEES:
        agency = Agency.objects.get(code=code)
        nomination = Nomination.objects.create(
            edition=edition,
            category=category,
            agency=agency,
            created_by=editor,
            created_at=submitted_at - datetime.timedelta(days=30),
        )
        dossier_sections_create(nomination)
        for section in nomination.sections.all():
            section.body = (
                f"{agency.name_zh}：{section.heading_zh}。\n\n"
                "- 單一窗口、線上預約與到府服務\n- 每月檢討顧客意見並公開改善結果"
            )
            section.version = 1
        DossierSection.objects.bulk_update(nomination.sections.all(), ["body", "version"])
        nomination = Nomination.objects.select_related("edition", "category", "agency").get(
            pk=nomination.pk
        )
        submission = Submission(
            nomination=nomination,
            version=1,
            submitted_at=submitted_at,
            submitted_by=editor,
            content=_snapshot_content(nomination, 1, submitted_at),
            pdf_sha256="",
        )
        import hashlib

        from awards.exports import dossier_pdf

        pdf = dossier_pdf(submission.content)
        submission.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        submission.pdf.save("v1.pdf", ContentFile(pdf), save=False)
        submission.save()
        # Submitted, recommended by its competent authority, found eligible: through the
        # nomination's transition service, dated as the invented history has it, no mail.
        steps = [(NominationState.SUBMITTED, editor, {"submitted_at": submitted_at}, "")]
        if edition.uses_recommendation:
            rank = len(nominations) + 1
            steps.append(
                (NominationState.RECOMMENDED, authority, {"recommendation_rank": rank}, "")
            )
        steps.append((NominationState.ELIGIBLE, secretariat, {}, DEMO_NOTE))
        for to_state, actor, update, reason in steps:
            nomination_transition(
                nomination=nomination,
                to_state=to_state,
                actor=actor,
                reason=reason,
                update={**update, "state_changed_at": submitted_at},
                notify=False,
            )
        nominations.append(nomination)
    return nominations


# Reviewers' comments that follow the points they gave: a share of the indicator's
# maximum at or above the first figure takes a phrase of that band. The phrase is picked
# from the assignment and the indicator, not drawn from the random stream, so the demo's
# points stay what they were.
INDICATOR_COMMENTS = (
    (
        0.85,
        (
            "佐證資料充分，做法具體且成效明確。",
            "創新作法值得推廣，成果數據完整。",
            "流程設計周延，顧客回饋佳。",
        ),
    ),
    (
        0.7,
        (
            "佐證資料大致充分，可再補充成效數據。",
            "做法具體，建議說明持續改善的機制。",
            "成果良好，跨機關合作著墨較少。",
        ),
    ),
    (
        0.0,
        (
            "佐證資料不足，建議補充具體成果。",
            "目標與成效的連結不夠明確。",
            "建議加強顧客意見的蒐集與回應。",
        ),
    ),
)
OVERALL_COMMENTS = (
    (0.85, ("整體表現優異，服務流程完整且持續創新。", "以顧客為中心的理念落實於各項服務。")),
    (0.7, ("整體服務流程完整，建議持續蒐集顧客意見。", "成效良好，部分指標可再提出量化佐證。")),
    (0.0, ("整體規劃尚可，成效佐證有待加強。", "建議強化服務品質的檢討與改善機制。")),
)


def _phrase(bands, share: float, key: int) -> str:
    for floor, phrases in bands:
        if share >= floor:
            return phrases[key % len(phrases)]
    return bands[-1][1][key % len(bands[-1][1])]


def _review(assignment, indicators, quality: float, leniency: float, rng, when):
    shares = [
        min(0.98, max(0.35, quality + leniency + rng.uniform(-0.06, 0.06))) for _ in indicators
    ]
    review = Review.objects.create(
        assignment=assignment,
        overall_comment=_phrase(
            OVERALL_COMMENTS, sum(shares) / len(shares) if shares else 0, assignment.pk
        ),
    )
    scores = {}
    for indicator, share in zip(indicators, shares, strict=True):
        points = Decimal(round(indicator.max_points * share))
        comment = _phrase(INDICATOR_COMMENTS, share, assignment.pk + indicator.pk)
        Score.objects.create(review=review, indicator=indicator, points=points, comment=comment)
        scores[str(indicator.pk)] = {"points": str(points), "comment": comment}
    # Submitted, through the review's transition service (the stage is long closed, so
    # not through review_save, which checks the dates).
    total = sum((Decimal(v["points"]) for v in scores.values()), Decimal("0"))
    review_transition(
        review=review,
        to_state=ReviewState.SUBMITTED,
        actor=assignment.reviewer,
        update={"version": 1, "updated_at": when, "submitted_at": when},
        data={"version": 1, "total": str(total)},
    )
    ReviewRevision.objects.create(
        review=review,
        event="submit",
        based_on_version=0,
        scores=scores,
        overall_comment=review.overall_comment,
        reason=DEMO_NOTE,
        saved_at=when,
        saved_by=assignment.reviewer,
    )


@transaction.atomic
def load_expertise_demo() -> bool:
    """The TW scheme's six areas, its agencies' service areas (by agency type) and the
    demo reviewers' areas. Idempotent: returns False once the scheme has areas."""
    from awards.models import AwardScheme

    scheme = AwardScheme.objects.filter(code="tw-gsqa").first()
    if scheme is None or ExpertiseArea.objects.filter(scheme=scheme).exists():
        return False
    areas = {}
    for order, (zh, en, agency_type) in enumerate(EXPERTISE_AREAS, start=1):
        area = ExpertiseArea.objects.create(scheme=scheme, name_zh=zh, name_en=en, order=order)
        areas[zh] = area
        AgencyServiceArea.objects.bulk_create(
            AgencyServiceArea(agency=agency, scheme=scheme, area=area)
            for agency in Agency.objects.filter(code__startswith="TW-", agency_type=agency_type)
        )
    for email, names in REVIEWER_AREAS.items():
        user = User.objects.filter(email=email).first()
        if user is not None:
            user.expertise_areas.add(*(areas[n] for n in names))
    return True


@transaction.atomic
def load_review_demo() -> bool:
    """Idempotent: returns False and changes nothing once the 8th edition has a panel."""
    edition = Edition.objects.filter(scheme__code="tw-gsqa", number=8).first()
    if edition is None or Panel.objects.filter(edition=edition).exists():
        return False
    category = Category.objects.get(edition=edition, code="first-line")
    written = _stage(edition, StageKind.WRITTEN_REVIEW)
    site = _stage(edition, StageKind.SITE_VISIT)
    Stage.objects.filter(pk=written.pk).update(reviewers_per_dossier=3, score_weight=30)
    Stage.objects.filter(pk=site.pk).update(reviewers_per_dossier=2, score_weight=70)
    policy = review_policy(edition)
    policy.aggregation = Aggregation.ZSCORE
    policy.save(update_fields=["aggregation"])
    editor = User.objects.get(email="editor@demo.test")
    panel = Panel.objects.create(edition=edition, category=category)
    members = _users(panel, demo_data.DEMO_PASSWORD)
    load_expertise_demo()
    reviewers = [m.user for m in members if m.kind == MemberKind.REVIEWER]
    assessor = members[-1].user
    nominations = _nominations(edition, category, editor, written)
    # Its nominations and scores are invented: the history statistics say so.
    Edition.objects.filter(pk=edition.pk).update(is_demo=True)
    tz = edition.tzinfo
    for user in [*reviewers, assessor]:
        ConflictDeclaration.objects.create(
            edition=edition, reviewer=user, declared_at=_at(written.starts_on, 9, tz)
        )
    # 周董事長 once advised the Taipei land office: a declared conflict.
    Conflict.objects.create(
        edition=edition,
        reviewer=reviewers[2],
        agency=Agency.objects.get(code="TW-TPE-DALO"),
        source=ConflictSource.DECLARED,
        reason="曾擔任該所服務諮詢顧問",
        created_by=reviewers[2],
        created_at=_at(written.starts_on, 9, tz),
    )
    indicators = [i for d in category.rubric.dimensions.all() for i in d.indicators.all()]
    rng = random.Random(8)
    quality = {n.pk: rng.uniform(0.55, 0.9) for n in nominations}
    leniency = {u.pk: rng.uniform(-0.08, 0.08) for u in [*reviewers, assessor]}
    # Written review: three reviewers per dossier, rotating, skipping the conflict.
    eligible = [u for u in reviewers]
    turn = 0
    for nomination in nominations:
        chosen = []
        while len(chosen) < 3:
            user = eligible[turn % len(eligible)]
            turn += 1
            if is_conflicted(edition, user, nomination.agency):
                continue
            if user not in chosen:
                chosen.append(user)
        for user in chosen:
            assignment = Assignment.objects.create(
                stage=written,
                nomination=nomination,
                reviewer=user,
                created_at=_at(written.starts_on, 10, tz),
            )
            _review(
                assignment,
                indicators,
                quality[nomination.pk],
                leniency[user.pk],
                rng,
                _at(written.ends_on - datetime.timedelta(days=3), 16, tz),
            )
    # The five best (by the invented quality) became finalists.
    finalists = sorted(nominations, key=lambda n: -quality[n.pk])[:5]
    secretariat = User.objects.filter(email="secretariat@demo.test").first()
    for nomination in finalists:
        nomination_transition(
            nomination=nomination,
            to_state=NominationState.FINALIST,
            actor=secretariat,
            reason=DEMO_NOTE,
            update={"state_changed_at": _at(written.ends_on, 17, tz)},
            notify=False,
        )
    for i, nomination in enumerate(finalists):
        free = [u for u in reviewers if not is_conflicted(edition, u, nomination.agency)]
        visitors = [free[i % len(free)], free[(i + 1) % len(free)]]
        for user in visitors:
            assignment = Assignment.objects.create(stage=site, nomination=nomination, reviewer=user)
            _review(
                assignment,
                indicators,
                quality[nomination.pk],
                leniency[user.pk],
                rng,
                _at(site.ends_on - datetime.timedelta(days=5), 15, tz),
            )
        visit = Assignment.objects.create(
            stage=site, nomination=nomination, reviewer=assessor, kind=MemberKind.SITE_ASSESSOR
        )
        _review(
            visit,
            indicators,
            quality[nomination.pk],
            leniency[assessor.pk],
            rng,
            _at(site.ends_on - datetime.timedelta(days=5), 15, tz),
        )
        test = SiteTest.objects.create(
            assignment=visit,
            kind=SiteTestKind.TELEPHONE,
            tested_at=_at(site.starts_on + datetime.timedelta(days=3 + i), 10, tz),
            subject="以民眾身分電話詢問申辦流程",
            findings="電話於三響內接聽，說明清楚並主動告知所需文件。",
            created_at=timezone.now(),
        )
        test.indicators.set(indicators[:2])
    return True
