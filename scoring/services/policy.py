"""The review policy page's write: an edition's ReviewPolicy (aggregation, the z-score's
small-sample minimum, the disagreement threshold, the conflict scope) and its scoring
stages' review settings (weight in the final score, reviewers per dossier, whether
reviewers see each other's scores), in one transaction, audited before → after.

Stage weights live on awards.Stage (score_weight): the final standings combine the
weighted stages (scoring.aggregation.combine_stages), so the weights of the stages shown
here must add up to 100 %."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from awards.models import Stage
from workflow.audit import config_change_record, snapshot

from ..enums import Aggregation
from ..models import ReviewPolicy
from .conflicts import review_policy

POLICY_FIELDS = [
    "aggregation",
    "zscore_min_reviews",
    "disagreement_percent",
    "conflicts_cover_authority",
]
STAGE_FIELDS = ["score_weight", "reviewers_per_dossier", "reviewers_see_others"]


class ReviewPolicyError(ValidationError):
    """The policy as typed is refused; `field_errors` maps field names ("aggregation",
    "zscore_min_reviews", "disagreement_percent", "weights", "stage-<pk>-<field>") to
    messages. Nothing was saved."""

    def __init__(self, field_errors: dict[str, list[str]]):
        self.field_errors = field_errors
        super().__init__([m for messages in field_errors.values() for m in messages])


class ReviewPolicyStale(ValidationError):
    """Someone else saved the policy since the page was opened."""


@dataclass
class StageSettings:
    score_weight: int | None
    reviewers_per_dossier: int | None
    reviewers_see_others: bool


def policy_stages(edition) -> list[Stage]:
    """The stages the policy page weighs: those where reviewers score, and any other
    stage that carries a weight."""
    return [
        s
        for s in Stage.objects.filter(edition=edition).order_by("order", "starts_on", "id")
        if s.allows_scoring or s.score_weight
    ]


def policy_fingerprint(policy: ReviewPolicy, stages: list[Stage]) -> str:
    """A short digest of everything the page shows, carried by the form so a save based
    on what another user has since changed is refused."""
    state = {
        "policy": snapshot(policy, POLICY_FIELDS),
        "stages": [[s.pk, *snapshot(s, STAGE_FIELDS).values()] for s in stages],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:20]


def review_policy_check(
    *,
    aggregation: str,
    zscore_min_reviews: int | None,
    disagreement_percent: int | None,
    stages: dict[int, StageSettings],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if aggregation not in Aggregation.values:
        errors["aggregation"] = [_("Choose one of the aggregation methods.")]
    if zscore_min_reviews is None:
        errors["zscore_min_reviews"] = [_("Enter a whole number of reviews.")]
    elif zscore_min_reviews < 1:
        errors["zscore_min_reviews"] = [
            _(
                "The z-score minimum must be at least 1 review (1 normalises every "
                "reviewer); %(value)s is not allowed."
            )
            % {"value": zscore_min_reviews}
        ]
    if disagreement_percent is None:
        errors["disagreement_percent"] = [_("Enter a whole percentage.")]
    elif not 0 <= disagreement_percent <= 100:
        errors["disagreement_percent"] = [
            _("The disagreement threshold is a percentage from 0 to 100; %(value)s is not.")
            % {"value": disagreement_percent}
        ]
    weights_known = True
    for pk, settings in stages.items():
        if settings.score_weight is None:
            errors[f"stage-{pk}-score_weight"] = [_("Enter a whole percentage.")]
            weights_known = False
        elif not 0 <= settings.score_weight <= 100:
            errors[f"stage-{pk}-score_weight"] = [
                _("A weight is a percentage from 0 to 100; %(value)s is not.")
                % {"value": settings.score_weight}
            ]
            weights_known = False
        if settings.reviewers_per_dossier is None:
            errors[f"stage-{pk}-reviewers_per_dossier"] = [_("Enter a whole number.")]
        elif settings.reviewers_per_dossier < 1:
            errors[f"stage-{pk}-reviewers_per_dossier"] = [
                _("Each dossier needs at least 1 reviewer; %(value)s is not allowed.")
                % {"value": settings.reviewers_per_dossier}
            ]
    if stages and weights_known:
        total = sum(s.score_weight for s in stages.values())
        if total != 100:
            errors["weights"] = [
                _(
                    "The stage weights add up to %(total)s %%; they must add up to 100 %% "
                    "(e.g. 30 and 70)."
                )
                % {"total": total}
            ]
    return errors


@transaction.atomic
def review_policy_update(
    *,
    edition,
    actor,
    based_on: str,
    aggregation: str,
    zscore_min_reviews: int | None,
    disagreement_percent: int | None,
    conflicts_cover_authority: bool,
    stages: dict[int, StageSettings],
) -> ReviewPolicy:
    """Save the edition's review policy and its stages' review settings. Refused with
    nothing changed: ReviewPolicyStale when `based_on` (policy_fingerprint of what the
    user saw) no longer matches; ReviewPolicyError for any bad value, or weights that
    do not add up to 100 %. `stages` must name exactly the stages policy_stages gives."""
    policy = ReviewPolicy.objects.select_for_update().filter(pk=review_policy(edition).pk).get()
    current = list(
        Stage.objects.select_for_update().filter(pk__in=[s.pk for s in policy_stages(edition)])
    )
    current.sort(key=lambda s: (s.order, s.starts_on, s.pk))
    if based_on != policy_fingerprint(policy, current) or set(stages) != {s.pk for s in current}:
        raise ReviewPolicyStale(
            _(
                "Someone else changed this review policy while you were editing it, so your "
                "changes were not saved. They are still in the form: check the current "
                "policy (open the page again in a new tab) and save again."
            )
        )
    errors = review_policy_check(
        aggregation=aggregation,
        zscore_min_reviews=zscore_min_reviews,
        disagreement_percent=disagreement_percent,
        stages=stages,
    )
    if errors:
        raise ReviewPolicyError(errors)
    before = snapshot(policy, POLICY_FIELDS)
    policy.aggregation = aggregation
    policy.zscore_min_reviews = zscore_min_reviews
    policy.disagreement_percent = disagreement_percent
    policy.conflicts_cover_authority = conflicts_cover_authority
    policy.save(update_fields=POLICY_FIELDS)
    config_change_record(
        actor=actor,
        action="review_policy.update",
        obj=policy,
        edition_id=edition.pk,
        before=before,
        after=snapshot(policy, POLICY_FIELDS),
    )
    for stage in current:
        settings = stages[stage.pk]
        before = snapshot(stage, STAGE_FIELDS)
        stage.score_weight = settings.score_weight
        stage.reviewers_per_dossier = settings.reviewers_per_dossier
        stage.reviewers_see_others = settings.reviewers_see_others
        stage.save(update_fields=STAGE_FIELDS)
        config_change_record(
            actor=actor,
            action="stage.review_settings.update",
            obj=stage,
            edition_id=edition.pk,
            before=before,
            after=snapshot(stage, STAGE_FIELDS),
        )
    edition._review_policy_cache = policy
    return policy
