"""Review data for the demo: the HK 2002–03 edition reviewed (issue 16, part 7).

From the seed (000, paras 4–5): 23 departments entered; the selection reviewed their
self-nominations, a consultancy visited them, and the shortlisted ones presented to a
panel whose members came from the legislature, the private sector, professional bodies
and the staff side of the central consultative councils. Everything else here is
invented (deterministically) and marked as demo data: the panel's people, every score,
the shortlist of eight, the team and individual nominations and their nominees, and the
stage weights (40 % dossier review, 30 % site visit, 30 % panel presentation). The 2002–03
stages are long closed, so the records are written as history, as the TW review demo
(scoring.demo) writes its own: the services refuse scoring, and nominees, outside a
stage's dates, as they should."""

from __future__ import annotations

import datetime
import hashlib
import random

from django.core.files.base import ContentFile
from django.db import transaction

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, User
from agencies.services import user_create
from awards import demo_data
from awards.enums import NominationState, StageKind
from awards.models import (
    Category,
    DossierSection,
    Edition,
    Nomination,
    Nominee,
    Stage,
    Submission,
    TeamMember,
)
from awards.services import _snapshot_content, dossier_sections_create, nomination_transition

from .demo import DEMO_NOTE, _at, _review
from .enums import MemberKind
from .models import Assignment, ConflictDeclaration, Panel, PanelMember

# The panel (評選小組): names invented; the bodies are those the seed names.
HK_PANEL = [
    # email, name, affiliation type, affiliation, chair
    (
        "hk-chair@demo.test",
        "評選小組主席 何嘉樂議員（虛構）",
        AffiliationType.LEGISLATURE,
        "立法會",
        True,
    ),
    (
        "hk-panel2@demo.test",
        "評選小組成員 梁志強先生（虛構）",
        AffiliationType.PRIVATE_SECTOR,
        "私營機構（零售業，虛構）",
        False,
    ),
    (
        "hk-panel3@demo.test",
        "評選小組成員 陳美華女士（虛構）",
        AffiliationType.PRIVATE_SECTOR,
        "私營機構（銀行業，虛構）",
        False,
    ),
    (
        "hk-panel4@demo.test",
        "評選小組成員 黃家明先生（虛構）",
        AffiliationType.PROFESSIONAL_BODY,
        "香港管理專業協會",
        False,
    ),
    (
        "hk-panel5@demo.test",
        "評選小組成員 吳淑儀女士（虛構）",
        AffiliationType.PROFESSIONAL_BODY,
        "香港優質顧客服務協會",
        False,
    ),
    (
        "hk-panel6@demo.test",
        "評選小組成員 李偉文先生（虛構）",
        AffiliationType.STAFF_SIDE,
        "一般職系公務員評議會職方",
        False,
    ),
]
# The consultancy that visited the departments (seed: 顧問公司實地探訪).
HK_CONSULTANT = (
    "hk-consultant@demo.test",
    "顧問公司評審員 張小姐（虛構）",
    AffiliationType.PRIVATE_SECTOR,
    "顧客服務顧問公司（虛構）",
)

# Team nominations: agency, team (zh, en), unit, public consent, members (name, post).
HK_TEAMS = [
    (
        "HK-IMMD",
        "網上預約服務小組",
        "Online appointment team",
        "旅行證件及國籍（申請）分科",
        True,
        [("陳大文（虛構）", "總入境事務主任"), ("林小玲（虛構）", "入境事務主任")],
    ),
    (
        "HK-FSD",
        "救護服務質素小組",
        "Ambulance service quality team",
        "救護總區",
        False,
        [("張國強（虛構）", "救護總長"), ("王志偉（虛構）", "救護主任")],
    ),
    (
        "HK-POST",
        "櫃位服務改善小組",
        "Counter service improvement team",
        "郵政營運科",
        True,
        [("李美玲（虛構）", "郵務主任"), ("周家豪（虛構）", "郵務員")],
    ),
]
# Individual nominations: agency, name (zh, en), post, unit, public consent.
HK_INDIVIDUALS = [
    ("HK-HKO", "鄭慧儀（虛構）", "Cheng Wai-yee (invented)", "科學主任", "天氣預報組", False),
    (
        "HK-LCSD",
        "黃志強（虛構）",
        "Wong Chi-keung (invented)",
        "康樂事務經理",
        "九龍公園",
        True,
    ),
    (
        "HK-TD",
        "劉翠芬（虛構）",
        "Lau Chui-fan (invented)",
        "運輸主任",
        "牌照事務處",
        True,
    ),
]

