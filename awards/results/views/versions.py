"""Staff pages of results: the editions, an edition's compilations and jobs, a version
with its approval steps, and an award's revocation and good-practice summary.

The secretariat compiles, exports and revokes (results.manage); the approver approves or
returns (results.approve); both see unpublished versions (results.view_versions). Anyone
else gets 404. Writes go through awards.results.services."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm, user_may
from awards.models import Category, Edition
from workflow import jobs
from workflow.models import Job, JobStatus
from workflow.site import site_url_or_request

from .. import programme_selectors, selectors, services
from ..compilation import open_reviews
from ..enums import JobKind, VersionStatus
from ..forms import ApproveForm, ReturnForm, RevokeForm, ScheduleForm, SummaryForm
from ..frozen import changes_since
from ..models import Award, AwardLevel, ResultVersion
from ..sensitivity import present


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _load_version(request, version_pk, **kwargs):
    return get_object_or_404(
        ResultVersion.objects.select_related(
            "edition__scheme", "compiled_by", "submitted_by", "decided_by"
        ),
        pk=version_pk,
    )


def _load_job(request, job_pk, **kwargs):
    """A results job (workflow.Job of a results kind, whose target is an edition)."""
    job = get_object_or_404(
        Job.objects.select_related("requested_by"),
        pk=job_pk,
        kind__in=JobKind.values,
        target_type=Edition._meta.label_lower,
    )
    jobs.notice_stale([job])
    return job


def _load_award(request, award_pk, **kwargs):
    return get_object_or_404(
        Award.objects.select_related(
            "version__edition__scheme", "agency", "category", "nomination__nominee"
        ),
        pk=award_pk,
    )


def _local(edition, moment):
    return timezone.localtime(moment, edition.tzinfo) if moment else None


# --- editions ---------------------------------------------------------------------------


@require_perm("results.view_versions")
def editions(request):
    latest = ResultVersion.objects.filter(edition=OuterRef("pk")).order_by("-number")
    everything = list(
        Edition.objects.select_related("scheme")
        .annotate(
            n_rules=Count("categories__award_rule", distinct=True),
            n_versions=Count("result_versions", distinct=True),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_pk=Subquery(latest.values("pk")[:1]),
        )
        .order_by("scheme__code", "-number")
    )
    rows = [e for e in everything if e.n_rules or e.n_versions]
    # The secretariat sets the rules of the others (awards.results.views.config).
    unruled = (
        [e for e in everything if not (e.n_rules or e.n_versions)]
        if user_may(request.user, "results.configure_awards")
        else []
    )
    for e in rows:
        e.latest_status_label = VersionStatus(e.latest_status).label if e.latest_status else ""
    waiting = (
        ResultVersion.objects.filter(status=VersionStatus.SUBMITTED)
        .select_related("edition__scheme")
        .order_by("submitted_at")
    )
    return render(
        request,
        "results/editions.html",
        {"editions": rows, "unruled": unruled, "waiting": list(waiting)},
    )


def _edition_context(request, edition, **extra):
    categories = list(
        Category.objects.filter(edition=edition)
        .select_related("award_rule")
        .order_by("order", "code")
    )
    for c in categories:
        c.rule = getattr(c, "award_rule", None)
    versions = list(selectors.versions_of(edition).annotate(n_awards=Count("awards")))
    compile_job = selectors.jobs_of(edition, JobKind.COMPILE).first()
    jobs.notice_stale([compile_job])
    is_secretariat = user_may(request.user, "results.manage")
    return {
        "edition": edition,
        "categories": categories,
        "levels": list(AwardLevel.objects.filter(edition=edition)),
        "versions": versions,
        "compile_job": compile_job,
        "open_reviews": open_reviews(edition) if is_secretariat else [],
        "can_manage": is_secretariat,
        **extra,
    }


@require_perm("results.view_versions", _load_edition)
def edition_results(request, edition_pk, obj):
    return render(request, "results/edition.html", _edition_context(request, obj))


@require_POST
@require_perm("results.manage", _load_edition)
def compile_start(request, edition_pk, obj):
    try:
        services.results_compile_start(edition=obj, actor=request.user)
    except services.ResultsError as error:
        context = _edition_context(request, obj, compile_errors=error.messages)
        return render(request, "results/edition.html", context, status=400)
    messages.success(request, _("Compiling has started; this page follows its progress."))
    return redirect("results:edition", edition_pk=obj.pk)


# --- jobs -------------------------------------------------------------------------------


@require_perm("results.view_versions", _load_job)
def job_status(request, job_pk, obj):
    version_pk = (obj.params or {}).get("version")
    if not request.htmx:
        if obj.kind == JobKind.FEEDBACK:
            return redirect("results:feedback_list", edition_pk=obj.target_id)
        if version_pk and obj.kind != JobKind.COMPILE:
            return redirect("results:version", version_pk=version_pk)
        return redirect("results:edition", edition_pk=obj.target_id)
    edition = Edition.objects.select_related("scheme").get(pk=obj.target_id)
    made = (obj.result or {}).get("version_id")
    return render(
        request,
        "results/_job_status.html",
        {
            "job": obj,
            "edition": edition,
            "can_manage": user_may(request.user, "results.manage"),
            # A finished compile made a version: the edition page's list is swapped
            # out of band, so it shows the new version without a reload.
            "oob_versions": list(selectors.versions_of(edition).annotate(n_awards=Count("awards")))
            if obj.kind == JobKind.COMPILE and obj.status == JobStatus.DONE and made
            else None,
        },
    )


def _job_download(job, field):
    f = getattr(job, field)
    if job.status != "done" or not f:
        raise Http404
    name = f.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(f.open("rb"), as_attachment=True, filename=name)


@require_perm("results.manage", _load_job)
def job_file(request, job_pk, obj):
    return _job_download(obj, "file")


@require_perm("results.manage", _load_job)
def job_zip(request, job_pk, obj):
    return _job_download(obj, "archive")


# --- a version ----------------------------------------------------------------------------


def _version_context(request, version, **extra):
    edition = version.edition
    awards = list(selectors.awards_of(version))
    version_jobs = list(
        selectors.jobs_of(edition)
        .filter(
            params__version=version.pk,
            kind__in=[JobKind.WORKBOOK, JobKind.CERTIFICATES, JobKind.SENSITIVITY],
        )
        .order_by("-requested_at", "-id")
    )
    latest_jobs = {}
    for job in version_jobs:
        latest_jobs.setdefault(job.kind, job)
    jobs.notice_stale(latest_jobs.values())
    categories = version.data.get("categories", [])
    lang_en = (translation.get_language() or "").startswith("en")
    for c in categories:
        c["name"] = (c["name_en"] or c["name_zh"]) if lang_en else c["name_zh"]
        c["award_name"] = (
            (c["award_name_en"] or c["award_name_zh"]) if lang_en else c["award_name_zh"]
        )
        for s in c["stages"]:
            s["name"] = (s["name_en"] or s["name_zh"]) if lang_en else s["name_zh"]
        for d in c["dimensions"]:
            d["name"] = (d["name_en"] or d["name_zh"]) if lang_en else d["name_zh"]
        for r in c["rows"]:
            r["agency"] = (r["agency_en"] or r["agency_zh"]) if lang_en else r["agency_zh"]
            r["level"] = (r["level_en"] or r["level_zh"]) if lang_en else r["level_zh"]
        close = c.get("close_call")  # absent in versions compiled before it was kept
        if close:
            close["last_winner_name"] = close["last_winner_en" if lang_en else "last_winner_zh"]
            close["next_name"] = close["next_en" if lang_en else "next_zh"]
    user = request.user
    tz = edition.tzinfo
    now_local = timezone.localtime(timezone.now(), tz).replace(second=0, microsecond=0)
    run = services.latest_sensitivity(version)
    can_manage = user_may(user, "results.manage")
    is_published = version.is_published
    context = {
        "version": version,
        "edition": edition,
        "categories": categories,
        "close_calls": [c for c in categories if c.get("close_call")],
        "awards": awards,
        "workbook_job": latest_jobs.get(JobKind.WORKBOOK),
        "certificates_job": latest_jobs.get(JobKind.CERTIFICATES),
        "can_manage": can_manage,
        "sensitivity_job": latest_jobs.get(JobKind.SENSITIVITY),
        "sensitivity_run": run,
        "sensitivity": present(run.data, lang_en=lang_en) if run else None,
        "sensitivity_computed_at": _local(edition, run.computed_at) if run else None,
        "sensitivity_skipped": [
            (s["name_en"] or s["name_zh"]) if lang_en else s["name_zh"]
            for s in (run.data.get("skipped", []) if run else [])
        ],
        "can_run_sensitivity": can_manage
        and version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED),
        "actions": services.VERSION_WORKFLOW.actions(version, user),
        "can_schedule": user_may(user, "results.schedule_publication", version),
        "can_revoke": user_may(user, "results.revoke_awards", version),
        "can_print_certificates": user_may(user, "results.print_certificates", version),
        "approve_form": ApproveForm(
            prefix="approve",
            initial={
                "publish_at": now_local.replace(tzinfo=None),
                "sensitivity_run": run.pk if run else None,
            },
        ),
        "return_form": ReturnForm(prefix="return"),
        "schedule_form": ScheduleForm(
            initial={
                "publish_at": (_local(edition, version.publish_at) or now_local).replace(
                    tzinfo=None
                )
            }
        ),
        "compiled_at": _local(edition, version.compiled_at),
        "submitted_at": _local(edition, version.submitted_at),
        "decided_at": _local(edition, version.decided_at),
        "publish_at": _local(edition, version.publish_at),
        "is_published": is_published,
        # Past its publication time yet not public: appeals awaiting a decision hold it.
        "held_by": selectors.appeals_holding(version)
        if version.status == VersionStatus.APPROVED
        and not is_published
        and version.publish_at
        and version.publish_at <= timezone.now()
        else 0,
        "public_now": selectors.public_version(edition),
        "changes": _changes(version),
        "newer": ResultVersion.objects.filter(edition=edition, number__gt=version.number)
        .order_by("-number")
        .first(),
    }
    context.update(extra)
    return context


def _changes(version):
    """What changed in the live inputs since the version (not asked of a version that
    was superseded and is not public any more: a newer one answers for it)."""
    if version.status == VersionStatus.SUPERSEDED and not version.is_published:
        return None
    return changes_since(version)


@require_perm("results.view_versions", _load_version)
def version_detail(request, version_pk, obj):
    return render(request, "results/version.html", _version_context(request, obj))


def _refused(request, version, error, status=400, **extra):
    context = _version_context(request, version, action_errors=error.messages, **extra)
    return render(request, "results/version.html", context, status=status)


@require_POST
@require_perm("results.manage", _load_version)
def version_submit(request, version_pk, obj):
    try:
        services.version_submit(version=obj, actor=request.user)
    except services.ResultsError as error:
        return _refused(request, obj, error)
    messages.success(request, _("Version %(n)d was submitted for approval.") % {"n": obj.number})
    return redirect("results:version", version_pk=obj.pk)


@require_POST
@require_perm("results.approve", _load_version)
def version_approve(request, version_pk, obj):
    form = ApproveForm(request.POST, prefix="approve")
    with timezone.override(obj.edition.tzinfo):
        valid = form.is_valid()
    if not valid:
        return render(
            request,
            "results/version.html",
            _version_context(request, obj, approve_form=form),
            status=400,
        )
    try:
        services.version_approve(
            version=obj,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            publish_at=form.cleaned_data["publish_at"],
            sensitivity_shown=form.cleaned_data["sensitivity_run"],
        )
    except services.ResultsError as error:
        return _refused(request, obj, error, approve_form=form)
    messages.success(request, _("Version %(n)d was approved.") % {"n": obj.number})
    return redirect("results:version", version_pk=obj.pk)


@require_POST
@require_perm("results.approve", _load_version)
def version_return(request, version_pk, obj):
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return render(
            request,
            "results/version.html",
            _version_context(request, obj, return_form=form),
            status=400,
        )
    try:
        services.version_return(
            version=obj, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except services.ResultsError as error:
        return _refused(request, obj, error, return_form=form)
    messages.success(
        request, _("Version %(n)d was returned to the secretariat.") % {"n": obj.number}
    )
    return redirect("results:version", version_pk=obj.pk)


@require_POST
@require_perm("results.manage", _load_version)
def version_schedule(request, version_pk, obj):
    form = ScheduleForm(request.POST)
    with timezone.override(obj.edition.tzinfo):
        valid = form.is_valid()
    if not valid:
        return render(
            request,
            "results/version.html",
            _version_context(request, obj, schedule_form=form),
            status=400,
        )
    try:
        services.version_schedule_publication(
            version=obj, actor=request.user, publish_at=form.cleaned_data["publish_at"]
        )
    except services.ResultsError as error:
        return _refused(request, obj, error, schedule_form=form)
    messages.success(request, _("The publication time was set."))
    return redirect("results:version", version_pk=obj.pk)


def _start_job(request, version, kind):
    detail = {
        "language": translation.get_language() or "zh-hant",
        "base_url": site_url_or_request(request) + "/",  # settings.SITE_URL if set
    }
    try:
        services.job_start(
            edition=version.edition, kind=kind, actor=request.user, version=version, detail=detail
        )
    except services.ResultsError as error:
        return _refused(request, version, error)
    messages.success(request, _("The job has started; this page follows its progress."))
    return redirect(reverse("results:version", args=[version.pk]) + f"#job-{kind}")


@require_POST
@require_perm("results.manage", _load_version)
def workbook_start(request, version_pk, obj):
    return _start_job(request, obj, JobKind.WORKBOOK)


@require_POST
@require_perm("results.manage", _load_version)
def certificates_start(request, version_pk, obj):
    if obj.status != VersionStatus.APPROVED:
        return _refused(
            request,
            obj,
            services.ResultsError(_("Certificates are printed only for approved results.")),
        )
    return _start_job(request, obj, JobKind.CERTIFICATES)


@require_POST
@require_perm("results.manage", _load_version)
def sensitivity_start(request, version_pk, obj):
    """Start the decision-sensitivity job of a version (refused, with the reason beside
    the panel's button, on a frozen version or one without scores)."""
    try:
        services.sensitivity_start(version=obj, actor=request.user)
    except services.ResultsError as error:
        context = _version_context(request, obj, sensitivity_errors=error.messages)
        return render(request, "results/version.html", context, status=400)
    messages.success(
        request, _("The decision sensitivity is being computed; this page follows its progress.")
    )
    return redirect(reverse("results:version", args=[obj.pk]) + "#sensitivity")


# --- an award ---------------------------------------------------------------------------


def _missed_obligation(request, award):
    """The missed programme obligation a revocation is opened from (?obligation=<id>, or
    the form's hidden field): one of this award's, else 404."""
    raw = request.POST.get("obligation") or request.GET.get("obligation") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(
        programme_selectors.missed_obligations_of(award).select_related("event"), pk=int(raw)
    )


@require_perm("results.manage", _load_award)
def award_revoke(request, award_pk, obj):
    edition = obj.version.edition
    today = timezone.localtime(timezone.now(), edition.tzinfo).date()
    obligation = _missed_obligation(request, obj)
    initial = {"revoked_on": today}
    if obligation is not None:
        initial["reason"] = _(
            "Missed its obligation in the programme: %(what)s at “%(event)s”."
        ) % {"what": obligation.get_kind_display(), "event": obligation.event.name}
    form = RevokeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.award_revoke(
                    award=obj,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    revoked_on=form.cleaned_data["revoked_on"],
                    obligation=obligation,
                )
            except services.ResultsError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The award of %(agency)s was revoked.") % {"agency": obj.agency.name},
                )
                return redirect("results:version", version_pk=obj.version_id)
    return render(
        request,
        "results/award_revoke.html",
        {"award": obj, "form": form, "obligation": obligation},
        status=status,
    )


