"""Reads for the secretariat's review pages: the overview of editions, a panel, the
conflicts of an edition, the assignment table and progress of a stage and category.
Each page's reads take a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from agencies.enums import Role
from agencies.models import Agency, User
from awards.enums import NominationState, StageKind
from awards.models import Category, Edition, Nomination, Stage
from awards.selectors import edition_today

from ..enums import MemberKind, MemberState, ReviewState
from ..models import (
    Assignment,
    Conflict,
    ConflictDeclaration,
    ExpertiseArea,
    Panel,
    PanelMember,
    Recusal,
)

NOT_STARTED, DRAFT, SUBMITTED = "not_started", "draft", "submitted"
REVIEW_STATUS_LABELS = {
    NOT_STARTED: _("Not started"),
    DRAFT: _("Draft"),
    SUBMITTED: _("Submitted"),
}


def stage_dossier_state(stage) -> str:
    """As scoring.services.nomination_state_for (kept here so selectors do not import
    services): eligible dossiers in written review, finalists later."""
    if stage.kind == StageKind.WRITTEN_REVIEW:
        return NominationState.ELIGIBLE
    return NominationState.FINALIST


def review_status(assignment) -> str:
    """not_started / draft / submitted for an assignment with its review prefetched."""
    try:
        review = assignment.review
    except Assignment.review.RelatedObjectDoesNotExist:
        return NOT_STARTED
    if review.state == ReviewState.SUBMITTED:
        return SUBMITTED
    if review.state == ReviewState.DRAFT and review.updated_at is None:
        return NOT_STARTED
    return DRAFT


def _active_in(stage_ids):
    return Assignment.objects.filter(stage_id__in=stage_ids, withdrawn_at__isnull=True)


# --- overview -----------------------------------------------------------------------------


def review_overview() -> list[dict]:
    """Editions with scoring stages; for each category its panel size and, per scoring
    stage, dossiers, assignments and submitted reviews."""
    stages = list(
        Stage.objects.select_related("edition__scheme")
        .filter(allows_scoring=True)
        .order_by("edition__scheme__code", "-edition__number", "order", "starts_on")
    )
    edition_ids = list(dict.fromkeys(s.edition_id for s in stages))
    categories = list(
        Category.objects.filter(edition_id__in=edition_ids)
        .annotate(
            reviewers=Count("panel__members", filter=Q(panel__members__kind=MemberKind.REVIEWER)),
            assessors=Count(
                "panel__members", filter=Q(panel__members__kind=MemberKind.SITE_ASSESSOR)
            ),
        )
        .order_by("order", "code")
    )
    counts = {
        (row["stage_id"], row["nomination__category_id"]): row
        for row in _active_in([s.pk for s in stages])
        .order_by()
        .values("stage_id", "nomination__category_id")
        .annotate(
            assigned=Count("id"),
            submitted=Count("id", filter=Q(review__state=ReviewState.SUBMITTED)),
        )
    }
    dossiers = defaultdict(int)
    for category_id, state, n in (
        Nomination.objects.filter(
            category__in=categories, state__in=[NominationState.ELIGIBLE, NominationState.FINALIST]
        )
        .order_by()
        .values_list("category_id", "state")
        .annotate(n=Count("id"))
    ):
        dossiers[category_id, state] = n
        if state == NominationState.FINALIST:
            # A finalist was eligible in written review too.
            dossiers[category_id, NominationState.ELIGIBLE] += n
    editions = []
    for edition_id in edition_ids:
        edition_stages = [s for s in stages if s.edition_id == edition_id]
        edition = edition_stages[0].edition
        rows = []
        for category in (c for c in categories if c.edition_id == edition_id):
            cells = []
            for stage in edition_stages:
                found = counts.get((stage.pk, category.pk), {})
                n = dossiers[category.pk, stage_dossier_state(stage)]
                cells.append(
                    {
                        "stage": stage,
                        "dossiers": n,
                        # Site visits also get one site assessor each when the panel has any.
                        "expected": n
                        * (
                            stage.reviewers_per_dossier
                            + (1 if stage.is_site_visit and category.assessors else 0)
                        ),
                        "assigned": found.get("assigned", 0),
                        "submitted": found.get("submitted", 0),
                    }
                )
            rows.append({"category": category, "cells": cells})
        editions.append(
            {
                "edition": edition,
                "today": edition_today(edition),
                "stages": edition_stages,
                "rows": rows,
            }
        )
    return editions


# --- panel --------------------------------------------------------------------------------


def panel_members(category) -> list[PanelMember]:
    """The category's panel members, chair first, each with `assignment_count`: their
    active assignments on the category's dossiers (all stages)."""
    members = list(
        PanelMember.objects.select_related("user", "user__affiliated_agency")
        .filter(panel__category=category)
        .prefetch_related(
            Prefetch(
                "user__expertise_areas",
                queryset=ExpertiseArea.objects.filter(scheme_id=category.edition.scheme_id),
                to_attr="scheme_areas",
            )
        )
        .order_by("-is_chair", "kind", "user__full_name", "user_id")
    )
    counts = dict(
        Assignment.objects.filter(
            nomination__category=category,
            withdrawn_at__isnull=True,
            reviewer_id__in=[m.user_id for m in members],
        )
        .order_by()
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
    )
    for member in members:
        member.assignment_count = counts.get(member.user_id, 0)
    return members


