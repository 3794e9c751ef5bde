"""Views: standings, the score-distribution chart, shortlisting and the chair's ties page
(see scoring/urls.py). Reads through scoring.selectors.standings; writes through
scoring.services (shortlist, ties). The standings are the secretariat's
(scoring.view_standings); the ties page is the panel chair's, or the secretariat's
recording for the chair (scoring.decide_ties). Anyone else: 404."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.numbers import int_list, parse_int
from agencies.permissions import require_perm, user_may
from awards.enums import NominationState, NoteVisibility
from awards.models import Category, Stage
from awards.services import NOMINATION_WORKFLOW

from ..selectors import final_standings, stage_standings
from ..services import (
    ShortlistError,
    TieError,
    finalists_select,
    panel_chair,
    shortlist_plan,
    shortlist_preview,
    tie_decide,
    tied_groups_for,
)
from ..services.shortlist import BY_COUNT, BY_RANK, BY_THRESHOLD


def _category(category_pk) -> Category:
    return get_object_or_404(Category.objects.select_related("edition__scheme"), pk=category_pk)


def _stage(category, stage_pk) -> Stage:
    stage = get_object_or_404(
        Stage, pk=stage_pk, edition_id=category.edition_id, allows_scoring=True
    )
    stage.edition = category.edition  # one instance: the review policy is cached on it
    return stage


def _get_category(request, stage_pk, category_pk):
    return _category(category_pk)


# --- the score-distribution chart --------------------------------------------------------


def histogram_chart(standings, *, threshold=None, width=760, height=260) -> dict:
    """Geometry of a vertical histogram of the dossiers' scores over [0, rubric total] in
    ten bins, drawn as inline SVG by templates/scoring/standings/_chart.html."""
    bins = standings.histogram(10)
    left, right, top, bottom = 44, 16, 34, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([b["count"] for b in bins] + [1])
    step = 1 if peak <= 8 else 2 if peak <= 16 else 5 if peak <= 40 else 10 if peak <= 80 else 50
    scale = math.ceil(peak / step) * step
    slot = plot_w / len(bins)
    maximum = standings.maximum or 1

    def y(count):
        return round(top + plot_h - plot_h * count / scale, 1)

    bars = []
    for i, b in enumerate(bins):
        x = round(left + i * slot + 3, 1)
        bars.append(
            {
                **b,
                "x": x,
                "y": y(b["count"]),
                "w": round(slot - 6, 1),
                "h": round(plot_h * b["count"] / scale, 1),
                "mid": round(x + (slot - 6) / 2, 1),
                "label_y": y(b["count"]) - 5,
                "last": i == len(bins) - 1,
            }
        )
    x_ticks = [
        {"x": round(left + i * slot, 1), "label": f"{bins[i]['low']:g}" if i < len(bins) else ""}
        for i in range(len(bins))
    ] + [{"x": round(left + plot_w, 1), "label": f"{maximum:g}"}]
    y_ticks = [{"y": y(c), "label": c} for c in range(0, scale + 1, step)]
    marker = None
    if threshold is not None and 0 <= threshold <= maximum:
        marker = {
            "x": round(left + plot_w * threshold / maximum, 1),
            "label": f"{threshold:g}",
        }
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "left": left,
        "right": left + plot_w,
        "axis_y": top + plot_h,
        "axis_label_y": height - 6,
        "tick_label_y": top + plot_h + 18,
        "top": top,
        "threshold": marker,
        "count": len(standings.scores),
    }


# --- stage standings and shortlisting -----------------------------------------------------


def _preview(request, stage, category, table):
    """The shortlist preview the GET asks for (?by=…&value=…), or None; and its error."""
    by = request.GET.get("by")
    if by is None:
        return None, None, {}
    value = request.GET.get("value", "")
    try:
        return (
            shortlist_preview(stage, category, by=by, value=value, standings=table),
            None,
            {"by": by, "value": value},
        )
    except ShortlistError as exc:
        return None, exc.messages, {"by": by, "value": value}


def _shortlist_message(result) -> str:
    """Exactly what confirming did: who became a finalist, how many assignments."""
    if not result.made:
        return _("The selected dossiers were already finalists: nothing changed.")
    parts = [
        ngettext(
            "%(count)s dossier is now a finalist: %(names)s.",
            "%(count)s dossiers are now finalists: %(names)s.",
            len(result.made),
        )
        % {"count": len(result.made), "names": _(", ").join(n.agency.name for n in result.made)}
    ]
    if result.following is None:
        parts.append(_("There is no later scoring stage, so no assignments were created."))
    else:
        parts.append(
            ngettext(
                "%(count)s assignment was created in %(stage)s.",
                "%(count)s assignments were created in %(stage)s.",
                len(result.created),
            )
            % {"count": len(result.created), "stage": result.following.name}
        )
    return " ".join(parts)


# --- the table's cells, made once per page ------------------------------------------------

_CENT = Decimal("0.01")


def two_decimals():
    """A function giving exactly what `|floatformat:2` gives in this request's language
    (tested against the filter), or None for None: a page has a thousand numbers, and
    the filter's localisation lookups cost more than the rest of a cell."""
    if settings.USE_THOUSAND_SEPARATOR:  # grouping: leave it to the filter
        return lambda value: None if value is None else floatformat(value, 2)
    separator = get_format("DECIMAL_SEPARATOR")

    def two(value):
        if value is None:
            return None
        rounded = Decimal(str(value)).quantize(_CENT, ROUND_HALF_UP)
        text = f"{rounded if rounded else abs(rounded):f}"  # no "-0.00", as the filter
        return text if separator == "." else text.replace(".", separator)

    return two