@require_perm("results.manage", _load_award)
def award_summary(request, award_pk, obj):
    form = SummaryForm(
        request.POST or None,
        initial={"summary_zh": obj.summary_zh, "summary_en": obj.summary_en},
    )
    context = {
        "award": obj,
        "form": form,
        "missed": list(programme_selectors.missed_obligations_of(obj)),
    }
    if request.method == "POST":
        if form.is_valid():
            services.award_summary_update(award=obj, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The summary of good practice was saved."))
            return redirect("results:version", version_pk=obj.version_id)
        return render(request, "results/award_summary.html", context, status=400)
    return render(request, "results/award_summary.html", context)


urlpatterns = [
    path("cycle/results/", editions, name="editions"),
    path("cycle/results/editions/<int:edition_pk>/", edition_results, name="edition"),
    path("cycle/results/editions/<int:edition_pk>/compile/", compile_start, name="compile"),
    path("cycle/results/jobs/<int:job_pk>/", job_status, name="job"),
    path("cycle/results/jobs/<int:job_pk>/file/", job_file, name="job_file"),
    path("cycle/results/jobs/<int:job_pk>/zip/", job_zip, name="job_zip"),
    path("cycle/results/versions/<int:version_pk>/", version_detail, name="version"),
    path("cycle/results/versions/<int:version_pk>/submit/", version_submit, name="version_submit"),
    path(
        "cycle/results/versions/<int:version_pk>/approve/", version_approve, name="version_approve"
    ),
    path("cycle/results/versions/<int:version_pk>/return/", version_return, name="version_return"),
    path(
        "cycle/results/versions/<int:version_pk>/publication/",
        version_schedule,
        name="version_schedule",
    ),
    path("cycle/results/versions/<int:version_pk>/workbook/", workbook_start, name="workbook"),
    path(
        "cycle/results/versions/<int:version_pk>/sensitivity/",
        sensitivity_start,
        name="sensitivity",
    ),
    path(
        "cycle/results/versions/<int:version_pk>/certificates/",
        certificates_start,
        name="certificates",
    ),
    path("cycle/results/awards/<int:award_pk>/revoke/", award_revoke, name="award_revoke"),
    path("cycle/results/awards/<int:award_pk>/summary/", award_summary, name="award_summary"),
]
