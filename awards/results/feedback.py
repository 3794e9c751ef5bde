"""Feedback reports (issue 17 part 1): every participant of an edition (each nomination
that was reviewed, winner or not) gets a written report — per indicator of its rubric,
strengths and opportunities for improvement — and its score band.

The secretariat prefills the drafts from the reviewers' comments per indicator and the
site-test findings (the text only: no reviewer's name or affiliation), edits them, and
releases them once the edition's results are published; a draft may be withdrawn (and
prefilled again), a released report is final. Transitions: FEEDBACK_WORKFLOW, audited.
Releasing tells the agency's editors and the competent authority above it by mail.

Selectors for other readers (the pages, the JSON API): `feedback_report_for(nomination)`,
`feedback_released_for_agency_paths(paths)`, `feedback_reports_of(edition)`."""

from __future__ import annotations

import math
from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.enums import Role
from agencies.models import User
from agencies.selectors import agency_ancestor_ids, subtree_filter
from awards.models import Nomination
from rubrics.models import Indicator
from workflow.audit import audit_record
from workflow.outbox import mail_user
from workflow.transitions import Transition, Workflow

from .compilation import ResultsError
from .enums import FeedbackState, VersionStatus
from .models import FeedbackItem, FeedbackReport, ResultVersion
from .selectors import public_version

# A comment goes to the strengths when its points reach this share of the indicator's
# maximum, to the opportunities otherwise. Site-test findings go to the opportunities.
STRENGTH_SHARE = 0.7


def _not_published_problem(report) -> str | None:
    if public_version(report.edition_id) is None:
        return _(
            "The results of this edition are not published yet: feedback reports are "
            "released only after publication."
        )
    return None


FEEDBACK_WORKFLOW = Workflow(
    model=FeedbackReport,
    states=FeedbackState,
    field="state",
    initial=(FeedbackState.DRAFT,),
    error_class=ResultsError,
    audit_action="results.feedback.transition",
    transitions=[
        Transition(
            "release",
            (FeedbackState.DRAFT,),
            FeedbackState.RELEASED,
            _l("Release to the agency"),
            permission="results.release_feedback",
            guard=_not_published_problem,
            audit_action="results.feedback.released",
        ),
        Transition(
            "withdraw",
            (FeedbackState.DRAFT,),
            FeedbackState.WITHDRAWN,
            _l("Withdraw this draft"),
            permission="results.withdraw_feedback",
            audit_action="results.feedback.withdrawn",
        ),
        # Prefilling again brings a withdrawn draft back (the system, from "prefill all").
        Transition(
            "prefill",
            (FeedbackState.WITHDRAWN,),
            FeedbackState.DRAFT,
            _l("Prefill again"),
            audit_action="results.feedback.prefilled",
        ),
    ],
)


# --- reads -------------------------------------------------------------------------------


def feedback_report_for(nomination) -> FeedbackReport | None:
    """The nomination's report (any state), with its items and indicators loaded."""
    return (
        FeedbackReport.objects.filter(nomination=nomination)
        .select_related("nomination__agency", "nomination__category", "edition__scheme")
        .prefetch_related("items__indicator__dimension")
        .first()
    )


def feedback_reports_of(edition) -> QuerySet[FeedbackReport]:
    return (
        FeedbackReport.objects.filter(edition=edition)
        .select_related("nomination__agency", "nomination__category", "released_by")
        .order_by("nomination__category__order", "nomination__agency__path", "pk")
    )


def feedback_released_for_agency_paths(paths: list[str]) -> QuerySet[FeedbackReport]:
    """Released reports of the nominations of agencies at or below any of `paths` (an
    agency's own: results.rules' editors and authority officers)."""
    if not paths:
        return FeedbackReport.objects.none()
    return (
        FeedbackReport.objects.filter(
            subtree_filter(paths, field="nomination__agency"), state=FeedbackState.RELEASED
        )
        .select_related("nomination__agency", "nomination__category", "edition__scheme")
        .order_by("-edition__number", "nomination__agency__path", "pk")
    )


def reviewed_nomination_ids(edition=None) -> QuerySet:
    """The ids of the nominations with at least one submitted review in a weighted stage
    (of `edition`, or of any), as a subquery."""
    from scoring.enums import ReviewState
    from scoring.models import Review

    reviews = Review.objects.filter(
        state=ReviewState.SUBMITTED,
        assignment__stage__score_weight__gt=0,
        assignment__withdrawn_at__isnull=True,
    )
    if edition is not None:
        reviews = reviews.filter(assignment__nomination__edition=edition)
    return reviews.values("assignment__nomination_id")


