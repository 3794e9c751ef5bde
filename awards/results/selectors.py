"""Reads about results: versions, the published result of an edition, awards."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .enums import ACTIVE_JOB_STATUSES, VersionStatus
from .models import Award, ResultJob, ResultVersion


def versions_of(edition) -> QuerySet[ResultVersion]:
    return ResultVersion.objects.filter(edition=edition).select_related(
        "compiled_by", "submitted_by", "decided_by"
    )


def approved_version(edition) -> ResultVersion | None:
    return ResultVersion.objects.filter(edition=edition, status=VersionStatus.APPROVED).first()


def published_version(edition, now=None) -> ResultVersion | None:
    """The approved version whose embargo has ended, or None."""
    now = now or timezone.now()
    return ResultVersion.objects.filter(
        edition=edition, status=VersionStatus.APPROVED, publish_at__lte=now
    ).first()


def published_versions(now=None) -> QuerySet[ResultVersion]:
    now = now or timezone.now()
    return ResultVersion.objects.filter(
        status=VersionStatus.APPROVED, publish_at__lte=now
    ).select_related("edition__scheme")


def awards_of(version: ResultVersion) -> QuerySet[Award]:
    return (
        Award.objects.filter(version=version)
        .select_related("agency", "category", "nomination", "revoked_by")
        .order_by("category__order", "category__code", "order", "pk")
    )


def award_by_serial(serial: str) -> Award | None:
    """The award with this (normalised) serial, whatever its version's publication:
    a certificate exists only once its version was approved."""
    return (
        Award.objects.filter(serial=serial)
        .select_related("agency", "category", "version__edition__scheme")
        .first()
    )


def awards_for_agency_paths(paths: list[str], now=None) -> QuerySet[Award]:
    """Published awards of the agencies at or below any of `paths`."""
    from django.db.models import Q

    now = now or timezone.now()
    match = Q(pk__in=[])
    for p in paths:
        match |= Q(agency__path__startswith=p)
    return (
        Award.objects.filter(match)
        .filter(version__status=VersionStatus.APPROVED, version__publish_at__lte=now)
        .select_related("agency", "category", "version__edition__scheme")
        .order_by("-version__edition__number", "category__order", "order")
    )


def jobs_of(edition, kind: str | None = None) -> QuerySet[ResultJob]:
    qs = ResultJob.objects.filter(edition=edition).select_related("requested_by", "version")
    return qs.filter(kind=kind) if kind else qs


def active_job(edition, kind: str) -> ResultJob | None:
    return jobs_of(edition, kind).filter(status__in=ACTIVE_JOB_STATUSES).first()


def waiting_for_approval() -> list[ResultVersion]:
    return list(
        ResultVersion.objects.filter(status=VersionStatus.SUBMITTED)
        .select_related("edition__scheme")
        .order_by("submitted_at", "pk")
    )


def returned_versions() -> list[ResultVersion]:
    """Versions the approver returned with comments, for the secretariat to act on: a
    returned version stays in that state until it is submitted again or a recompile
    supersedes it."""
    return list(
        ResultVersion.objects.filter(status=VersionStatus.RETURNED)
        .select_related("edition__scheme", "decided_by")
        .order_by("-decided_at", "-pk")
    )
