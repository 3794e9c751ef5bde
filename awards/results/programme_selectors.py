"""Reads about an edition's programme: its events with their counts, the public ones,
an agency's obligations, a civil servant's registrations."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from agencies.selectors import subtree_filter

from .enums import REGISTRATION_KINDS, ObligationStatus, RegistrationStatus
from .models import Award, Obligation, ProgrammeEvent, Registration
from .selectors import published_version


def _counted(qs: QuerySet[ProgrammeEvent]) -> QuerySet[ProgrammeEvent]:
    return qs.annotate(
        n_registered=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.REGISTERED),
            distinct=True,
        ),
        n_waiting=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.WAITING),
            distinct=True,
        ),
        n_obligations=Count("obligations", distinct=True),
        n_confirmed=Count(
            "obligations",
            filter=Q(
                obligations__status__in=[ObligationStatus.CONFIRMED, ObligationStatus.DELIVERED]
            ),
            distinct=True,
        ),
        n_missed=Count(
            "obligations", filter=Q(obligations__status=ObligationStatus.MISSED), distinct=True
        ),
    )


def events_of(edition) -> QuerySet[ProgrammeEvent]:
    """Every event of the edition, in time order, with its counts (one query)."""
    return _counted(ProgrammeEvent.objects.filter(edition=edition)).order_by("starts_at", "pk")


def event_obligations(event) -> QuerySet[Obligation]:
    return (
        Obligation.objects.filter(event=event)
        .select_related("agency", "award")
        .order_by("agency__code", "kind", "pk")
    )


def event_registrations(event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user")
        .order_by("status", "created_at", "pk")
    )


def visitors_total(event) -> int | None:
    """The event's visitors: its recorded total (a count without a day) if there is one,
    else the sum of its days; None when nothing was counted."""
    figures = event.visitor_counts.aggregate(
        whole=Sum("visitors", filter=Q(day__isnull=True)),
        days=Sum("visitors", filter=Q(day__isnull=False)),
    )
    return figures["whole"] if figures["whole"] is not None else figures["days"]


def edition_is_public(edition, now=None) -> bool:
    """An edition is published when its results are (results.selectors.published_version,
    as the public results pages decide): only then do its programme page and feeds show."""
    return published_version(edition, now) is not None


def public_events(edition) -> QuerySet[ProgrammeEvent]:
    """The published events of an edition (the caller checks the edition is published)."""
    return ProgrammeEvent.objects.filter(edition=edition, is_published=True).order_by(
        "starts_at", "pk"
    )


def public_agency_events(edition, agency) -> QuerySet[ProgrammeEvent]:
    """The published events of an edition in which the agency takes part."""
    return public_events(edition).filter(obligations__agency=agency).distinct()


def obligations_for_user(user) -> QuerySet[Obligation]:
    """The obligations of the agencies the user acts for (rules.is_obligation_agency)."""
    from .rules import programme_agency_scopes

    return (
        Obligation.objects.filter(subtree_filter(programme_agency_scopes(user), field="agency"))
        .select_related("agency", "event__edition__scheme", "award")
        .order_by("event__starts_at", "agency__code", "pk")
    )


def events_open_for_registration(now=None) -> QuerySet[ProgrammeEvent]:
    """Published seminars and results presentations that have not ended."""
    now = now or timezone.now()
    return _counted(
        ProgrammeEvent.objects.filter(
            kind__in=REGISTRATION_KINDS, is_published=True, ends_at__gt=now
        ).select_related("edition__scheme")
    ).order_by("starts_at", "pk")


def registrations_of(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event__edition__scheme")
        .order_by("event__starts_at", "pk")
    )


def waiting_position(registration) -> int | None:
    """1 for the first on the waiting list, and so on; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITING
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def waiting_positions(registrations) -> dict[int, int]:
    """Registration id -> its place on its event's waiting list, for the waiting ones
    among `registrations` (one query)."""
    events = {r.event_id for r in registrations if r.status == RegistrationStatus.WAITING}
    if not events:
        return {}
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    for pk, event_id in (
        Registration.objects.filter(event_id__in=events, status=RegistrationStatus.WAITING)
        .order_by("created_at", "pk")
        .values_list("pk", "event_id")
    ):
        counters[event_id] = counters.get(event_id, 0) + 1
        positions[pk] = counters[event_id]
    return positions


def missed_obligations_of(award: Award) -> QuerySet[Obligation]:
    return (
        Obligation.objects.filter(award=award, status=ObligationStatus.MISSED)
        .select_related("event")
        .prefetch_related(Prefetch("revocations"))
        .order_by("event__starts_at", "pk")
    )
