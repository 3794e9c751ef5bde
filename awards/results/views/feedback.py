"""Feedback reports (awards/results/feedback.py): the secretariat's list, prefill, edit,
release and withdrawal; the agency's page and PDF of a released report; the agency's
list of its nominations' feedback and appeals. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm, user_may
from awards.models import Edition, Nomination
from workflow import jobs

from .. import appeals as appeal_services
from .. import feedback as services
from ..enums import FeedbackState, JobKind
from ..feedback_forms import FeedbackItemForm, FeedbackSummaryForm
from ..models import FeedbackReport
from ..rules import award_agency_scopes
from ..selectors import jobs_of


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _load_report(request, report_pk, **kwargs):
    return get_object_or_404(
        FeedbackReport.objects.select_related(
            "nomination__agency", "nomination__category", "edition__scheme", "version"
        ).prefetch_related("items__indicator__dimension"),
        pk=report_pk,
    )


# --- the secretariat ------------------------------------------------------------------------


def _list_context(request, edition, **extra):
    reports = list(services.feedback_reports_of(edition))
    have = {r.nomination_id for r in reports}
    missing = [n for n in services.participants(edition) if n.pk not in have]
    job = jobs_of(edition, JobKind.FEEDBACK).select_related("requested_by").first()
    if job is not None:
        jobs.notice_stale([job])
    return {
        "edition": edition,
        "job": job,
        "reports": reports,
        "missing": missing,
        "n_drafts": sum(1 for r in reports if r.state == FeedbackState.DRAFT),
        "published": services.public_version(edition) is not None,
        "version": services.feedback_version(edition),
        **extra,
    }


@require_perm("results.compose_feedback", _load_edition)
def feedback_list(request, edition_pk, obj):
    return render(request, "results/feedback_list.html", _list_context(request, obj))


@require_POST
@require_perm("results.compose_feedback", _load_edition)
def feedback_prefill(request, edition_pk, obj):
    """Start the job that prefills every participant's draft (the page follows it)."""
    try:
        services.feedback_prefill_start(edition=obj, actor=request.user)
    except services.ResultsError as error:
        context = _list_context(request, obj, action_errors=error.messages)
        return render(request, "results/feedback_list.html", context, status=400)
    messages.success(request, _("The drafts are being prefilled; this page follows the job."))
    return redirect(reverse("results:feedback_list", args=[obj.pk]) + "#job-feedback")


@require_POST
@require_perm("results.release_feedback", _load_edition)
def feedback_release_all(request, edition_pk, obj):
    try:
        n = services.feedback_release_all(edition=obj, actor=request.user)
    except services.ResultsError as error:
        context = _list_context(request, obj, action_errors=error.messages)
        return render(request, "results/feedback_list.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "%(n)d feedback report was released; the agency was told by mail.",
            "%(n)d feedback reports were released; the agencies were told by mail.",
            n,
        )
        % {"n": n},
    )
    return redirect("results:feedback_list", edition_pk=obj.pk)


def _edit_forms(report, data=None):
    items = list(report.items.all())
    for item in items:
        item.form = FeedbackItemForm(
            data,
            prefix=f"item-{item.pk}",
            initial={"strengths": item.strengths, "opportunities": item.opportunities},
        )
    summary = FeedbackSummaryForm(
        data, initial={"summary_zh": report.summary_zh, "summary_en": report.summary_en}
    )
    return items, summary


def _edit_context(request, report, items, summary, **extra):
    return {
        "report": report,
        "edition": report.edition,
        "items": items,
        "summary_form": summary,
        "actions": services.FEEDBACK_WORKFLOW.actions(report, request.user),
        "refusals": services.FEEDBACK_WORKFLOW.refusals(report, request.user),
        **extra,
    }


