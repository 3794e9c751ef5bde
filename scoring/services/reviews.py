"""A reviewer's scoring of one assignment: open, save as draft, submit, reopen.

Points arrive as the text the reviewer typed and are checked here, on the server, against
the indicator's maximum and the rubric's whole/half-point rule. A save based on an old
version (a second tab) is refused and kept as a refused revision, so nothing typed is
lost. Every accepted save, submission and reopening writes a ReviewRevision with all the
scores: that is the score history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.numbers import normalise, parse_decimal
from agencies.rules import is_secretariat
from awards.windows import stage_problem
from rubrics.models import Indicator
from workflow.transitions import Transition, Workflow

from ..enums import ReviewState
from ..models import Assignment, Review, ReviewRevision, Score
from .conflicts import has_declared, is_conflicted

NON_FIELD = "__all__"


class ReviewError(ValidationError):
    """A review request the rules refuse; the message says why, translated."""


def _review_refusal(review, from_state: str, to_state: str) -> str:
    if to_state == ReviewState.REOPENED:
        return _("Only a submitted review can be reopened; this one is “%(state)s”.") % {
            "state": ReviewState(from_state).label
        }
    return _("This review is “%(from)s” and cannot become “%(to)s”.") % {
        "from": ReviewState(from_state).label,
        "to": ReviewState(to_state).label,
    }


# The review's transition table (workflow.transitions): the reviewer submits (through
# review_save, which checks the stage, conflicts and points first); the secretariat
# reopens a submitted review with a reason (review_reopen).
REVIEW_WORKFLOW = Workflow(
    model=Review,
    states=ReviewState,
    field="state",
    initial=(ReviewState.DRAFT,),
    error_class=ReviewError,
    refusal=_review_refusal,
    transitions=[
        Transition(
            "submit",
            (ReviewState.DRAFT, ReviewState.REOPENED),
            ReviewState.SUBMITTED,
            _l("Submit the review"),
            permission="scoring.submit_review",
            audit_action="review.submit",
        ),
        Transition(
            "reopen",
            (ReviewState.SUBMITTED,),
            ReviewState.REOPENED,
            _l("Reopen the review"),
            permission="scoring.reopen_review",
            reason_required=True,
            audit_action="review.reopen",
        ),
    ],
)


SUMS_FIELDS = ("total_tenths", "scored_count", "dimension_tenths")


def review_sums(points) -> dict:
    """A review's stored sums (Review.total_tenths, scored_count, dimension_tenths) from
    its (points, dimension id) pairs, one per score: the points of the scored
    indicators, in tenths of a point (exact integers), overall and per dimension."""
    total, scored, per_dimension = 0, 0, {}
    for given, dimension_id in points:
        if given is None:
            continue
        tenths = int(given * 10)
        total += tenths
        scored += 1
        key = f"d{dimension_id}"
        per_dimension[key] = per_dimension.get(key, 0) + tenths
    return {"total_tenths": total, "scored_count": scored, "dimension_tenths": per_dimension}


def _points_of(reviews):
    """(review id, points, dimension id) of these reviews' scores, as plain tuples."""
    return Score.objects.filter(review__in=reviews).values_list(
        "review_id", "points", "indicator__dimension_id"
    )


NO_SUMS = dict.fromkeys(SUMS_FIELDS)


def review_sums_store(reviews) -> int:
    """Store (or clear) the sums of these reviews from their scores as they are now: a
    submitted review gets its sums, any other its NULLs. For writers that make reviews in
    bulk (the benchmarks, a migration, test data); review_transition keeps them for
    everything else. Two queries whatever the number of reviews, plus the update."""
    reviews = list(reviews)
    by_pk = {review.pk: review for review in reviews}
    points = defaultdict(list)
    for review_id, given, dimension_id in _points_of(list(by_pk)):
        points[review_id].append((given, dimension_id))
    for pk, review in by_pk.items():
        sums = review_sums(points[pk]) if review.state == ReviewState.SUBMITTED else NO_SUMS
        for key, value in sums.items():
            setattr(review, key, value)
    return Review.objects.bulk_update(reviews, SUMS_FIELDS, batch_size=1000)


