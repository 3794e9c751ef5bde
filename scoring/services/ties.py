"""Ties left after the edition's tie-break rules: the chair decides the order, and the
decision is recorded (TieDecision) and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.rules import is_secretariat
from workflow.audit import audit_record

from ..models import PanelMember, TieDecision


class TieError(ValidationError):
    """A tie decision the rules refuse; the message says why, translated."""


def panel_chair(category):
    """The chair (a User) of the category's panel, or None."""
    member = (
        PanelMember.objects.filter(panel__category=category, is_chair=True)
        .select_related("user")
        .first()
    )
    return member.user if member else None


def may_decide_ties(user, category) -> bool:
    """The chair of the category's panel, or the secretariat recording for the chair."""
    if not user.is_authenticated:
        return False
    if is_secretariat(user):
        return True
    return PanelMember.objects.filter(panel__category=category, user=user, is_chair=True).exists()


def tied_groups_for(stage, category) -> list[list]:
    """Groups of rows currently tied in this stage's standings, and, when this is the
    edition's last weighted stage (whose decisions the final standings use), in the
    final standings too."""
    from ..selectors import standings as sel

    groups = sel.stage_standings(stage, category).tied_groups
    weighted = sel.weighted_stages(stage.edition)
    if len(weighted) > 1 and weighted[-1].pk == stage.pk:
        seen = {frozenset(r.nomination.pk for r in g) for g in groups}
        for group in sel.final_standings(stage.edition, category).tied_groups:
            key = frozenset(r.nomination.pk for r in group)
            if key not in seen:
                seen.add(key)
                groups.append(group)
    return groups


@transaction.atomic
def tie_decide(*, actor, stage, category, ordered_nomination_ids, reason) -> list[TieDecision]:
    """Record the chair's order for one group of tied dossiers: position 1 first."""
    if not may_decide_ties(actor, category):
        raise TieError(_("Only the panel's chair, or the secretariat for the chair, decides ties."))
    reason = (reason or "").strip()
    if not reason:
        raise TieError(_("Give the reason for the chair's decision."))
    ids = [int(pk) for pk in ordered_nomination_ids]
    if len(set(ids)) != len(ids):
        raise TieError(_("Give each tied dossier one place; a dossier appears twice."))
    groups = tied_groups_for(stage, category)
    group = next((g for g in groups if {r.nomination.pk for r in g} == set(ids)), None)
    if group is None:
        raise TieError(
            _("These dossiers are not exactly one group that is tied now; reload the page.")
        )
    names = {r.nomination.pk: r.nomination.agency.name for r in group}
    decisions = []
    for position, pk in enumerate(ids, start=1):
        decision, _created = TieDecision.objects.update_or_create(
            stage=stage,
            nomination_id=pk,
            defaults={"position": position, "reason": reason, "decided_by": actor},
        )
        decisions.append(decision)
    chair = panel_chair(category)
    audit_record(
        actor=actor,
        action="tie.decide",
        obj=stage,
        from_state="tied",
        to_state="decided",
        reason=reason,
        data={
            "category": category.pk,
            "order": ids,
            "agencies": [names[pk] for pk in ids],
            "for_chair": chair.pk if chair and chair.pk != actor.pk else None,
        },
    )
    return decisions
