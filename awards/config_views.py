"""The configuration area, for the secretariat: a start page listing schemes and
editions, each edition's configuration hub and history, and a new edition from a
previous one (a form with a preview, then one service call). Thin views: the copy is
awards.copying.edition_copy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.permissions import require_perm

from . import config_selectors, selectors
from .categories import CATEGORY_FIELDS, CategoryError, category_save
from .config_forms import (
    CategoryForm,
    EditionCopyForm,
    SchemeForm,
    StageDatesForm,
    time_zone_label,
)
from .copying import edition_copy, next_edition_number, shifted_stage_dates
from .enums import CategoryKind
from .models import AwardScheme, Category, Edition
from .schemes import SCHEME_FIELDS, SchemeError, scheme_save

# The hub's sections: (label, URL name taking the edition's pk, or no argument). A name
# that does not resolve is left out. The rubric editor is linked per category.
CONFIGURATION_SECTIONS = [
    (gettext_lazy("Stage timetable"), "awards:config_stages"),
    (gettext_lazy("Review policy and stage weights"), "scoring:config_review_policy"),
    (gettext_lazy("Award rules, levels and special awards"), "results:config_award_rules"),
    # Polls are set up per poll, from the poll list (surveys:config_poll).
    (gettext_lazy("Telephone polls and their set-up"), "surveys:poll_list"),
    (gettext_lazy("Configuration history"), "awards:configuration_history"),
]

HISTORY_PAGE_SIZE = 25


def _edition(request, pk, **kwargs):
    try:
        return config_selectors.edition_configuration(pk)
    except Edition.DoesNotExist as exc:
        raise Http404 from exc


def _sections(edition) -> list[dict]:
    sections = []
    for label, name in CONFIGURATION_SECTIONS:
        try:
            url = reverse(name, args=[edition.pk])
        except NoReverseMatch:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
        sections.append({"label": label, "url": url})
    return sections


@require_perm("awards.configure_edition")
@require_GET
def configuration_start(request):
    schemes = list(selectors.schemes_with_editions())
    for scheme in schemes:
        editions = list(scheme.editions.all())
        scheme.copy_source = next((e for e in editions if e.category_count), None)
    return render(request, "awards/config/start.html", {"schemes": schemes})


@require_perm("awards.configure_edition", _edition)
@require_GET
def configuration_hub(request, pk, obj):
    edition = obj
    today = selectors.edition_today(edition)
    stages = [
        {"stage": s, "status": selectors.stage_status(s, today)} for s in edition.stages.all()
    ]
    scored = [row["stage"] for row in stages if row["stage"].allows_scoring]
    weights_total = sum(s.score_weight for s in scored)
    return render(
        request,
        "awards/config/hub.html",
        {
            "edition": edition,
            "stages": stages,
            "categories": edition.categories.all(),
            "other_sections": config_selectors.edition_other_sections(edition),
            "sections": _sections(edition),
            "time_zone_name": time_zone_label(edition.time_zone),
            # Scored stages whose weights do not make 100 %: the final standings would
            # stay empty (0 %) or be scaled wrongly; the hub says so before results do.
            "weights_problem": bool(scored) and weights_total != 100,
            "weights_total": weights_total,
        },
    )


def _copy_initial(source) -> dict:
    number = next_edition_number(source.scheme)
    return {
        "number": number,
        "year_label": "",
        "name_zh": "",
        "name_en": "",
        "time_zone": source.time_zone,
        "offset_years": 1,
        "offset_days": 0,
        "copy_panels": False,
    }


def _copy_page(request, source, form, dates_form, *, status=200):
    copy_panels = bool(form.is_bound and form.is_valid() and form.cleaned_data["copy_panels"])
    tz = (form.cleaned_data.get("time_zone") if form.is_bound else None) or source.time_zone
    return render(
        request,
        "awards/config/copy.html",
        {
            "source": source,
            "form": form,
            "dates_form": dates_form,
            "categories": source.categories.all(),
            "other_sections": config_selectors.edition_other_sections(
                source, copy_panels=copy_panels
            ),
            "time_zone_name": time_zone_label(tz),
        },
        status=status,
    )


def _offset(form) -> tuple[int, int]:
    if form.is_bound and form.is_valid():
        return form.cleaned_data["offset_years"], form.cleaned_data["offset_days"]
    return 1, 0


@require_perm("awards.configure_edition", _edition)
@require_http_methods(["GET", "POST"])
def edition_copy_preview(request, pk, obj):
    """The form and the preview. POST ("Update the preview") recomputes the stage dates
    from the offset; nothing is saved here."""
    source = obj
    stages = list(source.stages.all())
    if request.method == "POST":
        form = EditionCopyForm(request.POST, scheme=source.scheme)
        status = 200 if form.is_valid() else 400
    else:
        form = EditionCopyForm(initial=_copy_initial(source), scheme=source.scheme)
        status = 200
    years, days = _offset(form)
    dates_form = StageDatesForm(
        stages=stages, initial_dates=shifted_stage_dates(source, years, days)
    )
    return _copy_page(request, source, form, dates_form, status=status)


@require_perm("awards.configure_edition", _edition)
@require_POST
def edition_copy_save(request, pk, obj):
    source = obj
    stages = list(source.stages.all())
    form = EditionCopyForm(request.POST, scheme=source.scheme)
    years, days = _offset(form)
    dates_form = StageDatesForm(
        request.POST, stages=stages, initial_dates=shifted_stage_dates(source, years, days)
    )
    form_ok = form.is_valid()
    dates_ok = dates_form.is_valid()
    if not (form_ok and dates_ok):
        return _copy_page(request, source, form, dates_form, status=400)
    data = form.cleaned_data
    try:
        edition = edition_copy(
            source=source,
            actor=request.user,
            number=data["number"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            year_label=data["year_label"],
            time_zone=data["time_zone"],
            offset_years=years,
            offset_days=days,
            stage_dates=dates_form.dates(),
            copy_panels=data["copy_panels"],
        )
    except ValidationError as exc:
        for key, key_messages in exc.message_dict.items():
            target = form if key in form.fields else dates_form
            for message in key_messages:
                target.add_error(key if key in target.fields else None, message)
        return _copy_page(request, source, form, dates_form, status=400)
    messages.success(
        request,
        _("%(edition)s was created from %(source)s. It is not published.")
        % {"edition": edition.name, "source": source.name},
    )
    return redirect("awards:configuration_hub", pk=edition.pk)


@require_perm("awards.configure_edition", _edition)
@require_GET
def configuration_history(request, pk, obj):
    edition = obj
    paginator = Paginator(
        config_selectors.configuration_history(edition.pk, edition.scheme_id), HISTORY_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "awards/config/history.html",
        {
            "edition": edition,
            "page_obj": page,
            "rows": config_selectors.history_rows(page.object_list),
        },
    )


# --- categories ---------------------------------------------------------------------------


def _category(request, pk, category_pk, **kwargs):
    try:
        return Category.objects.select_related("edition__scheme").get(pk=category_pk, edition_id=pk)
    except Category.DoesNotExist as exc:
        raise Http404 from exc


def _category_page(request, edition, form, category=None, *, status=200):
    nominations = category.nominations.count() if category is not None else 0
    return render(
        request,
        "awards/config/category.html",
        {"edition": edition, "form": form, "category": category, "nominations": nominations},
        status=status,
    )


def _category_post(request, edition, category=None):
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            saved = category_save(
                actor=request.user, edition=edition, category=category, values=form.cleaned_data
            )
        except CategoryError as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field or None, problem)
        else:
            if category is None:
                messages.success(
                    request,
                    _("The category “%(name)s” was added. Shape its rubric next.")
                    % {"name": saved.name},
                )
                return redirect("awards:config_rubric", edition.pk, saved.pk)
            messages.success(
                request, _("The category “%(name)s” was saved.") % {"name": saved.name}
            )
            return redirect("awards:configuration_hub", edition.pk)
    return _category_page(request, edition, form, category, status=400)


@require_perm("awards.configure_edition", _edition)
@require_http_methods(["GET", "POST"])
def config_category_add(request, pk, obj):
    edition = obj
    if request.method == "POST":
        return _category_post(request, edition)
    following = (
        edition.categories.order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    form = CategoryForm(
        initial={"kind": CategoryKind.DEPARTMENT, "nominations_per_agency": 1, "order": following}
    )
    return _category_page(request, edition, form)


@require_perm("awards.configure_edition", _category)
@require_http_methods(["GET", "POST"])
def config_category_edit(request, pk, category_pk, obj):
    category = obj
    if request.method == "POST":
        return _category_post(request, category.edition, category)
    form = CategoryForm(initial={f: getattr(category, f) for f in CATEGORY_FIELDS})
    return _category_page(request, category.edition, form, category)


# --- a scheme's own settings --------------------------------------------------------------


def _scheme(request, code, **kwargs):
    try:
        return AwardScheme.objects.get(code=code)
    except AwardScheme.DoesNotExist as exc:
        raise Http404 from exc


@require_perm("awards.configure_edition", _scheme)
@require_http_methods(["GET", "POST"])
def config_scheme(request, code, obj):
    scheme = obj
    status = 200
    if request.method == "POST":
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                scheme_save(actor=request.user, scheme=scheme, values=form.cleaned_data)
            except SchemeError as error:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(field or None, problem)
            else:
                messages.success(request, _("The scheme's settings were saved."))
                return redirect("awards:configuration_start")
        status = 400
    else:
        form = SchemeForm(initial={f: getattr(scheme, f) for f in SCHEME_FIELDS})
    return render(
        request, "awards/config/scheme.html", {"scheme": scheme, "form": form}, status=status
    )
