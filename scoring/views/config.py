"""The review policy page of the configuration area (the secretariat): one edition's
aggregation method, z-score minimum, disagreement threshold, conflict scope, and its
scoring stages' weights, reviewers per dossier and visibility of others' scores. The
policy applies to every category of the edition. Writes through
scoring.services.review_policy_update; anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.numbers import parse_int
from agencies.permissions import require_perm
from awards.models import AwardScheme, Edition

from ..enums import Aggregation
from ..models import AgencyServiceArea, ExpertiseArea
from ..services import (
    ExpertiseError,
    ReviewPolicyError,
    ReviewPolicyStale,
    StageSettings,
    agency_service_area_set,
    expertise_area_create,
    expertise_area_update,
    policy_fingerprint,
    policy_stages,
    review_policy,
    review_policy_update,
)
from ..services import (
    expertise_area_delete as expertise_area_delete_service,
)


def _edition(request, pk):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=pk)


def _page(request, edition, *, values, stages, based_on, errors=None, problems=(), status=200):
    errors = errors or {}
    rows = [
        {
            "stage": stage,
            "prefix": f"stage-{stage.pk}-",
            **values["stages"][stage.pk],
            "errors": {
                f: errors.get(f"stage-{stage.pk}-{f}", [])
                for f in ("score_weight", "reviewers_per_dossier")
            },
        }
        for stage in stages
    ]
    return render(
        request,
        "scoring/config/review_policy.html",
        {
            "edition": edition,
            "values": values,
            "rows": rows,
            "based_on": based_on,
            "errors": errors,
            "problems": problems,
            "methods": Aggregation.choices,
            "categories": list(edition.categories.all()),
        },
        status=status,
    )


def _saved_values(policy, stages) -> dict:
    return {
        "aggregation": policy.aggregation,
        "zscore_min_reviews": str(policy.zscore_min_reviews),
        "disagreement_percent": str(policy.disagreement_percent),
        "conflicts_cover_authority": policy.conflicts_cover_authority,
        "stages": {
            s.pk: {
                "score_weight": str(s.score_weight),
                "reviewers_per_dossier": str(s.reviewers_per_dossier),
                "reviewers_see_others": s.reviewers_see_others,
            }
            for s in stages
        },
    }


def _posted_values(post, stages) -> dict:
    return {
        "aggregation": post.get("aggregation", ""),
        "zscore_min_reviews": post.get("zscore_min_reviews", ""),
        "disagreement_percent": post.get("disagreement_percent", ""),
        "conflicts_cover_authority": post.get("conflict_scope") == "authority",
        "stages": {
            s.pk: {
                "score_weight": post.get(f"stage-{s.pk}-score_weight", ""),
                "reviewers_per_dossier": post.get(f"stage-{s.pk}-reviewers_per_dossier", ""),
                "reviewers_see_others": post.get(f"stage-{s.pk}-reviewers_see_others") == "on",
            }
            for s in stages
        },
    }


@require_perm("scoring.configure_review_policy", get_object=_edition)
def config_review_policy(request, pk, obj):
    edition = obj
    policy = review_policy(edition)
    stages = policy_stages(edition)
    if request.method != "POST":
        return _page(
            request,
            edition,
            values=_saved_values(policy, stages),
            stages=stages,
            based_on=policy_fingerprint(policy, stages),
        )
    values = _posted_values(request.POST, stages)
    based_on = request.POST.get("based_on", "")
    try:
        review_policy_update(
            edition=edition,
            actor=request.user,
            based_on=based_on,
            aggregation=values["aggregation"],
            zscore_min_reviews=parse_int(values["zscore_min_reviews"], signed=True),
            disagreement_percent=parse_int(values["disagreement_percent"], signed=True),
            conflicts_cover_authority=values["conflicts_cover_authority"],
            stages={
                pk: StageSettings(
                    score_weight=parse_int(v["score_weight"], signed=True),
                    reviewers_per_dossier=parse_int(v["reviewers_per_dossier"], signed=True),
                    reviewers_see_others=v["reviewers_see_others"],
                )
                for pk, v in values["stages"].items()
            },
        )
    except ReviewPolicyError as exc:
        return _page(
            request,
            edition,
            values=values,
            stages=stages,
            based_on=based_on,
            errors=exc.field_errors,
            problems=exc.messages,
            status=400,
        )
    except ReviewPolicyStale as exc:
        return _page(
            request,
            edition,
            values=values,
            stages=stages,
            based_on=based_on,
            problems=exc.messages,
            status=409,
        )
    messages.success(request, _("The review policy was saved."))
    return redirect("scoring:config_review_policy", edition.pk)


# --- areas of expertise of a scheme ------------------------------------------------------------


def _scheme(request, pk, **kwargs):
    return get_object_or_404(AwardScheme, pk=pk)


def _expertise_page(request, scheme, *, add=None, edit=None, agency_form=None, status=200):
    """The scheme's areas (with how many reviewers hold each and how many agencies serve
    it) and the agencies' service areas. A refused form comes back with what was typed
    and its message (`add`, `edit` {area pk: ...}, `agency_form`)."""
    areas = list(
        ExpertiseArea.objects.filter(scheme=scheme).annotate(
            holders=Count("reviewers", distinct=True), served=Count("agencies", distinct=True)
        )
    )
    edit = edit or {}
    for area in areas:
        area.form = edit.get(area.pk) or {
            "name_zh": area.name_zh,
            "name_en": area.name_en,
            "errors": {},
        }
        area.open = area.pk in edit
    service = list(
        AgencyServiceArea.objects.filter(scheme=scheme)
        .select_related("agency", "area")
        .order_by("agency__path")
    )
    return render(
        request,
        "scoring/config/expertise.html",
        {
            "scheme": scheme,
            "areas": areas,
            "add": add or {"name_zh": "", "name_en": "", "errors": {}},
            "service": service,
            "agencies": Agency.objects.filter(is_active=True).order_by("path"),
            "agency_form": agency_form or {"agency": None, "area": None, "errors": []},
        },
        status=status,
    )


def _field_errors(exc) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@require_perm("scoring.configure_expertise", get_object=_scheme)
def expertise(request, pk, obj):
    scheme = obj
    if request.method != "POST":
        return _expertise_page(request, scheme)
    typed = {"name_zh": request.POST.get("name_zh", ""), "name_en": request.POST.get("name_en", "")}
    try:
        area = expertise_area_create(actor=request.user, scheme=scheme, **typed)
    except ExpertiseError as exc:
        return _expertise_page(
            request, scheme, add={**typed, "errors": _field_errors(exc)}, status=400
        )
    messages.success(request, _("Area “%(name)s” added.") % {"name": area.name})
    return redirect("scoring:expertise", scheme.pk)


def _area(scheme, area_pk) -> ExpertiseArea:
    return get_object_or_404(ExpertiseArea, pk=area_pk, scheme=scheme)


@require_perm("scoring.configure_expertise", get_object=_scheme)
@require_POST
def expertise_area_edit(request, pk, area_pk, obj):
    scheme = obj
    area = _area(scheme, area_pk)
    typed = {"name_zh": request.POST.get("name_zh", ""), "name_en": request.POST.get("name_en", "")}
    try:
        area = expertise_area_update(actor=request.user, area=area, **typed)
    except ExpertiseError as exc:
        return _expertise_page(
            request, scheme, edit={area.pk: {**typed, "errors": _field_errors(exc)}}, status=400
        )
    messages.success(request, _("Area “%(name)s” saved.") % {"name": area.name})
    return redirect("scoring:expertise", scheme.pk)


@require_perm("scoring.configure_expertise", get_object=_scheme)
@require_POST
def expertise_area_delete(request, pk, area_pk, obj):
    scheme = obj
    area = _area(scheme, area_pk)
    name = area.name
    try:
        expertise_area_delete_service(actor=request.user, area=area)
    except ExpertiseError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _expertise_page(request, scheme, status=409)
    messages.success(request, _("Area “%(name)s” deleted.") % {"name": name})
    return redirect("scoring:expertise", scheme.pk)


@require_perm("scoring.configure_expertise", get_object=_scheme)
@require_POST
def expertise_agency_area(request, pk, obj):
    scheme = obj
    agency = Agency.objects.filter(pk=parse_int(request.POST.get("agency")) or 0).first()
    area_value = request.POST.get("area", "")
    area = (
        ExpertiseArea.objects.filter(scheme=scheme, pk=parse_int(area_value) or 0).first()
        if area_value
        else None
    )
    errors = []
    if agency is None:
        errors.append(_("Choose the agency."))
    if area_value and area is None:
        errors.append(_("Choose an area of this scheme, or “No service area”."))
    if errors:
        return _expertise_page(
            request,
            scheme,
            agency_form={"agency": agency, "area": area, "errors": errors},
            status=400,
        )
    agency_service_area_set(actor=request.user, agency=agency, scheme=scheme, area=area)
    messages.success(
        request,
        _("Service area of %(agency)s: %(area)s.")
        % {"agency": agency.name, "area": area.name if area else _("none")},
    )
    return redirect("scoring:expertise", scheme.pk)


EXPERTISE = "schemes/<int:pk>/configuration/expertise/"

urlpatterns = [
    path(EXPERTISE, expertise, name="expertise"),
    path(f"{EXPERTISE}<int:area_pk>/edit/", expertise_area_edit, name="expertise_area_edit"),
    path(f"{EXPERTISE}<int:area_pk>/delete/", expertise_area_delete, name="expertise_area_delete"),
    path(f"{EXPERTISE}agencies/", expertise_agency_area, name="expertise_agency_area"),
    path(
        "editions/<int:pk>/configuration/review-policy/",
        config_review_policy,
        name="config_review_policy",
    ),
]