SHORTLIST = 8  # departments that presented to the panel (assumed)
WEIGHTS = {StageKind.WRITTEN_REVIEW: 40, StageKind.SITE_VISIT: 30, StageKind.PANEL_PRESENTATION: 30}
REVIEWERS_PER_DOSSIER = {
    StageKind.WRITTEN_REVIEW: 3,
    StageKind.SITE_VISIT: 1,
    StageKind.PANEL_PRESENTATION: len(HK_PANEL),
}


def hk_edition() -> Edition | None:
    return Edition.objects.filter(scheme__code="hk-csca", number=2002).first()


def _user(email, name, affiliation_type, affiliation, role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email,
            password=demo_data.DEMO_PASSWORD,
            full_name=name,
            roles=[(role, None)],
            affiliation_type=affiliation_type,
            affiliation=affiliation,
        )
    return user


def _panels(edition, categories) -> tuple[list[User], User]:
    reviewers = [
        (_user(email, name, kind, where, Role.REVIEWER), kind, chair)
        for email, name, kind, where, chair in HK_PANEL
    ]
    email, name, kind, where = HK_CONSULTANT
    consultant = _user(email, name, kind, where, Role.SITE_ASSESSOR)
    for category in categories:
        panel = Panel.objects.create(edition=edition, category=category)
        PanelMember.objects.bulk_create(
            PanelMember(
                panel=panel,
                user=user,
                kind=MemberKind.REVIEWER,
                affiliation_type=kind,
                is_chair=chair,
            )
            for user, kind, chair in reviewers
        )
        if category.code == "department":
            PanelMember.objects.create(
                panel=panel,
                user=consultant,
                kind=MemberKind.SITE_ASSESSOR,
                affiliation_type=AffiliationType.PRIVATE_SECTOR,
            )
    return [user for user, _kind, _chair in reviewers], consultant


def _nomination(edition, category, agency, editor, secretariat, submitted_at) -> Nomination:
    """A submitted dossier found eligible, as history (no mail)."""
    nomination = Nomination.objects.create(
        edition=edition,
        category=category,
        agency=agency,
        created_by=editor,
        created_at=submitted_at - datetime.timedelta(days=30),
    )
    dossier_sections_create(nomination)
    sections = list(nomination.sections.all())
    for section in sections:
        section.body = (
            f"{agency.name_zh}：{section.heading_zh}。\n\n"
            "- 服務承諾及表現指標每年公布\n- 顧客聯絡小組定期收集市民意見"
        )
        section.version = 1
    DossierSection.objects.bulk_update(sections, ["body", "version"])
    nomination = Nomination.objects.select_related("edition", "category", "agency").get(
        pk=nomination.pk
    )
    from awards.exports import dossier_pdf

    submission = Submission(
        nomination=nomination,
        version=1,
        submitted_at=submitted_at,
        submitted_by=editor,
        content=_snapshot_content(nomination, 1, submitted_at),
    )
    pdf = dossier_pdf(submission.content)
    submission.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    submission.pdf.save("v1.pdf", ContentFile(pdf), save=False)
    submission.save()
    for to_state, actor, update, reason in [
        (NominationState.SUBMITTED, editor, {"submitted_at": submitted_at}, ""),
        (NominationState.ELIGIBLE, secretariat, {}, DEMO_NOTE),
    ]:
        nomination_transition(
            nomination=nomination,
            to_state=to_state,
            actor=actor,
            reason=reason,
            update={**update, "state_changed_at": submitted_at},
            notify=False,
        )
    return nomination


def _nominee(nomination, *, name_zh, name_en, post, unit, consent, members, when) -> Nominee:
    """The nominee as the department gave it before submitting (history: not through
    awards.nominees.nominee_save, which checks that the dossier is still open)."""
    nominee = Nominee.objects.create(
        nomination=nomination,
        kind=nomination.category.nominee_kind,
        name_zh=name_zh,
        name_en=name_en,
        post=post,
        unit=unit,
        public_consent=consent,
        consent_recorded_at=when if consent else None,
        updated_at=when,
    )
    TeamMember.objects.bulk_create(
        TeamMember(nominee=nominee, order=i, name=name, post=member_post)
        for i, (name, member_post) in enumerate(members, start=1)
    )
    return nominee


def _indicators(category) -> list:
    return [i for d in category.rubric.dimensions.all() for i in d.indicators.all()]


def _score(stage, nomination, user, indicators, quality, leniency, rng, when, kind=None):
    assignment = Assignment.objects.create(
        stage=stage,
        nomination=nomination,
        reviewer=user,
        kind=kind or MemberKind.REVIEWER,
        created_at=_at(stage.starts_on, 9, stage.edition.tzinfo),
    )
    _review(assignment, indicators, quality, leniency.get(user.pk, 0), rng, when)


