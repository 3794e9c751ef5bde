"""Every write about results: background jobs, compiling a version, the approval steps,
publication and revocation. Each state change is audited (agencies.services.audit_record).
Nothing here knows about HTTP."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from awards.models import Edition
from awards.windows import after_scoring_problem
from workflow import jobs
from workflow.audit import audit_record
from workflow.models import Job
from workflow.transitions import Transition, Workflow

from .appeals import publication_problem
from .compilation import ResultsError, input_digest, open_reviews, snapshot
from .enums import JobKind, ObligationStatus, VersionStatus
from .frozen import record
from .models import Award, ResultVersion, SensitivityRun, VersionRecord

__all__ = ["ResultsError"]

STALE_SECONDS = 120

# Serials: 16 characters of Crockford's base32 (80 random bits), shown as XXXX-XXXX-XXXX-XXXX.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{16}$")


def serial_new() -> str:
    raw = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def serial_normalise(text: str) -> str | None:
    """The canonical form of a typed or scanned serial, or None if it cannot be one.
    Spaces and hyphens are ignored; O reads as 0 and I/L as 1 (Crockford)."""
    raw = re.sub(r"[\s\-]", "", (text or "")).upper()
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if not SERIAL_RE.match(raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


# --- background jobs (run by workflow.jobs; kinds declared in awards/results/jobs.py) ---


class JobAlreadyRunning(ResultsError):
    def __init__(self, job):
        super().__init__(
            _("A job of this kind is already running for this edition (started %(when)s).")
            % {"when": timezone.localtime(job.requested_at).strftime("%Y-%m-%d %H:%M")}
            if job.requested_at
            else _("A job of this kind is already running for this edition.")
        )
        self.job = job


def stale_seconds() -> int:
    return getattr(settings, "RESULTS_JOB_STALE_SECONDS", STALE_SECONDS)


def job_start(*, edition, kind: str, actor, version=None, detail=None) -> Job:
    """Queue a results job (a workflow.Job whose target is the edition). Refused while
    another job of the same kind runs for the edition (a job whose worker stopped sending
    heartbeats is marked stale first). `detail` carries the job's options ("language",
    the requester's, and "base_url" for the QR codes); the version is kept in the options
    as "version" (its id)."""
    params = dict(detail or {})
    params["version"] = version.pk if version is not None else None
    # Messages in the requester's language; the workbook's own language is the one asked
    # for ("language"), Chinese by default (workbook.workbook_execute).
    language = params.get("language") or translation.get_language() or "zh-hant"
    job, created = jobs.enqueue(
        kind=kind, target=edition, actor=actor, params=params, language=language
    )
    if not created:
        raise JobAlreadyRunning(job)
    return job


def job_execute(*, job_id: int) -> Job:
    """Run a queued job (the Celery task calls workflow.jobs.run; this is the same).
    Running it twice does nothing more."""
    return jobs.run(job_id)


def job_edition(job: Job) -> Edition:
    return Edition.objects.select_related("scheme").get(pk=job.target_id)


def job_version(job: Job) -> ResultVersion | None:
    """The version a workbook or certificates job works on, or the one a compile made."""
    pk = (job.result or {}).get("version_id") or (job.params or {}).get("version")
    if not pk:
        return None
    return ResultVersion.objects.select_related("edition__scheme").filter(pk=pk).first()


# --- compiling ---------------------------------------------------------------------


def compile_check(edition) -> None:
    """Refuse to compile while any review in a weighted stage is still open; the error
    names each one; and before the last scoring stage has closed."""
    problem = after_scoring_problem(edition)
    if problem:
        raise ResultsError(problem)
    pending = open_reviews(edition)
    if pending:
        lines = [
            _("%(agency)s — %(reviewer)s (%(stage)s)")
            % {
                "agency": a.nomination.agency.name,
                "reviewer": a.reviewer.get_full_name() or a.reviewer.email,
                "stage": a.stage.name,
            }
            for a in pending
        ]
        raise ResultsError(
            ngettext(
                "%(count)d review is still open, so its scores would be missed. "
                "Have it submitted (or withdraw the assignment) before compiling:",
                "%(count)d reviews are still open, so their scores would be missed. "
                "Have them submitted (or withdraw the assignments) before compiling:",
                len(pending),
            )
            % {"count": len(pending)},
            *lines,
        )


def results_compile_start(*, edition, actor) -> Job:
    compile_check(edition)
    return job_start(edition=edition, kind=JobKind.COMPILE, actor=actor)


def _version_refusal(version, from_state: str, to_state: str) -> str:
    return _("Version %(n)d is “%(from)s”; it cannot become “%(to)s”.") % {
        "n": version.number,
        "from": VersionStatus(from_state).label,
        "to": VersionStatus(to_state).label,
    }


# A result version's transition table (workflow.transitions): the secretariat submits a
# compiled or returned version; the approver approves or returns a submitted one; a
# newer compilation or approval supersedes the older versions (the system, no button).
VERSION_WORKFLOW = Workflow(
    model=ResultVersion,
    states=VersionStatus,
    field="status",
    initial=(VersionStatus.DRAFT,),
    error_class=ResultsError,
    refusal=_version_refusal,
    transitions=[
        Transition(
            "submit",
            (VersionStatus.DRAFT, VersionStatus.RETURNED),
            VersionStatus.SUBMITTED,
            _l("Submit for approval"),
            permission="results.manage",
            audit_action="results.version.submitted",
        ),
        Transition(
            "approve",
            (VersionStatus.SUBMITTED,),
            VersionStatus.APPROVED,
            _l("Approve these results"),
            permission="results.approve",
            audit_action="results.version.approved",
        ),
        Transition(
            "return",
            (VersionStatus.SUBMITTED,),
            VersionStatus.RETURNED,
            _l("Return with comments"),
            permission="results.approve",
            reason_required=True,
            audit_action="results.version.returned",
        ),
        Transition(
            "supersede",
            (
                VersionStatus.DRAFT,
                VersionStatus.SUBMITTED,
                VersionStatus.RETURNED,
                VersionStatus.APPROVED,
            ),
            VersionStatus.SUPERSEDED,
            _l("Supersede"),
            audit_action="results.version.superseded",
        ),
    ],
)


def version_transition(
    version: ResultVersion,
    to: str,
    *,
    actor,
    reason: str = "",
    update: dict | None = None,
    data: dict | None = None,
) -> ResultVersion:
    """The one writer of a result version's status: VERSION_WORKFLOW.apply on a row the
    caller has locked (select_for_update) in this transaction. `data` goes into the
    audit entry (the approval: the decision-sensitivity run shown)."""
    update = dict(update or {})
    if to == VersionStatus.SUPERSEDED:
        update["superseded_at"] = timezone.now()
    return VERSION_WORKFLOW.apply(
        version, to, actor=actor, reason=reason, update=update, data=data, locked=version
    )


def _set_status(version: ResultVersion, to: str, *, actor, reason: str = "", fields=()) -> None:
    version_transition(
        version,
        to,
        actor=actor,
        reason=reason,
        update={f: getattr(version, f) for f in fields},
    )


def compile_execute(job: Job, beat) -> None:
    """The "compile" job: a new result version from the edition's scores, in one
    transaction with the job's end (workflow.jobs.finish)."""
    edition = job_edition(job)
    beat(5)
    compile_check(edition)
    checksum, counts = input_digest(edition)
    beat(30)
    data = snapshot(edition)
    beat(60)
    frozen = record(edition)
    beat(80)
    with transaction.atomic():
        number = (
            ResultVersion.objects.filter(edition=edition).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = ResultVersion.objects.create(
            edition=edition,
            number=number,
            checksum=checksum,
            inputs=counts,
            data=data,
            compiled_by=job.requested_by,
        )
        awards = []
        for category in data["categories"]:
            for order, row in enumerate((r for r in category["rows"] if r["winner"]), start=1):
                awards.append(
                    Award(
                        version=version,
                        category_id=category["id"],
                        agency_id=row["agency_id"],
                        nomination_id=row["nomination_id"],
                        order=order,
                        rank=row["rank"],
                        score=row["score"],
                        name_zh=category["award_name_zh"],
                        name_en=category["award_name_en"],
                        level_zh=row["level_zh"],
                        level_en=row["level_en"],
                        citation_zh=row["citation_zh"],
                        citation_en=row["citation_en"],
                        summary_zh=row["title"],
                    )
                )
        VersionRecord.objects.create(version=version, data=frozen)
        carried = _carry_forward(awards, number)
        Award.objects.bulk_create(awards)
        audit_record(
            actor=job.requested_by,
            action="results.version.compile",
            obj=version,
            to_state=VersionStatus.DRAFT,
            data={
                "checksum": checksum,
                "inputs": counts,
                "awards": len(awards),
                "carried": carried,
            },
        )
        for older in ResultVersion.objects.select_for_update().filter(
            edition=edition,
            number__lt=number,
            status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.RETURNED],
        ):
            _set_status(
                older,
                VersionStatus.SUPERSEDED,
                actor=job.requested_by,
                reason=_("Version %(n)d was compiled.") % {"n": number},
            )
        jobs.finish(
            job,
            {
                "version": number,
                "version_id": version.pk,
                "checksum": checksum,
                "awards": len(awards),
            },
        )


