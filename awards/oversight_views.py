"""Views for competent authorities (rank and recommend, return for correction) and the
secretariat (eligibility check). Writes go through awards.services; reads through
awards.selectors; permissions are the rules in awards.rules (404 when not allowed)."""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.enums import Role
from agencies.models import Agency
from agencies.permissions import require_perm
from agencies.selectors import (
    agency_is_under,
    nearest_authorities,
    subtree_filter,
    user_agencies,
)

from . import selectors, services, windows
from .enums import NominationState as S
from .enums import StageKind
from .models import Edition, Nomination, Stage, Submission
from .oversight_forms import (
    EligibilityFilterForm,
    EligibilityForm,
    RankingForm,
    ReturnForm,
    about,
    nomination_label,
)

PAGE_SIZE = 50


def _latest_version():
    return Subquery(
        Submission.objects.filter(nomination=OuterRef("pk"))
        .order_by("-version")
        .values("version")[:1]
    )


def _recommendation_stage(edition) -> Stage | None:
    return next((s for s in edition.stages.all() if s.kind == StageKind.RECOMMENDATION), None)


def _window_problem(edition) -> str:
    """Why the authority cannot recommend in this edition today, or "" if it can. The
    rule is the service's own, so the page never disagrees with what a POST would do."""
    return services.recommendation_window_problem(edition)


def _officer_authorities(user) -> list[Agency]:
    return list(user_agencies(user, Role.AUTHORITY_OFFICER).order_by("code", "pk"))


def _chosen_authority(request, authorities) -> Agency:
    """The authority named by ?authority= (or the POSTed one), else the first. Naming one
    the user does not serve is a 404, like any object they may not see."""
    value = request.POST.get("authority") or request.GET.get("authority")
    if not value:
        return authorities[0]
    for authority in authorities:
        if str(authority.pk) == value:
            return authority
    raise Http404


def _authority_url(name, authority, *args):
    return f"{reverse(name, args=args)}?authority={authority.pk}"


# --- competent authority -----------------------------------------------------------------


@require_perm("awards.recommend")
def recommendation_list(request):
    authorities = _officer_authorities(request.user)
    mine = selectors.nominations_for_authority(request.user)
    editions = {
        e.pk: e
        for e in Edition.objects.select_related("scheme")
        .prefetch_related("stages")
        .filter(uses_recommendation=True, stages__kind=StageKind.RECOMMENDATION)
        .distinct()
    }
    open_ids = {pk for pk, e in editions.items() if not _window_problem(e)}
    sections = []
    for authority in authorities:
        counts = Counter()
        for edition_id, state, n in (
            mine.filter(subtree_filter(authority, field="agency"))
            .order_by()
            .values_list("edition_id", "state")
            .annotate(n=Count("id"))
        ):
            counts[edition_id, state] += n
        edition_ids = {e for e, _s in counts} | open_ids
        missing = edition_ids - editions.keys()
        if missing:
            editions.update(
                (e.pk, e)
                for e in Edition.objects.select_related("scheme")
                .prefetch_related("stages")
                .filter(pk__in=missing)
            )
        rows = []
        for pk in edition_ids:
            edition = editions[pk]
            stage = _recommendation_stage(edition)
            status = windows.stage_status(stage) if stage else ""
            rows.append(
                {
                    "edition": edition,
                    "stage": stage,
                    "status": status,
                    "status_label": windows.STATUS_LABELS[status] if status else "",
                    "zone": windows.zone_label(edition.time_zone),
                    "open": pk in open_ids,
                    "waiting": counts[pk, S.SUBMITTED],
                    "recommended": counts[pk, S.RECOMMENDED],
                    "returned": counts[pk, S.RETURNED],
                    "url": _authority_url("awards:recommendation_edit", authority, pk),
                }
            )
        rows.sort(key=lambda r: (not r["open"], r["edition"].scheme.code, -r["edition"].number))
        sections.append({"authority": authority, "rows": rows})
    return render(request, "awards/oversight/recommendation_list.html", {"sections": sections})


