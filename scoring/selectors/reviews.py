"""Reads for reviewers and site assessors: their assignments, their declarations, the
scoring page's data, and the secretariat's record of a review."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.utils import timezone

from awards.models import Submission
from awards.selectors import edition_today
from rubrics.models import Indicator

from ..enums import MemberState, ReviewState
from ..models import (
    Assignment,
    ConflictDeclaration,
    Panel,
    PanelMember,
    ReviewPolicy,
    ReviewRevision,
    Score,
)
from ..rules import is_panel_person
from ..services.conflicts import conflict_paths, declaration_remember, path_is_conflicted


def reviewer_home(user) -> dict:
    """The reviewer's (or site assessor's) assignments in stages open today, grouped by
    stage, and the editions whose conflicts they still have to declare. Assignments of an
    undeclared edition are listed as locked; conflicted ones are left out. A fixed number
    of queries however many assignments there are (a few more per edition)."""
    empty = {"groups": [], "declarations_missing": [], "count": 0, "invitations": []}
    if not is_panel_person(user):
        return empty
    panels = list(
        Panel.objects.filter(members__user=user, members__state=MemberState.ACCEPTED)
        .select_related("edition__scheme")
        .distinct()
    )
    declared = set(
        ConflictDeclaration.objects.filter(reviewer=user).values_list("edition_id", flat=True)
    )
    # Dates are compared in each edition's time zone; the query only narrows by a day.
    now_utc = timezone.now().date()
    slack = datetime.timedelta(days=1)
    assignments = list(
        Assignment.objects.filter(
            reviewer=user,
            withdrawn_at__isnull=True,
            stage__starts_on__lte=now_utc + slack,
            stage__ends_on__gte=now_utc - slack,
        )
        .select_related(
            "stage__edition__scheme",
            "nomination__agency",
            "nomination__category__rubric",
            "review",
        )
        .annotate(points_total=Sum("review__scores__points"))
        .order_by("stage__ends_on", "stage_id", "nomination__agency__path", "id")
    )
    editions = {p.edition_id: p.edition for p in panels}
    for a in assignments:
        editions.setdefault(a.stage.edition_id, a.stage.edition)
    paths = {
        edition_id: conflict_paths(edition, user)
        for edition_id, edition in editions.items()
        if edition_id in declared
    }
    groups: dict[int, dict] = {}
    count = 0
    for a in assignments:
        stage, edition = a.stage, a.stage.edition
        today = edition_today(edition)
        if not stage.is_open_on(today):
            continue
        locked = edition.pk not in declared
        if not locked and path_is_conflicted(a.nomination.agency.path, paths[edition.pk]):
            continue
        review = getattr(a, "review", None)
        group = groups.setdefault(
            stage.pk,
            {
                "stage": stage,
                "edition": edition,
                "deadline": stage.ends_on,
                "days_left": (stage.ends_on - today).days,
                "rows": [],
            },
        )
        group["rows"].append(
            {
                "assignment": a,
                "agency": a.nomination.agency,
                "category": a.nomination.category,
                "state": review.state if review else "",
                "state_label": ReviewState(review.state).label if review else "",
                "total": a.points_total if a.points_total is not None else Decimal("0"),
                "rubric_total": getattr(
                    getattr(a.nomination.category, "rubric", None), "total_points", None
                ),
                "locked": locked,
            }
        )
        count += 1
    for group in groups.values():
        group["submitted"] = sum(1 for r in group["rows"] if r["state"] == ReviewState.SUBMITTED)
        group["locked"] = any(r["locked"] for r in group["rows"])
    missing = sorted(
        (e for pk, e in editions.items() if pk not in declared),
        key=lambda e: (e.scheme.code, -e.number),
    )
    return {
        "groups": list(groups.values()),
        "declarations_missing": missing,
        "count": count,
        "invitations": pending_invitations(user),
    }


def pending_invitations(user) -> list[PanelMember]:
    """The panel invitations this user has not answered yet, newest first."""
    return list(
        PanelMember.objects.filter(user=user, state=MemberState.INVITED)
        .select_related("panel__category", "panel__edition__scheme")
        .order_by("-added_at", "-id")
    )


def chair_pending_ties(user) -> list[dict]:
    """The ties waiting for this user's decision as a panel chair: for each category they
    chair, each scoring stage begun by today (in the edition's time zone) whose standings
    still have dossiers tied after the tie-break rules. [{"stage", "category", "groups"}]."""
    from awards.models import Stage

    from ..models import PanelMember
    from ..services.ties import tied_groups_for

    if not user.is_authenticated:
        return []
    chaired = list(
        PanelMember.objects.filter(user=user, is_chair=True).select_related(
            "panel__category__edition__scheme"
        )
    )
    pending = []
    for member in chaired:
        category = member.panel.category
        edition = category.edition
        today = edition_today(edition)
        stages = Stage.objects.filter(
            edition=edition, allows_scoring=True, starts_on__lte=today
        ).order_by("order", "starts_on")
        for stage in stages:
            stage.edition = edition
            groups = tied_groups_for(stage, category)
            if groups:
                pending.append({"stage": stage, "category": category, "groups": len(groups)})
    return pending


def dashboard_context(user) -> dict:
    """What the dashboard shows a reviewer or site assessor (templates/scoring/
    _dashboard_reviewer.html), and a panel chair the ties waiting for their decision."""
    home = reviewer_home(user)
    return {
        "review_assignments": home["groups"],
        "review_declarations_missing": home["declarations_missing"],
        "review_invitations": home["invitations"],
        "chair_pending_ties": chair_pending_ties(user),
    }


def declaration_choices(edition) -> list[dict]:
    """Every agency of the scheme's tree (the trees of the agencies nominated in any of
    the scheme's editions, whatever the state of their nominations), grouped by competent
    authority, for the declaration form: [{"authority": Agency | None, "agencies":
    [Agency, ...]}]. Inactive agencies are left out unless nominated in this edition;
    each agency carries `nominated`: it has a nomination in this edition."""
    from agencies.models import Agency
    from agencies.selectors import agency_trees, nearest_authorities

    scheme_paths = (
        Agency.objects.filter(nominations__edition__scheme_id=edition.scheme_id)
        .values_list("path", flat=True)
        .distinct()
    )
    here = set(Agency.objects.filter(nominations__edition=edition).values_list("pk", flat=True))
    agencies = [
        a for a in agency_trees(list(scheme_paths)).order_by("path") if a.is_active or a.pk in here
    ]
    for agency in agencies:
        agency.nominated = agency.pk in here
    nearest = nearest_authorities(agencies)
    authorities = {a.pk: a for a in nearest.values() if a is not None}
    grouped: dict = defaultdict(list)
    for agency in agencies:
        authority = nearest[agency.pk]
        grouped[authority.pk if authority else None].append(agency)
    groups = [
        {"authority": authorities[pk], "agencies": items}
        for pk, items in grouped.items()
        if pk is not None
    ]
    groups.sort(key=lambda g: g["authority"].path)
    if None in grouped:
        groups.append({"authority": None, "agencies": grouped[None]})
    return groups


# --- the scoring page --------------------------------------------------------------------


def assignment_for_review(pk: int) -> Assignment:
    """The assignment with what its pages and rules read, in one query: the stage, the
    edition and its review policy, the dossier's agency and rubric, the reviewer, and
    whether the reviewer has declared their conflicts for the edition."""
    declared = ConflictDeclaration.objects.filter(
        edition_id=OuterRef("stage__edition_id"), reviewer_id=OuterRef("reviewer_id")
    )
    assignment = (
        Assignment.objects.select_related(
            "stage__edition__scheme",
            "stage__edition__review_policy",
            "nomination__agency",
            "nomination__category__rubric",
            "nomination__nominee",
            "reviewer",
            "review",
        )
        .prefetch_related("nomination__nominee__members")
        .annotate(reviewer_declared=Exists(declared))
        .get(pk=pk)
    )
    edition = assignment.stage.edition
    try:
        edition._review_policy_cache = edition.review_policy
    except ReviewPolicy.DoesNotExist:
        pass  # made with its defaults when first needed (services.review_policy)
    declaration_remember(edition, assignment.reviewer_id, assignment.reviewer_declared)
    return assignment


def review_for_form(assignment):
    """(review, its scores in form order) in one query, the review riding on each score
    row; the review's `scores` are prefetched (review_total reads them) and its
    `assignment` is this one. (None, []) when the review has not been opened yet or the
    rubric has an indicator without a score row: open it (services.review_open) and ask
    again."""
    rubric_id = assignment.nomination.category.rubric.pk
    rubric_size = (
        Indicator.objects.filter(dimension__rubric_id=rubric_id)
        .order_by()
        .values("dimension__rubric_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    scores = list(
        Score.objects.filter(review__assignment=assignment)
        .select_related("review", "indicator__dimension")
        .annotate(rubric_size=Subquery(rubric_size))
        .order_by(
            "indicator__dimension__order",
            "indicator__dimension_id",
            "indicator__order",
            "indicator_id",
        )
    )
    if not scores or scores[0].rubric_size != len(scores):
        return None, []
    review = scores[0].review
    review.assignment = assignment
    for score in scores:
        score.review = review
    review._prefetched_objects_cache = {"scores": scores}
    return review, scores


def latest_submission(nomination) -> Submission | None:
    return Submission.objects.filter(nomination=nomination).order_by("-version").first()


def review_scores(review) -> list[Score]:
    return list(
        review.scores.select_related("indicator__dimension").order_by(
            "indicator__dimension__order",
            "indicator__dimension_id",
            "indicator__order",
            "indicator_id",
        )
    )


def others_submitted_totals(assignment) -> list[dict]:
    """Other reviewers' submitted totals on the same dossier in the same stage, as
    Reviewer A, B, C… in assignment order (never their names)."""
    others = (
        Assignment.objects.filter(
            stage=assignment.stage,
            nomination=assignment.nomination,
            withdrawn_at__isnull=True,
            review__state=ReviewState.SUBMITTED,
        )
        .exclude(pk=assignment.pk)
        .annotate(points_total=Sum("review__scores__points"))
        .order_by("id")
    )
    return [
        {"label": chr(ord("A") + i) if i < 26 else str(i + 1), "total": a.points_total}
        for i, a in enumerate(others)
    ]


def site_tests_for(assignment) -> list:
    return list(
        assignment.site_tests.prefetch_related("indicators", "evidence").order_by(
            "-tested_at", "-id"
        )
    )


def review_history(review) -> list[dict]:
    """Every revision, oldest first, with its total and what changed per indicator since
    the previous accepted one."""
    revisions = list(
        ReviewRevision.objects.filter(review=review)
        .select_related("saved_by")
        .order_by("saved_at", "id")
    )
    names = {s.indicator_id: s.indicator.name for s in review_scores(review)}
    rows = []
    previous: dict = {}
    for revision in revisions:
        scores = revision.scores or {}
        changes = []
        total = Decimal("0")
        for key, value in scores.items():
            points = value.get("points")
            if revision.accepted and points not in (None, ""):
                total += Decimal(points)
            before = previous.get(key, {})
            if before.get("points") != points or before.get("comment", "") != value.get(
                "comment", ""
            ):
                changes.append(
                    {
                        "indicator": names.get(int(key), key),
                        "before": before.get("points"),
                        "after": points,
                        "comment_changed": before.get("comment", "") != value.get("comment", ""),
                    }
                )
        rows.append(
            {
                "revision": revision,
                "total": total if revision.accepted else None,
                "changes": changes,
            }
        )
        if revision.accepted:
            previous = scores
    return rows


def assignment_messages(assignment, *, recipient=None) -> list:
    """The message log of a review assignment: the messages about it, and those about
    its stage sent to its reviewer (the daily reminders); only those to `recipient`
    when given (the reviewer reads theirs; the secretariat all). One query."""
    from workflow.selectors import about, message_log

    return list(
        message_log(
            about(assignment),
            about(assignment.stage, to=assignment.reviewer),
            recipient=recipient,
        )
    )
