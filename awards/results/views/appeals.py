"""Appeals (申覆, awards/results/appeals.py): the secretariat's window and list, an
agency's filing, the panel's decision, the attachments. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm, user_may
from awards.models import Edition, Nomination

from .. import appeals as services
from ..config_services import ConfigError
from ..feedback_forms import AppealDecisionForm, AppealForm, AppealWindowForm
from ..models import Appeal, AppealAttachment


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _load_nomination(request, nomination_pk, **kwargs):
    return get_object_or_404(
        Nomination.objects.select_related("agency", "category", "edition__scheme"),
        pk=nomination_pk,
    )


def _load_appeal(request, appeal_pk, **kwargs):
    return get_object_or_404(
        Appeal.objects.select_related(
            "nomination__agency", "nomination__category", "edition__scheme", "version"
        ),
        pk=appeal_pk,
    )


def _load_attachment(request, attachment_pk, **kwargs):
    attachment = get_object_or_404(
        AppealAttachment.objects.select_related("appeal__nomination__agency"), pk=attachment_pk
    )
    return attachment


def _local(edition, moment):
    return timezone.localtime(moment, edition.tzinfo) if moment else None


def _add_errors(form, error: ConfigError):
    for field, texts in error.errors.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


# --- the secretariat (and the approver, reading) ----------------------------------------------


def _list_context(request, edition, **extra):
    window = services.results_settings(edition)
    initial = {}
    if window is not None and window.has_window:
        initial = {
            "appeal_opens_at": _local(edition, window.appeal_opens_at).replace(tzinfo=None),
            "appeal_closes_at": _local(edition, window.appeal_closes_at).replace(tzinfo=None),
        }
    return {
        "edition": edition,
        "window": window if window is not None and window.has_window else None,
        "opens_at": _local(edition, window.appeal_opens_at) if window else None,
        "closes_at": _local(edition, window.appeal_closes_at) if window else None,
        "window_form": AppealWindowForm(initial=initial),
        "appeals": list(services.appeals_of(edition)),
        "can_configure": user_may(request.user, "results.configure_appeals"),
        **extra,
    }


@require_perm("results.view_appeals", _load_edition)
def appeal_list(request, edition_pk, obj):
    return render(request, "results/appeal_list.html", _list_context(request, obj))


@require_POST
@require_perm("results.configure_appeals", _load_edition)
def appeal_window(request, edition_pk, obj):
    form = AppealWindowForm(request.POST)
    with timezone.override(obj.tzinfo):
        valid = form.is_valid()
    if valid:
        try:
            services.appeal_window_save(
                edition=obj,
                actor=request.user,
                opens_at=form.cleaned_data["appeal_opens_at"],
                closes_at=form.cleaned_data["appeal_closes_at"],
            )
        except ConfigError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The appeal window was saved."))
            return redirect("results:appeal_list", edition_pk=obj.pk)
    context = _list_context(request, obj, window_form=form)
    return render(request, "results/appeal_list.html", context, status=400)


# --- the agency -----------------------------------------------------------------------------------


@require_perm("results.file_appeal", _load_nomination)
def appeal_file(request, nomination_pk, obj):
    existing = Appeal.objects.filter(nomination=obj).first()
    if existing is not None and request.method != "POST":
        return redirect("results:appeal_detail", appeal_pk=existing.pk)
    form = AppealForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                appeal = services.appeal_file(
                    nomination=obj,
                    actor=request.user,
                    reasons=form.cleaned_data["reasons"],
                    uploads=form.cleaned_data["attachments"],
                )
            except ConfigError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("Your appeal was filed; the secretariat will tell you the decision.")
                )
                return redirect("results:appeal_detail", appeal_pk=appeal.pk)
    edition = obj.edition
    window = services.results_settings(edition)
    return render(
        request,
        "results/appeal_file.html",
        {
            "nomination": obj,
            "edition": edition,
            "form": form,
            "problem": services.appeal_window_problem(edition) if existing is None else None,
            "existing": existing,
            "closes_at": _local(edition, window.appeal_closes_at) if window else None,
        },
        status=status,
    )


# --- an appeal ---------------------------------------------------------------------------------


def _detail_context(request, appeal, **extra):
    edition = appeal.edition
    return {
        "appeal": appeal,
        "edition": edition,
        "attachments": list(appeal.attachments.all()),
        "filed_at": _local(edition, appeal.filed_at),
        "decided_at": _local(edition, appeal.decided_at),
        "actions": services.APPEAL_WORKFLOW.actions(appeal, request.user),
        "decision_form": AppealDecisionForm(),
        "may_view_versions": user_may(request.user, "results.view_versions"),
        **extra,
    }


@require_perm("results.see_appeal", _load_appeal)
def appeal_detail(request, appeal_pk, obj):
    return render(request, "results/appeal_detail.html", _detail_context(request, obj))


@require_POST
@require_perm("results.decide_appeal", _load_appeal)
def appeal_decide(request, appeal_pk, obj):
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(
                appeal=obj,
                actor=request.user,
                upheld=form.cleaned_data["outcome"] == "upheld",
                reasons=form.cleaned_data["reasons"],
            )
        except services.ResultsError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("The panel's decision was recorded."))
            return redirect("results:appeal_detail", appeal_pk=obj.pk)
    context = _detail_context(request, obj, decision_form=form)
    return render(request, "results/appeal_detail.html", context, status=400)


def _attachment_appeal(request, attachment_pk, **kwargs):
    attachment = _load_attachment(request, attachment_pk)
    appeal = attachment.appeal
    appeal.the_attachment = attachment
    return appeal


@require_perm("results.see_appeal", _attachment_appeal)
def appeal_attachment(request, attachment_pk, obj):
    attachment = obj.the_attachment
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )


urlpatterns = [
    path("cycle/results/editions/<int:edition_pk>/appeals/", appeal_list, name="appeal_list"),
    path(
        "cycle/results/editions/<int:edition_pk>/appeals/window/",
        appeal_window,
        name="appeal_window",
    ),
    path("cycle/results/nominations/<int:nomination_pk>/appeal/", appeal_file, name="appeal_file"),
    path("cycle/results/appeals/<int:appeal_pk>/", appeal_detail, name="appeal_detail"),
    path("cycle/results/appeals/<int:appeal_pk>/decide/", appeal_decide, name="appeal_decide"),
    path(
        "cycle/results/appeal-files/<int:attachment_pk>/",
        appeal_attachment,
        name="appeal_attachment",
    ),
]
