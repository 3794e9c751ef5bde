import datetime
import itertools

import factory

from agencies.enums import Role
from agencies.models import Agency, User
from agencies.services import agency_create, role_grant
from awards.enums import CategoryKind, StageKind
from awards.models import AwardScheme, Category, Edition, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"使用者 {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for item in extracted or ():
            role, agency = item if isinstance(item, tuple) else (item, None)
            role_grant(user=self, role=role, agency=agency)
        if create:
            self.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    name_zh = factory.Sequence(lambda n: f"測試機關{n}")
    name_en = factory.Sequence(lambda n: f"Test Agency {n}")
    agency_type = "household_registration"
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_create(**kwargs)


def secretariat_user(**kwargs):
    return UserFactory(roles=[Role.SECRETARIAT], **kwargs)


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardScheme

    code = factory.Sequence(lambda n: f"scheme-{n}")
    name_zh = factory.Sequence(lambda n: f"服務品質獎{n}")
    name_en = factory.Sequence(lambda n: f"Service Quality Award {n}")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    scheme = factory.SubFactory(SchemeFactory)
    number = factory.Sequence(lambda n: n + 1)
    year_label = "2016"
    name_zh = factory.LazyAttribute(lambda o: f"第{o.number}屆")
    name_en = factory.LazyAttribute(lambda o: f"Edition {o.number}")
    time_zone = "Asia/Taipei"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    kind = CategoryKind.FIRST_LINE
    name_zh = "第一線服務機關"
    name_en = "First-line service agencies"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    edition = factory.SubFactory(EditionFactory)
    kind = StageKind.NOMINATION
    name_zh = "自薦"
    name_en = "Nomination"
    starts_on = datetime.date(2016, 1, 5)
    ends_on = datetime.date(2016, 1, 11)


def open_cycle(
    *,
    uses_recommendation=True,
    quota=None,
    time_zone="Asia/Taipei",
    nomination=(-5, 10),
    recommendation=(11, 17),
    eligibility=(18, 24),
    written_review=(25, 60),
    section_max_chars=3000,
    attachment_max_mb=10,
    dossier_attachments_max_mb=30,
):
    """A cycle whose nomination stage is open today (offsets in days from today in the
    edition's time zone), with the TW 8th service-planning rubric (4 indicators), a
    competent authority with one subordinate agency, and a user for each role involved.
    Returns a SimpleNamespace."""
    import types

    from django.utils import timezone

    from awards import demo_data
    from awards.services import category_rubric_create

    edition = EditionFactory(
        time_zone=time_zone,
        uses_recommendation=uses_recommendation,
        recommendation_quota=quota,
        section_max_chars=section_max_chars,
        attachment_max_mb=attachment_max_mb,
        dossier_attachments_max_mb=dossier_attachments_max_mb,
    )
    today = timezone.now().astimezone(edition.tzinfo).date()

    def day(offset):
        return today + datetime.timedelta(days=offset)

    StageFactory(
        edition=edition,
        kind=StageKind.NOMINATION,
        order=1,
        name_zh="自薦",
        name_en="Nomination",
        starts_on=day(nomination[0]),
        ends_on=day(nomination[1]),
        allows_dossier_edit=True,
    )
    if uses_recommendation:
        StageFactory(
            edition=edition,
            kind=StageKind.RECOMMENDATION,
            order=2,
            name_zh="主管機關推薦",
            name_en="Recommendation",
            starts_on=day(recommendation[0]),
            ends_on=day(recommendation[1]),
        )
    StageFactory(
        edition=edition,
        kind=StageKind.ELIGIBILITY_CHECK,
        order=3,
        name_zh="資格審查",
        name_en="Eligibility check",
        starts_on=day(eligibility[0]),
        ends_on=day(eligibility[1]),
    )
    StageFactory(
        edition=edition,
        kind=StageKind.WRITTEN_REVIEW,
        order=4,
        name_zh="初審",
        name_en="Written review",
        starts_on=day(written_review[0]),
        ends_on=day(written_review[1]),
        allows_scoring=True,
    )
    category = CategoryFactory(
        edition=edition,
        kind=CategoryKind.SERVICE_PLANNING,
        name_zh="服務規劃機關",
        name_en="Service planning agencies",
    )
    category_rubric_create(category=category, **demo_data.TW8_PLANNING_RUBRIC)
    authority = AgencyFactory(
        name_zh="臺北市政府", name_en="Taipei City Government", is_competent_authority=True
    )
    agency = AgencyFactory(
        parent=authority,
        name_zh="臺北市中山區戶政事務所",
        name_en="Zhongshan District Household Registration Office",
    )
    other_authority = AgencyFactory(
        name_zh="新北市政府", name_en="New Taipei City Government", is_competent_authority=True
    )
    other_agency = AgencyFactory(
        parent=other_authority, name_zh="新北市板橋地政事務所", name_en="Banqiao Land Office"
    )
    return types.SimpleNamespace(
        edition=edition,
        category=category,
        today=today,
        day=day,
        authority=authority,
        agency=agency,
        other_authority=other_authority,
        other_agency=other_agency,
        editor=UserFactory(roles=[(Role.AGENCY_EDITOR, agency)]),
        editor2=UserFactory(roles=[(Role.AGENCY_EDITOR, agency)]),
        other_editor=UserFactory(roles=[(Role.AGENCY_EDITOR, other_agency)]),
        officer=UserFactory(roles=[(Role.AUTHORITY_OFFICER, authority)]),
        other_officer=UserFactory(roles=[(Role.AUTHORITY_OFFICER, other_authority)]),
        secretariat=UserFactory(roles=[Role.SECRETARIAT]),
        reviewer=UserFactory(roles=[Role.REVIEWER]),
    )


