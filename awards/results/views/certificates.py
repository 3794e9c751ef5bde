"""Certificates: the secretariat's certificate templates with their preview
(results.manage), one award's certificate PDF (results.see_award), and the public
verification page of a serial (no sign-in). Writes go through
awards.results.certificates; nothing here decides anything about a template.

Staff pages live under /cycle/results/certificates/, the public page under /verify/."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from agencies.client_ip import client_ip
from agencies.numbers import parse_int
from agencies.permissions import require_perm
from awards.models import AwardScheme
from workflow.site import site_url_or_request

from .. import certificates as certs
from ..certificate_forms import CertificateTemplateForm, VerifyForm
from ..compilation import ResultsError
from ..enums import VersionStatus
from ..models import Award, CertificateTemplate
from ..selectors import award_by_serial, certificate_state, public_version_ids
from ..services import serial_normalise

VERIFY_LIMIT = 30  # lookups per address per minute (settings.RESULTS_VERIFY_PER_MINUTE)
EXAMPLE_SERIAL = "7K3M-Q9TB-X2WD-H4NP"


def base_url(request) -> str:
    """The site's address for QR codes: settings.SITE_URL if set, else this request's."""
    return site_url_or_request(request) + "/"


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the secretariat's templates ---------------------------------------------------------


@require_perm("results.manage")
def scheme_list(request):
    active = CertificateTemplate.objects.filter(scheme=OuterRef("pk"), is_active=True)
    schemes = AwardScheme.objects.annotate(
        active_name=Subquery(active.values("name")[:1]),
        n_templates=Count("certificate_templates", distinct=True),
    ).order_by("code")
    return render(request, "results/certificates/schemes.html", {"schemes": schemes})


@require_perm("results.manage")
def template_list(request, scheme_pk):
    scheme = get_object_or_404(AwardScheme, pk=scheme_pk)
    templates = (
        CertificateTemplate.objects.filter(scheme=scheme)
        .select_related("updated_by")
        .order_by("-is_active", "name", "pk")
    )
    return render(
        request,
        "results/certificates/templates.html",
        {
            "scheme": scheme,
            "templates": templates,
            "any_active": any(t.is_active for t in templates),
        },
    )


def _variables():
    return [{"name": name, "label": label} for name, label in certs.CONTEXT_VARIABLES]


def _template_page(request, scheme, form, template=None, errors=()):
    # Why the saved template cannot be used: its refusal, or what the sandbox check
    # will refuse at its next use (a template saved before the check, not yet used).
    problems = []
    if template is not None:
        problems = certs.template_refusal(template) or certs.sandbox_errors(template.html)
    return render(
        request,
        "results/certificates/template_form.html",
        {
            "scheme": scheme,
            "form": form,
            "template": template,
            "errors": errors,
            "problems": problems,
            "variables": _variables(),
            "filters": ", ".join(certs.sandbox.ALLOWED_FILTERS),
            "tags": ", ".join(certs.sandbox.ALLOWED_TAGS),
            "preview_award": (
                certs.preview_award(scheme) if template and not errors and not problems else None
            ),
        },
        status=200,
    )


def _save(request, scheme, form, template=None):
    data = form.cleaned_data
    return certs.certificate_template_save(
        scheme=scheme,
        actor=request.user,
        template=template,
        name=data["name"],
        html=data["html"],
        css=data["css"],
        signatory_zh=data["signatory_zh"],
        signatory_en=data["signatory_en"],
        base_url=base_url(request),
    )


@require_perm("results.manage")
def template_new(request, scheme_pk):
    scheme = get_object_or_404(AwardScheme, pk=scheme_pk)
    errors = []
    if request.method == "POST":
        form = CertificateTemplateForm(request.POST)
        if form.is_valid():
            try:
                template = _save(request, scheme, form)
            except ResultsError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("The template “%(name)s” is saved. Check its preview, then use it.")
                    % {"name": template.name},
                )
                return redirect("results:certificate_template", template.pk)
    else:
        form = CertificateTemplateForm(
            initial={
                "name": _("Certificate"),
                "html": certs.default_html(),
                "css": certs.default_css(),
                "signatory_zh": scheme.organiser_zh,
                "signatory_en": scheme.organiser_en,
            }
        )
    return _template_page(request, scheme, form, errors=errors)


def _template(request, pk, **kwargs):
    return get_object_or_404(CertificateTemplate.objects.select_related("scheme"), pk=pk)


@require_perm("results.manage")
def template_edit(request, pk):
    template = _template(request, pk)
    scheme = template.scheme
    errors = []
    if request.method == "POST":
        form = CertificateTemplateForm(request.POST)
        if form.is_valid():
            try:
                template = _save(request, scheme, form, template)
            except ResultsError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("The template “%(name)s” is saved.") % {"name": template.name}
                    + (
                        " " + _("It is in use: certificates printed from now on use it.")
                        if template.is_active
                        else ""
                    ),
                )
                return redirect("results:certificate_template", template.pk)
    else:
        form = CertificateTemplateForm(
            initial={
                "name": template.name,
                "html": template.html,
                "css": template.css,
                "signatory_zh": template.signatory_zh,
                "signatory_en": template.signatory_en,
            }
        )
    return _template_page(request, scheme, form, template, errors)


@require_POST
@require_perm("results.manage")
def template_activate(request, pk):
    template = _template(request, pk)
    try:
        certs.certificate_template_activate(
            template=template, actor=request.user, base_url=base_url(request)
        )
    except ResultsError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("results:certificate_template", template.pk)
    messages.success(
        request,
        _("Certificates of %(scheme)s now use the template “%(name)s”.")
        % {"scheme": template.scheme.name, "name": template.name},
    )
    return redirect("results:certificate_templates", template.scheme_id)


@require_POST
@require_perm("results.manage")
def template_use_default(request, scheme_pk):
    scheme = get_object_or_404(AwardScheme, pk=scheme_pk)
    certs.certificate_template_use_default(scheme=scheme, actor=request.user)
    messages.success(
        request,
        _("Certificates of %(scheme)s now use the built-in design.") % {"scheme": scheme.name},
    )
    return redirect("results:certificate_templates", scheme.pk)


def _preview_design(request, scheme):
    """The design a preview URL asks for: ?template=<pk> of this scheme, else built-in."""
    pk = request.GET.get("template", "")
    if not pk:
        return certs.default_design(scheme)
    if parse_int(pk) is None:
        raise Http404
    template = get_object_or_404(CertificateTemplate, pk=pk, scheme=scheme)
    return certs.design_for(scheme, template)


def _preview_error(exc: ResultsError) -> HttpResponse:
    response = HttpResponse("\n".join(exc.messages), content_type="text/plain; charset=utf-8")
    response.status_code = 422
    return response


@xframe_options_sameorigin
@require_perm("results.manage")
def preview_pdf(request, scheme_pk):
    scheme = get_object_or_404(AwardScheme, pk=scheme_pk)
    design = _preview_design(request, scheme)
    try:
        pdf, _pages = certs.preview_pdf(design, scheme, base_url(request))
    except ResultsError as exc:
        return _preview_error(exc)
    response = _pdf_response(pdf, f"certificate-preview-{scheme.code}.pdf")
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    response["Cache-Control"] = "no-store"
    return response


@xframe_options_sameorigin
@require_perm("results.manage")
def preview_html(request, scheme_pk):
    scheme = get_object_or_404(AwardScheme, pk=scheme_pk)
    design = _preview_design(request, scheme)
    try:
        page = certs.preview_html(design, scheme, base_url(request))
    except ResultsError as exc:
        return _preview_error(exc)
    response = HttpResponse(page)
    # The template's own CSS is inline here: allowed in this sandboxed frame only.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'; sandbox"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- one award's certificate --------------------------------------------------------------


def _award(request, pk, **kwargs):
    award = get_object_or_404(
        Award.objects.select_related(
            "agency", "category", "version__edition__scheme", "nomination__nominee"
        ),
        Q(version__status=VersionStatus.APPROVED) | Q(version__in=public_version_ids()),
        pk=pk,
    )
    if award.serial is None:
        # A published award whose serial moved on to its successor, still under embargo:
        # the certificate is the same one (the serial moved when the successor was approved).
        holder = (
            Award.objects.filter(
                version__edition_id=award.version.edition_id,
                version__number__gt=award.version.number,
                category_id=award.category_id,
                agency_id=award.agency_id,
                serial__isnull=False,
            )
            .order_by("version__number")
            .first()
        )
        if holder is None:
            raise Http404
        award.serial, award.issued_on = holder.serial, holder.issued_on
        award.revoked_on, award.revocation_reason = holder.revoked_on, holder.revocation_reason
    return award


@require_perm("results.see_award", _award)
def award_certificate(request, pk, obj):
    """The certificate of an approved award. A revoked award's is stamped 已撤回 / REVOKED."""
    try:
        pdf = certs.certificate_pdf(obj, base_url=base_url(request))
    except ResultsError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboard")
    return _pdf_response(pdf, f"certificate-{obj.agency.code}-{obj.serial}.pdf")


