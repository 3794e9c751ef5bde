"""The award rules page of an edition (the secretariat): each category's rule, the award
levels and the special-award selections. One view per form action, each calling one
service of awards.results.config_services; a refusal shows the page again with the
message beside the field and what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.permissions import require_perm
from awards.enums import NominationState
from awards.models import Category, Edition

from .. import config_services as cs
from ..config_forms import AwardLevelForm, AwardRuleForm, AwardSelectionForm, add_errors
from ..enums import AwardBasis
from ..models import AwardLevel, AwardSelection


def _load_edition(request, edition_pk, **kwargs):
    return get_object_or_404(Edition.objects.select_related("scheme"), pk=edition_pk)


def _category(edition, category_pk):
    return get_object_or_404(
        Category.objects.select_related("edition"), pk=category_pk, edition=edition
    )


def _rule_initial(rule, poll):
    if rule is None:
        return {"basis": AwardBasis.STANDINGS, "finalists_only": True, "seen": "new"}
    winners = poll.award_places if rule.basis == AwardBasis.POLL and poll else rule.winners
    return {
        "basis": rule.basis,
        "award_name_zh": rule.award_name_zh,
        "award_name_en": rule.award_name_en,
        "winners": winners,
        "min_score": rule.min_score,
        "finalists_only": rule.finalists_only,
        "seen": cs.fingerprint(rule, cs.RULE_FIELDS),
    }


def _agencies(edition):
    return (
        Agency.objects.filter(nominations__edition=edition)
        .exclude(nominations__state=NominationState.DRAFT)
        .distinct()
        .order_by("path")
    )


def _context(request, edition, *, rule_forms=None, level_forms=None, selection_forms=None):
    """The page's rows, planned: the same number of queries whatever the number of
    categories, levels and selections."""
    from surveys.models import Poll

    rule_forms = rule_forms or {}
    level_forms = level_forms or {}
    selection_forms = selection_forms or {}
    poll = Poll.objects.filter(edition=edition).annotate(n_candidates=Count("candidates")).first()
    categories = list(
        Category.objects.filter(edition=edition)
        .select_related("award_rule")
        .annotate(
            n_finalists=Count("nominations", filter=Q(nominations__state=NominationState.FINALIST)),
            n_counted=Count("nominations", filter=Q(nominations__state__in=cs.COUNTED_STATES)),
        )
        .order_by("order", "code")
    )
    selections = {}
    for s in (
        AwardSelection.objects.filter(category__edition=edition)
        .select_related("agency")
        .order_by("agency__path")
    ):
        selections.setdefault(s.category_id, []).append(s)
    agencies = _agencies(edition)
    # The agencies read once, for every selection form's list.
    agency_choices = [("", "---------")] + [(a.pk, a.name) for a in agencies]
    for c in categories:
        c.rule = getattr(c, "award_rule", None)
        c.form = rule_forms.get(c.pk) or AwardRuleForm(
            prefix=f"rule-{c.pk}", initial=_rule_initial(c.rule, poll)
        )
        c.selections = selections.get(c.pk, [])
        if c.rule is not None and c.rule.basis == AwardBasis.SELECTION:
            c.selection_form = selection_forms.get(c.pk) or AwardSelectionForm(
                prefix=f"selection-{c.pk}", agencies=agencies
            )
            c.selection_form.fields["agency"].choices = agency_choices
    levels = list(AwardLevel.objects.filter(edition=edition).order_by("-min_score"))
    for level in levels:
        level.form = level_forms.get(level.pk) or AwardLevelForm(
            prefix=f"level-{level.pk}",
            initial={
                "name_zh": level.name_zh,
                "name_en": level.name_en,
                "min_score": level.min_score,
            },
        )
    frozen = cs.frozen_version(edition)
    return {
        "edition": edition,
        "categories": categories,
        "levels": levels,
        "new_level_form": level_forms.get("new") or AwardLevelForm(prefix="level-new"),
        "poll": poll,
        "frozen": frozen,
    }


def _page(request, edition, status=200, **forms):
    return render(
        request, "results/award_rules.html", _context(request, edition, **forms), status=status
    )


@require_perm("results.configure_awards", _load_edition)
def award_rules(request, edition_pk, obj):
    return _page(request, obj)


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_rule_save(request, edition_pk, category_pk, obj):
    category = _category(obj, category_pk)
    form = AwardRuleForm(request.POST, prefix=f"rule-{category.pk}")
    if form.is_valid():
        values = dict(form.cleaned_data)
        seen = values.pop("seen") or None
        try:
            cs.award_rule_save(category=category, actor=request.user, values=values, seen=seen)
        except cs.ConfigError as error:
            add_errors(form, error.errors)
        else:
            messages.success(
                request, _("The award rule of “%(c)s” was saved.") % {"c": category.name}
            )
            return redirect("results:config_award_rules", edition_pk=obj.pk)
    return _page(request, obj, status=400, rule_forms={category.pk: form})


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_rule_delete(request, edition_pk, category_pk, obj):
    category = _category(obj, category_pk)
    try:
        cs.award_rule_delete(category=category, actor=request.user)
    except cs.ConfigError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The award rule of “%(c)s” was removed: it awards nothing now.")
            % {"c": category.name},
        )
    return redirect("results:config_award_rules", edition_pk=obj.pk)


def _level_save(request, edition, level, key):
    form = AwardLevelForm(request.POST, prefix=f"level-{key}")
    if form.is_valid():
        values = dict(form.cleaned_data)
        seen = values.pop("seen") or None
        try:
            cs.award_level_save(
                edition=edition, actor=request.user, level=level, seen=seen, **values
            )
        except cs.ConfigError as error:
            add_errors(form, error.errors)
        else:
            messages.success(request, _("The award level was saved."))
            return redirect("results:config_award_rules", edition_pk=edition.pk)
    return _page(request, edition, status=400, level_forms={key: form})


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_level_add(request, edition_pk, obj):
    return _level_save(request, obj, None, "new")


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_level_save(request, edition_pk, level_pk, obj):
    level = get_object_or_404(AwardLevel, pk=level_pk, edition=obj)
    return _level_save(request, obj, level, level.pk)


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_level_delete(request, edition_pk, level_pk, obj):
    level = get_object_or_404(AwardLevel, pk=level_pk, edition=obj)
    try:
        cs.award_level_delete(level=level, actor=request.user)
    except cs.ConfigError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The award level “%(l)s” was removed.") % {"l": level.name})
    return redirect("results:config_award_rules", edition_pk=obj.pk)


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_selection_add(request, edition_pk, category_pk, obj):
    category = _category(obj, category_pk)
    form = AwardSelectionForm(
        request.POST, prefix=f"selection-{category.pk}", agencies=_agencies(obj)
    )
    if form.is_valid():
        try:
            cs.award_selection_add(category=category, actor=request.user, **form.cleaned_data)
        except cs.ConfigError as error:
            add_errors(form, error.errors)
        else:
            messages.success(
                request,
                _("%(a)s was selected for “%(c)s”.")
                % {"a": form.cleaned_data["agency"].name, "c": category.name},
            )
            return redirect("results:config_award_rules", edition_pk=obj.pk)
    return _page(request, obj, status=400, selection_forms={category.pk: form})


@require_POST
@require_perm("results.configure_awards", _load_edition)
def award_selection_delete(request, edition_pk, selection_pk, obj):
    selection = get_object_or_404(
        AwardSelection.objects.select_related("category__edition", "agency"),
        pk=selection_pk,
        category__edition=obj,
    )
    try:
        cs.award_selection_delete(selection=selection, actor=request.user)
    except cs.ConfigError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The selection of %(a)s was removed.") % {"a": selection.agency.name}
        )
    return redirect("results:config_award_rules", edition_pk=obj.pk)


_BASE = "cycle/results/editions/<int:edition_pk>/award-rules/"
urlpatterns = [
    path(_BASE, award_rules, name="config_award_rules"),
    path(_BASE + "categories/<int:category_pk>/", award_rule_save, name="config_award_rule_save"),
    path(
        _BASE + "categories/<int:category_pk>/remove/",
        award_rule_delete,
        name="config_award_rule_delete",
    ),
    path(
        _BASE + "categories/<int:category_pk>/selections/",
        award_selection_add,
        name="config_award_selection_add",
    ),
    path(
        _BASE + "selections/<int:selection_pk>/remove/",
        award_selection_delete,
        name="config_award_selection_delete",
    ),
    path(_BASE + "levels/", award_level_add, name="config_award_level_add"),
    path(_BASE + "levels/<int:level_pk>/", award_level_save, name="config_award_level_save"),
    path(
        _BASE + "levels/<int:level_pk>/remove/",
        award_level_delete,
        name="config_award_level_delete",
    ),
]
