"""What scoring copies into a new edition (awards.copying calls it through the hook
registered in ScoringConfig.ready): the review policy, and the panels with their
members when asked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards.copying import CopyContext, EditionCopyHook, model_values

from .models import Panel, PanelMember, ReviewPolicy


def _preview(source, copy_panels: bool) -> list[tuple[str, list[str]]]:
    policy = ReviewPolicy.objects.filter(edition=source).first()
    if policy is None:
        lines = [_("No review policy yet: the new edition starts with the defaults.")]
    else:
        lines = [
            _("Aggregation: %(method)s") % {"method": policy.get_aggregation_display()},
            _("Disagreement threshold: %(n)s %%") % {"n": policy.disagreement_percent},
            _("A conflict covers the whole competent authority: %(yes)s")
            % {"yes": _("yes") if policy.conflicts_cover_authority else _("no")},
            _("z-score: fewest reviews per reviewer: %(n)s") % {"n": policy.zscore_min_reviews},
        ]
    sections = [(_("Review policy"), lines)]
    panels = list(
        Panel.objects.filter(edition=source).select_related("category").prefetch_related("members")
    )
    if copy_panels:
        panel_lines = [
            ngettext(
                "%(category)s: %(n)s member",
                "%(category)s: %(n)s members",
                len(p.members.all()),
            )
            % {"category": p.category.name, "n": len(p.members.all())}
            for p in panels
        ] or [_("The previous edition has no panels.")]
    else:
        panel_lines = [_("Not copied: the new edition starts without panels.")]
    sections.append((_("Panels and their members"), panel_lines))
    return sections


def _copy(context: CopyContext) -> None:
    policy = ReviewPolicy.objects.filter(edition=context.source).first()
    if policy is not None:
        ReviewPolicy.objects.create(
            edition=context.target, **model_values(policy, exclude=("edition",))
        )
        context.counts["review_policy"] = 1
    if not context.copy_panels:
        return
    panels = 0
    members = 0
    for panel in Panel.objects.filter(edition=context.source).prefetch_related("members"):
        category = context.categories.get(panel.category_id)
        if category is None:
            continue
        new = Panel.objects.create(
            edition=context.target,
            category=category,
            **model_values(panel, exclude=("edition", "category")),
        )
        rows = [
            PanelMember(panel=new, **model_values(m, exclude=("panel", "added_at")))
            for m in panel.members.all()
        ]
        PanelMember.objects.bulk_create(rows)
        panels += 1
        members += len(rows)
    context.counts["panels"] = panels
    context.counts["panel_members"] = members


HOOK = EditionCopyHook(name="scoring", preview=_preview, copy=_copy)