def _level_text(award) -> str:
    return award.level_zh or ""


def _carry_forward(awards: list[Award], number: int) -> int:
    """Copy onto the new awards what people wrote on the same award (Award.key)
    of the previous version: the good-practice summary and the citation, when they differ
    from what compiling writes. Marked with the version they came from and, where the
    result changed, how (rank, score, level). Returns how many awards carried something."""
    if not awards:
        return 0
    previous = (
        Award.objects.filter(version__edition_id=awards[0].version.edition_id)
        .filter(version__number=number - 1)
        .select_related("nomination")
    )
    by_key = {a.key: a for a in previous}
    n = 0
    for award in awards:
        old = by_key.get(award.key)
        if old is None:
            continue
        fields = []
        default_summary = old.nomination.title if old.nomination_id else ""
        if (old.summary_zh, old.summary_en) != (default_summary, "") and (
            old.summary_zh or old.summary_en
        ):
            award.summary_zh, award.summary_en = old.summary_zh, old.summary_en
            fields.append("summary")
        if (old.citation_zh or old.citation_en) and (
            (old.citation_zh, old.citation_en) != (award.citation_zh, award.citation_en)
        ):
            if not (award.citation_zh or award.citation_en):
                award.citation_zh, award.citation_en = old.citation_zh, old.citation_en
                fields.append("citation")
        if not fields:
            continue
        changes = []
        if old.rank != award.rank:
            changes.append(["rank", old.rank, award.rank])
        if old.score != award.score:
            changes.append(["score", _rounded(old.score), _rounded(award.score)])
        if _level_text(old) != _level_text(award):
            changes.append(["level", old.level_zh, award.level_zh])
        award.carried = {"version": number - 1, "fields": fields, "changes": changes}
        n += 1
    return n