def during(edition, kind, *, day=0):
    """Travel (time-machine) to noon of the `day`-th day of the edition's stage of `kind`,
    in the edition's time zone: the stage is open then. A context manager."""
    import time_machine

    stage = next(s for s in edition.stages.order_by("order") if s.kind == kind)
    when = datetime.datetime.combine(
        stage.starts_on + datetime.timedelta(days=day), datetime.time(12), tzinfo=edition.tzinfo
    )
    return time_machine.travel(when, tick=False)


def closed_text(edition, kind="nomination", zone="Taipei time (Asia/Taipei)"):
    """The English refusal of an action whose stage has closed (awards.windows)."""
    stage = next(s for s in edition.stages.order_by("order") if s.kind == kind)
    return (
        f"Closed: this was allowed only during “{stage.name_en}”, "
        f"{stage.starts_on.isoformat()} to {stage.ends_on.isoformat()}, {zone}."
    )


def open_stage(edition, kind):
    """Place the stages so that `kind` is open today (since yesterday): those before it in
    the past, those after it in the future, each a few days long, in their order."""
    from django.utils import timezone

    today = timezone.now().astimezone(edition.tzinfo).date()
    stages = list(edition.stages.order_by("order", "starts_on"))
    here = next(i for i, s in enumerate(stages) if s.kind == kind)
    for i, stage in enumerate(stages):
        offset = (i - here) * 5
        if i == here:
            stage.starts_on, stage.ends_on = today - datetime.timedelta(days=1), today
        else:
            start = today + datetime.timedelta(days=offset - (1 if offset < 0 else -1))
            stage.starts_on, stage.ends_on = start, start + datetime.timedelta(days=3)
        stage.save(update_fields=["starts_on", "ends_on"])


def close_scoring(edition):
    """Move the edition's scoring stages (and those after them) into the past, in their
    order, as when the review is over: results may then be compiled."""
    from django.utils import timezone

    today = timezone.now().astimezone(edition.tzinfo).date()
    stages = list(edition.stages.order_by("-order"))
    end = today - datetime.timedelta(days=1)
    for stage in stages:
        if stage.ends_on < end:
            break
        length = (stage.ends_on - stage.starts_on).days
        stage.ends_on, stage.starts_on = end, end - datetime.timedelta(days=length)
        stage.save(update_fields=["starts_on", "ends_on"])
        end = stage.starts_on
    edition.refresh_from_db()


def fill_dossier(nomination, user, text="本機關推動便民服務，成效良好。"):
    """Write every section of a dossier so it can be submitted."""
    from awards.services import section_save

    for section in nomination.sections.all():
        section_save(
            actor=user,
            section=section,
            body=f"{section.heading_zh}：{text}",
            based_on_version=section.version,
        )


# --- review and scoring -----------------------------------------------------------------