@transaction.atomic
def load_hk_review_demo() -> bool:
    """Idempotent: returns False and changes nothing once the HK 2002–03 edition has a
    panel (or when `load_demo` has not loaded it)."""
    edition = hk_edition()
    if edition is None or Panel.objects.filter(edition=edition).exists():
        return False
    tz = edition.tzinfo
    stages = {s.kind: s for s in edition.stages.filter(allows_scoring=True)}
    for kind, weight in WEIGHTS.items():
        Stage.objects.filter(pk=stages[kind].pk).update(
            score_weight=weight, reviewers_per_dossier=REVIEWERS_PER_DOSSIER[kind]
        )
    written = stages[StageKind.WRITTEN_REVIEW]
    site = stages[StageKind.SITE_VISIT]
    presentation = stages[StageKind.PANEL_PRESENTATION]
    # Its nominations and scores are invented: the history statistics say so.
    Edition.objects.filter(pk=edition.pk).update(is_demo=True)
    department = Category.objects.get(edition=edition, code="department")
    team = Category.objects.get(edition=edition, code="team")
    individual = Category.objects.get(edition=edition, code="individual")
    reviewers, consultant = _panels(edition, [department, team, individual])
    for user in [*reviewers, consultant]:
        ConflictDeclaration.objects.create(
            edition=edition, reviewer=user, declared_at=_at(written.starts_on, 9, tz)
        )
    editor = User.objects.get(email="editor-hk@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")
    submitted_at = _at(written.starts_on - datetime.timedelta(days=20), 10, tz)
    agencies = {a.code: a for a in Agency.objects.filter(code__startswith="HK-")}

    def nominate(category, code):
        return _nomination(edition, category, agencies[code], editor, secretariat, submitted_at)

    departments = [nominate(department, code) for code, *_rest in demo_data.HK_DEPARTMENTS]
    teams = []
    for code, zh, en, unit, consent, members in HK_TEAMS:
        nomination = nominate(team, code)
        _nominee(
            nomination,
            name_zh=zh,
            name_en=en,
            post="",
            unit=unit,
            consent=consent,
            members=members,
            when=submitted_at,
        )
        teams.append(nomination)
    people = []
    for code, zh, en, post, unit, consent in HK_INDIVIDUALS:
        nomination = nominate(individual, code)
        _nominee(
            nomination,
            name_zh=zh,
            name_en=en,
            post=post,
            unit=unit,
            consent=consent,
            members=[],
            when=submitted_at,
        )
        people.append(nomination)

    rng = random.Random(2002)
    everyone = [*departments, *teams, *people]
    quality = {n.pk: rng.uniform(0.55, 0.9) for n in everyone}
    leniency = {u.pk: rng.uniform(-0.06, 0.06) for u in [*reviewers, consultant]}
    written_at = _at(written.ends_on - datetime.timedelta(days=3), 16, tz)
    # The dossier review: three panel members per dossier, in turn.
    turn = 0
    for nomination in everyone:
        indicators = _indicators(nomination.category)
        for _i in range(3):
            user = reviewers[turn % len(reviewers)]
            turn += 1
            _score(written, nomination, user, indicators, quality[nomination.pk], leniency, rng, written_at)  # fmt: skip
    # The consultancy visits every department that entered.
    dept_indicators = _indicators(department)
    for i, nomination in enumerate(departments):
        when = _at(site.starts_on + datetime.timedelta(days=i), 15, tz)
        _score(site, nomination, consultant, dept_indicators, quality[nomination.pk], leniency, rng, when, MemberKind.SITE_ASSESSOR)  # fmt: skip
    # The eight best (by the invented quality) are shortlisted and present to the panel.
    finalists = sorted(departments, key=lambda n: -quality[n.pk])[:SHORTLIST]
    for nomination in finalists:
        nomination_transition(
            nomination=nomination,
            to_state=NominationState.FINALIST,
            actor=secretariat,
            reason=DEMO_NOTE,
            update={"state_changed_at": _at(site.ends_on, 17, tz)},
            notify=False,
        )
    # The panel hears the finalists, and interviews the teams and the officers nominated.
    for i, nomination in enumerate([*finalists, *teams, *people]):
        when = _at(presentation.starts_on + datetime.timedelta(days=i // 3), 16, tz)
        indicators = _indicators(nomination.category)
        for user in reviewers:
            _score(presentation, nomination, user, indicators, quality[nomination.pk], leniency, rng, when)  # fmt: skip
    return True
