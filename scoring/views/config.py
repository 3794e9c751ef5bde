"""The review policy page of the configuration area (the secretariat): one edition's
aggregation method, z-score minimum, disagreement threshold, conflict scope, and its
scoring stages' weights, reviewers per dossier and visibility of others' scores. The
policy applies to every category of the edition. Writes through
scoring.services.review_policy_update; anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from agencies.numbers import parse_int
from agencies.permissions import require_perm
from awards.models import Edition

from ..enums import Aggregation
from ..services import (
    ReviewPolicyError,
    ReviewPolicyStale,
    StageSettings,
    policy_fingerprint,
    policy_stages,
    review_policy,
    review_policy_update,
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


urlpatterns = [
    path(
        "editions/<int:pk>/configuration/review-policy/",
        config_review_policy,
        name="config_review_policy",
    ),
]