@require_perm("results.compose_feedback", _load_report)
def feedback_edit(request, report_pk, obj):
    if obj.state != FeedbackState.DRAFT:
        return redirect("results:feedback_report", report_pk=obj.pk)
    items, summary = _edit_forms(obj, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if summary.is_valid() and all(i.form.is_valid() for i in items):
            services.feedback_update(
                report=obj,
                actor=request.user,
                # Only the indicators the form sent (a partial POST leaves the others).
                items={
                    i.pk: (i.form.cleaned_data["strengths"], i.form.cleaned_data["opportunities"])
                    for i in items
                    if f"{i.form.prefix}-strengths" in request.POST
                    or f"{i.form.prefix}-opportunities" in request.POST
                },
                **summary.cleaned_data,
            )
            messages.success(request, _("The feedback report was saved."))
            return redirect("results:feedback_edit", report_pk=obj.pk)
        return render(
            request,
            "results/feedback_edit.html",
            _edit_context(request, obj, items, summary),
            status=400,
        )
    return render(
        request, "results/feedback_edit.html", _edit_context(request, obj, items, summary)
    )


def _refused(request, report, error):
    items, summary = _edit_forms(report)
    context = _edit_context(request, report, items, summary, action_errors=error.messages)
    return render(request, "results/feedback_edit.html", context, status=400)


@require_POST
@require_perm("results.release_feedback", _load_report)
def feedback_release(request, report_pk, obj):
    try:
        services.feedback_release(report=obj, actor=request.user)
    except services.ResultsError as error:
        return _refused(request, obj, error)
    messages.success(request, _("The feedback report was released; the agency was told by mail."))
    return redirect("results:feedback_report", report_pk=obj.pk)


@require_POST
@require_perm("results.withdraw_feedback", _load_report)
def feedback_withdraw(request, report_pk, obj):
    try:
        services.feedback_withdraw(
            report=obj, actor=request.user, reason=request.POST.get("reason", "")
        )
    except services.ResultsError as error:
        if obj.state != FeedbackState.DRAFT:
            messages.error(request, " ".join(error.messages))
            return redirect("results:feedback_report", report_pk=obj.pk)
        return _refused(request, obj, error)
    messages.success(request, _("The draft was withdrawn; “Prefill all” makes it again."))
    return redirect("results:feedback_list", edition_pk=obj.edition_id)


# --- the agency (and the secretariat) --------------------------------------------------------


def _report_context(report):
    edition = report.edition
    return {
        "report": report,
        "edition": edition,
        "items": list(report.items.all()),
        "released_at": timezone.localtime(report.released_at, edition.tzinfo)
        if report.released_at
        else None,
    }


@require_perm("results.see_feedback", _load_report)
def feedback_report(request, report_pk, obj):
    context = _report_context(obj)
    context["can_compose"] = user_may(request.user, "results.compose_feedback")
    return render(request, "results/feedback_report.html", context)


@require_perm("results.see_feedback", _load_report)
def feedback_report_pdf(request, report_pk, obj):
    pdf = services.feedback_pdf(obj)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = (
        f"feedback-{obj.edition.scheme.code}-{obj.edition.number}-{obj.nomination.agency.code}.pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_perm("results.view_my_feedback")
def my_feedback(request):
    """The user's agencies' nominations that were reviewed, with each one's feedback
    report (released or "not released yet") and appeal (filed, or may be filed now)."""
    from agencies.selectors import subtree_filter

    paths = award_agency_scopes(request.user)
    nominations = list(
        Nomination.objects.filter(subtree_filter(paths, field="agency"))
        .filter(pk__in=services.reviewed_nomination_ids())
        .select_related("agency", "category", "edition__scheme", "feedback_report", "appeal")
        .order_by("-edition__number", "edition__scheme__code", "agency__path", "pk")
    )
    open_windows = {}
    for n in nominations:
        if n.edition_id not in open_windows:
            open_windows[n.edition_id] = appeal_services.appeal_window_open(n.edition)
        report = getattr(n, "feedback_report", None)
        n.released_report = report if report and report.state == FeedbackState.RELEASED else None
        n.the_appeal = getattr(n, "appeal", None)
        n.may_appeal = (
            n.the_appeal is None
            and open_windows[n.edition_id]
            and user_may(request.user, "results.file_appeal", n)
        )
    return render(request, "results/my_feedback.html", {"nominations": nominations})


urlpatterns = [
    path("cycle/results/editions/<int:edition_pk>/feedback/", feedback_list, name="feedback_list"),
    path(
        "cycle/results/editions/<int:edition_pk>/feedback/prefill/",
        feedback_prefill,
        name="feedback_prefill",
    ),
    path(
        "cycle/results/editions/<int:edition_pk>/feedback/release/",
        feedback_release_all,
        name="feedback_release_all",
    ),
    path("cycle/results/feedback/<int:report_pk>/", feedback_report, name="feedback_report"),
    path(
        "cycle/results/feedback/<int:report_pk>/report.pdf",
        feedback_report_pdf,
        name="feedback_pdf",
    ),
    path("cycle/results/feedback/<int:report_pk>/edit/", feedback_edit, name="feedback_edit"),
    path(
        "cycle/results/feedback/<int:report_pk>/release/",
        feedback_release,
        name="feedback_release",
    ),
    path(
        "cycle/results/feedback/<int:report_pk>/withdraw/",
        feedback_withdraw,
        name="feedback_withdraw",
    ),
    path("cycle/results/my-feedback/", my_feedback, name="my_feedback"),
]