def _rounded(score):
    return None if score is None else round(score, 2)


# --- decision sensitivity (sensitivity.py) ---------------------------------------------


def sensitivity_check(version: ResultVersion) -> None:
    """Refuse a sensitivity run on a version that is frozen (approved or superseded) or
    that has no scores to test (no category decided by the standings, or none scored)."""
    from .sensitivity import has_scores

    if version.status in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED):
        raise ResultsError(
            _(
                "Version %(n)d is “%(s)s”: its decision sensitivity is frozen with it and "
                "is not run again."
            )
            % {"n": version.number, "s": VersionStatus(version.status).label}
        )
    if not has_scores(version):
        raise ResultsError(
            _(
                "Version %(n)d has no reviewers' scores in a category decided by the final "
                "standings, so there is no decision to test. Nothing was started."
            )
            % {"n": version.number}
        )


def sensitivity_start(*, version: ResultVersion, actor) -> Job:
    """Queue the "sensitivity" job of a version (target the edition, like the other
    results jobs; the version in its options)."""
    sensitivity_check(version)
    return job_start(
        edition=version.edition, kind=JobKind.SENSITIVITY, actor=actor, version=version
    )


def sensitivity_execute(job: Job, beat) -> None:
    """The "sensitivity" job: the run computed from the version's frozen inputs and
    stored with it, in one transaction with the job's end."""
    from .sensitivity import digest_of, version_sensitivity

    version = job_version(job)
    if version is None:
        raise ResultsError(_("The version of this job no longer exists."))
    beat(5)
    sensitivity_check(version)
    data = version_sensitivity(version, beat=beat)
    digest = digest_of(data)
    with transaction.atomic():
        locked = ResultVersion.objects.select_for_update().get(pk=version.pk)
        sensitivity_check(locked)  # approved meanwhile: frozen without this run
        run = SensitivityRun.objects.create(
            version=locked, job=job, data=data, digest=digest, computed_by=job.requested_by
        )
        audit_record(
            actor=job.requested_by,
            action="results.version.sensitivity",
            obj=locked,
            data={"run": run.pk, "digest": digest, "draws": data["draws"]},
        )
        jobs.finish(job, {"version_id": version.pk, "run": run.pk, "digest": digest})


def latest_sensitivity(version: ResultVersion) -> SensitivityRun | None:
    return SensitivityRun.objects.filter(version=version).order_by("-computed_at", "-id").first()


# --- approval (核定) ----------------------------------------------------------------


