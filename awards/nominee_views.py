"""The individual or team a nomination is for: the department gives and corrects the
details while it may edit the dossier; it and the secretariat read them and download a
copy; the secretariat erases them on request after the scheme's retention period."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm, user_may

from . import nominees, selectors, services
from .enums import NomineeKind
from .forms import NomineeEraseForm, NomineeForm, TeamMemberFormSet
from .models import Nomination


def _load(request, pk, **kwargs):
    try:
        nomination = selectors.nomination_for_dossier(pk)
    except Nomination.DoesNotExist as exc:
        raise Http404 from exc
    if not nomination.takes_nominee:
        raise Http404
    return nomination


def _initial(nominee):
    if nominee is None:
        return {}, []
    return (
        {
            "name_zh": nominee.name_zh,
            "name_en": nominee.name_en,
            "post": nominee.post,
            "unit": nominee.unit,
            "public_consent": nominee.public_consent,
        },
        [{"name": m.name, "post": m.post} for m in nominee.members.all()],
    )


def _context(request, nomination, form, members, *, erase_form=None, status_note=""):
    edition = nomination.edition
    may_edit = user_may(request.user, "awards.edit_nominee", nomination)
    problem = ""
    if may_edit:
        if nomination.state not in services.EDITABLE_STATES:
            problem = _("This dossier has been submitted: its nominee can no longer be changed.")
        else:
            problem = services.dossier_window_problem(nomination)
    nominee = nomination.nominee_or_none
    today = selectors.edition_today(edition)
    return {
        "nomination": nomination,
        "edition": edition,
        "kind": nomination.category.nominee_kind,
        "nominee": nominee,
        "form": form,
        "members": members,
        "editable": may_edit and not problem,
        "closed_note": problem,
        "may_erase": user_may(request.user, "awards.erase_nominee", nomination),
        "erase_form": erase_form or NomineeEraseForm(),
        "erasure_problem": nominees.erasure_problem(nomination, today) if nominee else "",
        "retention_ends_on": nominees.retention_ends_on(nomination),
        "dossier_url": reverse("awards:dossier", args=[nomination.pk]),
        "status_note": status_note,
    }


@require_perm("awards.see_nominee", _load)
def nominee_edit(request, pk, obj):
    nomination = obj
    kind = nomination.category.nominee_kind
    if request.method != "POST":
        initial, member_rows = _initial(nomination.nominee_or_none)
        form = NomineeForm(initial=initial, kind=kind)
        members = TeamMemberFormSet(initial=member_rows, prefix="members")
        return render(
            request,
            "awards/nominations/nominee.html",
            _context(request, nomination, form, members),
        )
    if not user_may(request.user, "awards.edit_nominee", nomination):
        raise Http404
    form = NomineeForm(request.POST, kind=kind)
    # Only a team's page has the members' rows (an individual's form has none to bind).
    if kind == NomineeKind.TEAM:
        members = TeamMemberFormSet(request.POST, prefix="members")
    else:
        members = TeamMemberFormSet(prefix="members")
    if form.is_valid() and (kind != NomineeKind.TEAM or members.is_valid()):
        member_data = members.cleaned_data if kind == NomineeKind.TEAM else []
        rows = [
            nominees.MemberRow(m.get("name", ""), m.get("post", ""))
            for m in member_data
            if (m.get("name") or "").strip() or (m.get("post") or "").strip()
        ]
        data = form.cleaned_data
        incomplete = [r for r in rows if not r.name.strip()]
        problems = nominees.nominee_field_problems(
            kind=kind,
            name_zh=data["name_zh"],
            post=data.get("post", ""),
            members=[r for r in rows if r.name.strip()],
        )
        if incomplete and kind == NomineeKind.TEAM:
            problems["members"] = _("Give the name of every member you list.")
        for field, message in problems.items():
            if field == "members":
                members._non_form_errors = members.error_class([message])
            else:
                form.add_error(field, message)
        if not problems:
            try:
                nominees.nominee_save(
                    actor=request.user,
                    nomination=nomination,
                    name_zh=data["name_zh"],
                    name_en=data["name_en"],
                    post=data.get("post", ""),
                    unit=data["unit"],
                    public_consent=data["public_consent"],
                    members=rows,
                )
            except services.NominationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The nominee's details are saved."))
                return redirect("awards:nominee", pk=nomination.pk)
    return render(
        request,
        "awards/nominations/nominee.html",
        _context(request, nomination, form, members),
        status=400,
    )


@require_perm("awards.see_nominee", _load)
def nominee_export(request, pk, obj):
    if obj.nominee_or_none is None:
        raise Http404
    body = json.dumps(nominees.nominee_export(obj), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nominee-{obj.pk}.json"'
    return response


@require_perm("awards.erase_nominee", _load)
@require_POST
def nominee_erase(request, pk, obj):
    nomination = obj
    if nomination.nominee_or_none is None:
        raise Http404
    erase_form = NomineeEraseForm(request.POST)
    if erase_form.is_valid():
        try:
            nominees.nominee_erase(
                actor=request.user, nomination=nomination, reason=erase_form.cleaned_data["reason"]
            )
        except services.NominationError as error:
            for message in error.messages:
                erase_form.add_error("reason", message)
        else:
            messages.success(request, _("The nominee's personal data has been erased."))
            return redirect("awards:nominee", pk=nomination.pk)
    initial, member_rows = _initial(nomination.nominee_or_none)
    form = NomineeForm(initial=initial, kind=nomination.category.nominee_kind)
    members = TeamMemberFormSet(initial=member_rows, prefix="members")
    return render(
        request,
        "awards/nominations/nominee.html",
        _context(request, nomination, form, members, erase_form=erase_form),
        status=400,
    )
