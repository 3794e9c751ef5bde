"""Reads about results: versions, the published result of an edition, awards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from workflow import jobs
from workflow.models import Job

from .enums import AppealState, JobKind, VersionStatus
from .models import Appeal, Award, ResultVersion

# An appeal awaiting the panel's decision holds the publication of the version appealed
# against, and of any newer one (none answers it yet): its publication time may pass, but
# it does not show until every such appeal is decided. A dismissal lets it out; upholding
# takes its publication time away (appeals.appeal_decide).
HELD_BY_APPEALS = Exists(
    Appeal.objects.filter(
        edition_id=OuterRef("edition_id"),
        state=AppealState.FILED,
        version__number__lte=OuterRef("number"),
    )
)


def versions_of(edition) -> QuerySet[ResultVersion]:
    """The edition's versions, each with `held`: its publication time has passed but
    appeals awaiting a decision hold it (HELD_BY_APPEALS)."""
    return (
        ResultVersion.objects.filter(edition=edition)
        .select_related("compiled_by", "submitted_by", "decided_by")
        .annotate(
            held=ExpressionWrapper(
                Q(publish_at__lte=timezone.now()) & Q(HELD_BY_APPEALS),
                output_field=BooleanField(),
            )
        )
    )


def approved_version(edition) -> ResultVersion | None:
    return ResultVersion.objects.filter(edition=edition, status=VersionStatus.APPROVED).first()


# A version that may be (or have been) the public answer: the approved one, or one
# superseded after its publication time had come (one superseded while still under
# embargo never shows). Among those whose publication time has come, the newest answers:
# so a published version stays public until its successor's publication time.
ONCE_PUBLIC = Q(status=VersionStatus.APPROVED) | Q(
    status=VersionStatus.SUPERSEDED, superseded_at__gte=F("publish_at")
)


def _public_candidates(now) -> QuerySet[ResultVersion]:
    return ResultVersion.objects.filter(ONCE_PUBLIC, publish_at__lte=now).exclude(HELD_BY_APPEALS)


def appeals_holding(version: ResultVersion) -> int:
    """How many appeals awaiting a decision hold `version`'s publication."""
    return Appeal.objects.filter(
        edition_id=version.edition_id, state=AppealState.FILED, version__number__lte=version.number
    ).count()


def public_version(edition, now=None) -> ResultVersion | None:
    """The version the public sees for `edition` (an Edition or its id) at `now`."""
    now = now or timezone.now()
    edition_id = getattr(edition, "pk", edition)
    return _public_candidates(now).filter(edition_id=edition_id).order_by("-number").first()


def published_version(edition, now=None) -> ResultVersion | None:
    """The public version of the edition (see public_version), or None."""
    return public_version(edition, now)


def public_version_ids(now=None, **filters) -> QuerySet:
    """The ids of the public version of every edition (optionally filtered, e.g.
    edition__scheme=), as a lazy queryset: a subquery where it is used in a filter."""
    now = now or timezone.now()
    latest = (
        _public_candidates(now)
        .filter(edition_id=OuterRef("edition_id"))
        .order_by("-number")
        .values("pk")[:1]
    )
    return (
        _public_candidates(now)
        .filter(**filters)
        .filter(pk=Subquery(latest))
        .values_list("pk", flat=True)
    )


def published_versions(now=None) -> QuerySet[ResultVersion]:
    """The public version of every edition that has one."""
    return ResultVersion.objects.filter(pk__in=public_version_ids(now)).select_related(
        "edition__scheme"
    )


def successor_published(version: ResultVersion, now=None) -> ResultVersion | None:
    """The first version after `version` that became public (by `now`), or None."""
    now = now or timezone.now()
    return (
        _public_candidates(now)
        .filter(edition_id=version.edition_id, number__gt=version.number)
        .order_by("number")
        .first()
    )


def awards_of(version: ResultVersion) -> QuerySet[Award]:
    return (
        Award.objects.filter(version=version)
        .select_related("agency", "category", "nomination__nominee", "revoked_by")
        .order_by("category__order", "category__code", "order", "pk")
    )


def award_by_serial(serial: str) -> Award | None:
    """The award with this (normalised) serial, whatever its version's publication:
    a certificate exists only once its version was approved."""
    return (
        Award.objects.filter(serial=serial)
        .select_related("agency", "category", "version__edition__scheme", "nomination__nominee")
        .first()
    )


def awards_for_user(user, now=None) -> QuerySet[Award]:
    """The published awards the user sees as their agencies' own (results.see_award's
    is_award_agency, as a list)."""
    from .rules import award_agency_scopes

    return awards_for_agency_paths(award_agency_scopes(user), now)


def awards_for_agency_paths(paths: list[str], now=None) -> QuerySet[Award]:
    """Published awards of the agencies at or below any of `paths`."""
    from agencies.selectors import subtree_filter

    return (
        Award.objects.filter(subtree_filter(paths, field="agency"))
        .filter(version__in=public_version_ids(now))
        .select_related("agency", "category", "version__edition__scheme")
        .order_by("-version__edition__number", "category__order", "order")
    )


def jobs_of(edition, kind: str | None = None) -> QuerySet[Job]:
    """The results jobs (workflow.Job) of an edition, newest first."""
    return jobs.jobs_for(edition, kind, kinds_in=JobKind.values)


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


@dataclass
class CertificateState:
    """What the verification page says about a serial: `state` is "valid", "revoked" or
    "withdrawn" (the results were approved again without it, from `since`); `award` is
    the award as the public sees it (the public version's)."""

    state: str
    award: Award
    since: datetime.datetime | None = None


def certificate_state(award: Award, now=None) -> CertificateState | None:
    """The public state of the certificate whose serial `award` holds, or None when it
    was never public (its results are still under embargo): unknown then.

    A serial moves to the newest approved version that keeps the award, so its holder
    may be a successor still under embargo: the public version's award answers then."""
    now = now or timezone.now()
    version = award.version
    public = public_version(version.edition_id, now)
    if public is None:
        return None
    if public.pk == version.pk:
        return CertificateState("revoked" if award.is_revoked else "valid", award)
    if version.number > public.number:
        shown = (
            awards_of(public)
            .filter(category_id=award.category_id, agency_id=award.agency_id)
            .select_related("version__edition__scheme")
            .first()
        )
        if shown is None:  # a new award of results still under embargo
            return None
        shown.serial, shown.issued_on = award.serial, award.issued_on
        if award.is_revoked and not shown.is_revoked:
            shown.revoked_on, shown.revocation_reason = award.revoked_on, award.revocation_reason
        return CertificateState("revoked" if shown.is_revoked else "valid", shown)
    was_public = Award.objects.filter(
        version__in=_public_candidates(now).filter(
            edition_id=version.edition_id, number__lte=version.number
        ),
        category_id=award.category_id,
        agency_id=award.agency_id,
    ).exists()
    if not was_public:
        return None
    successor = successor_published(version, now)
    return CertificateState("withdrawn", award, successor.publish_at if successor else None)
