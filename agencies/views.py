from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors
from .permissions import require_perm


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
    from .enums import AgencyType
    from .forms import AgencyImportForm
    from .importers import AgencyImportError, import_agencies

    report = None
    result = None
    filename = ""
    if request.method == "POST":
        form = AgencyImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            filename = upload.name
            try:
                result = import_agencies(data=upload.read(), filename=filename, actor=request.user)
            except AgencyImportError as exc:
                report = exc.problems
            else:
                form = AgencyImportForm()
    else:
        form = AgencyImportForm()
    return render(
        request,
        "agencies/agency_import.html",
        {
            "form": form,
            "report": report,
            "result": result,
            "filename": filename,
            "agency_types": AgencyType.choices,
        },
    )