def participants(edition) -> QuerySet[Nomination]:
    """Every nomination of the edition with at least one submitted review in a weighted
    stage (not only the winners)."""
    return (
        Nomination.objects.filter(edition=edition, pk__in=reviewed_nomination_ids(edition))
        .select_related("agency", "category")
        .order_by("category__order", "agency__path", "pk")
    )


def feedback_version(edition) -> ResultVersion | None:
    """The version whose standings give the score bands: the approved one, else the
    newest compiled one that is not superseded."""
    return (
        ResultVersion.objects.filter(edition=edition, status=VersionStatus.APPROVED).first()
        or ResultVersion.objects.filter(edition=edition)
        .exclude(status=VersionStatus.SUPERSEDED)
        .order_by("-number")
        .first()
    )


def score_band(score: float | None, maximum: float | None) -> str:
    """A tenth of the maximum wide, e.g. 718 of 1000 → "700–799"; 84.5 of 100 → "80–89"."""
    if score is None:
        return ""
    maximum = maximum or 100
    width = max(int(maximum) // 10, 1)
    low = min(int(math.floor(score / width)) * width, int(maximum) - width)
    low = max(low, 0)
    return f"{low}–{low + width - 1 if low + width < maximum else int(maximum)}"


def _standings_of(version: ResultVersion) -> dict[int, tuple[str, str, str]]:
    """nomination id -> (score band, level zh, level en) in the version's snapshot."""
    out = {}
    for category in version.data.get("categories", []):
        for row in category.get("rows", []):
            pk = row.get("nomination_id")
            if pk in out:
                continue
            level = (row.get("level_zh") or "", row.get("level_en") or "")
            if not row.get("winner"):
                level = ("", "")
            out[pk] = (score_band(row.get("score"), category.get("maximum")), *level)
    return out


def _bullets(lines: list[str]) -> str:
    seen, out = set(), []
    for line in lines:
        text = " ".join(line.split())
        if text and text not in seen:
            seen.add(text)
            out.append(f"- {text}")
    return "\n".join(out)


def prefill_texts_many(nomination_ids) -> dict[int, dict[int, tuple[str, str]]]:
    """nomination id -> indicator id -> (strengths, opportunities), from the submitted
    reviews' comments and the site-test findings, for many nominations in three queries.
    Only the texts: never who wrote them."""
    from scoring.enums import ReviewState
    from scoring.models import Score, SiteTest

    ids = list(nomination_ids)
    strengths = defaultdict(lambda: defaultdict(list))
    opportunities = defaultdict(lambda: defaultdict(list))
    for nomination_id, indicator_id, points, maximum, comment in (
        Score.objects.filter(
            review__state=ReviewState.SUBMITTED,
            review__assignment__nomination_id__in=ids,
            review__assignment__withdrawn_at__isnull=True,
        )
        .exclude(comment="")
        .order_by("review__assignment__stage__order", "review_id", "indicator_id")
        .values_list(
            "review__assignment__nomination_id",
            "indicator_id",
            "points",
            "indicator__max_points",
            "comment",
        )
    ):
        good = points is not None and maximum and float(points) >= STRENGTH_SHARE * maximum
        (strengths if good else opportunities)[nomination_id][indicator_id].append(comment)
    tests = (
        SiteTest.objects.filter(assignment__nomination_id__in=ids)
        .select_related("assignment")
        .prefetch_related("indicators")
        .order_by("tested_at", "pk")
    )
    for test in tests:
        # The findings are in the scheme's own language; so is the test's name.
        with translation.override("zh-hant"):
            kind = str(test.get_kind_display())
        for indicator in test.indicators.all():
            opportunities[test.assignment.nomination_id][indicator.pk].append(
                f"[{kind}] {test.findings}"
            )
    out = {}
    for pk in ids:
        good, bad = strengths[pk], opportunities[pk]
        out[pk] = {i: (_bullets(good[i]), _bullets(bad[i])) for i in set(good) | set(bad)}
    return out


def prefill_texts(nomination) -> dict[int, tuple[str, str]]:
    """indicator id -> (strengths, opportunities) of one nomination."""
    return prefill_texts_many([nomination.pk])[nomination.pk]


def _indicators_by_rubric(rubric_ids) -> dict[int, list[Indicator]]:
    out = defaultdict(list)
    for indicator in (
        Indicator.objects.filter(dimension__rubric_id__in=set(rubric_ids))
        .select_related("dimension")
        .order_by("dimension__order", "dimension_id", "order", "id")
    ):
        out[indicator.dimension.rubric_id].append(indicator)
    return out


# --- writes ------------------------------------------------------------------------------


def _items(report: FeedbackReport, indicators: list[Indicator], texts: dict) -> list:
    return [
        FeedbackItem(
            report=report,
            indicator=indicator,
            order=order,
            strengths=texts.get(indicator.pk, ("", ""))[0],
            opportunities=texts.get(indicator.pk, ("", ""))[1],
        )
        for order, indicator in enumerate(indicators)
    ]


def _no_version() -> ResultsError:
    return ResultsError(
        _("Compile the results first: the score bands come from a results version.")
    )


def feedback_prefill_start(*, edition, actor):
    """Queue the "feedback" job, which prefills every participant's draft in the
    background (feedback_prefill_all): a field of a thousand nominations is a few
    thousand rows and audit entries, not a web request's work. Refused at once, with
    the reason, when there is no results version yet or the job already runs."""
    from .enums import JobKind
    from .services import job_start

    if feedback_version(edition) is None:
        raise _no_version()
    return job_start(edition=edition, kind=JobKind.FEEDBACK, actor=actor)


def feedback_prefill_execute(job, beat) -> dict:
    """The "feedback" job: feedback_prefill_all as whoever asked, in one transaction.
    Its result is the counts ("created", "refilled", "version")."""
    from .services import job_edition

    beat(10)
    return feedback_prefill_all(edition=job_edition(job), actor=job.requested_by)


@transaction.atomic
def feedback_prefill_all(*, edition, actor) -> dict:
    """Create a draft for every participant without one (a withdrawn draft is prefilled
    again); drafts and released reports are left as they are. Returns the counts. Run
    by the "feedback" job (feedback_prefill_start)."""
    version = feedback_version(edition)
    if version is None:
        raise _no_version()
    existing = {
        r.nomination_id: r
        for r in FeedbackReport.objects.select_for_update().filter(edition=edition)
    }
    todo = [
        n
        for n in participants(edition)
        if n.pk not in existing or existing[n.pk].state == FeedbackState.WITHDRAWN
    ]
    texts = prefill_texts_many(n.pk for n in todo)
    indicators = _indicators_by_rubric(n.category.rubric_id for n in todo)
    FeedbackItem.objects.filter(
        report__in=[existing[n.pk] for n in todo if n.pk in existing]
    ).delete()
    created = refilled = 0
    items = []
    standing = _standings_of(version)
    for nomination in todo:
        band, level_zh, level_en = standing.get(nomination.pk, ("", "", ""))
        report = existing.get(nomination.pk)
        if report is None:
            report = FeedbackReport.objects.create(
                nomination=nomination,
                edition=edition,
                version=version,
                score_band=band,
                level_zh=level_zh,
                level_en=level_en,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action="results.feedback.prefilled",
                obj=report,
                to_state=FeedbackState.DRAFT,
                data={"version": version.number},
            )
            created += 1
        else:
            now = timezone.now()
            FEEDBACK_WORKFLOW.apply(
                report,
                FeedbackState.DRAFT,
                actor=actor,
                update={
                    "version": version,
                    "score_band": band,
                    "level_zh": level_zh,
                    "level_en": level_en,
                    "created_at": now,
                    "created_by": actor,
                    "updated_at": now,
                },
                data={"version": version.number},
                locked=report,
            )
            refilled += 1
        items += _items(
            report, indicators.get(nomination.category.rubric_id, []), texts[nomination.pk]
        )
    FeedbackItem.objects.bulk_create(items)
    return {"created": created, "refilled": refilled, "version": version.number}


@transaction.atomic
def feedback_update(
    *,
    report: FeedbackReport,
    actor,
    items: dict[int, tuple[str, str]],
    summary_zh="",
    summary_en="",
) -> FeedbackReport:
    """Save the secretariat's text: items maps a FeedbackItem id to (strengths,
    opportunities). Only a draft can change; the audit keeps before → after."""
    report = FeedbackReport.objects.select_for_update().get(pk=report.pk)
    if report.state != FeedbackState.DRAFT:
        raise ResultsError(_("Only a draft feedback report can be changed."))
    changed = {}
    for item in report.items.all():
        if item.pk not in items:
            continue
        strengths, opportunities = (t.strip() for t in items[item.pk])
        if (item.strengths, item.opportunities) != (strengths, opportunities):
            changed[str(item.indicator_id)] = {
                "before": [item.strengths, item.opportunities],
                "after": [strengths, opportunities],
            }
            item.strengths, item.opportunities = strengths, opportunities
            item.save(update_fields=["strengths", "opportunities"])
    summary = ((summary_zh or "").strip(), (summary_en or "").strip())
    if summary != (report.summary_zh, report.summary_en):
        changed["summary"] = {
            "before": [report.summary_zh, report.summary_en],
            "after": list(summary),
        }
        report.summary_zh, report.summary_en = summary
    report.updated_at = timezone.now()
    report.save(update_fields=["summary_zh", "summary_en", "updated_at"])
    if changed:
        audit_record(
            actor=actor, action="results.feedback.edited", obj=report, data={"changes": changed}
        )
    return report


def agency_people(nomination) -> list[User]:
    """The agency's editors and the officers of the competent authorities above it."""
    users = User.objects.filter(is_active=True).exclude(email="")
    editors = users.filter(
        role_assignments__role=Role.AGENCY_EDITOR, role_assignments__agency=nomination.agency
    )
    officers = users.filter(
        role_assignments__role=Role.AUTHORITY_OFFICER,
        role_assignments__agency__in=agency_ancestor_ids(nomination.agency, include_self=True),
    )
    by_email = {}
    for user in [*editors, *officers]:
        by_email.setdefault(user.email, user)
    return [by_email[e] for e in sorted(by_email)]


def feedback_mail(report: FeedbackReport) -> int:
    people = agency_people(report.nomination)
    for user in people:
        mail_user(
            user,
            kind="feedback_released",
            subject_template="results/email/feedback_released_subject.txt",
            body_template="results/email/feedback_released.txt",
            context={"report": report, "n": report.nomination},
            obj=report,
        )
    return len(people)


@transaction.atomic
def feedback_release(*, report: FeedbackReport, actor) -> FeedbackReport:
    """Release a draft to its agency (refused before the results are published) and
    tell the agency's people by mail, in the same transaction."""
    report = (
        FeedbackReport.objects.select_for_update()
        .select_related("nomination__agency", "nomination__edition", "edition")
        .get(pk=report.pk)
    )
    now = timezone.now()
    FEEDBACK_WORKFLOW.apply(
        report,
        FeedbackState.RELEASED,
        actor=actor,
        update={"released_at": now, "released_by": actor},
        locked=report,
    )
    feedback_mail(report)
    return report


@transaction.atomic
def feedback_release_all(*, edition, actor) -> int:
    """Release every draft of the edition (refused, nothing changed, before publication)."""
    drafts = list(
        FeedbackReport.objects.select_for_update()
        .filter(edition=edition, state=FeedbackState.DRAFT)
        .select_related("nomination__agency", "edition")
    )
    for report in drafts:
        FEEDBACK_WORKFLOW.apply(
            report,
            FeedbackState.RELEASED,
            actor=actor,
            update={"released_at": timezone.now(), "released_by": actor},
            locked=report,
        )
        feedback_mail(report)
    return len(drafts)


@transaction.atomic
def feedback_withdraw(*, report: FeedbackReport, actor, reason: str = "") -> FeedbackReport:
    """Withdraw a draft (a released report is final)."""
    report = FeedbackReport.objects.select_for_update().get(pk=report.pk)
    if report.state == FeedbackState.RELEASED:
        raise ResultsError(_("A released feedback report is final: it cannot be withdrawn."))
    FEEDBACK_WORKFLOW.apply(
        report, FeedbackState.WITHDRAWN, actor=actor, reason=reason, locked=report
    )
    return report


# --- the PDF ------------------------------------------------------------------------------


def feedback_pdf(report: FeedbackReport) -> bytes:
    """The report as a bilingual PDF (Chinese and English headings; Noto Sans CJK)."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    with translation.override("zh-hant"):
        html = render_to_string(
            "results/pdf/feedback.html",
            {
                "report": report,
                "items": list(report.items.all()),
                "released_on": timezone.localtime(
                    report.released_at or timezone.now(), report.edition.tzinfo
                ).date(),
            },
        )
    return HTML(string=html).write_pdf()
