"""Conflicts of interest (利益迴避): who may not review whom, and what a new conflict does
to assignments already made."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.selectors import agency_under_any, nearest_authority
from workflow.audit import audit_record

from ..enums import ConflictSource
from ..models import Assignment, Conflict, ConflictDeclaration, ReviewPolicy

_REMEMBERED: ContextVar[dict | None] = ContextVar("scoring_conflicts_remembered", default=None)


@contextmanager
def conflicts_remembered():
    """Within the block (one request: scoring.views.reviews), has_declared and
    conflict_paths read each (edition, reviewer) from the database once: the rules ask
    them several times on one page (the view's permission, whether the form is open, the
    review's actions). A conflict or declaration written inside the block forgets them.
    Outside a block every call reads the database, as before."""
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def _remembered(key, compute):
    memo = _REMEMBERED.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def declaration_remember(edition, reviewer_id: int, declared: bool) -> None:
    """Inside a conflicts_remembered block: a loader that read whether the reviewer has
    declared (scoring.selectors.assignment_for_review) saves has_declared its query."""
    memo = _REMEMBERED.get()
    if memo is not None:
        memo.setdefault(("declared", edition.pk, reviewer_id), declared)


def _forget() -> None:
    memo = _REMEMBERED.get()
    if memo is not None:
        memo.clear()


def review_policy(edition) -> ReviewPolicy:
    """The edition's review policy, created with defaults the first time it is needed."""
    cached = getattr(edition, "_review_policy_cache", None)
    if cached is None:
        cached, _created = ReviewPolicy.objects.get_or_create(edition=edition)
        edition._review_policy_cache = cached
    return cached


def conflict_scope_path(agency: Agency, *, cover_authority: bool) -> str:
    """The subtree a conflict with `agency` covers, as a path prefix: the agency's own
    subtree, or, when the edition says so, the subtree of its nearest competent authority
    (the agency itself if it is one)."""
    authority = nearest_authority(agency) if cover_authority else None
    return authority.path if authority else agency.path


def conflict_paths(edition, reviewer) -> list[str]:
    """Path prefixes of every agency this reviewer is conflicted with in this edition:
    recorded conflicts and the reviewer's own affiliated agency."""
    return _remembered(
        ("paths", edition.pk, reviewer.pk), lambda: _conflict_paths(edition, reviewer)
    )


def _conflict_paths(edition, reviewer) -> list[str]:
    cover = review_policy(edition).conflicts_cover_authority
    agencies = list(Agency.objects.filter(conflicts__edition=edition, conflicts__reviewer=reviewer))
    if reviewer.affiliated_agency_id:
        agencies.append(reviewer.affiliated_agency)
    return sorted({conflict_scope_path(a, cover_authority=cover) for a in agencies})


def path_is_conflicted(path: str, prefixes: list[str]) -> bool:
    return agency_under_any(path, prefixes)


def is_conflicted(edition, reviewer, agency: Agency) -> bool:
    return path_is_conflicted(agency.path, conflict_paths(edition, reviewer))


def has_declared(edition, reviewer) -> bool:
    return _remembered(
        ("declared", edition.pk, reviewer.pk),
        lambda: ConflictDeclaration.objects.filter(edition=edition, reviewer=reviewer).exists(),
    )


def _withdraw_conflicted_assignments(*, actor, edition, reviewer, reason: str) -> list[Assignment]:
    prefixes = conflict_paths(edition, reviewer)
    withdrawn = []
    active = Assignment.objects.select_related("nomination__agency").filter(
        reviewer=reviewer, stage__edition=edition, withdrawn_at__isnull=True
    )
    now = timezone.now()
    for assignment in active.select_for_update(of=("self",)):
        if not path_is_conflicted(assignment.nomination.agency.path, prefixes):
            continue
        assignment.withdrawn_at = now
        assignment.withdrawn_reason = reason
        assignment.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit_record(
            actor=actor,
            action="assignment.withdraw",
            obj=assignment,
            from_state="active",
            to_state="withdrawn",
            reason=reason,
        )
        withdrawn.append(assignment)
    return withdrawn


@transaction.atomic
def conflict_add(
    *, actor, edition, reviewer, agency: Agency, source: str, reason: str = ""
) -> tuple[Conflict, list[Assignment]]:
    """Record a conflict. Assignments it touches are withdrawn at once (and so their
    dossiers are hidden from the reviewer). Returns the conflict and the withdrawals."""
    _forget()
    conflict, created = Conflict.objects.get_or_create(
        edition=edition,
        reviewer=reviewer,
        agency=agency,
        defaults={"source": source, "reason": reason.strip(), "created_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            action="conflict.add",
            obj=conflict,
            to_state=source,
            reason=reason.strip(),
            data={"reviewer": reviewer.pk, "agency": agency.code},
        )
    withdrawn = _withdraw_conflicted_assignments(
        actor=actor,
        edition=edition,
        reviewer=reviewer,
        reason=_("Conflict of interest with %(agency)s") % {"agency": agency.name},
    )
    return conflict, withdrawn


@transaction.atomic
def conflicts_declare(*, actor, edition, agencies: list[Agency], reason: str = "") -> list:
    """A reviewer's own declaration for an edition: the agencies they are conflicted with
    (possibly none). Declaring is what lets them see their assigned dossiers."""
    _forget()
    withdrawn = []
    for agency in agencies:
        _conflict, gone = conflict_add(
            actor=actor,
            edition=edition,
            reviewer=actor,
            agency=agency,
            source=ConflictSource.DECLARED,
            reason=reason,
        )
        withdrawn.extend(gone)
    declaration, created = ConflictDeclaration.objects.get_or_create(
        edition=edition, reviewer=actor
    )
    if created:
        audit_record(
            actor=actor,
            action="conflict.declare",
            obj=edition,
            to_state="declared",
            data={"agencies": [a.code for a in agencies]},
        )
    _forget()
    return withdrawn
