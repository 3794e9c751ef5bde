"""Shortlisting (入圍): the secretariat selects finalists from a stage's standings.

shortlist_preview() says which dossiers a rule (top N ranks, a count, a threshold) would
select and what stands in the way; shortlist_plan() checks a chosen selection and says
what confirming it does (who becomes a finalist, and which reviewers and assessors are
assigned to them in the next scoring stage); finalists_select() does it: the ELIGIBLE
nominations become FINALIST through awards.services.nomination_transition and the next
stage's assignments are created, in one transaction, all or nothing, with the e-mails
queued only once it commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.numbers import int_list, parse_decimal
from awards.enums import NominationState as S
from awards.enums import NoteVisibility
from awards.services import nomination_transition
from workflow.audit import audit_record

from .assignment import AssignmentError, PlannedAssignment, assignments_auto, assignments_plan

BY_RANK, BY_COUNT, BY_THRESHOLD = "rank", "count", "threshold"
SELECTABLE = (S.ELIGIBLE, S.FINALIST)


class ShortlistError(ValidationError):
    """A shortlist the rules refuse; the messages say which dossiers and why."""


@dataclass
class ShortlistPreview:
    by: str
    value: object
    rows: list = field(default_factory=list)  # StandingRow, in rank order
    problems: list[str] = field(default_factory=list)

    @property
    def nomination_ids(self) -> list[int]:
        return [r.nomination.pk for r in self.rows]


def _number(value, *, whole: bool, label: str):
    number = parse_decimal(value)  # not Decimal(): it reads "1_0" as 10
    if number is None or number < (1 if whole else 0):
        if whole:
            raise ShortlistError(
                _("%(field)s: enter a whole number of at least 1.") % {"field": label}
            )
        raise ShortlistError(_("%(field)s: enter a number of points, e.g. 750.") % {"field": label})
    if whole:
        if number != number.to_integral_value():
            raise ShortlistError(
                _("%(field)s: enter a whole number of at least 1.") % {"field": label}
            )
        return int(number)
    return float(number)


def cut_problems(standings, selected_rows) -> list[str]:
    """Why this selection cannot be made yet: within the cut (every row ranked at or above
    the lowest selected one, and anything tied with a selected row) no standing may be
    incomplete or tied with the chair's decision outstanding."""
    if not selected_rows:
        return []
    chosen = {r.nomination.pk for r in selected_rows}
    last = max(r.position for r in selected_rows)
    in_cut = [
        r
        for r in standings.rows
        if r.position <= last or r.nomination.pk in chosen or set(r.tie_group) & chosen
    ]
    problems = []
    for r in in_cut:
        if r.score is None:
            problems.append(
                _("%(agency)s has no submitted review yet.") % {"agency": r.agency.name}
            )
        elif r.incomplete:
            problems.append(
                _("%(agency)s: reviews incomplete (%(submitted)s of %(assigned)s submitted).")
                % {"agency": r.agency.name, "submitted": r.submitted, "assigned": r.assigned}
            )
    for group in standings.tied_groups:
        if any(r in in_cut for r in group):
            problems.append(
                _("%(agencies)s are tied at rank %(rank)s: the chair has to decide.")
                % {"agencies": _(", ").join(r.agency.name for r in group), "rank": group[0].rank}
            )
    return problems


def shortlist_preview(stage, category, *, by: str, value, standings=None) -> ShortlistPreview:
    """Which dossiers a rule would select: by "rank" (every dossier ranked N or better,
    so a tie at the cut is included), "count" (the first N places) or "threshold"
    (a score of at least `value` points). Unscored dossiers are never selected.
    `standings`: this stage's standings when the caller has them already."""
    from ..selectors import standings as sel

    if standings is None:
        standings = sel.stage_standings(stage, category)
    scored = [r for r in standings.rows if r.score is not None]
    if by == BY_RANK:
        n = _number(value, whole=True, label=_("Top ranks"))
        rows = [r for r in scored if r.rank <= n]
    elif by == BY_COUNT:
        n = _number(value, whole=True, label=_("Number of dossiers"))
        rows = scored[:n]
    elif by == BY_THRESHOLD:
        threshold = _number(value, whole=False, label=_("Threshold"))
        if threshold > standings.maximum:
            raise ShortlistError(
                _("Threshold: at most %(max)s points, the rubric total.")
                % {"max": standings.maximum}
            )
        rows = [r for r in scored if round(r.score, 4) >= round(threshold, 4)]
        value = threshold
    else:
        raise ShortlistError(_("Choose how to select: by rank, by count or by threshold."))
    return ShortlistPreview(by=by, value=value, rows=rows, problems=cut_problems(standings, rows))


def next_scoring_stage(stage):
    """The first stage after `stage` in which reviewers score (e.g. the site visit)."""
    return (
        stage.edition.stages.filter(allows_scoring=True, order__gt=stage.order)
        .order_by("order", "starts_on")
        .first()
    )


