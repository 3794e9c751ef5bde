from django.http import Http404
from django.shortcuts import render

from agencies.permissions import require_perm

from . import selectors
from .models import Edition
from .windows import zone_label


@require_perm("awards.view_cycle_setup")
def scheme_list(request):
    return render(
        request, "awards/scheme_list.html", {"schemes": selectors.schemes_with_editions()}
    )


@require_perm("awards.view_cycle_setup")
def edition_detail(request, pk):
    try:
        edition = selectors.edition_detail(pk)
    except Edition.DoesNotExist as exc:
        raise Http404 from exc
    today = selectors.edition_today(edition)
    stages = [
        {"stage": s, "status": selectors.stage_status(s, today)} for s in edition.stages.all()
    ]
    return render(
        request,
        "awards/edition_detail.html",
        {
            "edition": edition,
            "stages": stages,
            "today": today,
            "zone": zone_label(edition.time_zone),
            "categories": edition.categories.all(),
        },
    )