def review_transition(
    *,
    review: Review,
    to_state: str,
    actor,
    reason: str = "",
    update: dict | None = None,
    data: dict | None = None,
    locked: Review | None = None,
    after_commit=(),
) -> Review:
    """The one writer of a review's state: REVIEW_WORKFLOW.apply (row lock, the table,
    update_fields, the audit entry, effects after commit). The services below check the
    stage, the reviewer and the points first.

    It also keeps the review's stored sums, in the same UPDATE: a review becoming
    submitted gets the sums of its scores (from `update` when the caller has them, else
    read here in one query), a review leaving that state has them cleared."""
    update = dict(update or {})
    if str(to_state) == ReviewState.SUBMITTED:
        if "total_tenths" not in update:
            update.update(review_sums((p, d) for _r, p, d in _points_of([review.pk])))
    else:
        update.update(NO_SUMS)
    return REVIEW_WORKFLOW.apply(
        review,
        to_state,
        actor=actor,
        reason=reason,
        update=update,
        data=data,
        locked=locked,
        after_commit=after_commit,
    )


class ReviewInvalid(ReviewError):
    """What was typed is not acceptable. Built from a dict of field errors keyed like the
    form's fields (`points-<indicator id>`, `overall_comment`, `reason`, ...)."""


class ReviewClosed(ReviewError):
    """The review cannot change now: stage closed or not for scoring, assignment
    withdrawn, reviewer conflicted, or the review already submitted (locked)."""


@dataclass
class ReviewConflict(Exception):
    """A save based on an old version: the review was saved elsewhere in between. The
    refused input is kept as a ReviewRevision(accepted=False)."""

    review: Review
    current_version: int
    saved_at: object
    saved_by: str
    yours: dict = field(default_factory=dict)  # {indicator id: (points text, comment)}
    your_overall_comment: str = ""

    @property
    def message(self) -> str:
        when = (
            timezone.localtime(self.saved_at, self.review.assignment.stage.edition.tzinfo)
            if self.saved_at
            else None
        )
        return _(
            "This review was saved in another tab or window at %(time)s. Your changes were "
            "not saved over it: both are shown below. Check them and save again."
        ) % {"time": when.strftime("%H:%M") if when else "—"}

    def __str__(self):
        return self.message


# --- reading ---------------------------------------------------------------------------


def rubric_indicators(rubric) -> list[Indicator]:
    """The rubric's indicators in form order (dimension order, then indicator order)."""
    return list(
        Indicator.objects.filter(dimension__rubric=rubric)
        .select_related("dimension")
        .order_by("dimension__order", "dimension_id", "order", "id")
    )


def rubric_has_scores(rubric) -> bool:
    """Whether anyone has scored with this rubric: then it is frozen (rubrics.services)."""
    return Score.objects.filter(indicator__dimension__rubric=rubric).exists()


def review_total(review: Review) -> Decimal:
    """The sum of the points given so far (unscored indicators count as nothing)."""
    return sum(
        (score.points for score in review.scores.all() if score.points is not None),
        Decimal("0"),
    )


def review_scores_data(review: Review) -> dict:
    """All the review's scores as JSON-ready data for a revision."""
    return {
        str(score.indicator_id): {
            "points": None if score.points is None else str(score.points),
            "comment": score.comment,
        }
        for score in review.scores.all()
    }


# --- the rules -------------------------------------------------------------------------


def review_closed_reason(assignment: Assignment, review: Review | None = None) -> str:
    """Why this assignment's review cannot change now, or "" if it can."""
    stage = assignment.stage
    edition = stage.edition
    if assignment.withdrawn_at is not None:
        return _("This assignment was withdrawn; its review can no longer change.")
    if not stage.allows_scoring:
        return _("The stage “%(stage)s” does not take scores.") % {"stage": stage.name}
    problem = stage_problem(stage)
    if problem:
        return problem
    if not has_declared(edition, assignment.reviewer):
        return _("Declare your conflicts of interest for this edition first.")
    if is_conflicted(edition, assignment.reviewer, assignment.nomination.agency):
        return _("You have a conflict of interest with %(agency)s.") % {
            "agency": assignment.nomination.agency.name
        }
    if review is not None and review.state == ReviewState.SUBMITTED:
        when = timezone.localtime(review.submitted_at, edition.tzinfo)
        return _(
            "This review was submitted on %(time)s and is locked. Only the secretariat can "
            "reopen it."
        ) % {"time": when.strftime("%Y-%m-%d %H:%M")}
    return ""


