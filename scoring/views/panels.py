"""Views: the secretariat's side of review (see scoring/urls.py): the overview of
editions, panels, conflicts of interest, assignment and progress. Every page needs
scoring.manage_review (404 for anyone else). Each form posts to a view of its own that
calls one service; a success redirects to the page (with a message), a refusal renders
the page again with the message, what was typed and nothing changed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from agencies.models import User
from agencies.numbers import parse_int
from agencies.permissions import require_perm
from awards.models import Category, Edition, Nomination, Stage

from .. import services
from ..enums import ConflictSource, MemberKind, MemberState
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


def _panel_page(request, category, *, add_form=None, invite_form=None):
    """The panel page; a refused add or invitation shows it again with what was typed."""
    members = sel.panel_members(category)
    declared = sel.declared_ids(category.edition, [m.user_id for m in members])
    for member in members:
        member.declared = member.user_id in declared
        member.area_ids = {a.pk for a in member.user.scheme_areas}
    return render(
        request,
        "scoring/panels/panel.html",
        {
            "category": category,
            "edition": category.edition,
            "members": members,
            "reviewer_count": sum(1 for m in members if m.kind == MemberKind.REVIEWER),
            "invitations": sel.invitation_counts(members),
            "areas": sel.scheme_areas(category.edition.scheme_id),
            "add_form": add_form or MemberAddForm(candidates=sel.panel_candidates(category)),
            "invite_form": invite_form or InviteForm(),
        },
    )


@require_perm(PERM)
@require_safe
def panel(request, category_pk):
    return _panel_page(request, _category(category_pk))


@require_perm(PERM)
@require_POST
def panel_member_add(request, category_pk):
    category = _category(category_pk)
    form = MemberAddForm(request.POST, candidates=sel.panel_candidates(category))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.panel_member_add(
                actor=request.user,
                panel=services.panel_for(category),
                user=data["user"],
                kind=data["kind"],
                is_chair=data["is_chair"],
            )
        except services.PanelError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s was invited to the panel: an e-mail asks them to accept or decline.")
                % {"name": data["user"].get_full_name()},
            )
            return redirect("scoring:panel", category.pk)
    return _panel_page(request, category, add_form=form)


@require_perm(PERM)
@require_POST
def panel_invite(request, category_pk):
    category = _category(category_pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            member = services.reviewer_invite(
                actor=request.user,
                panel=services.panel_for(category),
                **form.cleaned_data,
            )
        except services.PanelError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s was invited: an e-mail with a link to choose a password is on its way to %(email)s."
                )
                % {"name": member.user.get_full_name(), "email": member.user.email},
            )
            return redirect("scoring:panel", category.pk)
    return _panel_page(request, category, invite_form=form)


def _member(category_pk, member_pk) -> PanelMember:
    """A member of this category's panel (another panel's member here is a 404)."""
    return get_object_or_404(
        PanelMember.objects.select_related("user", "panel__category"),
        pk=member_pk,
        panel__category_id=category_pk,
    )


@require_perm(PERM)
@require_POST
def panel_chair(request, category_pk, member_pk):
    member = _member(category_pk, member_pk)
    try:
        services.panel_chair_set(actor=request.user, member=member)
    except services.PanelError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("%(name)s now chairs the panel.") % {"name": member.user.get_full_name()}
        )
    return redirect("scoring:panel", category_pk)


@require_perm(PERM)
@require_POST
def panel_member_remove(request, category_pk, member_pk):
    member = _member(category_pk, member_pk)
    try:
        withdrawn = services.panel_member_remove(actor=request.user, member=member)
    except services.PanelError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "%(name)s was removed from the panel; %(count)s assignment withdrawn.",
                "%(name)s was removed from the panel; %(count)s assignments withdrawn.",
                len(withdrawn),
            )
            % {"name": member.user.get_full_name(), "count": len(withdrawn)},
        )
    return redirect("scoring:panel", category_pk)


@require_perm(PERM)
@require_POST
def panel_invitation_withdraw(request, category_pk, member_pk):
    member = _member(category_pk, member_pk)
    try:
        services.invitation_withdraw(actor=request.user, member=member)
    except services.PanelError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The invitation of %(name)s was withdrawn.") % {"name": member.user.get_full_name()},
        )
    return redirect("scoring:panel", category_pk)


@require_perm(PERM)
@require_POST
def panel_invitation_resend(request, category_pk, member_pk):
    member = _member(category_pk, member_pk)
    try:
        services.invitation_resend(actor=request.user, member=member)
    except services.PanelError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The invitation was sent again to %(name)s (%(email)s).")
            % {"name": member.user.get_full_name(), "email": member.user.email},
        )
    return redirect("scoring:panel", category_pk)


@require_perm(PERM)
@require_POST
def panel_member_areas(request, category_pk, member_pk):
    """The areas of expertise of the scheme a member holds (all of the member's areas of
    this scheme, as ticked)."""
    member = _member(category_pk, member_pk)
    scheme = member.panel.category.edition.scheme
    areas = {a.pk: a for a in sel.scheme_areas(scheme.pk)}
    ids = [parse_int(v) for v in request.POST.getlist("areas")]
    if any(i not in areas for i in ids):
        messages.error(
            request,
            _("%(name)s: choose areas from the scheme's list.")
            % {"name": member.user.get_full_name()},
        )
        return _panel_page(request, _category(category_pk))
    services.reviewer_areas_set(
        actor=request.user, user=member.user, scheme=scheme, areas=[areas[i] for i in ids]
    )
    messages.success(
        request,
        _("Areas of expertise of %(name)s saved.") % {"name": member.user.get_full_name()},
    )
    return redirect("scoring:panel", category_pk)


# --- conflicts ----------------------------------------------------------------------------


def _edition(edition_pk) -> Edition:
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _conflict_people(edition):
    people = sel.edition_panel_people(edition)
    people_qs = User.objects.filter(pk__in=[u.pk for u in people]).order_by("full_name", "email")
    return people, people_qs


def _conflicts_page(request, edition, *, people=None, form=None, remove_errors=None):
    """The conflicts page; a refused form shows it again with what was typed."""
    if people is None:
        people, people_qs = _conflict_people(edition)
        form = ConflictAddForm(people=people_qs, agencies=sel.conflict_agency_choices(edition))
    remove_errors = remove_errors or {}
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


@require_perm(PERM)
@require_safe
def conflicts(request, edition_pk):
    return _conflicts_page(request, _edition(edition_pk))


@require_perm(PERM)
@require_POST
def conflict_add(request, edition_pk):
    edition = _edition(edition_pk)
    people, people_qs = _conflict_people(edition)
    agencies = sel.conflict_agency_choices(edition)
    form = ConflictAddForm(request.POST, people=people_qs, agencies=agencies)
    if not form.is_valid():
        return _conflicts_page(request, edition, people=people, form=form)
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


@require_perm(PERM)
@require_POST
def conflict_remove(request, edition_pk, conflict_pk):
    edition = _edition(edition_pk)
    conflict = get_object_or_404(
        Conflict.objects.select_related("reviewer", "agency"), pk=conflict_pk, edition=edition
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
    messages.error(
        request,
        _("%(subject)s: %(problem)s")
        % {
            "subject": f"{conflict.reviewer.get_full_name()} ✕ {conflict.agency.name}",
            "problem": reason_form.errors["reason"][0],
        },
    )
    return _conflicts_page(
        request, edition, remove_errors={conflict.pk: reason_form.errors["reason"]}
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
    """The members who may be given dossiers in this stage: the right kind, accepted."""
    kinds = {MemberKind.REVIEWER} | ({MemberKind.SITE_ASSESSOR} if stage.is_site_visit else set())
    return [m for m in members if m.kind in kinds and m.state == MemberState.ACCEPTED]


def _assignment_context(stage, category, rows, members, **extra):
    assignable = _assignable(stage, members)
    prefixes = services.conflict_prefixes(stage.edition, [m.user for m in assignable])
    for nomination in rows:
        on_it = {a.reviewer_id for a in nomination.active}
        recused = {r.reviewer_id for r in nomination.recusal_list}
        nomination.reviewers_shown = [
            {"assignment": a, "status": sel.review_status(a)} for a in nomination.active
        ]
        nomination.recusals_here = [
            r for r in nomination.recusal_list if r.assignment.stage_id == stage.pk
        ]
        nomination.offer = [
            m
            for m in assignable
            if m.user_id not in on_it
            and m.user_id not in recused
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


def _assignments_page(request, stage, category, **extra):
    rows = sel.assignment_rows(stage, category)
    members = sel.panel_members(category)
    context = _assignment_context(stage, category, rows, members, **extra)
    return render(request, "scoring/panels/assignments.html", context)


def _assignments_url(stage, category) -> str:
    return reverse("scoring:assignments", args=[stage.pk, category.pk])


@require_perm(PERM)
@require_safe
def assignments(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    return _assignments_page(request, stage, category)


@require_perm(PERM)
@require_POST
def assignments_auto(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    try:
        result = services.assignments_auto(actor=request.user, stage=stage, category=category)
    except services.AssignmentError as exc:
        _refused(request, exc)
        return _assignments_page(request, stage, category, auto_report=exc.report)
    count = len(result.created)
    text = (
        ngettext(
            "Automatic assignment made %(count)s assignment.",
            "Automatic assignment made %(count)s assignments.",
            count,
        )
        % {"count": count}
        if count
        else _("Automatic assignment: every dossier already has its reviewers.")
    )
    if count and result.matched is not None:
        text += " " + ngettext(
            "%(matched)s of %(count)s assignment matches the agency's service area.",
            "%(matched)s of %(count)s assignments match the agency's service area.",
            count,
        ) % {"matched": result.matched, "count": count}
    messages.success(request, text)
    return redirect(_assignments_url(stage, category))


@require_perm(PERM)
@require_POST
def assignment_create(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    nomination = get_object_or_404(
        Nomination.objects.select_related("agency", "category", "edition"),
        pk=parse_int(request.POST.get("nomination")) or 0,
        category=category,
    )
    reviewer = User.objects.filter(pk=parse_int(request.POST.get("reviewer")) or 0).first()
    if reviewer is None:
        messages.error(
            request,
            _("%(agency)s: choose a reviewer to assign.") % {"agency": nomination.agency.name},
        )
        return _assignments_page(request, stage, category)
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
        return _assignments_page(request, stage, category)
    messages.success(
        request,
        _("%(name)s is assigned to %(agency)s.")
        % {"name": reviewer.get_full_name(), "agency": nomination.agency.name},
    )
    return redirect(_assignments_url(stage, category))


@require_perm(PERM)
@require_POST
def assignment_withdraw(request, stage_pk, category_pk, assignment_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("reviewer", "nomination__agency"),
        pk=assignment_pk,
        stage=stage,
        nomination__category=category,
    )
    form = ReasonForm(request.POST)
    subject = f"{assignment.reviewer.get_full_name()} · {assignment.nomination.agency.name}"
    if not form.is_valid():
        _errors_to_messages(request, form, subject)
        return _assignments_page(request, stage, category)
    try:
        services.assignment_withdraw(
            actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
        )
    except services.AssignmentError as exc:
        _refused(request, exc)
        return _assignments_page(request, stage, category)
    messages.success(request, _("Assignment withdrawn: %(subject)s.") % {"subject": subject})
    return redirect(_assignments_url(stage, category))


@require_perm(PERM)
@require_POST
def assignments_reassign(request, stage_pk, category_pk):
    stage, category = _stage_and_category(stage_pk, category_pk)
    rows = sel.assignment_rows(stage, category)
    context = _assignment_context(stage, category, rows, sel.panel_members(category))
    fields = context["reassign_form"].fields
    form = ReassignForm(
        request.POST,
        people=fields["from_reviewer"].queryset,
        nominations=fields["nominations"].queryset,
    )
    context.update(reassign_form=form, open_reassign=True)
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
            return redirect(_assignments_url(stage, category))
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


@require_perm(PERM)
def progress_remind(request, stage_pk, category_pk):
    """Remind laggards: GET asks to confirm (who will get the standard reminder, and
    its text in both languages); POST sends it (scoring.groups.laggards_remind)."""
    from awards.messaging import GroupMessageError, group_message_preview

    from ..groups import REVIEWERS_OPEN, laggard_texts, laggards_remind

    stage, category = _stage_and_category(stage_pk, category_pk)
    back = reverse("scoring:progress", kwargs={"stage_pk": stage.pk, "category_pk": category.pk})
    if request.method == "POST":
        try:
            count = laggards_remind(actor=request.user, stage=stage, category=category)
        except GroupMessageError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "The reminder is on its way to %(count)s reviewer.",
                    "The reminder is on its way to %(count)s reviewers.",
                    count,
                )
                % {"count": count},
            )
        return redirect(back)
    try:
        preview = group_message_preview(
            stage=stage, group=REVIEWERS_OPEN, texts=laggard_texts(), category=category
        )
    except GroupMessageError as exc:
        preview, problem = None, " ".join(exc.messages)
    else:
        problem = ""
    return render(
        request,
        "scoring/panels/progress_remind.html",
        {
            "stage": stage,
            "category": category,
            "edition": stage.edition,
            "preview": preview,
            "problem": problem,
            "back": back,
        },
    )


PANEL = "review/categories/<int:category_pk>/panel/"
CONFLICTS = "review/editions/<int:edition_pk>/conflicts/"
ASSIGNMENTS = "review/stages/<int:stage_pk>/categories/<int:category_pk>/assignments/"

urlpatterns = [
    path("review/", review_editions, name="review_editions"),
    # One view per form: the page (GET) and each of its forms (POST, one service each).
    path(PANEL, panel, name="panel"),
    path(f"{PANEL}add/", panel_member_add, name="panel_member_add"),
    path(f"{PANEL}invite/", panel_invite, name="panel_invite"),
    path(f"{PANEL}members/<int:member_pk>/chair/", panel_chair, name="panel_chair"),
    path(
        f"{PANEL}members/<int:member_pk>/remove/", panel_member_remove, name="panel_member_remove"
    ),
    path(
        f"{PANEL}members/<int:member_pk>/withdraw-invitation/",
        panel_invitation_withdraw,
        name="panel_invitation_withdraw",
    ),
    path(
        f"{PANEL}members/<int:member_pk>/resend-invitation/",
        panel_invitation_resend,
        name="panel_invitation_resend",
    ),
    path(f"{PANEL}members/<int:member_pk>/areas/", panel_member_areas, name="panel_member_areas"),
    path(CONFLICTS, conflicts, name="conflicts"),
    path(f"{CONFLICTS}add/", conflict_add, name="conflict_add"),
    path(f"{CONFLICTS}<int:conflict_pk>/remove/", conflict_remove, name="conflict_remove"),
    path(ASSIGNMENTS, assignments, name="assignments"),
    path(f"{ASSIGNMENTS}auto/", assignments_auto, name="assignments_auto"),
    path(f"{ASSIGNMENTS}assign/", assignment_create, name="assignment_create"),
    path(
        f"{ASSIGNMENTS}<int:assignment_pk>/withdraw/",
        assignment_withdraw,
        name="assignment_withdraw",
    ),
    path(f"{ASSIGNMENTS}reassign/", assignments_reassign, name="assignments_reassign"),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/progress/",
        progress,
        name="progress",
    ),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/progress/remind/",
        progress_remind,
        name="progress_remind",
    ),
]
