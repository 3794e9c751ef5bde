"""The poll set-up page (the secretariat) and the page that creates a poll for an
edition that has none. One view per form action, each calling one service of
surveys.config_services; a refusal shows the page again with the message beside the
field and what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.enums import Role
from agencies.models import User
from agencies.permissions import require_perm

from . import config_services as cs
from .config_forms import (
    CandidatesForm,
    InterviewersForm,
    PollCreateForm,
    PollSettingsForm,
    StrataForm,
    candidates_text,
    strata_text,
)
from .models import Poll


def _poll(request, pk, **kwargs):
    return get_object_or_404(
        Poll.objects.select_related("edition__scheme", "published_run").annotate(
            n_candidates=Count("candidates", distinct=True),
            n_households=Count("households", distinct=True),
        ),
        pk=pk,
    )


def _add_errors(form, exc: ValidationError) -> None:
    for field, messages_ in exc.message_dict.items():
        for m in messages_:
            form.add_error(field if field in form.fields else None, m)


def _page(
    request,
    poll,
    status=200,
    *,
    settings_form=None,
    strata_form=None,
    people_form=None,
    candidates_form=None,
):
    interviewers = list(
        User.objects.filter(role_assignments__role=Role.POLL_INTERVIEWER, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )
    if people_form is not None:
        chosen = {str(v) for v in (people_form["interviewers"].value() or [])}
    else:
        chosen = {str(pk) for pk in poll.interviewers.values_list("pk", flat=True)}
    for u in interviewers:
        u.chosen = str(u.pk) in chosen
    context = {
        "poll": poll,
        "calls": cs.calls_made(poll),
        "settings_form": settings_form
        or PollSettingsForm(initial={f: getattr(poll, f) for f in cs.SETTING_FIELDS}),
        "strata_form": strata_form or StrataForm(initial={"strata": strata_text(poll)}),
        "people_form": people_form or InterviewersForm(),
        "candidates_form": candidates_form
        or CandidatesForm(initial={"candidates": candidates_text(poll)}),
        "interviewer_choices": interviewers,
    }
    return render(request, "surveys/poll_setup.html", context, status=status)


@require_perm("surveys.configure_poll", _poll)
def poll_setup(request, pk, obj):
    return _page(request, obj)


@require_POST
@require_perm("surveys.configure_poll", _poll)
def poll_settings_save(request, pk, obj):
    form = PollSettingsForm(request.POST)
    if form.is_valid():
        try:
            cs.poll_settings_save(poll=obj, actor=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The poll's settings were saved."))
            return redirect("surveys:config_poll", pk=obj.pk)
    return _page(request, obj, status=400, settings_form=form)


@require_POST
@require_perm("surveys.configure_poll", _poll)
def poll_strata_save(request, pk, obj):
    form = StrataForm(request.POST)
    if form.is_valid():
        try:
            cs.poll_strata_save(poll=obj, actor=request.user, rows=form.cleaned_data["strata"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The strata were saved."))
            return redirect("surveys:config_poll", pk=obj.pk)
    return _page(request, obj, status=400, strata_form=form)


@require_POST
@require_perm("surveys.configure_poll", _poll)
def poll_candidates_save(request, pk, obj):
    form = CandidatesForm(request.POST)
    if form.is_valid():
        try:
            cs.poll_candidates_save(
                poll=obj, actor=request.user, codes=form.cleaned_data["candidates"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The candidate departments were saved."))
            return redirect("surveys:config_poll", pk=obj.pk)
    return _page(request, obj, status=400, candidates_form=form)


@require_POST
@require_perm("surveys.configure_poll", _poll)
def poll_interviewers_save(request, pk, obj):
    form = InterviewersForm(request.POST)
    if form.is_valid():
        try:
            cs.poll_interviewers_save(
                poll=obj, actor=request.user, users=form.cleaned_data["interviewers"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The poll's interviewers were saved."))
            return redirect("surveys:config_poll", pk=obj.pk)
    return _page(request, obj, status=400, people_form=form)


@require_perm("surveys.configure_poll")
def poll_new(request):
    form = PollCreateForm(request.POST or None, initial={"award_places": 3, "tie_rule": "share"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = dict(form.cleaned_data)
            edition = values.pop("edition")
            try:
                poll = cs.poll_create(edition=edition, actor=request.user, values=values)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("The poll was created. Set its strata and interviewers next.")
                )
                return redirect("surveys:config_poll", pk=poll.pk)
    return render(request, "surveys/poll_new.html", {"form": form}, status=status)
