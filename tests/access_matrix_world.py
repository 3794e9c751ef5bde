"""The world the access matrix (tests/test_access_matrix.py) requests every URL in: one
scored, compiled, approved and published edition, a second edition open for nominations,
a poll in fieldwork and a published one, and one user per persona. Built once per test
module; every object a row of the table names is an attribute of the returned namespace
(tests/access_matrix_table.py refers to them by these names).

"this agency" is `agency` (under `authority`); "the other agency" is `other_agency`, under
`other_authority`: another subtree. Object variants: `own` objects belong to this agency
(or to the assigned reviewer), `other` ones to the other agency."""

from __future__ import annotations

import datetime
import types

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.utils import timezone

from agencies.enums import Role
from awards.enums import NominationState, StageKind
from awards.models import Attachment, Nomination
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    EditionFactory,
    HouseholdFactory,
    PollCandidateFactory,
    PollFactory,
    StageFactory,
    StratumFactory,
    UserFactory,
    fill_dossier,
    submitted_snapshot,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% access matrix test attachment\n"

# Persona keys, in the order the table lists them.
ANON = "anonymous"
ED = "editor"  # agency editor of this agency
ED2 = "other_editor"  # agency editor of the other agency (another subtree)
OFF = "officer"  # competent-authority officer of this agency's authority
OFF2 = "other_officer"  # competent-authority officer of the other subtree
REV0 = "unassigned_reviewer"  # reviewer role, on no panel, no assignment
REVC = "conflicted_reviewer"  # panel reviewer with a conflict of interest with this agency
REV = "assigned_reviewer"  # panel reviewer assigned to this agency's dossier
CHAIR = "panel_chair"  # the panel's chair (decides ties)
SITE = "site_assessor"  # site-visit assessor assigned to this agency's site visit
IV = "interviewer"  # poll interviewer
APPR = "approver"
SEC = "secretariat"  # signs in with an authenticator app (verified session, recovery codes)
SU = "superuser"  # is_superuser and is_staff, no role: the secretariat in views, nothing else

PERSONAS = (ANON, ED, ED2, OFF, OFF2, REV0, REVC, REV, CHAIR, SITE, IV, APPR, SEC, SU)
# Personas that act for one agency: their pages must never name an agency outside it.
AGENCY_PERSONAS = (ED, ED2, OFF, OFF2)