def _ensure_editable(actor, assignment: Assignment, review: Review | None) -> None:
    if actor is None or actor.pk != assignment.reviewer_id:
        raise ReviewClosed(_("Only the assigned reviewer can score this dossier."))
    reason = review_closed_reason(assignment, review)
    if reason:
        raise ReviewClosed(reason)


def parse_points(text, indicator: Indicator, *, allows_half: bool):
    """(points or None, error message or ""). Empty text means "not scored yet"."""
    text = normalise(text)
    if text == "":
        return None, ""
    name = indicator.name
    value = parse_decimal(text)  # not Decimal(): it reads "1_0" as 10
    if value is None:
        return None, _("“%(indicator)s”: “%(text)s” is not a number.") % {
            "indicator": name,
            "text": text[:20],
        }
    if value < 0:
        return None, _("“%(indicator)s”: points cannot be negative.") % {"indicator": name}
    if value > indicator.max_points:
        return None, _("“%(indicator)s”: at most %(max)s points; you gave %(value)s.") % {
            "indicator": name,
            "max": indicator.max_points,
            "value": text[:20],
        }
    if allows_half:
        if (value * 2) % 1 != 0:
            return None, _("“%(indicator)s”: use whole or half points (e.g. 12 or 12.5).") % {
                "indicator": name
            }
    elif value % 1 != 0:
        return None, _("“%(indicator)s”: use whole points only (no decimals).") % {
            "indicator": name
        }
    return value.quantize(Decimal("0.1")), ""


# --- writing ---------------------------------------------------------------------------


@transaction.atomic
def review_open(assignment: Assignment) -> Review:
    """The assignment's review, created on first opening with one empty score per
    indicator of the category's rubric (indicators added later get theirs too)."""
    review, _created = Review.objects.get_or_create(assignment=assignment)
    rubric = assignment.nomination.category.rubric
    have = set(review.scores.values_list("indicator_id", flat=True))
    missing = [i for i in rubric_indicators(rubric) if i.pk not in have]
    if missing:
        Score.objects.bulk_create(
            [Score(review=review, indicator=i, points=None) for i in missing],
            ignore_conflicts=True,
        )
    return review


_LOCKED_RELATED = (
    "assignment__stage__edition",
    "assignment__nomination__agency",
    "assignment__nomination__category__rubric",
    "assignment__reviewer",
)


def _load_locked(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related(*_LOCKED_RELATED)
        .get(pk=review.pk)
    )


def _load_locked_with_scores(review: Review) -> tuple[Review, dict[int, Score]]:
    """The review locked (its row alone, as _load_locked) and its scores by indicator, in
    one query: the scores with their review joined, FOR UPDATE OF the review. A review
    always has its rubric's scores (review_open makes them); one without any is loaded
    by itself."""
    scores = list(
        Score.objects.select_for_update(of=("review",))
        .select_related(*(f"review__{path}" for path in _LOCKED_RELATED), "indicator__dimension")
        .filter(review_id=review.pk)
    )
    if not scores:
        return _load_locked(review), {}
    locked = scores[0].review
    for score in scores:
        score.review = locked
    return locked, {score.indicator_id: score for score in scores}


