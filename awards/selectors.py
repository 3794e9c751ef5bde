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


def stage_status(stage: Stage, today: datetime.date | None = None) -> str:
    """ "upcoming", "open" or "closed" (awards.windows.stage_status: the one rule)."""
    from .windows import stage_status as status

    return status(stage, today=today)


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


# --- nominations --------------------------------------------------------------------------


def _nomination_list_qs():
    from .models import Nomination

    return Nomination.objects.select_related(
        "edition__scheme", "category", "agency__parent"
    ).prefetch_related(Prefetch("edition__stages", queryset=Stage.objects.order_by("order")))


def nominations_for_editor(user) -> QuerySet:
    from agencies.enums import Role
    from agencies.selectors import user_agency_paths

    paths = user_agency_paths(user, Role.AGENCY_EDITOR)
    # The nominee (an individual or a team) is the department's own data: its editors see it.
    return (
        _nomination_list_qs()
        .filter(agency__path__in=paths)
        .select_related("nominee")
        .order_by("-created_at")
    )


def nominations_for_authority(user, *, edition=None) -> QuerySet:
    """Nominations of agencies under the user's competent authorities, once submitted."""
    from agencies.enums import Role
    from agencies.selectors import subtree_filter, user_agency_paths

    from .rules import AUTHORITY_SEES

    paths = user_agency_paths(user, Role.AUTHORITY_OFFICER)
    if not paths:
        return _nomination_list_qs().none()
    qs = _nomination_list_qs().filter(subtree_filter(paths, field="agency"), AUTHORITY_SEES)
    if edition is not None:
        qs = qs.filter(edition=edition)
    return qs.order_by("edition", "category__order", "recommendation_rank", "agency__code")


def nominations_for_secretariat(
    *, edition=None, category=None, state=None, authority=None, q: str = ""
) -> QuerySet:
    from django.db.models import Q

    qs = _nomination_list_qs()
    if edition is not None:
        qs = qs.filter(edition=edition)
    if category is not None:
        qs = qs.filter(category=category)
    if state:
        qs = qs.filter(state=state)
    if authority is not None:
        from agencies.selectors import subtree_filter

        qs = qs.filter(subtree_filter(authority, field="agency"))
    if q:
        qs = qs.filter(
            Q(agency__name_zh__icontains=q)
            | Q(agency__name_en__icontains=q)
            | Q(agency__code__icontains=q)
            | Q(title__icontains=q)
        )
    return qs.order_by(
        "edition__scheme__code", "-edition__number", "category__order", "agency__code", "id"
    )


def nomination_counts_by_state(edition=None) -> dict[str, int]:
    from .models import Nomination

    qs = Nomination.objects.all()
    if edition is not None:
        qs = qs.filter(edition=edition)
    return dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))


def nomination_for_dossier(pk: int):
    """A nomination with everything its dossier page shows, in a fixed number of queries."""
    from .models import Attachment, DossierSection, Nomination

    return (
        Nomination.objects.select_related("edition__scheme", "category", "agency", "nominee")
        .prefetch_related(
            Prefetch("edition__stages", queryset=Stage.objects.order_by("order")),
            "nominee__members",
            Prefetch(
                "sections",
                queryset=DossierSection.objects.select_related("updated_by").order_by("order"),
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(removed_at__isnull=True).order_by(
                    "uploaded_at", "id"
                ),
            ),
            "submissions",
        )
        .get(pk=pk)
    )


def editions_open_for_nomination(*, now=None) -> list[tuple[Edition, Stage]]:
    """Editions whose nomination stage is open today in their own time zone."""
    from .enums import StageKind

    stages = Stage.objects.filter(kind=StageKind.NOMINATION).select_related("edition__scheme")
    result = []
    for stage in stages:
        if stage.is_open_on(edition_today(stage.edition, now=now)):
            result.append((stage.edition, stage))
    return result


def nomination_counts_by_edition() -> list[dict]:
    """For the secretariat's dashboard: per edition with nominations, counts by state."""
    from .enums import NominationState
    from .models import Nomination

    rows = Nomination.objects.values("edition", "state").annotate(n=Count("id")).order_by()
    by_edition: dict[int, dict[str, int]] = {}
    for row in rows:
        by_edition.setdefault(row["edition"], {})[row["state"]] = row["n"]
    editions = Edition.objects.select_related("scheme").in_bulk(list(by_edition))
    return [
        {
            "edition": editions[pk],
            "counts": [(s, by_edition[pk].get(s.value, 0)) for s in NominationState],
            "total": sum(by_edition[pk].values()),
        }
        for pk in sorted(
            by_edition, key=lambda pk: (editions[pk].scheme.code, -editions[pk].number)
        )
    ]


def editor_dashboard(user) -> list[dict]:
    """The editor's nominations with state and deadline (in the edition's time zone)."""
    from .enums import NominationState, StageKind

    rows = []
    for nomination in nominations_for_editor(user):
        stages = {s.kind: s for s in nomination.edition.stages.all()}
        deadline = None
        if nomination.state in (NominationState.DRAFT, NominationState.RETURNED):
            stage = stages.get(StageKind.NOMINATION)
            if nomination.state == NominationState.RETURNED and StageKind.RECOMMENDATION in stages:
                stage = stages[StageKind.RECOMMENDATION]
            deadline = stage.ends_on if stage else None
        rows.append({"nomination": nomination, "deadline": deadline})
    return rows


def authority_dashboard(user) -> list[dict]:
    """Per edition, how many submitted dossiers under the user's authorities wait for a
    recommendation, and how many are already recommended."""
    from .enums import NominationState

    counts: dict[int, dict[str, int]] = {}
    qs = (
        nominations_for_authority(user)
        .filter(state__in=[NominationState.SUBMITTED, NominationState.RECOMMENDED])
        .values("edition", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in qs:
        counts.setdefault(row["edition"], {})[row["state"]] = row["n"]
    editions = Edition.objects.select_related("scheme").in_bulk(list(counts))
    return [
        {
            "edition": editions[pk],
            "waiting": counts[pk].get(NominationState.SUBMITTED, 0),
            "recommended": counts[pk].get(NominationState.RECOMMENDED, 0),
        }
        for pk in sorted(counts)
    ]