def submitted_snapshot(nomination, user):
    """Record a submitted version of a written dossier the way nomination_submit does, with
    a stand-in PDF (rendering real PDFs for every test dossier would be slow)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from awards.models import Submission
    from awards.services import _snapshot_content

    now = timezone.now()
    version = nomination.submissions.count() + 1
    submission = Submission(
        nomination=nomination,
        version=version,
        submitted_at=now,
        submitted_by=user,
        content=_snapshot_content(nomination, version, now),
        pdf_sha256="0" * 64,
    )
    submission.pdf.save(f"v{version}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    submission.save()
    return submission


def review_cycle(*, agencies=6, reviewers=4, site_assessors=1, k=3, kind="first_line"):
    """An edition in written review today: the TW 8th first-line rubric (1000 points, five
    indicators), `agencies` agencies under two competent authorities, each with an eligible
    nomination and a submitted dossier, a panel of `reviewers` reviewers (the first is
    chair, affiliation types varied) and `site_assessors` site assessors, all declared.
    Stages: nomination (closed), written review (open today, weight 30, k reviewers),
    shortlisting, site visit (opens in 30 days, weight 70). Returns a SimpleNamespace."""
    import types

    from django.utils import timezone

    from agencies.enums import AffiliationType
    from awards import demo_data
    from awards.enums import NominationState
    from awards.models import Nomination
    from awards.services import category_rubric_create, nomination_start
    from scoring.enums import MemberKind
    from scoring.models import ConflictDeclaration, Panel, PanelMember

    edition = EditionFactory(uses_recommendation=False, time_zone="Asia/Taipei")
    today = timezone.now().astimezone(edition.tzinfo).date()

    def day(offset):
        return today + datetime.timedelta(days=offset)

    nomination_stage = StageFactory(
        edition=edition,
        kind=StageKind.NOMINATION,
        order=1,
        name_zh="自薦",
        name_en="Nomination",
        starts_on=day(-1),
        ends_on=day(0),
        allows_dossier_edit=True,
    )
    written = StageFactory(
        edition=edition,
        kind=StageKind.WRITTEN_REVIEW,
        order=3,
        name_zh="初審（書面審查）",
        name_en="Written review",
        starts_on=day(-1),
        ends_on=day(20),
        allows_scoring=True,
        reviewers_per_dossier=k,
        score_weight=30,
    )
    shortlisting = StageFactory(
        edition=edition,
        kind=StageKind.SHORTLISTING,
        order=4,
        name_zh="入圍",
        name_en="Shortlisting",
        starts_on=day(21),
        ends_on=day(25),
    )
    site_visit = StageFactory(
        edition=edition,
        kind=StageKind.SITE_VISIT,
        order=5,
        name_zh="決審（實地審查）",
        name_en="Site visit",
        starts_on=day(30),
        ends_on=day(60),
        allows_scoring=True,
        is_site_visit=True,
        reviewers_per_dossier=2,
        score_weight=70,
    )
    category = CategoryFactory(
        edition=edition, kind=kind, name_zh="第一線服務機關", name_en="First-line service agencies"
    )
    rubric = category_rubric_create(category=category, **demo_data.TW8_FIRST_LINE_RUBRIC)
    authorities = [
        AgencyFactory(
            name_zh="臺北市政府", name_en="Taipei City Government", is_competent_authority=True
        ),
        AgencyFactory(
            name_zh="新北市政府", name_en="New Taipei City Government", is_competent_authority=True
        ),
    ]
    editor_role = Role.AGENCY_EDITOR
    nominations = []
    agency_list = []
    for i in range(agencies):
        agency = AgencyFactory(
            parent=authorities[i % 2],
            name_zh=f"第{i + 1}戶政事務所",
            name_en=f"Household Registration Office {i + 1}",
        )
        editor = UserFactory(roles=[(editor_role, agency)])
        nomination = nomination_start(actor=editor, agency=agency, category=category)
        fill_dossier(nomination, editor, text=f"第{i + 1}所的服務成果。")
        submitted_snapshot(nomination, editor)
        Nomination.objects.filter(pk=nomination.pk).update(
            state=NominationState.ELIGIBLE, submitted_at=timezone.now()
        )
        nomination.refresh_from_db()
        nominations.append(nomination)
        agency_list.append(agency)
    nomination_stage.starts_on, nomination_stage.ends_on = day(-40), day(-20)
    nomination_stage.save()
    panel = Panel.objects.create(edition=edition, category=category)
    affiliations = [
        AffiliationType.ACADEMIA,
        AffiliationType.PRIVATE_SECTOR,
        AffiliationType.PROFESSIONAL_BODY,
        AffiliationType.GOVERNMENT,
        AffiliationType.LEGISLATURE,
        AffiliationType.STAFF_SIDE,
    ]
    reviewer_users = []
    for i in range(reviewers):
        user = UserFactory(
            roles=[Role.REVIEWER],
            full_name=f"評審委員{i + 1}",
            affiliation_type=affiliations[i % len(affiliations)],
        )
        PanelMember.objects.create(
            panel=panel,
            user=user,
            kind=MemberKind.REVIEWER,
            affiliation_type=user.affiliation_type,
            is_chair=(i == 0),
        )
        ConflictDeclaration.objects.create(edition=edition, reviewer=user)
        reviewer_users.append(user)
    assessors = []
    for i in range(site_assessors):
        user = UserFactory(
            roles=[Role.SITE_ASSESSOR],
            full_name=f"實地查核員{i + 1}",
            affiliation_type=AffiliationType.PRIVATE_SECTOR,
        )
        PanelMember.objects.create(
            panel=panel,
            user=user,
            kind=MemberKind.SITE_ASSESSOR,
            affiliation_type=user.affiliation_type,
        )
        ConflictDeclaration.objects.create(edition=edition, reviewer=user)
        assessors.append(user)
    return types.SimpleNamespace(
        edition=edition,
        category=category,
        rubric=rubric,
        today=today,
        day=day,
        written=written,
        shortlisting=shortlisting,
        site_visit=site_visit,
        panel=panel,
        authorities=authorities,
        agencies=agency_list,
        nominations=nominations,
        reviewers=reviewer_users,
        chair=reviewer_users[0] if reviewer_users else None,
        assessors=assessors,
        secretariat=UserFactory(roles=[Role.SECRETARIAT]),
        outsider=UserFactory(roles=[Role.REVIEWER], full_name="非本組評審"),
    )


def score_on(indicator, points):
    """One score on an indicator, with the smallest chain of objects behind it."""
    from awards.models import Nomination
    from scoring.models import Assignment, Review, Score

    category = indicator.dimension.rubric.category
    stage = StageFactory(edition=category.edition, kind=StageKind.WRITTEN_REVIEW)
    user = UserFactory()
    nomination = Nomination.objects.create(
        edition=category.edition, category=category, agency=AgencyFactory(), created_by=user
    )
    assignment = Assignment.objects.create(stage=stage, nomination=nomination, reviewer=user)
    review = Review.objects.create(assignment=assignment)
    return Score.objects.create(review=review, indicator=indicator, points=points)


def score_directly(review_or_assignment, points_by_indicator, *, submit=True):
    """Give scores without the form: {indicator: points}. Test data only; the scoring
    services are tested on their own."""
    from django.utils import timezone

    from scoring.enums import ReviewState
    from scoring.models import Assignment, Review, Score
    from scoring.services.reviews import review_sums_store

    if isinstance(review_or_assignment, Assignment):
        review, _ = Review.objects.get_or_create(assignment=review_or_assignment)
    else:
        review = review_or_assignment
    for indicator, points in points_by_indicator.items():
        Score.objects.update_or_create(
            review=review, indicator=indicator, defaults={"points": points}
        )
    if submit:
        review.state = ReviewState.SUBMITTED
        review.submitted_at = timezone.now()
        review.save()
    review_sums_store([review])  # as review_transition keeps them
    return review


# --- surveys (telephone poll) ---------------------------------------------------------


def _surveys_models():
    from surveys import models as m

    return m


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Poll"

    edition = factory.SubFactory(EditionFactory)
    title_zh = "最佳公眾形象獎電話訪問"
    title_en = "Best Public Image Award telephone poll"
    question_zh = "你認為哪一個部門的公眾形象最好？"
    question_en = "Which department has the best public image?"
    target_sample_size = 100
    award_places = 3
    status = "fieldwork"


class PollCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.PollCandidate"

    poll = factory.SubFactory(PollFactory)
    agency = factory.SubFactory(AgencyFactory)
    order = factory.Sequence(lambda n: n)


class StratumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Stratum"

    poll = factory.SubFactory(PollFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name_zh = factory.Sequence(lambda n: f"地區{n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    population_share = "0.5"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Household"

    poll = factory.SubFactory(PollFactory)
    ref = factory.Sequence(lambda n: f"HH{n:05d}")
    stratum = None


def interviewer_user(**kwargs):
    return UserFactory(roles=[Role.POLL_INTERVIEWER], **kwargs)


_vote_refs = itertools.count(1)


def poll_votes(poll, votes, *, stratum=None, suggestion=""):
    """Record complete interviews with the given votes ({candidate: count}) directly,
    for tests of the tally: one new household per vote."""
    m = _surveys_models()
    households = m.Household.objects.bulk_create(
        m.Household(
            poll=poll,
            ref=f"V{next(_vote_refs):06d}",
            stratum=stratum,
            disposition="complete",
            attempts=1,
        )
        for candidate, count in votes.items()
        for i in range(count)
    )
    flat = [c for c, count in votes.items() for _ in range(count)]
    m.Response.objects.bulk_create(
        m.Response(
            poll=poll,
            household=h,
            stratum=stratum,
            disposition="complete",
            candidate=c,
            suggestion=suggestion,
            source="interviewer",
        )
        for h, c in zip(households, flat, strict=True)
    )
    return households


def tally_run(poll, *, status="queued", progress=0, heartbeat_at=None, started_at=None, **kw):
    """A tally run with its background job (workflow.Job, kind "tally", target the poll)
    in the given state, as a worker would have left it."""
    from surveys.models import PollTallyRun
    from workflow.models import Job

    job = Job.objects.create(
        kind="tally",
        target_type="surveys.poll",
        target_id=poll.pk,
        status=status,
        progress=progress,
        heartbeat_at=heartbeat_at,
        started_at=started_at,
        requested_by=kw.get("requested_by"),
    )
    return PollTallyRun.objects.create(poll=poll, job=job, **kw)