def review_save(
    *,
    actor,
    review: Review,
    scores: dict,
    overall_comment: str,
    based_on_version: int,
    submit: bool = False,
) -> Review:
    """Save the reviewer's points and comments (all or nothing), and submit if asked.

    `scores` maps indicator id to (points text, comment); indicators left out keep what
    they have. Raises ReviewClosed, ReviewInvalid (nothing saved) or ReviewConflict (the
    input is kept as a refused revision). Do not call inside an outer transaction that
    a conflict would roll back."""
    overall_comment = (overall_comment or "").strip()
    typed = {int(k): (v[0], (v[1] or "").strip()) for k, v in scores.items()}
    with transaction.atomic():
        locked, current = _load_locked_with_scores(review)
        assignment = locked.assignment
        _ensure_editable(actor, assignment, locked)
        rubric = assignment.nomination.category.rubric
        errors: dict[str, list[str]] = {}
        parsed: dict[int, tuple] = {}
        for indicator_id, (text, comment) in typed.items():
            score = current.get(indicator_id)
            if score is None:
                errors.setdefault(NON_FIELD, []).append(
                    _("One of the scores is not for an indicator of this rubric.")
                )
                continue
            points, error = parse_points(
                text, score.indicator, allows_half=rubric.allows_half_points
            )
            if error:
                errors[f"points-{indicator_id}"] = [error]
            parsed[indicator_id] = (points, comment)
        if locked.version != based_on_version:
            same = (
                not errors
                and locked.overall_comment == overall_comment
                and all(
                    current[i].points == p and current[i].comment == c
                    for i, (p, c) in parsed.items()
                )
            )
            if same and not submit:
                return locked  # a replayed save of what is already there
            conflict = True
        else:
            conflict = False
            if submit:
                for indicator_id, score in current.items():
                    points = parsed[indicator_id][0] if indicator_id in parsed else score.points
                    key = f"points-{indicator_id}"
                    if points is None and key not in errors:
                        errors[key] = [
                            _("“%(indicator)s”: give points before submitting.")
                            % {"indicator": score.indicator.name}
                        ]
            if errors:
                raise ReviewInvalid(errors)
            return _apply(actor, locked, current, parsed, overall_comment, based_on_version, submit)
    if conflict:
        current_review = Review.objects.select_related("assignment__stage__edition").get(
            pk=review.pk
        )
        ReviewRevision.objects.create(
            review=current_review,
            event="submit" if submit else "save",
            based_on_version=based_on_version,
            accepted=False,
            scores={
                str(i): {"points": str(text or "").strip(), "comment": comment}
                for i, (text, comment) in typed.items()
            },
            overall_comment=overall_comment,
            saved_by=actor,
        )
        last = current_review.revisions.filter(accepted=True).select_related("saved_by").first()
        raise ReviewConflict(
            review=current_review,
            current_version=current_review.version,
            saved_at=current_review.updated_at,
            saved_by=str(last.saved_by) if last and last.saved_by else "",
            yours=typed,
            your_overall_comment=overall_comment,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _apply(actor, locked, current, parsed, overall_comment, based_on_version, submit):
    now = timezone.now()
    changed = []
    for indicator_id, (points, comment) in parsed.items():
        score = current[indicator_id]
        if score.points != points or score.comment != comment:
            score.points, score.comment = points, comment
            changed.append(score)
    if changed:
        Score.objects.bulk_update(changed, ["points", "comment"])
    fields = {
        "overall_comment": overall_comment,
        "version": locked.version + 1,
        "updated_at": now,
    }
    if submit:
        fields["submitted_at"] = now
        fields.update(review_sums((s.points, s.indicator.dimension_id) for s in current.values()))
        total = sum((s.points for s in current.values() if s.points is not None), Decimal("0"))
        review_transition(
            review=locked,
            to_state=ReviewState.SUBMITTED,
            actor=actor,
            update=fields,
            data={"version": fields["version"], "total": str(total)},
            locked=locked,
        )
    else:
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save(update_fields=list(fields))
    ReviewRevision.objects.create(
        review=locked,
        event="submit" if submit else "save",
        based_on_version=based_on_version,
        accepted=True,
        scores={
            str(i): {
                "points": None if s.points is None else str(s.points),
                "comment": s.comment,
            }
            for i, s in current.items()
        },
        overall_comment=overall_comment,
        saved_at=now,
        saved_by=actor,
    )
    locked._prefetched_objects_cache = {}
    return locked


@transaction.atomic
def review_reopen(*, actor, review: Review, reason: str) -> Review:
    """The secretariat reopens a submitted review so its reviewer can change it. The
    reason is required; the reviewer is told by e-mail."""
    if actor is None or not is_secretariat(actor):
        raise ReviewError(_("Only the secretariat can reopen a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ReviewInvalid(
            {"reason": [_("Give a reason for reopening the review: the reviewer will read it.")]}
        )
    locked = _load_locked(review)
    based_on = locked.version
    from ..review_mail import review_reopened_mail

    review_transition(
        review=review,
        to_state=ReviewState.REOPENED,
        actor=actor,
        reason=reason,
        update={"version": based_on + 1},
        locked=locked,
    )
    ReviewRevision.objects.create(
        review=locked,
        event="reopen",
        based_on_version=based_on,
        accepted=True,
        scores=review_scores_data(locked),
        overall_comment=locked.overall_comment,
        reason=reason,
        saved_by=actor,
    )
    review_reopened_mail(locked.pk)  # into the outbox; sent after commit
    return locked