def _attachment(nomination, user, name):
    attachment = Attachment(
        nomination=nomination,
        original_name=name,
        file_type="pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=user,
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def build_world():
    from awards import demo_data
    from awards.results import certificates as certs
    from awards.results.enums import JobKind
    from awards.results.models import Award, CertificateTemplate
    from awards.results.selectors import jobs_of
    from awards.services import category_rubric_create
    from scoring.enums import MemberKind
    from scoring.models import Assignment, Conflict, ConflictDeclaration, PanelMember
    from scoring.services import review_open, rubric_indicators, site_test_log
    from surveys import services as poll_services
    from tests.results.helpers import approved_version, poll_cycle, scored_cycle
    from workflow.models import Job, JobStatus

    w = types.SimpleNamespace()

    # --- the main edition: scored by three reviewers, compiled, approved, published ------
    cycle = scored_cycle(agencies=6, winners=3)
    w.cycle = cycle
    w.edition = cycle.edition
    w.scheme = cycle.edition.scheme
    w.category = cycle.category
    w.written = cycle.written
    w.site_visit = cycle.site_visit
    w.authority, w.other_authority = cycle.authorities
    # agencies alternate between the two authorities: 0, 2, 4 under the first.
    w.agency, w.other_agency = cycle.agencies[0], cycle.agencies[1]
    w.all_agencies = list(cycle.agencies) + list(cycle.authorities)
    w.nomination_own, w.nomination_other = cycle.nominations[0], cycle.nominations[1]
    dates = {s.pk: (s.starts_on, s.ends_on) for s in w.edition.stages.all()}
    w.version = approved_version(cycle, published=True)  # compiled once scoring closed
    for stage in w.edition.stages.all():  # then the world's stages as they were
        stage.starts_on, stage.ends_on = dates[stage.pk]
        stage.save(update_fields=["starts_on", "ends_on"])
    w.written.refresh_from_db()
    w.site_visit.refresh_from_db()
    w.compile_job = jobs_of(w.edition, JobKind.COMPILE).get()
    w.award_own = Award.objects.get(version=w.version, agency=w.agency)
    w.award_other = Award.objects.get(version=w.version, agency=w.other_agency)

    personas = {
        ED: UserFactory(roles=[(Role.AGENCY_EDITOR, w.agency)], full_name="本機關承辦人"),
        ED2: UserFactory(roles=[(Role.AGENCY_EDITOR, w.other_agency)], full_name="他機關承辦人"),
        OFF: UserFactory(roles=[(Role.AUTHORITY_OFFICER, w.authority)], full_name="本主管機關"),
        OFF2: UserFactory(
            roles=[(Role.AUTHORITY_OFFICER, w.other_authority)], full_name="他主管機關"
        ),
        REV0: cycle.outsider,
        REVC: cycle.reviewers[2],
        REV: cycle.reviewers[1],
        CHAIR: cycle.reviewers[0],
        SITE: UserFactory(roles=[Role.SITE_ASSESSOR], full_name="實地查核員"),
        IV: UserFactory(roles=[Role.POLL_INTERVIEWER], full_name="電話訪問員"),
        APPR: cycle.approver,
        SEC: cycle.secretariat,
        SU: UserFactory(is_staff=True, is_superuser=True, full_name="系統管理員"),
    }
    w.users = personas

    # The written review is open today; the site visit is opened too, so that the site
    # assessor's assignment is live.
    w.site_visit.starts_on = cycle.today - datetime.timedelta(days=1)
    w.site_visit.save(update_fields=["starts_on"])

    # A later submission citing an attachment, for this and the other agency.
    w.attachment_own = _attachment(w.nomination_own, personas[ED], "本機關附件.pdf")
    w.attachment_other = _attachment(w.nomination_other, personas[ED2], "他機關附件.pdf")
    w.submission_own = submitted_snapshot(w.nomination_own, personas[ED])
    w.submission_other = submitted_snapshot(w.nomination_other, personas[ED2])

    # Assignments: the assigned reviewer's (made by scored_cycle), the conflicted
    # reviewer's on this agency (conflict recorded after it was made), the site assessor's.
    w.assignment_own = Assignment.objects.get(
        stage=w.written, nomination=w.nomination_own, reviewer=personas[REV]
    )
    w.assignment_conflicted = Assignment.objects.get(
        stage=w.written, nomination=w.nomination_own, reviewer=personas[REVC]
    )
    w.conflict = Conflict.objects.create(
        edition=w.edition,
        reviewer=personas[REVC],
        agency=w.agency,
        source="declared",
        reason="曾任該機關顧問",
    )
    w.panel_member = PanelMember.objects.get(panel=cycle.panel, user=personas[REV])
    # An area of expertise of the scheme, held by no one (so it may be deleted).
    from scoring.models import ExpertiseArea

    w.area = ExpertiseArea.objects.create(
        scheme=w.scheme, name_zh="戶政", name_en="Household registration"
    )
    PanelMember.objects.create(
        panel=cycle.panel,
        user=personas[SITE],
        kind=MemberKind.SITE_ASSESSOR,
        affiliation_type=personas[SITE].affiliation_type,
    )
    ConflictDeclaration.objects.create(edition=w.edition, reviewer=personas[SITE])
    w.assignment_site = Assignment.objects.create(
        stage=w.site_visit,
        nomination=w.nomination_own,
        reviewer=personas[SITE],
        kind="site_assessor",
    )
    w.site_test = site_test_log(
        actor=personas[SITE],
        assignment=w.assignment_site,
        kind="telephone",
        tested_at=timezone.now() - datetime.timedelta(hours=1),
        subject="總機轉接戶籍謄本申請",
        findings="三聲內接聽，轉接正確。",
        indicator_ids=[rubric_indicators(cycle.rubric)[0].pk],
        files=[SimpleUploadedFile("通話截圖.png", PNG, content_type="image/png")],
    )
    w.evidence = w.site_test.evidence.get()

    # A scoring stage that closed yesterday, with a review the assigned reviewer opened
    # while it was open: their save now is refused with what they typed (409).
    w.closed_stage = StageFactory(
        edition=w.edition,
        kind=StageKind.WRITTEN_REVIEW,
        order=2,
        name_zh="預審（已截止）",
        name_en="Pre-review (closed)",
        starts_on=cycle.today - datetime.timedelta(days=3),
        ends_on=cycle.today - datetime.timedelta(days=1),
        allows_scoring=True,
        reviewers_per_dossier=1,
        score_weight=0,
    )
    w.assignment_closed = Assignment.objects.create(
        stage=w.closed_stage, nomination=w.nomination_own, reviewer=personas[REV]
    )
    review_open(w.assignment_closed)

    # Result jobs with files, and a certificate template.
    w.workbook_job = Job.objects.create(
        kind=JobKind.WORKBOOK,
        target_type="awards.edition",
        target_id=w.edition.pk,
        params={"version": w.version.pk},
        status=JobStatus.DONE,
        progress=100,
        requested_by=personas[SEC],
        finished_at=timezone.now(),
    )
    w.workbook_job.file.save("results.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=True)
    w.certificates_job = Job.objects.create(
        kind=JobKind.CERTIFICATES,
        target_type="awards.edition",
        target_id=w.edition.pk,
        params={"version": w.version.pk},
        status=JobStatus.DONE,
        progress=100,
        requested_by=personas[SEC],
        finished_at=timezone.now(),
    )
    w.certificates_job.archive.save(
        "certificates.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True
    )
    w.certificate_template = CertificateTemplate.objects.create(
        scheme=w.scheme,
        name="測試證書",
        html=certs.default_html(),
        css=certs.default_css(),
        updated_by=personas[SEC],
    )

    # --- a second edition of the same scheme, open for nominations --------------------
    open_edition = EditionFactory(scheme=w.scheme, uses_recommendation=True)
    today = timezone.now().astimezone(open_edition.tzinfo).date()
    StageFactory(
        edition=open_edition,
        kind=StageKind.NOMINATION,
        order=1,
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=10),
        allows_dossier_edit=True,
    )
    StageFactory(
        edition=open_edition,
        kind=StageKind.RECOMMENDATION,
        order=2,
        name_zh="主管機關推薦",
        name_en="Recommendation",
        starts_on=today + datetime.timedelta(days=11),
        ends_on=today + datetime.timedelta(days=17),
    )
    open_category = CategoryFactory(edition=open_edition, kind="service_planning")
    category_rubric_create(category=open_category, **demo_data.TW8_PLANNING_RUBRIC)
    w.open_edition = open_edition
    from awards.services import nomination_start

    w.nomination_draft = nomination_start(
        actor=personas[ED], agency=w.agency, category=open_category
    )
    w.attachment_draft = _attachment(w.nomination_draft, personas[ED], "草稿附件.pdf")
    # An individual nominated by this agency (issue 16): personal data the department and
    # the secretariat see, no one else.
    from awards.nominees import nominee_save

    individual = CategoryFactory(
        edition=open_edition, kind="individual", name_zh="個人獎", name_en="Individual award"
    )
    w.nomination_person = nomination_start(actor=personas[ED], agency=w.agency, category=individual)
    nominee_save(
        actor=personas[ED], nomination=w.nomination_person, name_zh="陳大文", post="高級戶籍員"
    )
    # Submitted (awaiting recommendation) dossiers of the other agency and of a sibling
    # of this agency, so that each officer has something to recommend.
    sibling = cycle.agencies[2]
    for agency, editor in ((w.other_agency, personas[ED2]), (sibling, None)):
        editor = editor or UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])
        n = nomination_start(actor=editor, agency=agency, category=open_category)
        fill_dossier(n, editor)
        submitted_snapshot(n, editor)
        Nomination.objects.filter(pk=n.pk).update(
            state=NominationState.SUBMITTED, submitted_at=timezone.now()
        )
    w.nomination_draft.refresh_from_db()
    w.section_own = w.nomination_own.sections.order_by("order").first()
    w.section_other = w.nomination_other.sections.order_by("order").first()
    w.section_draft = w.nomination_draft.sections.order_by("order").first()

    # Results of the open edition approved but under embargo for a month (rows made
    # directly: only who may see them matters here).
    from awards.results.enums import VersionStatus
    from awards.results.models import ResultVersion
    from awards.results.services import serial_new

    now = timezone.now()
    w.version_embargoed = ResultVersion.objects.create(
        edition=open_edition,
        number=1,
        status=VersionStatus.APPROVED,
        checksum="0" * 64,
        compiled_by=personas[SEC],
        submitted_at=now,
        submitted_by=personas[SEC],
        decided_at=now,
        decided_by=personas[APPR],
        publish_at=now + datetime.timedelta(days=30),
    )
    w.award_embargoed = Award.objects.create(
        version=w.version_embargoed,
        category=open_category,
        agency=w.agency,
        name_zh="尚未公布之獎",
        name_en="Award under embargo",
        serial=serial_new(),
        issued_on=today,
    )

    # --- award configuration: a level and a special-award selection to edit or remove ----
    from awards.results.models import AwardLevel, AwardSelection

    w.open_category = open_category
    w.award_level = AwardLevel.objects.create(
        edition=open_edition, name_zh="特優", name_en="Distinction", min_score=900
    )
    w.award_selection = AwardSelection.objects.create(
        category=open_category, agency=w.agency, citation_zh="表現卓越"
    )

    # --- polls: one in fieldwork (a household in the interviewer's hands, one free, an
    # uploaded import) and one published ---------------------------------------------------
    published = poll_cycle()
    w.poll_published = published.poll
    w.run_published = published.run
    poll = PollFactory(edition=w.open_edition, status="fieldwork", target_sample_size=10)
    for i, code in enumerate("XY"):
        PollCandidateFactory(
            poll=poll,
            order=i,
            agency=AgencyFactory(code=f"POLL{code}", name_zh=f"{code}署", name_en=f"{code} Dept"),
        )
    stratum = StratumFactory(poll=poll, population_share=1)
    w.household_held = HouseholdFactory(poll=poll, ref="HH-HELD", stratum=stratum)
    w.household_free = HouseholdFactory(poll=poll, ref="HH-FREE", stratum=stratum)
    with TestCase.captureOnCommitCallbacks(execute=True):
        leased = poll_services.household_lease_next(poll=poll, interviewer=personas[IV])
    assert leased.pk == w.household_held.pk, leased
    w.poll_fieldwork = poll
    w.poll_import, _already = poll_services.import_upload(
        poll=poll,
        kind="responses",
        filename="firm.csv",
        content="住戶編號,訪問結果,部門代碼,建議\nHH-FREE,完成,POLLX,\n".encode(),
        actor=personas[SEC],
    )

    # --- the programme of the published edition: a seminar, this agency's winner asked to
    # give a talk, the other agency asked too, this agency's editor registered ------------
    from awards.results import programme_services
    from awards.results.enums import EventKind, ObligationKind

    start = timezone.now() + datetime.timedelta(days=20)
    w.programme_event = programme_services.event_save(
        edition=w.edition,
        actor=personas[SEC],
        values={
            "kind": EventKind.SEMINAR,
            "name_zh": "經驗分享座談會",
            "name_en": "Experience-sharing seminar",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "venue_zh": "大禮堂",
            "capacity": 10,
            "is_published": True,
            "outside_reason": "典禮後舉行",
        },
    )
    (w.obligation_own,) = programme_services.obligations_ask(
        event=w.programme_event,
        actor=personas[SEC],
        kind=ObligationKind.TALK,
        agencies=[w.agency],
    )
    (w.obligation_other,) = programme_services.obligations_ask(
        event=w.programme_event,
        actor=personas[SEC],
        kind=ObligationKind.TALK,
        agencies=[w.other_agency],
    )
    w.registration_own = programme_services.event_register(
        event=w.programme_event, user=personas[ED]
    )

    # --- sign-in: a finished agency import, a locked account, the secretariat's app ------
    from axes.models import AccessAttempt
    from django.conf import settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies import two_factor
    from agencies.middleware import SESSION_KEY as HAS_DEVICE_KEY
    from agencies.models import AgencyImportJob

    w.import_job = AgencyImportJob.objects.create(
        requested_by=personas[SEC],
        filename="機關名單.xlsx",
        sha256="0" * 64,
        detail={"created": 0, "updated": 1, "unchanged": 7},
    )
    w.import_job.job = Job.objects.create(
        kind="agency_import",
        target_type="agencies.agencyimportjob",
        target_id=w.import_job.pk,
        status=JobStatus.DONE,
        progress=100,
        requested_by=personas[SEC],
        started_at=now,
        finished_at=now,
        language="zh-hant",
        result={"created": 0, "updated": 1, "unchanged": 7},
    )
    w.import_job.save(update_fields=["job"])
    # An account locked by failed sign-ins, from an address nobody here signs in from.
    w.locked_email = "locked-out@example.test"
    w.locked_attempt = AccessAttempt.objects.create(
        username=w.locked_email,
        ip_address="203.0.113.9",
        user_agent="matrix",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.SIGN_IN_FAILURES_PER_ACCOUNT,
    )
    # A message of the outbox that failed (the secretariat may resend it).
    from workflow.models import MailStatus, OutboundMail

    w.mail_failed = OutboundMail.objects.create(
        to_address="editor@example.test",
        user=personas[ED],
        language="zh-hant",
        kind="nomination_changed",
        subject="自薦書：已送出",
        body="內文",
        status=MailStatus.FAILED,
        attempts=5,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        object_type="awards.nomination",
        object_id=str(w.nomination_own.pk),
        object_repr=str(w.nomination_own),
    )
    # The message log and deadline reminders (issue 18): a user whose log the
    # secretariat opens, and a reminder rule of the written review.
    from awards.models import ReminderRule

    w.user_ed = personas[ED]
    w.reminder_rule = ReminderRule.objects.create(
        stage=w.written, audience="agency_drafts", days_before=0
    )
    w.sec_device = TOTPDevice.objects.create(
        user=personas[SEC], name=two_factor.APP_DEVICE_NAME, confirmed=True
    )
    two_factor.recovery_codes_generate(user=personas[SEC])

    # --- feedback reports and appeals (issue 17): released reports of the own and the
    # other agency, a draft of a third (under the own authority); an appeal each on the
    # own and the other nomination, with an attachment on the own one.
    from awards.results import feedback as feedback_services
    from awards.results.models import Appeal, AppealAttachment, FeedbackReport

    feedback_services.feedback_prefill_all(edition=w.edition, actor=personas[SEC])
    w.feedback_own = FeedbackReport.objects.get(nomination=w.nomination_own)
    w.feedback_other = FeedbackReport.objects.get(nomination=w.nomination_other)
    for report in (w.feedback_own, w.feedback_other):
        feedback_services.feedback_release(report=report, actor=personas[SEC])
    w.feedback_draft = FeedbackReport.objects.get(nomination=cycle.nominations[2])
    # Both dismissed: the version is published, and an appeal still awaiting its
    # decision would hold it (selectors.HELD_BY_APPEALS); deciding again is refused (400).
    from awards.results.enums import AppealState

    decided = {
        "state": AppealState.DISMISSED,
        "decided_at": timezone.now(),
        "decided_by": personas[SEC],
        "decision_reasons": "無新事證。",
    }
    w.appeal_own = Appeal.objects.create(
        nomination=w.nomination_own,
        edition=w.edition,
        version=w.version,
        reasons="本機關申覆理由",
        filed_by=personas[ED],
        **decided,
    )
    w.appeal_other = Appeal.objects.create(
        nomination=w.nomination_other,
        edition=w.edition,
        version=w.version,
        reasons="他機關申覆理由",
        filed_by=personas[ED2],
        **decided,
    )
    w.appeal_attachment_own = AppealAttachment(
        appeal=w.appeal_own,
        original_name="申覆附件.pdf",
        file_type="pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    w.appeal_attachment_own.file.save("申覆附件.pdf", ContentFile(PDF), save=False)
    w.appeal_attachment_own.save()

    # --- sign everyone in (last: a sign-in changes last_login, which reset tokens use) --
    # force_login goes around authenticate(), so django-axes counts nothing; it does send
    # user_logged_in, which records in the session whether the user has an app
    # (agencies.middleware.remember_device). The secretariat's session is then verified
    # with its app as django_otp.login() would leave it.
    w.clients = {ANON: Client()}
    w.sessions = {ANON: None}
    for key, user in personas.items():
        client = Client()
        client.force_login(user)
        session = client.session
        assert session[HAS_DEVICE_KEY] is (key == SEC), (key, session.get(HAS_DEVICE_KEY))
        if key == SEC:
            session[DEVICE_ID_SESSION_KEY] = w.sec_device.persistent_id
            session.save()
        w.clients[key] = client
        w.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    # Everyone's API token (the JSON API's rows are requested with it too).
    from api.services import token_create

    made = {key: token_create(user=user, name="access matrix") for key, user in personas.items()}
    w.api_keys = {key: m.key for key, m in made.items()}
    w.api_token_own = made[ED].token

    editor = type(personas[ED]).objects.get(pk=personas[ED].pk)
    w.reset_uid = urlsafe_base64_encode(force_bytes(editor.pk))
    w.reset_token = default_token_generator.make_token(editor)
    return w
