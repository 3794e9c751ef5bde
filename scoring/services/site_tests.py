"""Mystery-shopper tests (telephone test, real application test, website review, on-site visit) that a
site assessor logs during a site-visit stage, with evidence files."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import filetypes
from rubrics.models import Indicator
from workflow.audit import audit_record

from ..enums import SiteTestKind
from ..models import Assignment, SiteTest, SiteTestEvidence
from .reviews import ReviewClosed, ReviewInvalid, review_closed_reason


class SiteTestInvalid(ReviewInvalid):
    """What was typed for a site test is not acceptable; keyed by field name."""


def _ensure_may_log(actor, assignment: Assignment) -> None:
    if not assignment.stage.is_site_visit:
        raise ReviewClosed(_("Site tests can be logged only in a site-visit stage."))
    if actor is None or actor.pk != assignment.reviewer_id:
        raise ReviewClosed(_("Only the assigned site assessor can log tests for this visit."))
    reason = review_closed_reason(assignment)
    if reason:
        raise ReviewClosed(reason)


def _load(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_related(
        "stage__edition", "nomination__agency", "nomination__category__rubric", "reviewer"
    ).get(pk=assignment.pk)


@transaction.atomic
def site_test_log(
    *,
    actor,
    assignment: Assignment,
    kind: str,
    tested_at,
    subject: str,
    findings: str,
    indicator_ids,
    files=(),
) -> SiteTest:
    """Log one test with its evidence. All or nothing: any error (keyed by field) leaves
    nothing stored."""
    assignment = _load(assignment)
    _ensure_may_log(actor, assignment)
    edition = assignment.stage.edition
    errors: dict[str, list[str]] = {}
    subject = (subject or "").strip()
    findings = (findings or "").strip()
    if kind not in SiteTestKind.values:
        errors["kind"] = [_("Choose which test this was.")]
    if tested_at is None:
        errors["tested_at"] = [_("Give the date and time of the test.")]
    elif timezone.is_naive(tested_at):
        raise ValueError("tested_at must be an aware datetime")
    elif tested_at > timezone.now():
        errors["tested_at"] = [
            _("The test cannot be in the future (it is now %(now)s, %(tz)s).")
            % {
                "now": timezone.localtime(timezone.now(), edition.tzinfo).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "tz": edition.time_zone,
            }
        ]
    if not subject:
        errors["subject"] = [_("Say what was tested.")]
    elif len(subject) > 300:
        errors["subject"] = [_("“What was tested” may be at most 300 characters.")]
    if not findings:
        errors["findings"] = [_("Write down the findings.")]
    wanted = {int(i) for i in indicator_ids or ()}
    indicators = list(
        Indicator.objects.filter(
            pk__in=wanted, dimension__rubric=assignment.nomination.category.rubric
        )
    )
    if len(indicators) != len(wanted):
        errors["indicators"] = [_("Choose only indicators of this category's rubric.")]
    checked = []
    for upload in files or ():
        result = filetypes.check_upload(upload, max_mb=edition.attachment_max_mb)
        if isinstance(result, str):
            errors.setdefault("files", []).append(result)
        else:
            checked.append(result)
    if errors:
        raise SiteTestInvalid(errors)
    test = SiteTest.objects.create(
        assignment=assignment,
        kind=kind,
        tested_at=tested_at,
        subject=subject,
        findings=findings,
    )
    test.indicators.set(indicators)
    stored = []
    for item in checked:
        evidence = SiteTestEvidence(
            site_test=test,
            original_name=item.name,
            file_type=item.kind,
            size=item.size,
            sha256=item.sha256,
        )
        evidence.file.save(item.name, item.upload, save=False)  # under a generated name
        evidence.save()
        stored.append(evidence)
    audit_record(
        actor=actor,
        action="site_test.log",
        obj=test,
        to_state=kind,
        data={
            "assignment": assignment.pk,
            "indicators": sorted(i.pk for i in indicators),
            "evidence": [{"name": e.original_name, "sha256": e.sha256} for e in stored],
        },
    )
    return test


@transaction.atomic
def site_test_remove(*, actor, site_test: SiteTest) -> None:
    """Remove a logged test and its evidence files (files deleted after commit)."""
    assignment = _load(site_test.assignment)
    _ensure_may_log(actor, assignment)
    evidence = list(site_test.evidence.all())
    paths = [(e.file.storage, e.file.name) for e in evidence]
    audit_record(
        actor=actor,
        action="site_test.remove",
        obj=site_test,
        from_state=site_test.kind,
        to_state="removed",
        data={
            "assignment": assignment.pk,
            "subject": site_test.subject,
            "evidence": [{"name": e.original_name, "sha256": e.sha256} for e in evidence],
        },
    )
    site_test.delete()

    def _delete_files():
        for storage, path in paths:
            storage.delete(path)

    transaction.on_commit(_delete_files)
