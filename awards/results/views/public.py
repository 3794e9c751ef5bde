"""Public results pages and the agencies' "My awards" page.

- results/ (no login): every scheme with its editions whose results are published;
- results/<scheme>/<number>/ (no login): an edition's published winners per category, with
  each winner's good practice; 404 while nothing is published (an embargoed, unapproved
  or superseded version never shows);
- results/<scheme>/history/ (no login): participants, finalists, winners and award rate
  per edition (awards.results.history), as a table and a server-rendered SVG chart;
- cycle/results/my-awards/ (signed in): the published awards of the agencies the user
  edits for or oversees as competent authority, with links to the certificates.
"""

from __future__ import annotations

import math
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agencies.permissions import user_may
from awards.models import AwardScheme, Edition

from .. import selectors
from ..history import History, HistoryRow, scheme_history

# --- the list of published editions ------------------------------------------------------


def public_list(request):
    schemes = list(AwardScheme.objects.order_by("code"))
    versions = selectors.published_versions().order_by(
        "edition__scheme__code", "-edition__number", "-number"
    )
    by_scheme: dict[int, list] = {}
    seen = set()
    for version in versions:
        if version.edition_id in seen:  # one approved version per edition; be safe anyway
            continue
        seen.add(version.edition_id)
        version.published_on = _published_on(version)
        by_scheme.setdefault(version.edition.scheme_id, []).append(version)
    groups = [(scheme, by_scheme.get(scheme.pk, [])) for scheme in schemes]
    return render(request, "results/public/list.html", {"groups": groups})


def _published_on(version):
    return timezone.localtime(version.publish_at, version.edition.tzinfo).date()


# --- an edition's published winners ------------------------------------------------------


def _edition(scheme_code, number) -> Edition:
    return get_object_or_404(
        Edition.objects.select_related("scheme"), scheme__code=scheme_code, number=number
    )


def public_edition(request, scheme_code, number):
    edition = _edition(scheme_code, number)
    version = selectors.published_version(edition)
    if version is None:
        raise Http404
    version.edition = edition
    awards = list(selectors.awards_of(version))
    close_calls = _close_calls(version)
    categories = []
    for category, rows in groupby(awards, key=lambda a: a.category):
        rows = list(rows)
        categories.append(
            {
                "category": category,
                "award_name": rows[0].name,
                "awards": rows,
                "close_call": close_calls.get(category.pk),
            }
        )
    return render(
        request,
        "results/public/edition.html",
        {
            "scheme": edition.scheme,
            "edition": edition,
            "version": version,
            "published_on": _published_on(version),
            "categories": categories,
        },
    )


def _close_calls(version) -> dict:
    """Category id -> the poll's "too close to call" flag kept in the version's snapshot,
    with the last winner's name in the current language (the runner-up is not named:
    the public page shows winners only)."""
    lang_en = (get_language() or "").startswith("en")
    out = {}
    for c in (version.data or {}).get("categories", []):
        close = c.get("close_call")
        if close:
            out[c["id"]] = {
                "last_winner_name": close["last_winner_en" if lang_en else "last_winner_zh"],
                "lead": close["lead"],
                "moe_of_lead": close["moe_of_lead"],
            }
    return out


# --- history statistics ------------------------------------------------------------------

SERIES = [
    ("participants", "participants"),
    ("finalists", "finalists"),
    ("winners", "winners"),
]


def _nice_step(peak: int) -> int:
    """A 1-2-5 step giving at most six gridlines up to `peak`."""
    if peak <= 5:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(peak / 5)))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if peak / step <= 5:
            return step
    return 10 * magnitude  # pragma: no cover - the loop always returns


def percent(rate: float | None) -> str | None:
    """A rate as a percentage with one decimal (0.17760… -> '17.8')."""
    return None if rate is None else f"{rate * 100:.1f}"


def history_chart(history: History, *, height: int = 330) -> dict | None:
    """Geometry of grouped bars (participants, finalists, winners) per edition, with the
    award rate printed under each group; drawn by templates/results/public/_chart.html."""
    rows = history.rows
    if not rows:
        return None
    left, right, top, bottom = 104, 16, 48, 64
    slot = max(64.0, min(130.0, 900 / len(rows)))
    plot_w = slot * len(rows)
    width = round(left + plot_w + right)
    plot_h = height - top - bottom
    peak = max([r.participants or 0 for r in rows] + [1])
    step = _nice_step(peak)
    scale = math.ceil(peak / step) * step
    gap = 6
    bar_w = (slot - 2 * 10 - 2 * gap) / 3
    axis_y = top + plot_h

    def y(value):
        return round(axis_y - plot_h * value / scale, 1)

    groups = []
    for i, row in enumerate(rows):
        x0 = left + i * slot + 10
        bars = []
        for j, (key, css) in enumerate(SERIES):
            value = getattr(row, key)
            if value is None:
                continue
            x = round(x0 + j * (bar_w + gap), 1)
            bars.append(
                {
                    "key": key,
                    "css": css,
                    "value": value,
                    "x": x,
                    "y": y(value),
                    "w": round(bar_w, 1),
                    "h": round(axis_y - y(value), 1),
                    "mid": round(x + bar_w / 2, 1),
                    "label_y": round(y(value) - 4, 1),
                }
            )
        groups.append(
            {
                "row": row,
                "label": (_("No. %(number)d (demo)") if row.is_demo else _("No. %(number)d"))
                % {"number": row.edition.number},
                "mid": round(left + i * slot + slot / 2, 1),
                "bars": bars,
                "rate": percent(row.rate),
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": round(left + plot_w, 1),
        "axis_y": axis_y,
        "label_y": axis_y + 20,
        "rate_y": axis_y + 44,
        "y_ticks": [{"y": y(v), "label": v} for v in range(0, scale + 1, step)],
        "groups": groups,
        "show_values": bar_w >= 22,
        "legend": [
            {"css": "participants", "label": _("Participants"), "x": left},
            {"css": "finalists", "label": _("Finalists"), "x": left + 130},
            {"css": "winners", "label": _("Winners"), "x": left + 260},
        ],
        "legend_y": 18,
    }


def _figures(row: HistoryRow | None):
    if row is None:
        return None
    return (row.participants, row.finalists, row.winners)


def history(request, scheme_code):
    scheme = get_object_or_404(AwardScheme, code=scheme_code)
    data = scheme_history(scheme)
    for row in data.rows:
        row.percent = percent(row.rate)
    total, subtotal = data.total, data.recorded_total
    for row in (total, subtotal):
        if row is not None:
            row.percent = percent(row.rate)
    return render(
        request,
        "results/public/history.html",
        {
            "scheme": scheme,
            "history": data,
            "total": total,
            # The subtotal of recorded editions only when it differs from the total.
            "subtotal": subtotal if _figures(subtotal) != _figures(total) else None,
            "any_recorded": any(r.recorded for r in data.rows),
            "demo_rows": data.demo_rows,
            "unpublished": data.unpublished,
            "chart": history_chart(data),
        },
    )


# --- the agencies' own awards ------------------------------------------------------------


@login_required
def my_awards(request):
    has_agency = user_may(request.user, "results.view_my_awards")
    awards = list(selectors.awards_for_user(request.user)) if has_agency else []
    return render(request, "results/my_awards.html", {"awards": awards, "has_agency": has_agency})


urlpatterns = [
    path("results/", public_list, name="public_list"),
    path("results/<slug:scheme_code>/history/", history, name="history"),
    path("results/<slug:scheme_code>/<int:number>/", public_edition, name="public_edition"),
    path("cycle/results/my-awards/", my_awards, name="my_awards"),
]
