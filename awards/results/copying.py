"""What results copies into a new edition (through the hook registered in
ResultsConfig.ready): each category's award rule (standings, poll-decided or special
award) and the edition's award levels. The certificate template belongs to the scheme,
so the new edition prints with the same active template; nothing is copied for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from awards.copying import CopyContext, EditionCopyHook, model_values

from .models import AwardLevel, AwardRule, CertificateTemplate


def _preview(source, copy_panels: bool) -> list[tuple[str, list[str]]]:
    rules = AwardRule.objects.filter(category__edition=source).select_related("category")
    rule_lines = []
    for rule in rules.order_by("category__order", "category__pk"):
        line = f"{rule.category.name}: {rule.get_basis_display()}"
        if rule.winners is not None:
            line += " · " + _("%(n)s winners") % {"n": rule.winners}
        rule_lines.append(line)
    level_lines = [
        f"{level.name} ≥ {level.min_score}" for level in AwardLevel.objects.filter(edition=source)
    ]
    template = CertificateTemplate.objects.filter(
        scheme_id=source.scheme_id, is_active=True
    ).first()
    return [
        (_("Award rules"), rule_lines or [_("No award rules yet.")]),
        (_("Award levels"), level_lines or [_("No award levels.")]),
        (
            _("Certificate template"),
            [
                _("“%(name)s”, the scheme's template in use: the new edition uses it too.")
                % {"name": template.name}
                if template
                else _("The scheme has no certificate template in use yet.")
            ],
        ),
    ]


def _copy(context: CopyContext) -> None:
    rules = 0
    for rule in AwardRule.objects.filter(category__edition=context.source):
        category = context.categories.get(rule.category_id)
        if category is None:
            continue
        AwardRule.objects.create(category=category, **model_values(rule, exclude=("category",)))
        rules += 1
    levels = [
        AwardLevel(edition=context.target, **model_values(level, exclude=("edition",)))
        for level in AwardLevel.objects.filter(edition=context.source)
    ]
    AwardLevel.objects.bulk_create(levels)
    context.counts["award_rules"] = rules
    context.counts["award_levels"] = len(levels)


HOOK = EditionCopyHook(name="results", preview=_preview, copy=_copy)