def _superseded_error(version):
    newer = (
        ResultVersion.objects.filter(edition_id=version.edition_id, number__gt=version.number)
        .order_by("-number")
        .first()
    )
    return ResultsError(
        _("Version %(n)d has been superseded by version %(m)d; it can no longer be approved.")
        % {"n": version.number, "m": newer.number if newer else version.number}
    )


@transaction.atomic
def version_submit(*, version: ResultVersion, actor) -> ResultVersion:
    version = ResultVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == VersionStatus.SUPERSEDED:
        raise _superseded_error(version)
    version.submitted_at = timezone.now()
    version.submitted_by = actor
    _set_status(
        version, VersionStatus.SUBMITTED, actor=actor, fields=("submitted_at", "submitted_by")
    )
    return version


@transaction.atomic
def version_return(*, version: ResultVersion, actor, comment: str) -> ResultVersion:
    version = ResultVersion.objects.select_for_update().get(pk=version.pk)
    comment = (comment or "").strip()
    if not comment:
        raise ResultsError(_("Say what must change: returning results needs comments."))
    if version.status == VersionStatus.SUPERSEDED:
        raise _superseded_error(version)
    version.decided_at = timezone.now()
    version.decided_by = actor
    version.decision_comment = comment
    _set_status(
        version,
        VersionStatus.RETURNED,
        actor=actor,
        reason=comment,
        fields=("decided_at", "decided_by", "decision_comment"),
    )
    return version


def _issue_serials(
    version: ResultVersion, previous: ResultVersion | None, today, *, actor=None
) -> None:
    """Serials for the version's awards: an award its agency already held in the
    previously approved version (the same key) keeps that one's serial, issue date and
    revocation, and the post-award programme's obligations move to it (each move
    audited); the others get new serials. An obligation of an award the new version
    drops stays on the superseded one."""
    from .models import Obligation

    carried = {}
    if previous is not None:
        for old in Award.objects.filter(version=previous, serial__isnull=False):
            carried[old.key] = old
    for award in Award.objects.select_for_update().filter(version=version).order_by("pk"):
        old = carried.get(award.key)
        if old is not None:
            serial = old.serial
            Award.objects.filter(pk=old.pk).update(serial=None)
            award.serial = serial
            award.issued_on = old.issued_on
            award.revoked_on = old.revoked_on
            award.revocation_reason = old.revocation_reason
            award.revoked_by_id = old.revoked_by_id
            award.revoked_for_id = old.revoked_for_id
        else:
            award.serial = serial_new()
            award.issued_on = today
        award.save(
            update_fields=[
                "serial",
                "issued_on",
                "revoked_on",
                "revocation_reason",
                "revoked_by",
                "revoked_for",
            ]
        )
        if old is not None:
            for obligation in Obligation.objects.select_for_update().filter(award=old):
                obligation.award = award
                obligation.save(update_fields=["award"])
                audit_record(
                    actor=actor,
                    action="results.obligation.moved",
                    obj=obligation,
                    data={
                        "from_award": old.pk,
                        "to_award": award.pk,
                        "version": version.number,
                    },
                )


@transaction.atomic
def version_approve(
    *,
    version: ResultVersion,
    actor,
    comment: str = "",
    publish_at=None,
    issued_on=None,
    sensitivity_shown=None,
) -> ResultVersion:
    """The approver approves a submitted version: its awards get certificate serials
    (an agency keeping an award it held in the previously approved version keeps its
    serial) and the earlier approved version is superseded. Publication waits for
    `publish_at` (the embargo); without it the results stay unpublished. Certificates
    are dated `issued_on` (default: today in the edition's time zone).
    `sensitivity_shown`: the id of the decision-sensitivity run the approver's page
    showed (None: none shown); refused when a newer run exists, so the approval's record
    (its audit entry, "sensitivity") names the run the approver saw."""
    version = ResultVersion.objects.select_for_update().get(pk=version.pk)
    run = latest_sensitivity(version)
    shown = None if sensitivity_shown in (None, "") else int(sensitivity_shown)
    if (run.pk if run else None) != shown:
        raise ResultsError(
            _(
                "The decision sensitivity of this version was computed again after this "
                "page was opened. Look at the new figures, then approve."
            )
            if run is not None
            else _("The decision sensitivity shown is not this version's.")
        )
    if version.status == VersionStatus.SUPERSEDED:
        raise _superseded_error(version)
    if not VERSION_WORKFLOW.allows(version.status, VersionStatus.APPROVED):
        raise ResultsError(
            _("Only a version submitted for approval can be approved; version %(n)d is “%(s)s”.")
            % {"n": version.number, "s": VersionStatus(version.status).label}
        )
    previous = (
        ResultVersion.objects.select_for_update()
        .filter(edition_id=version.edition_id, status=VersionStatus.APPROVED)
        .exclude(pk=version.pk)
        .first()
    )
    if previous is not None:
        _set_status(
            previous,
            VersionStatus.SUPERSEDED,
            actor=actor,
            reason=_("Version %(n)d was approved.") % {"n": version.number},
        )
    if publish_at is not None:
        problem = publication_problem(version, publish_at)
        if problem:
            raise ResultsError(problem)
    now = timezone.now()
    _issue_serials(
        version, previous, issued_on or now.astimezone(version.edition.tzinfo).date(), actor=actor
    )
    version.decided_at = now
    version.decided_by = actor
    version.decision_comment = (comment or "").strip()
    version.publish_at = publish_at
    version_transition(
        version,
        VersionStatus.APPROVED,
        actor=actor,
        reason=version.decision_comment,
        update={
            f: getattr(version, f)
            for f in ("decided_at", "decided_by", "decision_comment", "publish_at")
        },
        data={"sensitivity": {"run": run.pk, "digest": run.digest} if run else None},
    )
    return version


