from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow import jobs
from workflow.models import JobStatus

from . import selectors
from .importers import ImportProblem
from .models import AgencyImportJob
from .permissions import require_perm
from .services import user_mail_language_set


class SignInView(LoginView):
    """The password step. A locked-out account or address gets this page back with the
    time to try again (agencies.auth_views.locked_out, through django-axes); a user who
    owes a second factor goes on to enter or set up a code (agencies.middleware)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        from .middleware import pending_step, step_url

        url = super().get_success_url()
        step = pending_step(self.request)
        return step_url(step, url) if step else url


@require_POST
def set_language(request):
    lang = request.POST.get("language")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:  # their e-mail follows the language they chose
            user_mail_language_set(user=request.user, language=lang)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=False,
        )
    return response


@require_perm("agencies.view_agency_list")
def agency_list(request):
    agencies = selectors.agencies_for_list()
    query = request.GET.get("q", "").strip()
    if query:
        from django.db.models import Q

        agencies = agencies.filter(
            Q(code__icontains=query) | Q(name_zh__icontains=query) | Q(name_en__icontains=query)
        )
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "q": query})


@require_perm("agencies.import_agencies")
def agency_import(request):
    """The upload: checked by its content, stored, and read by a background job; the
    browser goes on to the job's page."""
    from .forms import AgencyImportForm
    from .importers import agency_import_start

    if request.method == "POST":
        form = AgencyImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = agency_import_start(
                data=form.content,
                filename=form.cleaned_data["file"].name,
                actor=request.user,
                language=request.LANGUAGE_CODE,
            )
            return redirect("agencies:import_job", pk=job.pk)
    else:
        form = AgencyImportForm()
    return _import_page(request, form=form, job=None)


@require_perm("agencies.import_agencies")
def agency_import_job(request, pk):
    """One import: its progress while the job runs (htmx follows it), then the result or
    every problem, and the form for another file."""
    from .forms import AgencyImportForm

    job = get_object_or_404(AgencyImportJob.objects.select_related("job", "requested_by"), pk=pk)
    jobs.notice_stale([job.job])
    if request.htmx:
        return render(request, "agencies/_import_job.html", _job_context(job))
    return _import_page(request, form=AgencyImportForm(), job=job)


def _job_context(job):
    report = None
    if job.status == JobStatus.FAILED and "problems" in job.detail:
        report = [ImportProblem(**problem) for problem in job.detail["problems"]]
    return {"job": job, "report": report}


def _import_page(request, *, form, job):
    from .enums import AgencyType

    context = {"form": form, "agency_types": AgencyType.choices, "job": job}
    if job is not None:
        context.update(_job_context(job))
    return render(request, "agencies/agency_import.html", context)


@login_required
def mail_language(request):
    """The signed-in person chooses the language of the e-mail the site sends them
    (switching the site's language sets it too)."""
    from .forms import MailLanguageForm

    if request.method == "POST":
        form = MailLanguageForm(request.POST)
        if form.is_valid():
            user_mail_language_set(user=request.user, language=form.cleaned_data["language"])
            messages.success(
                request,
                _("Your e-mail will be in %(language)s.")
                % {"language": dict(settings.LANGUAGES)[form.cleaned_data["language"]]},
            )
            return redirect("mail_language")
    else:
        form = MailLanguageForm(initial={"language": request.user.language})
    return render(request, "registration/mail_language.html", {"form": form})