def url_maker(name, *args):
    """`reverse(name, args=[*args, pk])` as a function of pk: one reverse() a page, not
    one per row."""
    sentinel = 2147483647
    head, tail = reverse(name, args=[*args, sentinel]).rsplit(str(sentinel), 1)
    return lambda pk: f"{head}{pk}{tail}"


def _flag_badges():
    """(row attribute, badge class, label) of the row flags the standings show, in order."""
    return [
        ("tied", "flag-tied", _("Tied — for the chair to decide")),
        ("decided", "flag-decided", _("Order decided by the chair")),
        ("broken_by_dimension", "flag-info", _("Tie broken by dimension")),
        ("disagreement", "flag-disagreement", _("Reviewers disagree: moderate")),
        ("incomplete", "flag-incomplete", _("Reviews incomplete")),
    ]


def page_rows(page, *, stage, category, checked, shortlistable) -> list[dict]:
    """What each row of the page shows, numbers formatted and links made (the template
    only places them). Two cells come as markup: the flags and the reviewers' totals. In
    the template they were about 3,500 nodes a page (50 rows × 7 reviewers × 10), the
    largest part of the page's time (issue 15); every value in them is escaped here."""
    two = two_decimals()
    detail_url = url_maker("scoring:standings_detail", stage.pk, category.pk)
    review_url = url_maker("scoring:review_detail")
    # (gettext outside the f-strings, where makemessages finds it)
    finalist_label, normalised, raw = (
        escape(_("Finalist")),
        escape(_("normalised")),
        escape(_("raw")),
    )
    finalist_badge = f'<li><span class="badge state-finalist">{finalist_label}</span></li>'
    badges = [(name, css, escape(label)) for name, css, label in _flag_badges()]
    normalised = f' <span class="muted normalised" title="{normalised}">→ '
    raw_mark = f' <span class="muted raw-mark">({raw})</span>'
    rows = []
    for row in page:
        pk = row.nomination_id
        finalist = row.nomination.state == NominationState.FINALIST
        flags = [finalist_badge] if finalist else []
        for name, css, label in badges:
            if name == "broken_by_dimension" and (row.tied or row.decided):
                continue
            if getattr(row, name):
                flags.append(f'<li><span class="badge {css}">{label}</span></li>')
        totals = []
        for t in row.reviewer_totals:
            who = escape(t.reviewer.get_full_name())
            if t.assignment_id:
                url = escape(review_url(t.assignment_id))
                who = f'<a href="{url}" class="review-record-link">{who}</a>'
            else:
                who = f"<span>{who}</span>"
            value = two(t.normalised)
            if value is not None:
                after = f"{normalised}{escape(value)}</span>"
            else:
                after = raw_mark if t.raw_count is not None else ""
            totals.append(
                f'<li>{who} <span class="num">{escape(str(two(t.total)))}</span>{after}</li> '
            )
        rows.append(
            {
                "row": row,
                "pk": pk,
                "agency": row.agency,
                "finalist": finalist,
                "shortlistable": pk in shortlistable,
                "shortlist_label": _("Shortlist %(name)s") % {"name": row.agency.name},
                "checked": str(pk) in checked,
                "detail_url": detail_url(pk),
                "score": two(row.score),
                "flags": mark_safe("".join(flags)),  # noqa: S308 (escaped above)
                "dimensions": [
                    "—" if value is None else two(value) for _d, value in row.dimensions
                ],
                "totals": mark_safe("".join(totals)),  # noqa: S308 (escaped above)
                "spread": two(row.spread),
            }
        )
    return rows


