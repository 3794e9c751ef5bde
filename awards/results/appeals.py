"""Appeals (申覆, issue 17 part 3).

An edition's appeal window (ResultsSettings) lies after the results are approved — when
the participants are told their results — and before their publication: the secretariat
sets it in the app (audited before → after). Within it, an agency's editor files one
appeal per nomination, with reasons and attachments (checked by content,
awards.filetypes). The secretariat records the panel's decision: upheld or dismissed,
with reasons (APPEAL_WORKFLOW, audited; the agency is told by mail).

An upheld appeal forces a new results version: no version compiled before the decision
(or the version appealed against) can be published or scheduled while the appeal is not
answered by a newer version, compiled after the decision and approved
(`publication_problem`, asked by services.version_approve and
version_schedule_publication). Upholding an appeal also lifts the publication time of
the approved version if it is not public yet (audited), so it cannot come out by itself.

An appeal still awaiting its decision holds the publication of the version appealed
against and of any newer one (selectors.HELD_BY_APPEALS): if the panel has not decided
by the publication time, the results do not come out until it has. A dismissal lets
them out; upholding takes the publication time away, as above."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from agencies.selectors import subtree_filter
from awards import filetypes
from workflow.audit import audit_record, config_change_record, snapshot
from workflow.outbox import mail_user
from workflow.transitions import Transition, Workflow

from .compilation import ResultsError
from .config_services import ConfigError
from .enums import AppealState, VersionStatus
from .models import Appeal, AppealAttachment, ResultsSettings, ResultVersion
from .selectors import approved_version, public_version

WINDOW_FIELDS = ["appeal_opens_at", "appeal_closes_at"]
MAX_ATTACHMENTS = 5

APPEAL_WORKFLOW = Workflow(
    model=Appeal,
    states=AppealState,
    field="state",
    initial=(AppealState.FILED,),
    error_class=ResultsError,
    audit_action="results.appeal.transition",
    transitions=[
        Transition(
            "uphold",
            (AppealState.FILED,),
            AppealState.UPHELD,
            _l("Uphold"),
            permission="results.decide_appeal",
            reason_required=True,
            audit_action="results.appeal.upheld",
        ),
        Transition(
            "dismiss",
            (AppealState.FILED,),
            AppealState.DISMISSED,
            _l("Dismiss"),
            permission="results.decide_appeal",
            reason_required=True,
            audit_action="results.appeal.dismissed",
        ),
    ],
)


# --- reads -------------------------------------------------------------------------------


def results_settings(edition) -> ResultsSettings | None:
    return ResultsSettings.objects.filter(edition=edition).first()


def _local(edition, moment) -> str:
    return timezone.localtime(moment, edition.tzinfo).strftime("%Y-%m-%d %H:%M")


def appeal_window_problem(edition, now=None) -> str | None:
    """Why an appeal cannot be filed now (None: the window is open)."""
    now = now or timezone.now()
    window = results_settings(edition)
    if window is None or not window.has_window:
        return _("This edition has no appeal window.")
    if now < window.appeal_opens_at:
        return _("The appeal window opens on %(opens)s.") % {
            "opens": _local(edition, window.appeal_opens_at)
        }
    if now > window.appeal_closes_at:
        return _("The appeal window closed on %(closes)s: appeals are no longer accepted.") % {
            "closes": _local(edition, window.appeal_closes_at)
        }
    return None


def appeal_window_open(edition, now=None) -> bool:
    return appeal_window_problem(edition, now) is None


def appeals_of(edition) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(edition=edition)
        .select_related("nomination__agency", "nomination__category", "version", "decided_by")
        .order_by("filed_at", "pk")
    )


def appeals_for_agency_paths(paths: list[str]) -> QuerySet[Appeal]:
    if not paths:
        return Appeal.objects.none()
    return Appeal.objects.filter(subtree_filter(paths, field="nomination__agency")).select_related(
        "nomination__agency", "nomination__category", "edition"
    )


def _unanswered(edition_id, version: ResultVersion) -> Q:
    """Upheld appeals of the edition that `version` does not answer: it is the version
    appealed against (or older), or it was compiled before the decision."""
    return Q(edition_id=edition_id, state=AppealState.UPHELD) & (
        Q(version__number__gte=version.number) | Q(decided_at__gt=version.compiled_at)
    )


def appeals_blocking(version: ResultVersion) -> list[Appeal]:
    return list(
        Appeal.objects.filter(_unanswered(version.edition_id, version))
        .select_related("nomination__agency")
        .order_by("decided_at", "pk")
    )


def publication_problem(version: ResultVersion, publish_at=None) -> str | None:
    """Why `version` may not be given a publication time: an upheld appeal it does not
    answer, or a time inside the appeal window."""
    blocking = appeals_blocking(version)
    if blocking:
        return ngettext(
            "Publication is blocked: the appeal of %(agencies)s was upheld, and version "
            "%(n)d does not answer it. Compile a new version and have it approved.",
            "Publication is blocked: the appeals of %(agencies)s were upheld, and version "
            "%(n)d does not answer them. Compile a new version and have it approved.",
            len(blocking),
        ) % {
            "agencies": "、".join(a.nomination.agency.name for a in blocking),
            "n": version.number,
        }
    window = results_settings(version.edition_id)
    if (
        publish_at is not None
        and window is not None
        and window.has_window
        and version.compiled_at <= window.appeal_closes_at
        and publish_at < window.appeal_closes_at
    ):
        return _("Publication must come after the appeal window, which closes on %(closes)s.") % {
            "closes": _local(version.edition, window.appeal_closes_at)
        }
    return None


# --- the window ----------------------------------------------------------------------------


@transaction.atomic
def appeal_window_save(*, edition, actor, opens_at, closes_at) -> ResultsSettings:
    """Set (or clear, both empty) the appeal window. Refused with a message per field:
    one end without the other, an end before the start, a start before the results were
    approved, an end after the scheduled publication."""
    window, _created = ResultsSettings.objects.select_for_update().get_or_create(edition=edition)
    before = snapshot(window, WINDOW_FIELDS)
    errors: dict = {}
    if (opens_at is None) != (closes_at is None):
        field = "appeal_closes_at" if closes_at is None else "appeal_opens_at"
        errors[field] = [_("Give both the opening and the closing time, or neither.")]
    elif opens_at is not None:
        version = approved_version(edition)
        if closes_at <= opens_at:
            errors["appeal_closes_at"] = [_("The window must close after it opens.")]
        if version is None:
            errors["appeal_opens_at"] = [
                _(
                    "No results of this edition are approved yet: the appeal window opens "
                    "after approval, when participants are told their results."
                )
            ]
        else:
            if opens_at < version.decided_at:
                errors.setdefault("appeal_opens_at", []).append(
                    _("The window cannot open before the results were approved (%(approved)s).")
                    % {"approved": _local(edition, version.decided_at)}
                )
            if version.publish_at is not None and closes_at > version.publish_at:
                errors.setdefault("appeal_closes_at", []).append(
                    _("The window must close before the scheduled publication (%(publish)s).")
                    % {"publish": _local(edition, version.publish_at)}
                )
    if errors:
        raise ConfigError(errors)
    window.appeal_opens_at, window.appeal_closes_at = opens_at, closes_at
    window.save(update_fields=WINDOW_FIELDS)
    entry = config_change_record(
        actor=actor,
        action="results.appeal_window",
        obj=window,
        edition_id=edition.pk,
        before=before,
        after=snapshot(window, WINDOW_FIELDS),
    )
    if entry is not None and window.has_window:
        appeal_window_mail(edition, window)
    return window


def appeal_window_mail(edition, window) -> int:
    """Tell the people of every participant (its editors, the authority above it) that
    the results are approved and when they may appeal. Returns how many were told."""
    from .feedback import agency_people, participants

    people = {}
    for nomination in participants(edition):
        for user in agency_people(nomination):
            people.setdefault(user.pk, user)
    for user in people.values():
        mail_user(
            user,
            kind="appeal_window",
            subject_template="results/email/appeal_window_subject.txt",
            body_template="results/email/appeal_window.txt",
            context={
                "edition": edition,
                "opens": _local(edition, window.appeal_opens_at),
                "closes": _local(edition, window.appeal_closes_at),
            },
            obj=window,
        )
    return len(people)


# --- filing ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, nomination, actor, reasons: str, uploads=()) -> Appeal:
    """File the agency's appeal on one nomination. Refused (ConfigError, per field,
    nothing stored) outside the window, a second time, without reasons or with a file
    that is not an accepted type by its content or is too large."""
    from awards.models import Nomination

    nomination = (
        Nomination.objects.select_for_update()
        .select_related("edition", "agency")
        .get(pk=nomination.pk)
    )
    edition = nomination.edition
    existing = Appeal.objects.filter(nomination=nomination).first()
    if existing is not None:
        raise ConfigError(
            {
                None: [
                    _("An appeal on this nomination was already filed on %(date)s.")
                    % {"date": _local(edition, existing.filed_at)}
                ]
            }
        )
    problem = appeal_window_problem(edition)
    if problem:
        raise ConfigError({None: [problem]})
    version = approved_version(edition)
    if version is None:  # the window lies after approval; kept for safety
        raise ConfigError({None: [_("No results of this edition are approved yet.")]})
    in_results = any(
        row.get("nomination_id") == nomination.pk
        for category in version.data.get("categories", [])
        for row in category.get("rows", [])
    )
    if not in_results:
        raise ConfigError({None: [_("This nomination is not in the approved results.")]})
    errors: dict = {}
    reasons = (reasons or "").strip()
    if not reasons:
        errors["reasons"] = [_("Say why the results should be reconsidered.")]
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("At most %(n)d files can be attached.") % {"n": MAX_ATTACHMENTS}]
    checked = []
    for upload in uploads:
        result = filetypes.check_upload(upload, max_mb=edition.attachment_max_mb)
        if isinstance(result, str):
            errors.setdefault("attachments", []).append(result)
        else:
            checked.append(result)
    if errors:
        raise ConfigError(errors)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                nomination=nomination,
                edition=edition,
                version=version,
                reasons=reasons,
                filed_by=actor,
            )
    except IntegrityError:  # filed meanwhile in another tab
        raise ConfigError(
            {None: [_("An appeal on this nomination has already been filed.")]}
        ) from None
    for c in checked:
        attachment = AppealAttachment(
            appeal=appeal,
            original_name=c.name,
            file_type=c.kind,
            size=c.size,
            sha256=c.sha256,
        )
        c.upload.seek(0)
        attachment.file.save(c.name, c.upload, save=False)
        attachment.save()
    audit_record(
        actor=actor,
        action="results.appeal.filed",
        obj=appeal,
        to_state=AppealState.FILED,
        data={
            "version": version.number,
            "attachments": [[c.name, c.sha256] for c in checked],
        },
    )
    return appeal


# --- the decision ------------------------------------------------------------------------------


def _tell(appeal: Appeal) -> None:
    if appeal.filed_by is not None and appeal.filed_by.email and appeal.filed_by.is_active:
        mail_user(
            appeal.filed_by,
            kind="appeal_decided",
            subject_template="results/email/appeal_decided_subject.txt",
            body_template="results/email/appeal_decided.txt",
            context={"appeal": appeal, "n": appeal.nomination},
            obj=appeal,
        )


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor, upheld: bool, reasons: str) -> Appeal:
    """Record the panel's decision. Upholding lifts the publication time of the approved
    version if it is not public yet (embargoed, or held by the appeals awaiting a
    decision): no version is published before the appeal is answered. Dismissing the
    last appeal that holds it lets it out at its publication time (at once if that has
    passed)."""
    appeal = (
        # Only the appeal's row is locked: PostgreSQL refuses FOR UPDATE on the nullable
        # side of the outer join to filed_by.
        Appeal.objects.select_for_update(of=("self",))
        .select_related("nomination__agency", "edition", "filed_by")
        .get(pk=appeal.pk)
    )
    target = AppealState.UPHELD if upheld else AppealState.DISMISSED
    # Read before the decision: while the appeal waits, it holds the version's
    # publication (selectors.HELD_BY_APPEALS), even past its publication time.
    public_before = public_version(appeal.edition_id)
    APPEAL_WORKFLOW.apply(
        appeal,
        target,
        actor=actor,
        reason=reasons,
        update={
            "decided_at": timezone.now(),
            "decided_by": actor,
            "decision_reasons": (reasons or "").strip(),
        },
        locked=appeal,
    )
    if upheld:
        version = (
            ResultVersion.objects.select_for_update()
            .filter(edition_id=appeal.edition_id, status=VersionStatus.APPROVED)
            .first()
        )
        # Still under embargo, or past its time but held by the appeals: either way not
        # public yet, so it stays unpublished until a version answers the appeal.
        if version is not None and version.publish_at and version != public_before:
            old = version.publish_at
            version.publish_at = None
            version.save(update_fields=["publish_at"])
            audit_record(
                actor=actor,
                action="results.version.schedule",
                obj=version,
                from_state=old.isoformat(),
                to_state="",
                reason=_("An appeal was upheld: publication waits for a new version."),
            )
    _tell(appeal)
    return appeal
