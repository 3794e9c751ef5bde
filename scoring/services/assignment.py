"""Assignment of reviewers (and site assessors) to dossiers, by hand and automatically,
and re-assignment in bulk. A conflicted pair is never assigned."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency
from agencies.selectors import nearest_authorities
from awards.enums import NominationState, StageKind
from awards.models import Nomination
from awards.windows import assignment_window_problem
from workflow.audit import audit_record

from .. import notifications
from ..enums import MemberKind, MemberState, ReviewState
from ..models import (
    AgencyServiceArea,
    Assignment,
    Conflict,
    ExpertiseArea,
    Panel,
    PanelMember,
    Recusal,
)
from .conflicts import path_is_conflicted, review_policy


class AssignmentError(ValidationError):
    """An assignment the rules refuse. `.report` lists, row by row, what could not be
    done and why (auto-assignment and bulk re-assignment)."""

    def __init__(self, message, report=None):
        super().__init__(message)
        self.report = list(report or [])


@dataclass
class Shortfall:
    """A nomination auto-assignment cannot give enough people of one kind."""

    nomination: Nomination
    kind: str
    needed: int
    possible: int
    reason: str


@dataclass
class NominationSummary:
    nomination: Nomination
    existing: int
    added: list = field(default_factory=list)  # users newly assigned


@dataclass
class AutoAssignResult:
    created: list[Assignment]
    summary: list[NominationSummary]
    # How many of the created assignments give the dossier a reviewer holding the
    # agency's service area; None when the scheme defines no areas.
    matched: int | None = None


@dataclass
class ReassignRow:
    nomination: Nomination
    problem: str = ""


def nomination_state_for(stage) -> str:
    """Which dossiers a scoring stage reviews: the eligible ones in written review, the
    finalists in every later stage (site visit, presentation, final scoring)."""
    if stage.kind == StageKind.WRITTEN_REVIEW:
        return NominationState.ELIGIBLE
    return NominationState.FINALIST


def conflict_prefixes(edition, users) -> dict[int, list[str]]:
    """For each user, the path prefixes of the agencies they are conflicted with in this
    edition (as conflicts.conflict_paths, for many users in a fixed number of queries)."""
    users = list(users)
    cover = review_policy(edition).conflicts_cover_authority
    agencies_of = defaultdict(list)
    for conflict in Conflict.objects.filter(edition=edition, reviewer__in=users).select_related(
        "agency"
    ):
        agencies_of[conflict.reviewer_id].append(conflict.agency)
    affiliated_ids = {u.affiliated_agency_id for u in users if u.affiliated_agency_id}
    if affiliated_ids:
        affiliated = Agency.objects.in_bulk(affiliated_ids)
        for user in users:
            if user.affiliated_agency_id:
                agencies_of[user.pk].append(affiliated[user.affiliated_agency_id])
    everyone = {a.pk: a for agencies in agencies_of.values() for a in agencies}
    authorities = nearest_authorities(everyone.values()) if cover else {}

    def scope(agency):
        authority = authorities.get(agency.pk)
        return authority.path if authority else agency.path

    return {user.pk: sorted({scope(a) for a in agencies_of.get(user.pk, [])}) for user in users}


def _label(nomination) -> str:
    return nomination.agency.name


def _panel_members(category, kind=None):
    """The members who may be assigned: active users who accepted their invitation."""
    qs = PanelMember.objects.select_related("user").filter(
        panel__category=category, user__is_active=True, state=MemberState.ACCEPTED
    )
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("user_id"))


def _ensure_scoring_stage(stage, category) -> None:
    if not stage.allows_scoring:
        raise AssignmentError(
            _("“%(stage)s” is not a scoring stage: no one is assigned in it.")
            % {"stage": stage.name}
        )
    if category.edition_id != stage.edition_id:
        raise AssignmentError(_("The category and the stage belong to different editions."))


def assignment_problem(*, stage, nomination, reviewer, kind=MemberKind.REVIEWER) -> str:
    """Why this panel member cannot be assigned this dossier in this stage, or ""."""
    kind = MemberKind(kind)
    category = nomination.category
    if not stage.allows_scoring:
        return _("“%(stage)s” is not a scoring stage: no one is assigned in it.") % {
            "stage": stage.name
        }
    if nomination.edition_id != stage.edition_id:
        return _("The dossier and the stage belong to different editions.")
    label, name = _label(nomination), reviewer.get_full_name()
    wanted = nomination_state_for(stage)
    if nomination.state != wanted:
        return _("%(agency)s is not %(state)s, so it cannot be reviewed in “%(stage)s”.") % {
            "agency": label,
            "state": NominationState(wanted).label.lower(),
            "stage": stage.name,
        }
    if kind == MemberKind.SITE_ASSESSOR and not stage.is_site_visit:
        return _("Site-visit assessors are assigned only in site-visit stages.")
    member = PanelMember.objects.filter(panel__category=category, user=reviewer, kind=kind).first()
    if member is None:
        return _("%(name)s is not on the panel of %(category)s as %(kind)s.") % {
            "name": name,
            "category": category.name,
            "kind": kind.label.lower(),
        }
    if member.state != MemberState.ACCEPTED:
        return _(
            "%(name)s has not accepted the invitation to the panel of %(category)s "
            "(%(state)s): only members who accepted are assigned dossiers."
        ) % {
            "name": name,
            "category": category.name,
            "state": MemberState(member.state).label.lower(),
        }
    if Recusal.objects.filter(nomination=nomination, reviewer=reviewer).exists():
        return _("%(name)s recused from %(agency)s and cannot review it again.") % {
            "name": name,
            "agency": label,
        }
    prefixes = conflict_prefixes(stage.edition, [reviewer])[reviewer.pk]
    if path_is_conflicted(nomination.agency.path, prefixes):
        return _("%(name)s has a conflict of interest with %(agency)s and cannot review it.") % {
            "name": name,
            "agency": label,
        }
    if Assignment.objects.filter(
        stage=stage, nomination=nomination, reviewer=reviewer, withdrawn_at__isnull=True
    ).exists():
        return _("%(name)s is already assigned to %(agency)s in this stage.") % {
            "name": name,
            "agency": label,
        }
    problem = assignment_window_problem(stage)
    if problem:
        return problem
    return ""


@transaction.atomic
def assignment_create(*, actor, stage, nomination, reviewer, kind=MemberKind.REVIEWER):
    """Assign one panel member to one dossier in one stage, after every check
    (assignment_problem)."""
    kind = MemberKind(kind)
    problem = assignment_problem(stage=stage, nomination=nomination, reviewer=reviewer, kind=kind)
    if problem:
        raise AssignmentError(problem)
    assignment = Assignment.objects.create(
        stage=stage, nomination=nomination, reviewer=reviewer, kind=kind, created_by=actor
    )
    audit_record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        to_state="active",
        data={"stage": stage.pk, "nomination": nomination.pk, "reviewer": reviewer.pk},
    )
    return assignment


def _withdraw(*, actor, assignment, reason: str) -> Assignment:
    assignment.withdrawn_at = timezone.now()
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
    return assignment


@transaction.atomic
def assignment_withdraw(*, actor, assignment: Assignment, reason: str) -> Assignment:
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError(_("Give a reason for withdrawing the assignment."))
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.withdrawn_at is not None:
        raise AssignmentError(_("This assignment has already been withdrawn."))
    _withdraw(actor=actor, assignment=locked, reason=reason)
    assignment.withdrawn_at, assignment.withdrawn_reason = locked.withdrawn_at, reason
    return locked


@transaction.atomic
def assignment_recuse(*, actor, assignment: Assignment, reason: str) -> Recusal:
    """The reviewer steps back from this dossier (迴避) with a reason: the assignment is
    withdrawn, the recusal recorded and audited, and the secretariat told by e-mail. The
    reviewer is never assigned this dossier again (assignment_problem, assignments_plan).
    Refused once the review is submitted: the secretariat must reopen it first."""
    reason = (reason or "").strip()
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("review", "reviewer", "nomination__agency", "stage")
        .get(pk=assignment.pk)
    )
    if locked.reviewer_id != getattr(actor, "pk", None):
        raise AssignmentError(_("Only the assigned reviewer can recuse from a dossier."))
    if locked.withdrawn_at is not None:
        raise AssignmentError(_("This assignment has already been withdrawn."))
    review = getattr(locked, "review", None)
    if review is not None and review.state == ReviewState.SUBMITTED:
        raise AssignmentError(
            _(
                "You have already submitted this review, so you cannot recuse from it here. "
                "Ask the secretariat to reopen the review (tell them why); once it is "
                "reopened you can recuse."
            )
        )
    if not reason:
        raise AssignmentError(_("Say why you recuse from this dossier."))
    message = _("Recused by the reviewer: %(reason)s") % {"reason": reason}
    _withdraw(actor=actor, assignment=locked, reason=message)
    recusal = Recusal.objects.create(
        assignment=locked, nomination=locked.nomination, reviewer=locked.reviewer, reason=reason
    )
    audit_record(
        actor=actor,
        action="assignment.recuse",
        obj=recusal,
        from_state="active",
        to_state="recused",
        reason=reason,
        data={
            "assignment": locked.pk,
            "nomination": locked.nomination_id,
            "stage": locked.stage_id,
            "reviewer": locked.reviewer_id,
        },
    )
    notifications.recusal_told(recusal_id=recusal.pk)
    assignment.withdrawn_at, assignment.withdrawn_reason = locked.withdrawn_at, message
    return recusal


def _shortfall_reason(kind, needed, possible, conflicted, existing) -> str:
    if kind == MemberKind.SITE_ASSESSOR:
        if conflicted:
            return _("1 site assessor needed, every one of the panel's is conflicted")
        return _("1 site assessor needed, none free on the panel")
    values = {"needed": needed, "possible": possible, "existing": existing}
    if existing:
        if conflicted:
            return (
                ngettext(
                    "%(needed)s more reviewer needed besides the %(existing)s assigned, "
                    "%(possible)s others not conflicted",
                    "%(needed)s more reviewers needed besides the %(existing)s assigned, "
                    "%(possible)s others not conflicted",
                    needed,
                )
                % values
            )
        return (
            ngettext(
                "%(needed)s more reviewer needed besides the %(existing)s assigned, "
                "the panel has only %(possible)s others",
                "%(needed)s more reviewers needed besides the %(existing)s assigned, "
                "the panel has only %(possible)s others",
                needed,
            )
            % values
        )
    if conflicted:
        return (
            ngettext(
                "%(needed)s reviewer needed, %(possible)s not conflicted",
                "%(needed)s reviewers needed, %(possible)s not conflicted",
                needed,
            )
            % values
        )
    return (
        ngettext(
            "%(needed)s reviewer needed, the panel has only %(possible)s",
            "%(needed)s reviewers needed, the panel has only %(possible)s",
            needed,
        )
        % values
    )


@dataclass
class PlannedAssignment:
    """One assignment automatic assignment would create."""

    nomination: Nomination
    reviewer: object  # the User
    kind: str
    matches: bool = False  # the reviewer holds the agency's service area

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.nomination.pk, self.reviewer.pk, str(self.kind))


@dataclass
class AssignmentPlan:
    planned: list[PlannedAssignment]
    summary: list[NominationSummary]
    uses_areas: bool = False  # the scheme defines areas of expertise

    @property
    def matched(self) -> int | None:
        if not self.uses_areas:
            return None
        return sum(1 for p in self.planned if p.matches)


@dataclass
class Expertise:
    """Who holds which area and which area each agency serves, in one scheme."""

    defined: bool
    agency_area: dict  # agency id -> area id
    held: dict  # user id -> set of area ids

    def matches(self, nomination, user_id) -> bool:
        area = self.agency_area.get(nomination.agency_id)
        return area is not None and area in self.held.get(user_id, set())


def expertise_for(scheme_id, nominations, members) -> Expertise:
    """The scheme's areas for these dossiers' agencies and these members, in three
    queries."""
    if not ExpertiseArea.objects.filter(scheme_id=scheme_id).exists():
        return Expertise(defined=False, agency_area={}, held={})
    agency_area = dict(
        AgencyServiceArea.objects.filter(
            scheme_id=scheme_id, agency_id__in={n.agency_id for n in nominations}
        ).values_list("agency_id", "area_id")
    )
    held = defaultdict(set)
    for user_id, area_id in ExpertiseArea.reviewers.through.objects.filter(
        expertisearea__scheme_id=scheme_id, user_id__in={m.user_id for m in members}
    ).values_list("user_id", "expertisearea_id"):
        held[user_id].add(area_id)
    return Expertise(defined=True, agency_area=agency_area, held=held)


def assignments_plan(*, stage, category, nominations=None, assume_state=False) -> AssignmentPlan:
    """What assignments_auto would create, without writing anything (the same rules, see
    there). `assume_state`: treat the given `nominations` as already in the state this
    stage reviews (e.g. finalists about to be shortlisted, for the shortlist preview).
    AssignmentError with a report if any dossier cannot be served."""
    _ensure_scoring_stage(stage, category)
    if not Panel.objects.filter(category=category).exists():
        raise AssignmentError(
            _("%(category)s has no panel yet: add reviewers first.") % {"category": category.name}
        )
    wanted = nomination_state_for(stage)
    qs = Nomination.objects.select_related("agency").filter(category=category)
    if nominations is None:
        targets = list(qs.filter(state=wanted).order_by("pk"))
    else:
        ids = [getattr(n, "pk", n) for n in nominations]
        targets = list(qs.filter(pk__in=ids).order_by("pk"))
        found = {n.pk for n in targets}
        strays = [pk for pk in ids if pk not in found]
        if not assume_state:
            strays += [n for n in targets if n.state != wanted]
        if strays:
            raise AssignmentError(
                _("Only %(state)s dossiers of %(category)s can be assigned in this stage.")
                % {"state": NominationState(wanted).label.lower(), "category": category.name}
            )
    reviewers = _panel_members(category, MemberKind.REVIEWER)
    assessors = _panel_members(category, MemberKind.SITE_ASSESSOR) if stage.is_site_visit else []
    prefixes = conflict_prefixes(stage.edition, [m.user for m in reviewers + assessors])

    active = Assignment.objects.filter(stage=stage, withdrawn_at__isnull=True)
    load = defaultdict(
        int,
        active.order_by()
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
        .values_list("reviewer_id", "n"),
    )
    on_dossier = defaultdict(set)  # nomination id -> user ids already on it (any kind)
    for nomination_id, reviewer_id in active.filter(
        nomination__in=[n.pk for n in targets]
    ).values_list("nomination_id", "reviewer_id"):
        on_dossier[nomination_id].add(reviewer_id)

    recused = set(
        Recusal.objects.filter(nomination__in=[n.pk for n in targets]).values_list(
            "nomination_id", "reviewer_id"
        )
    )
    areas = expertise_for(stage.edition.scheme_id, targets, reviewers + assessors)

    k = stage.reviewers_per_dossier
    plans = []  # (slack, nomination, kind, needed, candidates)
    report = []
    for nomination in targets:
        here = on_dossier[nomination.pk]
        for kind, members, want in (
            (MemberKind.REVIEWER, reviewers, k),
            (MemberKind.SITE_ASSESSOR, assessors, 1 if assessors else 0),
        ):
            existing = sum(1 for m in members if m.user_id in here)
            needed = max(want - existing, 0)
            if not needed:
                continue
            free = [m for m in members if m.user_id not in here]
            candidates = [
                m
                for m in free
                if not path_is_conflicted(nomination.agency.path, prefixes[m.user_id])
                and (nomination.pk, m.user_id) not in recused
            ]
            if len(candidates) < needed:
                report.append(
                    Shortfall(
                        nomination=nomination,
                        kind=kind,
                        needed=needed,
                        possible=len(candidates),
                        reason=_shortfall_reason(
                            kind,
                            needed,
                            len(candidates),
                            len(free) - len(candidates),
                            existing,
                        ),
                    )
                )
                continue
            plans.append((len(candidates) - needed, nomination, kind, needed, candidates))
    if report:
        raise AssignmentError(
            ngettext(
                "Automatic assignment stopped: %(count)s dossier cannot get enough "
                "reviewers. Nothing was assigned.",
                "Automatic assignment stopped: %(count)s dossiers cannot get enough "
                "reviewers. Nothing was assigned.",
                len({s.nomination.pk for s in report}),
            )
            % {"count": len({s.nomination.pk for s in report})},
            report=report,
        )

    types_on = defaultdict(set)
    members_by_user = {m.user_id: m for m in reviewers + assessors}
    for nomination_id, users in on_dossier.items():
        types_on[nomination_id] = {
            members_by_user[u].affiliation_type for u in users if u in members_by_user
        }
    summaries = {
        n.pk: NominationSummary(nomination=n, existing=len(on_dossier[n.pk])) for n in targets
    }
    planned = []
    plans.sort(key=lambda p: (p[0], p[2] != MemberKind.REVIEWER, p[1].pk))
    for _slack, nomination, kind, needed, candidates in plans:
        pool = list(candidates)
        for _i in range(needed):
            pick = min(
                pool,
                key=lambda m: (
                    load[m.user_id],
                    m.affiliation_type in types_on[nomination.pk],
                    not areas.matches(nomination, m.user_id),
                    m.user_id,
                ),
            )
            pool.remove(pick)
            planned.append(
                PlannedAssignment(
                    nomination=nomination,
                    reviewer=pick.user,
                    kind=kind,
                    matches=areas.matches(nomination, pick.user_id),
                )
            )
            load[pick.user_id] += 1
            types_on[nomination.pk].add(pick.affiliation_type)
            summaries[nomination.pk].added.append(pick.user)
    return AssignmentPlan(
        planned=planned, summary=list(summaries.values()), uses_areas=areas.defined
    )


@transaction.atomic
def assignments_auto(*, actor, stage, category, nominations=None) -> AutoAssignResult:
    """Give each dossier of the category `stage.reviewers_per_dossier` reviewers, counting
    the active assignments it already has (and, in a site-visit stage, one site assessor
    if the panel has any). Never a conflicted pair; the least-loaded reviewers in this
    stage first, then affiliation types not yet on the dossier, then by user id; the
    most constrained dossiers first. If any dossier cannot be served, AssignmentError
    with a report and nothing is written. Running it again adds nothing.
    assignments_plan() says beforehand what this creates."""
    plan = assignments_plan(stage=stage, category=category, nominations=nominations)
    problem = assignment_window_problem(stage)
    if problem:
        raise AssignmentError(problem)
    created = []
    for item in plan.planned:
        assignment = Assignment.objects.create(
            stage=stage,
            nomination=item.nomination,
            reviewer=item.reviewer,
            kind=item.kind,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="assignment.create",
            obj=assignment,
            to_state="active",
            data={"stage": stage.pk, "nomination": item.nomination.pk, "auto": True},
        )
        created.append(assignment)
    if created:
        audit_record(
            actor=actor,
            action="assignment.auto",
            obj=category,
            to_state=str(len(created)),
            data={"stage": stage.pk, "created": len(created), "matched": plan.matched},
        )
    return AutoAssignResult(created=created, summary=plan.summary, matched=plan.matched)


@transaction.atomic
def assignments_reassign(
    *, actor, stage, from_reviewer, to_reviewer, nominations, reason: str
) -> list[Assignment]:
    """Move dossiers from one panel member to another in a stage: each is withdrawn from
    the first and assigned to the second. All or nothing: if any row cannot move,
    AssignmentError with a report naming each row and why, and nothing changes."""
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError(_("Give a reason for the re-assignment."))
    if from_reviewer.pk == to_reviewer.pk:
        raise AssignmentError(_("Choose two different people to move dossiers between."))
    nominations = list(nominations)
    if not nominations:
        raise AssignmentError(_("Choose at least one dossier to move."))
    rows, moves = [], []
    for nomination in nominations:
        row = ReassignRow(nomination=nomination)
        rows.append(row)
        current = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("review")
            .filter(
                stage=stage,
                nomination=nomination,
                reviewer=from_reviewer,
                withdrawn_at__isnull=True,
            )
            .first()
        )
        if current is None:
            row.problem = _("%(name)s is not assigned to it in this stage.") % {
                "name": from_reviewer.get_full_name()
            }
            continue
        review = getattr(current, "review", None)
        if review is not None and review.state == ReviewState.SUBMITTED:
            row.problem = _("%(name)s has already submitted a review of it.") % {
                "name": from_reviewer.get_full_name()
            }
            continue
        problem = assignment_problem(
            stage=stage, nomination=nomination, reviewer=to_reviewer, kind=current.kind
        )
        if problem:
            row.problem = problem
            continue
        moves.append(current)
    if any(row.problem for row in rows):
        failed = sum(1 for row in rows if row.problem)
        raise AssignmentError(
            ngettext(
                "Nothing was moved: %(count)s dossier cannot be re-assigned.",
                "Nothing was moved: %(count)s dossiers cannot be re-assigned.",
                failed,
            )
            % {"count": failed},
            report=rows,
        )
    created = []
    for current in moves:
        _withdraw(actor=actor, assignment=current, reason=reason)
        created.append(
            assignment_create(
                actor=actor,
                stage=stage,
                nomination=current.nomination,
                reviewer=to_reviewer,
                kind=current.kind,
            )
        )
    return created