@transaction.atomic
def version_schedule_publication(*, version: ResultVersion, actor, publish_at) -> ResultVersion:
    """Set (or move) the end of the embargo of an approved version."""
    version = ResultVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.APPROVED:
        raise ResultsError(
            _("Version %(n)d is not approved: results are published only after approval.")
            % {"n": version.number}
        )
    if publish_at is None:
        raise ResultsError(_("Give the date and time of publication."))
    problem = publication_problem(version, publish_at)
    if problem:
        raise ResultsError(problem)
    old = version.publish_at
    version.publish_at = publish_at
    version.save(update_fields=["publish_at"])
    audit_record(
        actor=actor,
        action="results.version.schedule",
        obj=version,
        from_state=old.isoformat() if old else "",
        to_state=publish_at.isoformat(),
    )
    return version


# --- after approval ------------------------------------------------------------------


@transaction.atomic
def award_revoke(*, award: Award, actor, reason: str, revoked_on=None, obligation=None) -> Award:
    """Revoke an approved award (e.g. its service quality lapsed). The result version is
    not changed; the public pages and the verification page show the revocation.
    `obligation`: the winner's missed programme obligation the revocation was opened
    from, kept in the record (Award.revoked_for and the audit entry)."""
    award = Award.objects.select_for_update().select_related("version__edition").get(pk=award.pk)
    if obligation is not None and (
        obligation.award_id != award.pk or obligation.status != ObligationStatus.MISSED
    ):
        raise ResultsError(_("Only a missed obligation of this award can open its revocation."))
    reason = (reason or "").strip()
    if not reason:
        raise ResultsError(_("Give the reason for revoking this award."))
    if award.version.status != VersionStatus.APPROVED or not award.serial:
        raise ResultsError(_("Only an award of the approved results can be revoked."))
    if award.revoked_on is not None:
        raise ResultsError(
            _("This award was already revoked on %(date)s.") % {"date": award.revoked_on}
        )
    today = timezone.now().astimezone(award.version.edition.tzinfo).date()
    revoked_on = revoked_on or today
    if revoked_on > today:
        raise ResultsError(_("The date of revocation cannot be in the future."))
    if award.issued_on and revoked_on < award.issued_on:
        raise ResultsError(_("The date of revocation cannot be before the award was issued."))
    award.revoked_on = revoked_on
    award.revocation_reason = reason
    award.revoked_by = actor
    award.revoked_for = obligation
    award.save(update_fields=["revoked_on", "revocation_reason", "revoked_by", "revoked_for"])
    data = {"serial": award.serial, "revoked_on": revoked_on.isoformat()}
    if obligation is not None:
        data["obligation"] = obligation.pk
    audit_record(
        actor=actor,
        action="results.award.revoke",
        obj=award,
        from_state="awarded",
        to_state="revoked",
        reason=reason,
        data=data,
    )
    return award


@transaction.atomic
def award_summary_update(*, award: Award, actor, summary_zh: str, summary_en: str) -> Award:
    """The short account of a winner's good practice shown on the public pages."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    award.summary_zh = (summary_zh or "").strip()
    award.summary_en = (summary_en or "").strip()
    award.carried = {}  # checked and saved by a person: no longer only carried over
    award.save(update_fields=["summary_zh", "summary_en", "carried"])
    audit_record(actor=actor, action="results.award.summary", obj=award)
    return award


# The programme's transition tables (obligations, registrations) register with the
# workflow registry when the results services are loaded.
from . import programme_services  # noqa: E402, F401
