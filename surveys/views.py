from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.numbers import parse_int
from agencies.permissions import require_perm, user_may
from workflow import jobs
from workflow.models import JobStatus

from . import exports, selectors, services
from .enums import ImportStatus
from .fieldwork import fieldwork_window_problem
from .forms import CallForm, ImportMappingForm, ImportUploadForm
from .importers import ImportFileError, row_error_text
from .models import Household, Poll, PollImport, PollTallyRun


def _poll(request, pk, **kwargs):
    return get_object_or_404(
        Poll.objects.select_related("edition__scheme", "published_run__job"), pk=pk
    )


def _household(request, pk, household_pk, **kwargs):
    return get_object_or_404(
        Household.objects.select_related("poll__edition", "stratum"), pk=household_pk, poll_id=pk
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_perm("surveys.view_poll_list")
def poll_list(request):
    return render(
        request, "surveys/poll_list.html", {"polls": selectors.polls_for_user(request.user)}
    )


@require_perm("surveys.see_poll", _poll)
def poll_detail(request, pk, obj):
    poll = obj
    context = {"poll": poll}
    if user_may(request.user, "surveys.manage_poll", poll):
        context["progress"] = selectors.fieldwork_progress(poll)
        context["runs"] = selectors.tally_runs(poll)[:5]
        context["imports"] = poll.imports.select_related("uploaded_by")[:5]
    if user_may(request.user, "surveys.conduct_interviews", poll):
        context["due"] = selectors.households_due(poll)
    return render(request, "surveys/poll_detail.html", context)


@require_POST
@require_perm("surveys.manage_poll", _poll)
def poll_status(request, pk, obj):
    try:
        services.poll_set_status(
            poll=obj, status=request.POST.get("status", ""), actor=request.user
        )
        messages.success(request, _("The poll is now: %(s)s.") % {"s": obj.get_status_display()})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("surveys:poll_detail", pk=pk)


@require_perm("surveys.manage_poll", _poll)
def fieldwork(request, pk, obj):
    return render(
        request,
        "surveys/fieldwork.html",
        {"poll": obj, "progress": selectors.fieldwork_progress(obj)},
    )


# --- interviewers --------------------------------------------------------------------


@require_perm("surveys.conduct_interviews", _poll)
def call_next(request, pk, obj):
    poll = obj
    if request.method == "POST":
        try:
            household = services.household_lease_next(poll=poll, interviewer=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("surveys:call_next", pk=pk)
        if household is None:
            messages.info(
                request, _("No household is due now. Callbacks come back here when they are due.")
            )
            return redirect("surveys:call_next", pk=pk)
        return redirect("surveys:call_household", pk=pk, household_pk=household.pk)
    return render(
        request,
        "surveys/call_next.html",
        {
            "poll": poll,
            "due": selectors.households_due(poll),
            "recent": selectors.calls_of_interviewer(poll, request.user)[:5],
            "window_problem": fieldwork_window_problem(poll),
        },
    )


@require_perm("surveys.record_call", _household)
def call_household(request, pk, household_pk, obj):
    household = obj
    poll = household.poll
    form = CallForm(request.POST or None, poll=poll)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.call_record(
                household=household,
                interviewer=request.user,
                disposition=data["disposition"],
                candidate=data["candidate"],
                suggestion=data["suggestion"],
                callback_at=data["callback_at"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Household %(ref)s: saved.") % {"ref": household.ref})
            return redirect("surveys:call_next", pk=pk)
    return render(
        request,
        "surveys/call_household.html",
        {
            "poll": poll,
            "household": household,
            "form": form,
            "previous": household.calls.select_related("interviewer").order_by("-at")[:5],
        },
    )


@require_POST
@require_perm("surveys.record_call", _household)
def call_release(request, pk, household_pk, obj):
    services.household_release(household=obj, interviewer=request.user)
    messages.info(request, _("Household %(ref)s handed back to the queue.") % {"ref": obj.ref})
    return redirect("surveys:call_next", pk=pk)


@require_perm("surveys.conduct_interviews", _poll)
def my_calls(request, pk, obj):
    return render(
        request,
        "surveys/my_calls.html",
        {"poll": obj, "calls": selectors.calls_of_interviewer(obj, request.user)[:200]},
    )


# --- imports -------------------------------------------------------------------------


@require_perm("surveys.manage_poll", _poll)
def import_new(request, pk, obj):
    poll = obj
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp, already = services.import_upload(
                poll=poll,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                upload=upload,
                actor=request.user,
                language=request.LANGUAGE_CODE,
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if already:
                messages.warning(
                    request,
                    _("This file was already imported on %(when)s. Nothing was changed.")
                    % {
                        "when": timezone.localtime(
                            imp.finished_at or imp.uploaded_at, poll.edition.tzinfo
                        ).strftime("%Y-%m-%d %H:%M")
                    },
                )
            return redirect("surveys:import_detail", pk=pk, import_pk=imp.pk)
    return render(
        request,
        "surveys/import_new.html",
        {"poll": poll, "form": form, "imports": poll.imports.select_related("uploaded_by")[:20]},
    )


def _import(request, pk, import_pk, **kwargs):
    imp = get_object_or_404(
        # Without the file itself: the progress partial is asked for every second.
        PollImport.objects.select_related("poll__edition", "job").defer("content"),
        pk=import_pk,
        poll_id=pk,
    )
    jobs.notice_stale([imp.job])
    return imp


@require_perm("surveys.manage_poll", _poll)
def import_detail(request, pk, import_pk, obj):
    """One uploaded file: the column mapping; then the background job's progress (htmx
    asks for the partial every second) and its result or per-row report."""
    imp = _import(request, pk, import_pk)
    form = ImportMappingForm(request.POST or None, imp=imp)
    if request.method == "POST" and (imp.may_apply or imp.may_retry):
        if form.is_valid():
            try:
                imp = services.import_apply(
                    imp=imp,
                    mapping=form.cleaned_data,
                    actor=request.user,
                    language=request.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                imp.refresh_from_db()  # the job may have run already (an eager worker)
                _import_outcome_message(request, imp)
                return redirect("surveys:import_detail", pk=pk, import_pk=imp.pk)
    context = {
        "poll": obj,
        "imp": imp,
        "form": form,
        "errors": [{**e, "message": row_error_text(e)} for e in imp.errors[:500]],
        "more_errors": max(len(imp.errors) - 500, 0),
    }
    if request.htmx:
        return render(request, "surveys/_import_job.html", context)
    return render(request, "surveys/import_detail.html", context)


def _import_outcome_message(request, imp):
    if imp.is_active or imp.job_status in (JobStatus.FAILED, JobStatus.STALE):
        return  # the page shows the progress, or why the job stopped
    if imp.status == ImportStatus.IMPORTED:
        messages.success(
            request,
            ngettext("%(n)s row imported.", "%(n)s rows imported.", imp.imported_count)
            % {"n": imp.imported_count},
        )
    elif imp.status == ImportStatus.DUPLICATE:
        messages.warning(request, _("This file was already imported. Nothing was changed."))
    elif imp.status == ImportStatus.REJECTED:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: %(n)s error. Correct the file and upload it again.",
                "Nothing was imported: %(n)s errors. Correct the file and upload it again.",
                len(imp.errors),
            )
            % {"n": len(imp.errors)},
        )


@require_perm("surveys.manage_poll", _poll)
def import_errors_csv(request, pk, import_pk, obj):
    imp = _import(request, pk, import_pk)
    response = HttpResponse(exports.errors_csv(imp), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-import-{imp.pk}-errors.csv"'
    return response


# --- the tally -----------------------------------------------------------------------


@require_perm("surveys.manage_poll", _poll)
def tally(request, pk, obj):
    poll = obj
    if request.method == "POST":
        try:
            run = services.poll_tally_start(poll=poll, actor=request.user)
        except services.TallyAlreadyRunning as exc:
            messages.warning(
                request,
                _(
                    "A tally of this poll is already running (started %(when)s). Wait for it to finish."
                )
                % {
                    "when": timezone.localtime(exc.run.requested_at, poll.edition.tzinfo).strftime(
                        "%H:%M:%S"
                    )
                    if exc.run.requested_at
                    else "—"
                },
            )
            if exc.run.pk:
                return redirect("surveys:tally_run", pk=pk, run_pk=exc.run.pk)
            return redirect("surveys:tally", pk=pk)
        return redirect("surveys:tally_run", pk=pk, run_pk=run.pk)
    return render(
        request,
        "surveys/tally.html",
        {
            "poll": poll,
            "runs": selectors.tally_runs(poll)[:50],
            "active": selectors.active_run(poll),
        },
    )


def _run(request, pk, run_pk, **kwargs):
    if parse_int(run_pk) is None:
        raise Http404
    run = get_object_or_404(
        PollTallyRun.objects.select_related("requested_by", "job"), pk=run_pk, poll_id=pk
    )
    jobs.notice_stale([run.job])
    return run


def _results_context(poll, run):
    rows = selectors.result_rows(run.results, get_language())
    names = {r["code"]: r["name"] for r in rows}
    return {
        "poll": poll,
        "run": run,
        "rows": rows,
        "chart": selectors.chart(rows),
        "names": names,
        "winners": [r for r in rows if r["winner"]],
        "close_call": run.results.get("close_call"),
        "tie": run.results.get("tie"),
        "strata": run.results.get("strata", []),
        "tz": poll.edition.tzinfo,
        "health": selectors.tally_health(run, poll.edition.tzinfo),
    }


@require_perm("surveys.manage_poll", _poll)
def tally_run(request, pk, run_pk, obj):
    run = _run(request, pk, run_pk)
    template = "surveys/_tally_status.html" if request.htmx else "surveys/tally_run.html"
    return render(request, template, _results_context(obj, run))


@require_POST
@require_perm("surveys.manage_poll", _poll)
def publish(request, pk, obj):
    run = _run(request, pk, request.POST.get("run"))
    try:
        services.poll_publish(poll=obj, run=run, actor=request.user)
    except ValidationError as exc:
        context = _results_context(obj, run)
        context["publish_errors"] = exc.messages
        return render(request, "surveys/tally_run.html", context, status=400)
    messages.success(request, _("The results are published."))
    return redirect("surveys:results", pk=pk)


@require_perm("surveys.view_results", _poll)
def results(request, pk, obj):
    run = obj.published_run
    if run is None:
        raise Http404
    return render(request, "surveys/results.html", _results_context(obj, run))


@require_perm("surveys.view_results", _poll)
def results_csv(request, pk, obj):
    run = (
        obj.published_run
        if request.GET.get("run") is None
        else _run(request, pk, request.GET["run"])
    )
    if run is None or (
        run != obj.published_run and not user_may(request.user, "surveys.manage_poll", obj)
    ):
        raise Http404
    rows = selectors.result_rows(run.results, get_language())
    headers = [
        _("Rank"),
        _("Code"),
        _("Department"),
        _("Votes"),
        _("Share"),
        _("Margin of error (95 %)"),
        _("Winner"),
    ]
    response = HttpResponse(
        exports.results_csv(rows, headers), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="poll-{obj.pk}-run-{run.pk}.csv"'
    return response


# --- suggestions ---------------------------------------------------------------------


@require_perm("surveys.manage_poll", _poll)
def suggestions(request, pk, obj):
    query = request.GET.get("q", "").strip()
    items = list(selectors.suggestions(obj, query)[:1000])
    return render(request, "surveys/suggestions.html", {"poll": obj, "items": items, "q": query})


@require_perm("surveys.manage_poll", _poll)
def suggestions_xlsx(request, pk, obj):
    query = request.GET.get("q", "").strip()
    rows = (
        (
            r.candidate.agency.code if r.candidate else "",
            r.candidate.agency.name if r.candidate else "",
            r.household.ref,
            r.suggestion,
        )
        for r in selectors.suggestions(obj, query).iterator(chunk_size=2000)
    )
    data = exports.suggestions_xlsx(
        rows, [_("Code"), _("Department"), _("Household id"), _("Suggestion")]
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="poll-{obj.pk}-suggestions.xlsx"'
    return response