def invitation_counts(members) -> dict[str, int]:
    """How many members are in each invitation state, by state value."""
    found = Counter(m.state for m in members)
    return {state: found.get(state, 0) for state in MemberState.values}


def scheme_areas(scheme_id) -> list[ExpertiseArea]:
    return list(ExpertiseArea.objects.filter(scheme_id=scheme_id))


# The panel memberships through which a person records their own areas of a scheme: an
# invitation not answered yet, or accepted.
SERVING = (MemberState.INVITED, MemberState.ACCEPTED)


def own_area_schemes(user) -> list[dict]:
    """The schemes whose panels `user` serves on (invited or accepted), each with its
    list of areas and the ids of those the user holds: {"scheme", "areas", "held"}, in
    three queries whatever their number."""
    from awards.models import AwardScheme

    schemes = list(
        AwardScheme.objects.filter(
            editions__panels__members__user=user, editions__panels__members__state__in=SERVING
        )
        .distinct()
        .order_by("code", "pk")
    )
    ids = [s.pk for s in schemes]
    areas = defaultdict(list)
    for area in ExpertiseArea.objects.filter(scheme_id__in=ids):
        areas[area.scheme_id].append(area)
    held = set(user.expertise_areas.filter(scheme_id__in=ids).values_list("pk", flat=True))
    return [
        {
            "scheme": scheme,
            "areas": areas[scheme.pk],
            "held": {a.pk for a in areas[scheme.pk] if a.pk in held},
        }
        for scheme in schemes
    ]


def panel_candidates(category, kind=None):
    """Users holding the reviewer or site-assessor role who are not on this panel yet."""
    roles = [Role.REVIEWER, Role.SITE_ASSESSOR]
    if kind == MemberKind.REVIEWER:
        roles = [Role.REVIEWER]
    elif kind == MemberKind.SITE_ASSESSOR:
        roles = [Role.SITE_ASSESSOR]
    return (
        User.objects.filter(is_active=True, role_assignments__role__in=roles)
        .exclude(panel_memberships__panel__category=category)
        .distinct()
        .order_by("full_name", "email")
    )


def declared_ids(edition, user_ids) -> set[int]:
    """Which of these users have declared their conflicts for the edition."""
    return set(
        ConflictDeclaration.objects.filter(edition=edition, reviewer_id__in=user_ids).values_list(
            "reviewer_id", flat=True
        )
    )


# --- conflicts ----------------------------------------------------------------------------


def edition_panel_people(edition) -> list[User]:
    """Everyone on a panel of this edition, once each, with `declared` set."""
    users = list(
        User.objects.filter(panel_memberships__panel__edition=edition)
        .select_related("affiliated_agency")
        .distinct()
        .order_by("full_name", "email")
    )
    declared = set(
        ConflictDeclaration.objects.filter(edition=edition, reviewer__in=users).values_list(
            "reviewer_id", "declared_at"
        )
    )
    when = dict(declared)
    for user in users:
        user.declared_at = when.get(user.pk)
    return users


