"""Shortlisting (入圍): the secretariat selects finalists from a stage's standings.

shortlist_preview() says which dossiers a rule (top N ranks, a count, a threshold) would
select and what stands in the way; finalists_select() makes the chosen ELIGIBLE
nominations FINALIST through awards.services.nomination_transition, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.numbers import int_list, parse_decimal
from agencies.services import audit_record
from awards.enums import NominationState as S
from awards.services import nomination_transition

from .assignment import AssignmentError, assignments_auto

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


@transaction.atomic
def next_scoring_stage(stage):
    """The first stage after `stage` in which reviewers score (e.g. the site visit)."""
    return (
        stage.edition.stages.filter(allows_scoring=True, order__gt=stage.order)
        .order_by("order", "starts_on")
        .first()
    )


def finalists_select(*, actor, stage, category, nomination_ids, reason: str = "") -> list:
    """Make the selected nominations finalists. Refused as a whole, with the list of
    which dossiers and why, if any is not in these standings, is not eligible, or if a
    standing within the cut is incomplete or tied without the chair's decision.
    Nominations already finalists stay so. Returns the nominations made finalist."""
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
    made = []
    for r in selected:
        if r.nomination.state == S.FINALIST:
            continue
        nomination_transition(
            nomination=r.nomination,
            to_state=S.FINALIST,
            actor=actor,
            reason=reason,
            data={
                "stage": stage.pk,
                "rank": r.rank,
                "score": None if r.score is None else round(r.score, 2),
            },
        )
        made.append(r.nomination)
    audit_record(
        actor=actor,
        action="shortlist.select",
        obj=stage,
        to_state=S.FINALIST.value,
        reason=reason.strip(),
        data={
            "category": category.pk,
            "method": standings.method,
            "selected": [r.nomination.pk for r in selected],
            "made_finalist": [n.pk for n in made],
        },
    )
    # Advancing creates the next scoring stage's assignments, in this same transaction:
    # shortlisting and its assignments happen together or not at all.
    following = next_scoring_stage(stage)
    if following is not None and made:
        try:
            assignments_auto(actor=actor, stage=following, category=category, nominations=made)
        except AssignmentError as exc:
            raise ShortlistError(
                [
                    _("The finalists could not be assigned for %(stage)s:")
                    % {"stage": following.name},
                    *exc.messages,
                    *(f"{row.nomination.agency.name}: {row.reason}" for row in exc.report),
                ]
            ) from exc
    return made