# --- public verification ------------------------------------------------------------------


def _over_limit(request) -> bool:
    """A fixed one-minute window per client address (behind the proxies that
    TRUSTED_PROXY_COUNT declares), counted in the cache."""
    limit = getattr(settings, "RESULTS_VERIFY_PER_MINUTE", VERIFY_LIMIT)
    window = int(time.time() // 60)
    key = f"results:verify:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def _verify_page(request, *, form=None, status=200, **context):
    response = render(
        request,
        "results/certificates/verify.html",
        {"form": form or VerifyForm(), "example": EXAMPLE_SERIAL, **context},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


def _malformed(request, text):
    form = VerifyForm(initial={"serial": text})
    form.fields["serial"].widget.attrs.update(
        {"aria-invalid": "true", "aria-describedby": "verify-error id_serial_helptext"}
    )
    return _verify_page(
        request,
        form=form,
        malformed=text,
        error=_(
            "This is not a certificate serial number: it has 16 letters and digits, "
            "e.g. %(example)s."
        )
        % {"example": EXAMPLE_SERIAL},
    )


def verify(request):
    """The form; a typed serial goes to its page (verify/<serial>/)."""
    text = request.GET.get("serial")
    if text is None:
        return _verify_page(request)
    serial = serial_normalise(text)
    if serial is None:
        return _malformed(request, text)
    return redirect("results:verify_serial", serial)


def verify_serial(request, serial):
    """The QR code's target: the award, or that it was revoked, or no such certificate.
    An award whose results are still under embargo answers exactly like an unknown one."""
    if _over_limit(request):
        response = _verify_page(
            request,
            status=429,
            error=_("Too many lookups from your address. Wait a minute, then try again."),
        )
        response["Retry-After"] = "60"
        return response
    canonical = serial_normalise(serial)
    if canonical is None:
        return _malformed(request, serial)
    if canonical != serial:
        return redirect("results:verify_serial", canonical)
    award = award_by_serial(canonical)
    found = certificate_state(award) if award is not None else None
    if found is None:
        return _verify_page(
            request,
            status=404,
            serial=canonical,
            not_found=True,
            form=VerifyForm(initial={"serial": canonical}),
        )
    edition = found.award.version.edition
    return _verify_page(
        request,
        serial=canonical,
        award=found.award,
        edition=edition,
        state=found.state,
        since=timezone.localtime(found.since, edition.tzinfo) if found.since else None,
    )


urlpatterns = [
    path("cycle/results/certificates/", scheme_list, name="certificate_schemes"),
    path(
        "cycle/results/certificates/<int:scheme_pk>/",
        template_list,
        name="certificate_templates",
    ),
    path(
        "cycle/results/certificates/<int:scheme_pk>/new/",
        template_new,
        name="certificate_template_new",
    ),
    path(
        "cycle/results/certificates/<int:scheme_pk>/use-default/",
        template_use_default,
        name="certificate_template_use_default",
    ),
    path(
        "cycle/results/certificates/<int:scheme_pk>/preview.pdf",
        preview_pdf,
        name="certificate_preview_pdf",
    ),
    path(
        "cycle/results/certificates/<int:scheme_pk>/preview.html",
        preview_html,
        name="certificate_preview_html",
    ),
    path(
        "cycle/results/certificates/templates/<int:pk>/",
        template_edit,
        name="certificate_template",
    ),
    path(
        "cycle/results/certificates/templates/<int:pk>/use/",
        template_activate,
        name="certificate_template_activate",
    ),
    path(
        "cycle/results/awards/<int:pk>/certificate.pdf",
        award_certificate,
        name="award_certificate",
    ),
    path("verify/", verify, name="verify"),
    path("verify/<str:serial>/", verify_serial, name="verify_serial"),
]