# Rows per page of the standings: the page's size and time stay flat however many dossiers
# compete (the full table is in the workbook).
PER_PAGE = 50

VISIBILITY_CHOICES = [
    (NoteVisibility.INTERNAL.value, NoteVisibility.INTERNAL.label),
    (NoteVisibility.AGENCY.value, NoteVisibility.AGENCY.label),
]


@require_perm("scoring.view_standings")
def standings(request, stage_pk, category_pk):
    """GET: the standings and the rule preview. POST without `confirm`: check the ticked
    dossiers and show what confirming does (the finalists and the next stage's
    assignments); POST with `confirm` and the plan's fingerprint: do it."""
    category = _category(category_pk)
    stage = _stage(category, stage_pk)
    errors, checked, reason = [], set(), ""
    visibility = NoteVisibility.INTERNAL.value
    if request.method == "POST":
        ids = request.POST.getlist("nomination")
        reason = request.POST.get("reason", "")
        visibility = request.POST.get("visibility", NoteVisibility.INTERNAL.value)
        try:
            if request.POST.get("confirm"):
                result = finalists_select(
                    actor=request.user,
                    stage=stage,
                    category=category,
                    nomination_ids=ids,
                    reason=reason,
                    reason_visibility=visibility,
                    expected=request.POST.get("plan", ""),
                )
            else:
                plan = shortlist_plan(
                    actor=request.user, stage=stage, category=category, nomination_ids=ids
                )
        except ShortlistError as exc:
            errors = exc.messages
            checked = {pk for pk in ids if parse_int(pk) is not None}
        else:
            if request.POST.get("confirm"):
                messages.success(request, _shortlist_message(result))
                return redirect(request.get_full_path())
            return render(
                request,
                "scoring/standings/shortlist_confirm.html",
                {
                    "stage": stage,
                    "category": category,
                    "edition": category.edition,
                    "plan": plan,
                    "rows": plan.assignments_by_nomination(),
                    "already": [r.agency.name for r in plan.selected if r not in plan.to_make],
                    "reason": reason,
                    "visibility": visibility,
                    "visibility_label": dict(VISIBILITY_CHOICES).get(
                        visibility, NoteVisibility.INTERNAL.label
                    ),
                    "back_url": request.get_full_path(),
                },
            )
    table = stage_standings(stage, category)
    preview, preview_errors, preview_input = _preview(request, stage, category, table)
    if preview is not None and not errors:
        checked = {str(pk) for pk in preview.nomination_ids}
    threshold = preview.value if preview is not None and preview.by == BY_THRESHOLD else None
    page = Paginator(table.rows, PER_PAGE).get_page(request.GET.get("page"))
    on_page = {str(row.nomination_id) for row in page}
    table.load_nominations([row.nomination_id for row in page])
    # The rows of this page whose nomination may be shortlisted now (the nomination's
    # table).
    shortlistable = {
        row.nomination_id
        for row in page
        if NOMINATION_WORKFLOW.actions(row.nomination, request.user, names=("shortlist",))
    }
    context = {
        "stage": stage,
        "category": category,
        "edition": category.edition,
        "standings": table,
        "chart": histogram_chart(table, threshold=threshold),
        "preview": preview,
        "preview_errors": preview_errors,
        "preview_input": preview_input,
        "by_choices": [
            (BY_RANK, _("Top ranks (a tie at the cut is included)")),
            (BY_COUNT, _("Number of dossiers")),
            (BY_THRESHOLD, _("Score of at least (points)")),
        ],
        "errors": errors,
        "checked": checked,
        "page": page,
        "rows": page_rows(
            page, stage=stage, category=category, checked=checked, shortlistable=shortlistable
        ),
        # Ticked dossiers on other pages are carried along in hidden fields.
        "checked_elsewhere": sorted(checked - on_page, key=int),
        "shortlistable": shortlistable,
        "reason": reason,
        "visibility": visibility,
        "visibility_choices": VISIBILITY_CHOICES,
        "tied_count": len(table.tied_groups),
    }
    return render(request, "scoring/standings/stage.html", context)