@require_perm("awards.recommend")
def recommendation_edit(request, edition_pk):
    edition = get_object_or_404(
        Edition.objects.select_related("scheme").prefetch_related("stages"), pk=edition_pk
    )
    authorities = _officer_authorities(request.user)
    authority = _chosen_authority(request, authorities)
    nominations = list(
        selectors.nominations_for_authority(request.user, edition=edition)
        .filter(subtree_filter(authority, field="agency"))
        .annotate(version=_latest_version())
    )
    table = services.NOMINATION_WORKFLOW
    actions = {
        n.pk: table.actions(n, request.user, names=("recommend", "unrecommend", "return"))
        for n in nominations
    }
    rankable = sorted(
        (n for n in nominations if {"recommend", "unrecommend"} & actions[n.pk].keys()),
        key=lambda n: (
            n.state != S.RECOMMENDED,
            n.recommendation_rank or 0,
            n.category.order,
            n.agency.code,
        ),
    )
    returned = [n for n in nominations if n.state == S.RETURNED]
    others = [n for n in nominations if n not in rankable and n not in returned]
    problem = _window_problem(edition) if edition.uses_recommendation else ""
    can_rank = edition.uses_recommendation and not problem

    if request.method == "POST":
        form = RankingForm(request.POST, nominations=rankable)
        if form.is_valid():
            try:
                services.nominations_recommend(
                    actor=request.user,
                    authority=authority,
                    edition=edition,
                    ranking=form.ranking(),
                )
            except services.NominationError as exc:
                form.add_error(None, exc)
            else:
                count = len(form.ranking())
                messages.success(
                    request,
                    ngettext(
                        "Recommendations saved: %(count)s dossier ranked.",
                        "Recommendations saved: %(count)s dossiers ranked.",
                        count,
                    )
                    % {"count": count}
                    if count
                    else _("Recommendations saved: no dossier is recommended."),
                )
                return redirect(_authority_url("awards:recommendation_edit", authority, edition.pk))
    else:
        form = RankingForm(nominations=rankable)

    used = sum(1 for n in rankable if n.state == S.RECOMMENDED)
    context = {
        "edition": edition,
        "stage": _recommendation_stage(edition),
        "authority": authority,
        "authorities": authorities,
        "rows": [
            {
                "nomination": n,
                "actions": actions[n.pk],
                "field": form.bound_field(n),
                "invalid": n.pk in form.duplicate_pks or bool(form.bound_field(n).errors),
            }
            for n in rankable
        ],
        "returned": returned,
        "others": others,
        "form": form,
        "errors": form.error_summary() if form.is_bound else [],
        "problem": problem,
        "can_rank": can_rank,
        "quota": edition.recommendation_quota,
        "used": used,
        "return_form": ReturnForm(),
    }
    return render(request, "awards/oversight/recommendation_edit.html", context)


def _nomination(request, pk, **kwargs):
    try:
        return Nomination.objects.select_related("edition", "category", "agency").get(pk=pk)
    except Nomination.DoesNotExist as exc:
        raise Http404 from exc


@require_perm("awards.recommend_nomination", _nomination)
@require_POST
def nomination_return(request, pk, obj):
    nomination = obj
    covering = [
        a for a in _officer_authorities(request.user) if agency_is_under(nomination.agency, a)
    ]
    wanted = request.POST.get("authority", "")
    authority = next((a for a in covering if str(a.pk) == wanted), covering[0])
    back = _authority_url("awards:recommendation_edit", authority, nomination.edition_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, about(nomination_label(nomination), error))
        return redirect(back)
    try:
        services.nomination_return(
            actor=request.user,
            nomination=nomination,
            authority=authority,
            reason=form.cleaned_data["reason"],
        )
    except services.NominationError as exc:
        for error in exc.messages:
            messages.error(request, about(nomination_label(nomination), error))
    else:
        messages.success(
            request,
            _("%(nomination)s was returned to the agency for correction.")
            % {"nomination": nomination_label(nomination)},
        )
    return redirect(back)


# --- secretariat -------------------------------------------------------------------------


def _competent_authorities(nominations) -> dict[int, Agency]:
    """For each nomination's agency, its nearest competent authority above it (itself
    if it is one and has none above): one query whatever the number of rows."""
    agencies = {n.agency_id: n.agency for n in nominations}
    above = nearest_authorities(agencies.values(), include_self=False)
    found = {}
    for agency_id, agency in agencies.items():
        authority = above[agency_id] or (agency if agency.is_competent_authority else None)
        if authority is not None:
            found[agency_id] = authority
    return found


# The actions the eligibility list offers on each row (the nomination's table).
ELIGIBILITY_ACTIONS = ("find_eligible", "find_ineligible")


@require_perm("awards.view_nomination_list")
def eligibility_list(request):
    form = EligibilityFilterForm(request.GET)
    filters = form.filters()
    qs = selectors.nominations_for_secretariat(**filters).annotate(version=_latest_version())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    authorities = _competent_authorities(rows)
    counts = selectors.nomination_counts_by_state(filters["edition"])
    state_counts = [
        {"state": state, "count": counts.get(state.value, 0), "current": state == filters["state"]}
        for state in S
    ]
    return render(
        request,
        "awards/oversight/eligibility_list.html",
        {
            "form": form,
            "page": page,
            "rows": [
                {
                    "nomination": n,
                    "authority": authorities.get(n.agency_id),
                    "actions": services.NOMINATION_WORKFLOW.actions(
                        n, request.user, names=ELIGIBILITY_ACTIONS
                    ),
                    "refusals": services.NOMINATION_WORKFLOW.refusals(
                        n, request.user, names=ELIGIBILITY_ACTIONS
                    ),
                }
                for n in rows
            ],
            "state_counts": state_counts,
            "total": sum(counts.values()),
            "filtered": any(filters.values()),
            "edition": filters["edition"],
            "next": request.get_full_path(),
        },
    )


@require_perm("awards.check_eligibility")
@require_POST
def eligibility_mark(request, pk):
    nomination = _nomination(request, pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("awards:eligibility_list")
    label = nomination_label(nomination)
    form = EligibilityForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, about(label, error))
        return HttpResponseRedirect(back)
    eligible = form.cleaned_data["decision"] == EligibilityForm.ELIGIBLE
    try:
        services.nomination_mark_eligibility(
            actor=request.user,
            nomination=nomination,
            eligible=eligible,
            reason=form.cleaned_data["reason"],
        )
    except services.NominationError as exc:
        for error in exc.messages:
            messages.error(request, about(label, error))
    else:
        messages.success(
            request,
            (
                _("%(nomination)s: marked eligible.")
                if eligible
                else _("%(nomination)s: marked ineligible.")
            )
            % {"nomination": label},
        )
    return HttpResponseRedirect(back)