@dataclass
class ShortlistPlan:
    """What confirming a selection does: `to_make` become finalists (the rest of
    `selected` already are), and `assignments` are created in `following`."""

    stage: object
    category: object
    selected: list  # StandingRow, in rank order
    to_make: list  # StandingRow: not finalists yet
    following: object | None  # the next scoring stage, or None
    method: str = ""  # the standings' aggregation
    assignments: list[PlannedAssignment] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Changes when what confirming would do changes (a stale preview is refused)."""
        parts = [f"n{r.nomination.pk}" for r in self.to_make]
        parts += [f"a{n}-{u}-{k}" for n, u, k in sorted(a.key for a in self.assignments)]
        parts.append(f"s{self.following.pk if self.following else ''}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def assignments_by_nomination(self) -> list[tuple]:
        """[(StandingRow, [PlannedAssignment, ...])] for the dossiers to become finalists."""
        by = {}
        for a in self.assignments:
            by.setdefault(a.nomination.pk, []).append(a)

        def order(a):
            return (str(a.kind) != "reviewer", a.reviewer.get_full_name(), a.reviewer.pk)

        return [(r, sorted(by.get(r.nomination.pk, []), key=order)) for r in self.to_make]


@dataclass
class ShortlistResult:
    made: list  # Nominations made finalists
    following: object | None
    created: list  # Assignments created in `following`


def _assignment_problems(following, exc: AssignmentError) -> list[str]:
    return [
        _("The finalists could not be assigned for %(stage)s:") % {"stage": following.name},
        *exc.messages,
        *(f"{row.nomination.agency.name}: {row.reason}" for row in exc.report),
    ]


def shortlist_plan(*, actor, stage, category, nomination_ids) -> ShortlistPlan:
    """Check a selection and say what confirming it does. ShortlistError, with the list
    of which dossiers and why, if any is not in these standings, is not eligible, if a
    standing within the cut is incomplete or tied without the chair's decision, or if the
    next scoring stage's panel cannot serve the new finalists. Writes nothing."""
    from ..selectors import standings as sel

    if not actor.has_perm("scoring.shortlist"):
        raise ShortlistError(_("Only the secretariat selects finalists."))
    ids = int_list(nomination_ids)
    if ids is None:
        raise ShortlistError(_("The selection names an unknown dossier."))
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ShortlistError(_("Select at least one dossier to shortlist."))
    standings = sel.stage_standings(stage, category)
    by_id = {r.nomination.pk: r for r in standings.rows}
    if any(pk not in by_id for pk in ids):
        raise ShortlistError(_("The selection names a dossier that is not in these standings."))
    selected = sorted((by_id[pk] for pk in ids), key=lambda r: r.position)
    problems = cut_problems(standings, selected)
    problems += [
        _("%(agency)s is “%(state)s”, not eligible.")
        % {"agency": r.agency.name, "state": S(r.nomination.state).label}
        for r in selected
        if r.nomination.state not in SELECTABLE
    ]
    if problems:
        raise ShortlistError(problems)
    to_make = [r for r in selected if r.nomination.state != S.FINALIST]
    plan = ShortlistPlan(
        stage=stage,
        category=category,
        selected=selected,
        to_make=to_make,
        following=next_scoring_stage(stage),
        method=standings.method,
    )
    if plan.following is not None and to_make:
        try:
            plan.assignments = assignments_plan(
                stage=plan.following,
                category=category,
                nominations=[r.nomination for r in to_make],
                assume_state=True,
            ).planned
        except AssignmentError as exc:
            raise ShortlistError(_assignment_problems(plan.following, exc)) from exc
    return plan


@transaction.atomic
def finalists_select(
    *,
    actor,
    stage,
    category,
    nomination_ids,
    reason: str = "",
    reason_visibility: str = NoteVisibility.INTERNAL,
    expected: str | None = None,
) -> ShortlistResult:
    """Make the selected nominations finalists and create their assignments in the next
    scoring stage, as shortlist_plan() says, in one transaction: refused as a whole
    (ShortlistError, nothing written, no e-mail) if the plan refuses or, given the
    `expected` fingerprint of the plan the user confirmed, if the plan has changed since.
    Nominations already finalists stay so. `reason`: the note on each finalist,
    internal unless `reason_visibility` is NoteVisibility.AGENCY."""
    try:
        visibility = NoteVisibility(reason_visibility)
    except ValueError:
        raise ShortlistError(_("Choose who may read the note.")) from None
    plan = shortlist_plan(
        actor=actor, stage=stage, category=category, nomination_ids=nomination_ids
    )
    if expected is not None and expected != plan.fingerprint:
        raise ShortlistError(
            _(
                "The standings or the panel changed since the preview: check the finalists "
                "and the assignments again before confirming."
            )
        )
    made = []
    for r in plan.to_make:
        nomination_transition(
            nomination=r.nomination,
            to_state=S.FINALIST,
            actor=actor,
            reason=reason,
            reason_visibility=visibility,
            data={
                "stage": stage.pk,
                "rank": r.rank,
                "score": None if r.score is None else round(r.score, 2),
            },
        )
        made.append(r.nomination)
    created = []
    if plan.following is not None and made:
        try:
            created = assignments_auto(
                actor=actor, stage=plan.following, category=category, nominations=made
            ).created
        except AssignmentError as exc:  # the plan said it could; refuse as a whole
            raise ShortlistError(_assignment_problems(plan.following, exc)) from exc
        if sorted(a.key for a in plan.assignments) != sorted(
            (a.nomination_id, a.reviewer_id, str(a.kind)) for a in created
        ):
            raise ShortlistError(
                _(
                    "The standings or the panel changed since the preview: check the "
                    "finalists and the assignments again before confirming."
                )
            )
    audit_record(
        actor=actor,
        action="shortlist.select",
        obj=stage,
        to_state=S.FINALIST.value,
        reason=reason.strip(),
        data={
            "category": category.pk,
            "method": plan.method,
            "selected": [r.nomination.pk for r in plan.selected],
            "made_finalist": [n.pk for n in made],
            "next_stage": plan.following.pk if plan.following else None,
            "assignments_created": len(created),
            "reason_visibility": visibility.value,
        },
    )
    return ShortlistResult(made=made, following=plan.following, created=created)