@require_perm("scoring.view_standings")
def standings_detail(request, stage_pk, category_pk, nomination_pk):
    """One dossier's detail in the standings: each reviewer's total, normalised total and
    sums per dimension. A fragment for htmx (the standings page loads it under the
    table); a page of its own otherwise. A dossier not in these standings: 404."""
    category = _category(category_pk)
    stage = _stage(category, stage_pk)
    table = stage_standings(stage, category)
    row = table.row_for(nomination_pk)
    if row is None:
        raise Http404
    context = {
        "stage": stage,
        "category": category,
        "edition": category.edition,
        "standings": table,
        "row": row,
        "reviewers": [
            {
                "total": t,
                "dimensions": table.reviewer_dimensions(row, t),
                "scored": table.scored_indicators.get((t.reviewer.pk, row.nomination.pk), 0),
            }
            for t in row.reviewer_totals
        ],
    }
    template = "scoring/standings/_detail.html" if request.htmx else "scoring/standings/detail.html"
    return render(request, template, context)


@require_perm("scoring.view_standings")
def final(request, edition_pk, category_pk):
    category = get_object_or_404(
        Category.objects.select_related("edition__scheme"), pk=category_pk, edition_id=edition_pk
    )
    table = final_standings(category.edition, category)
    return render(
        request,
        "scoring/standings/final.html",
        {"category": category, "edition": category.edition, "standings": table},
    )


# --- ties: the chair's page ---------------------------------------------------------------


def _ordered_ids(post, group_ids) -> list[int] | None:
    """The group's ids ordered by the places given ("place-<id>": 1..n), or None when
    the places are not each of 1..n exactly once."""
    places = {}
    for pk in group_ids:
        place = parse_int(post.get(f"place-{pk}"))
        if place is None:
            return None
        places[pk] = place
    if sorted(places.values()) != list(range(1, len(group_ids) + 1)):
        return None
    return sorted(group_ids, key=lambda pk: places[pk])


@require_perm("scoring.decide_ties", get_object=_get_category)
def ties(request, stage_pk, category_pk, obj):
    category = obj
    stage = _stage(category, stage_pk)
    errors, failed_group = [], None
    if request.method == "POST":
        group_ids = int_list(request.POST.getlist("group")) or []
        ordered = _ordered_ids(request.POST, group_ids) if group_ids else None
        failed_group = set(group_ids)
        if ordered is None:
            errors = [
                _("Places: give each tied dossier a different place, from 1 to %(n)s.")
                % {"n": len(group_ids) or 1}
            ]
        else:
            try:
                tie_decide(
                    actor=request.user,
                    stage=stage,
                    category=category,
                    ordered_nomination_ids=ordered,
                    reason=request.POST.get("reason", ""),
                )
            except TieError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("The chair's order is recorded."))
                return redirect(reverse("scoring:ties", args=[stage.pk, category.pk]))
    groups = []
    for group in tied_groups_for(stage, category):
        failed = failed_group == {r.nomination.pk for r in group}
        groups.append(
            {
                "items": [
                    {
                        "row": r,
                        "place": request.POST.get(f"place-{r.nomination.pk}", "") if failed else "",
                    }
                    for r in group
                ],
                "rank": group[0].rank,
                "failed": failed,
                "reason": request.POST.get("reason", "") if failed else "",
            }
        )
    chair = panel_chair(category)
    return render(
        request,
        "scoring/standings/ties.html",
        {
            "stage": stage,
            "category": category,
            "edition": category.edition,
            "groups": groups,
            "errors": errors,
            "chair": chair,
            "for_chair": chair is not None and chair.pk != request.user.pk,
            "can_see_standings": user_may(request.user, "scoring.view_standings"),
        },
    )


urlpatterns = [
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/standings/",
        standings,
        name="standings",
    ),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/standings/<int:nomination_pk>/",
        standings_detail,
        name="standings_detail",
    ),
    path(
        "review/stages/<int:stage_pk>/categories/<int:category_pk>/ties/",
        ties,
        name="ties",
    ),
    path(
        "review/editions/<int:edition_pk>/categories/<int:category_pk>/final/",
        final,
        name="final_standings",
    ),
]