def edition_conflicts(edition, people) -> list[dict]:
    """Every recorded conflict of the edition, and the automatic ones from panel
    members' affiliated agencies, as rows for the page (recorded ones removable)."""
    rows = [
        {
            "conflict": c,
            "reviewer": c.reviewer,
            "agency": c.agency,
            "source": c.get_source_display(),
            "automatic": False,
            "reason": c.reason,
            "at": c.created_at,
            "by": c.created_by,
        }
        for c in Conflict.objects.filter(edition=edition).select_related(
            "reviewer", "agency", "created_by"
        )
    ]
    for user in people:
        if user.affiliated_agency_id:
            rows.append(
                {
                    "conflict": None,
                    "reviewer": user,
                    "agency": user.affiliated_agency,
                    "source": _("Affiliation (automatic)"),
                    "automatic": True,
                    "reason": "",
                    "at": None,
                    "by": None,
                }
            )
    rows.sort(key=lambda r: (r["reviewer"].full_name, r["reviewer"].pk, r["agency"].path))
    return rows


def conflict_agency_choices(edition):
    """Agencies a conflict can name: those nominated in the edition and every competent
    authority (a conflict with an authority covers its whole subtree)."""
    return (
        Agency.objects.filter(Q(nominations__edition=edition) | Q(is_competent_authority=True))
        .distinct()
        .order_by("path")
    )


# --- assignments and progress -------------------------------------------------------------


def assignment_rows(stage, category) -> list[Nomination]:
    """The dossiers of a category reviewed in a stage (by state, or because they have
    active assignments in it), each with `active` = its active assignments (reviewer and
    review loaded), in agency order."""
    wanted = stage_dossier_state(stage)
    active = Assignment.objects.filter(stage=stage, withdrawn_at__isnull=True).select_related(
        "reviewer", "review"
    )
    return list(
        Nomination.objects.filter(category=category)
        .filter(
            Q(state=wanted) | Q(assignments__stage=stage, assignments__withdrawn_at__isnull=True)
        )
        .distinct()
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=active.order_by("kind", "reviewer__full_name", "id"),
                to_attr="active",
            ),
            Prefetch(
                "recusals",
                queryset=Recusal.objects.select_related("reviewer", "assignment").order_by(
                    "created_at", "id"
                ),
                to_attr="recusal_list",
            ),
        )
        .order_by("agency__path", "pk")
    )


def stage_progress(stage, category, nominations, members) -> dict:
    """Per panel member: assigned, draft, submitted, last activity; per dossier: reviews
    submitted of k. `nominations` from assignment_rows, `members` from panel_members."""
    by_user = {
        m.user_id: {
            "member": m,
            "user": m.user,
            "assigned": 0,
            "draft": 0,
            "submitted": 0,
            "not_started": 0,
            "last": None,
        }
        for m in members
    }
    dossier_rows = []
    for nomination in nominations:
        submitted = 0
        for assignment in nomination.active:
            row = by_user.setdefault(
                assignment.reviewer_id,
                {
                    "member": None,
                    "user": assignment.reviewer,
                    "assigned": 0,
                    "draft": 0,
                    "submitted": 0,
                    "not_started": 0,
                    "last": None,
                },
            )
            status = review_status(assignment)
            row["assigned"] += 1
            row[status] += 1
            if status == SUBMITTED and assignment.kind == MemberKind.REVIEWER:
                submitted += 1
            review = getattr(assignment, "review", None) if status != NOT_STARTED else None
            if review is not None:
                moments = [t for t in (review.updated_at, review.submitted_at) if t]
                if moments and (row["last"] is None or max(moments) > row["last"]):
                    row["last"] = max(moments)
        dossier_rows.append(
            {"nomination": nomination, "submitted": submitted, "k": stage.reviewers_per_dossier}
        )
    today = edition_today(stage.edition)
    return {
        "reviewers": list(by_user.values()),
        "dossiers": dossier_rows,
        "today": today,
        "days_left": (stage.ends_on - today).days,
        "complete": sum(1 for d in dossier_rows if d["submitted"] >= d["k"]),
    }


def stage_with_edition(pk) -> Stage:
    return Stage.objects.select_related("edition__scheme").get(pk=pk)


def category_with_edition(pk) -> Category:
    return Category.objects.select_related("edition__scheme").get(pk=pk)


def panel_of(category) -> Panel | None:
    return Panel.objects.filter(category=category).first()


def editions_with_scoring():
    return Edition.objects.filter(stages__allows_scoring=True).distinct()
