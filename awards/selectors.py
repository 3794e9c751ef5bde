"""Reads for the award cycle."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from .models import AwardScheme, Category, Edition, Stage


def edition_today(edition: Edition, *, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in the edition's time zone."""
    now = now or timezone.now()
    return now.astimezone(edition.tzinfo).date()


def stages_current(edition: Edition, *, now=None) -> list[Stage]:
    """The stages open today in the edition's time zone (several may overlap)."""
    today = edition_today(edition, now=now)
    return [s for s in edition.stages.all() if s.is_open_on(today)]


def stage_status(stage: Stage, today: datetime.date) -> str:
    if today < stage.starts_on:
        return "upcoming"
    if today > stage.ends_on:
        return "closed"
    return "open"


def schemes_with_editions() -> QuerySet[AwardScheme]:
    return AwardScheme.objects.prefetch_related(
        Prefetch(
            "editions",
            queryset=Edition.objects.annotate(
                category_count=Count("categories", distinct=True),
                stage_count=Count("stages", distinct=True),
            ).order_by("-number"),
        )
    ).order_by("code")


def edition_detail(pk: int) -> Edition:
    return (
        Edition.objects.select_related("scheme")
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("order", "starts_on")),
            Prefetch(
                "categories",
                queryset=Category.objects.select_related("rubric").order_by("order", "code"),
            ),
        )
        .get(pk=pk)
    )


def dashboard_editions() -> list[dict]:
    """Editions that have stages, each with the stages open today and the next one."""
    editions = (
        Edition.objects.select_related("scheme")
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("order")))
        .filter(stages__isnull=False)
        .distinct()
        .order_by("scheme__code", "-number")
    )
    rows = []
    for edition in editions:
        today = edition_today(edition)
        stages = list(edition.stages.all())
        current = [s for s in stages if s.is_open_on(today)]
        upcoming = [s for s in stages if s.starts_on > today]
        rows.append(
            {
                "edition": edition,
                "today": today,
                "current": current,
                "next": min(upcoming, key=lambda s: s.starts_on) if upcoming else None,
                "finished": bool(stages) and all(s.ends_on < today for s in stages),
            }
        )
    return rows
