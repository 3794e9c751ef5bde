"""Views: the secretariat's side of review (see scoring/urls.py): the overview of
editions, panels, conflicts of interest, assignment and progress. Every page needs
scoring.manage_review (404 for anyone else). Each page's form posts back to the page
with an `action`; a success redirects (with a message), a refusal renders the page again
with the message and nothing changed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import User
from agencies.permissions import require_perm
from awards.models import Category, Edition, Nomination, Stage

from .. import services
from ..enums import ConflictSource, MemberKind
from ..models import Assignment, Conflict, PanelMember
from ..panel_forms import (
    ConflictAddForm,
    InviteForm,
    MemberAddForm,
    ReasonForm,
    ReassignForm,
)
from ..selectors import panels as sel

PERM = "scoring.manage_review"


def _refused(request, exc) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _errors_to_messages(request, form, subject="") -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            text = f"{label}: {error}" if label else str(error)
            messages.error(request, f"{subject}: {text}" if subject else text)


# --- overview -----------------------------------------------------------------------------


@require_perm(PERM)
def review_editions(request):
    return render(
        request, "scoring/panels/review_editions.html", {"editions": sel.review_overview()}
    )


# --- panel --------------------------------------------------------------------------------


def _category(pk) -> Category:
    try:
        return sel.category_with_edition(pk)
    except Category.DoesNotExist as exc:
        raise Http404 from exc


@require_perm(PERM)
def panel(request, category_pk):
    category = _category(category_pk)
    add_form = MemberAddForm(candidates=sel.panel_candidates(category))
    invite_form = InviteForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("chair", "remove"):
        member = get_object_or_404(
            PanelMember.objects.select_related("user", "panel__category"),
            pk=request.POST.get("member") or 0,
            panel__category=category,
        )
        try:
            if action == "chair":
                services.panel_chair_set(actor=request.user, member=member)
                messages.success(
                    request,
                    _("%(name)s now chairs the panel.") % {"name": member.user.get_full_name()},
                )
            else:
                withdrawn = services.panel_member_remove(actor=request.user, member=member)
                messages.success(
                    request,
                    ngettext(
                        "%(name)s was removed from the panel; %(count)s assignment withdrawn.",
                        "%(name)s was removed from the panel; %(count)s assignments withdrawn.",
                        len(withdrawn),
                    )
                    % {"name": member.user.get_full_name(), "count": len(withdrawn)},
                )
        except services.PanelError as exc:
            _refused(request, exc)
        return redirect("scoring:panel", category.pk)
    if action == "add":
        add_form = MemberAddForm(request.POST, candidates=sel.panel_candidates(category))
        if add_form.is_valid():
            data = add_form.cleaned_data
            try:
                services.panel_member_add(
                    actor=request.user,
                    panel=services.panel_for(category),
                    user=data["user"],
                    kind=data["kind"],
                    is_chair=data["is_chair"],
                )
            except services.PanelError as exc:
                add_form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was added to the panel.") % {"name": data["user"].get_full_name()},
                )
                return redirect("scoring:panel", category.pk)
    elif action == "invite":
        invite_form = InviteForm(request.POST)
        if invite_form.is_valid():
            data = invite_form.cleaned_data
            try:
                member = services.reviewer_invite(
                    actor=request.user,
                    panel=services.panel_for(category),
                    **data,
                )
            except services.PanelError as exc:
                invite_form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s was invited: an e-mail with a link to choose a password is on its way to %(email)s."
                    )
                    % {"name": member.user.get_full_name(), "email": member.user.email},
                )
                return redirect("scoring:panel", category.pk)
    members = sel.panel_members(category)
    declared = sel.declared_ids(category.edition, [m.user_id for m in members])
    for member in members:
        member.declared = member.user_id in declared
    return render(
        request,
        "scoring/panels/panel.html",
        {
            "category": category,
            "edition": category.edition,
            "members": members,
            "reviewer_count": sum(1 for m in members if m.kind == MemberKind.REVIEWER),
            "add_form": add_form,
            "invite_form": invite_form,
            "open_form": action,
        },
    )


# --- conflicts ----------------------------------------------------------------------------


@require_perm(PERM)
def conflicts(request, edition_pk):
    edition = get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)
    people = sel.edition_panel_people(edition)
    people_qs = User.objects.filter(pk__in=[u.pk for u in people]).order_by("full_name", "email")
    agencies = sel.conflict_agency_choices(edition)
    form = ConflictAddForm(people=people_qs, agencies=agencies)
    action = request.POST.get("action") if request.method == "POST" else None
    remove_errors = {}
    if action == "add":
        form = ConflictAddForm(request.POST, people=people_qs, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            _conflict, withdrawn = services.conflict_add(
                actor=request.user,
                edition=edition,
                reviewer=data["reviewer"],
                agency=data["agency"],
                source=ConflictSource.SECRETARIAT,
                reason=data["reason"],
            )
            text = _("Conflict recorded: %(name)s ✕ %(agency)s.") % {
                "name": data["reviewer"].get_full_name(),
                "agency": data["agency"].name,
            }
            if withdrawn:
                text += " " + ngettext(
                    "%(count)s assignment was withdrawn.",
                    "%(count)s assignments were withdrawn.",
                    len(withdrawn),
                ) % {"count": len(withdrawn)}
            messages.success(request, text)
            return redirect("scoring:conflicts", edition.pk)
    elif action == "remove":
        conflict = get_object_or_404(
            Conflict.objects.select_related("reviewer", "agency"),
            pk=request.POST.get("conflict") or 0,
            edition=edition,
        )
        reason_form = ReasonForm(request.POST)
        if reason_form.is_valid():
            services.conflict_remove(
                actor=request.user, conflict=conflict, reason=reason_form.cleaned_data["reason"]
            )
            messages.success(
                request,
                _("Conflict removed: %(name)s ✕ %(agency)s.")
                % {"name": conflict.reviewer.get_full_name(), "agency": conflict.agency.name},
            )
            return redirect("scoring:conflicts", edition.pk)
        remove_errors[conflict.pk] = reason_form.errors["reason"]
        messages.error(
            request,
            _("%(subject)s: %(problem)s")
            % {
                "subject": f"{conflict.reviewer.get_full_name()} ✕ {conflict.agency.name}",
                "problem": reason_form.errors["reason"][0],
            },
        )
    rows = sel.edition_conflicts(edition, people)
    for row in rows:
        row["errors"] = remove_errors.get(getattr(row["conflict"], "pk", None), [])
    return render(
        request,
        "scoring/panels/conflicts.html",
        {
            "edition": edition,
            "rows": rows,
            "people": people,
            "declared_count": sum(1 for u in people if u.declared_at),
            "form": form,
        },
    )


# --- assignments --------------------------------------------------------------------------


def _stage_and_category(stage_pk, category_pk):
    try:
        stage = sel.stage_with_edition(stage_pk)
    except Stage.DoesNotExist as exc:
        raise Http404 from exc
    category = _category(category_pk)
    if not stage.allows_scoring or category.edition_id != stage.edition_id:
        raise Http404
    return stage, category


def _assignable(stage, members) -> list[PanelMember]:
    kinds = {MemberKind.REVIEWER} | ({MemberKind.SITE_ASSESSOR} if stage.is_site_visit else set())
    return [m for m in members if m.kind in kinds]


def _assignment_context(stage, category, rows, members, **extra):
    assignable = _assignable(stage, members)
    prefixes = services.conflict_prefixes(stage.edition, [m.user for m in assignable])
    for nomination in rows:
        on_it = {a.reviewer_id for a in nomination.active}
        nomination.reviewers_shown = [
            {"assignment": a, "status": sel.review_status(a)} for a in nomination.active
        ]
        nomination.offer = [
            m
            for m in assignable
            if m.user_id not in on_it
            and not services.path_is_conflicted(nomination.agency.path, prefixes[m.user_id])
        ]
        nomination.conflicted = [
            m
            for m in assignable
            if services.path_is_conflicted(nomination.agency.path, prefixes[m.user_id])
        ]
        nomination.short = (
            sum(1 for a in nomination.active if a.kind == MemberKind.REVIEWER)
            < stage.reviewers_per_dossier
        )
    wanted = sel.stage_dossier_state(stage)
    people = User.objects.filter(pk__in=[m.user_id for m in assignable]).order_by(
        "full_name", "email"
    )
    return {
        "stage": stage,
        "category": category,
        "edition": stage.edition,
        "rows": rows,
        "members": members,
        "assignable": assignable,
        "wanted_state": wanted,
        "status_labels": sel.REVIEW_STATUS_LABELS,
        "reassign_form": ReassignForm(
            people=people,
            nominations=Nomination.objects.filter(pk__in=[n.pk for n in rows]).select_related(
                "agency"
            ),
        ),
        "active_total": sum(len(n.active) for n in rows),
        **extra,
    }


@require_perm(PERM)
def assignments(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    here = reverse("scoring:assignments", args=[stage.pk, category.pk])
    action = request.POST.get("action") if request.method == "POST" else None
    extra = {}
    if action == "auto":
        try:
            result = services.assignments_auto(actor=request.user, stage=stage, category=category)
        except services.AssignmentError as exc:
            _refused(request, exc)
            extra["auto_report"] = exc.report
        else:
            count = len(result.created)
            messages.success(
                request,
                ngettext(
                    "Automatic assignment made %(count)s assignment.",
                    "Automatic assignment made %(count)s assignments.",
                    count,
                )
                % {"count": count}
                if count
                else _("Automatic assignment: every dossier already has its reviewers."),
            )
            return redirect(here)
    elif action == "assign":
        nomination = get_object_or_404(
            Nomination.objects.select_related("agency", "category", "edition"),
            pk=request.POST.get("nomination") or 0,
            category=category,
        )
        reviewer = User.objects.filter(pk=request.POST.get("reviewer") or 0).first()
        if reviewer is None:
            messages.error(
                request,
                _("%(agency)s: choose a reviewer to assign.") % {"agency": nomination.agency.name},
            )
        else:
            member = PanelMember.objects.filter(panel__category=category, user=reviewer).first()
            try:
                services.assignment_create(
                    actor=request.user,
                    stage=stage,
                    nomination=nomination,
                    reviewer=reviewer,
                    kind=member.kind if member else MemberKind.REVIEWER,
                )
            except services.AssignmentError as exc:
                _refused(request, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is assigned to %(agency)s.")
                    % {"name": reviewer.get_full_name(), "agency": nomination.agency.name},
                )
                return redirect(here)
    elif action == "withdraw":
        assignment = get_object_or_404(
            Assignment.objects.select_related("reviewer", "nomination__agency"),
            pk=request.POST.get("assignment") or 0,
            stage=stage,
            nomination__category=category,
        )
        form = ReasonForm(request.POST)
        subject = f"{assignment.reviewer.get_full_name()} · {assignment.nomination.agency.name}"
        if not form.is_valid():
            _errors_to_messages(request, form, subject)
        else:
            try:
                services.assignment_withdraw(
                    actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
                )
            except services.AssignmentError as exc:
                _refused(request, exc)
            else:
                messages.success(
                    request, _("Assignment withdrawn: %(subject)s.") % {"subject": subject}
                )
                return redirect(here)
    rows = sel.assignment_rows(stage, category)
    members = sel.panel_members(category)
    context = _assignment_context(stage, category, rows, members, **extra)
    if action == "reassign":
        form = ReassignForm(
            request.POST,
            people=context["reassign_form"].fields["from_reviewer"].queryset,
            nominations=context["reassign_form"].fields["nominations"].queryset,
        )
        context["reassign_form"] = form
        context["open_reassign"] = True
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.assignments_reassign(
                    actor=request.user,
                    stage=stage,
                    from_reviewer=data["from_reviewer"],
                    to_reviewer=data["to_reviewer"],
                    nominations=list(data["nominations"]),
                    reason=data["reason"],
                )
            except services.AssignmentError as exc:
                _refused(request, exc)
                context["reassign_report"] = exc.report
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s dossier moved from %(from)s to %(to)s.",
                        "%(count)s dossiers moved from %(from)s to %(to)s.",
                        len(created),
                    )
                    % {
                        "count": len(created),
                        "from": data["from_reviewer"].get_full_name(),
                        "to": data["to_reviewer"].get_full_name(),
                    },
                )
                return redirect(here)
    return render(request, "scoring/panels/assignments.html", context)


@require_perm(PERM)
def progress(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    rows = sel.assignment_rows(stage, category)
    members = _assignable(stage, sel.panel_members(category))
    report = sel.stage_progress(stage, category, rows, members)
    return render(
        request,
        "scoring/panels/progress.html",
        {"stage": stage, "category": category, "edition": stage.edition, **report},
    )


urlpatterns = [
    path("review/", review_editions, name="review_editions"),
    path("review/categories/<int:category_pk>/panel/", panel, name="panel"),
    path("review/editions/<int:edition_pk>/conflicts/", conflicts, name="conflicts"),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/assignments/",
        assignments,
        name="assignments",
    ),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/progress/",
        progress,
        name="progress",
    ),
]
