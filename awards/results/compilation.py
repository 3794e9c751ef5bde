"""What a compilation reads and what it makes of it, without writing anything.

`input_digest(edition)` hashes everything that decides the results (scores of submitted
reviews in weighted stages, tie decisions, the review policy, stage weights, award rules,
levels and special-award selections, nomination states, the poll's published tally), in a
canonical order, so the same data always gives the same checksum.

`snapshot(edition)` builds ResultVersion.data (shape documented in models.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from awards.enums import NominationState
from awards.models import Category, Edition, Nomination
from rubrics.models import Indicator
from scoring import aggregation as agg
from scoring.enums import ReviewState
from scoring.models import Assignment, ReviewPolicy, Score, TieDecision
from scoring.selectors.standings import final_standings, weighted_stages

from .enums import AwardBasis
from .models import AwardLevel, AwardRule, AwardSelection


class ResultsError(Exception):
    """A refused results action; `messages` are translated, for the user."""

    def __init__(self, *messages):
        super().__init__(" ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


def open_reviews(edition: Edition) -> list[Assignment]:
    """Active assignments in the edition's weighted stages whose review is not
    submitted (not started, draft or reopened): compiling now would miss their scores."""
    return list(
        Assignment.objects.filter(
            stage__edition=edition, stage__score_weight__gt=0, withdrawn_at__isnull=True
        )
        .exclude(review__state=ReviewState.SUBMITTED)
        .select_related("stage", "nomination__agency", "reviewer")
        .order_by("stage__order", "nomination__agency__path", "reviewer__full_name", "pk")
    )


def _dump(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def _rules(edition) -> list[AwardRule]:
    return list(
        AwardRule.objects.filter(category__edition=edition)
        .select_related("category")
        .order_by("category__order", "category__code")
    )


def _published_run(edition):
    from surveys.models import Poll

    poll = Poll.objects.filter(edition=edition).select_related("published_run").first()
    return poll, (poll.published_run if poll else None)


def input_digest(edition: Edition) -> tuple[str, dict]:
    """(SHA-256 hex of the canonical inputs, counts of what was read)."""
    h = hashlib.sha256()
    counts = {}

    def part(name, value):
        h.update(name.encode() + b"\x00" + _dump(value) + b"\x00")

    # The policy's values, with the defaults when the edition has no row yet (the
    # standings create it with those defaults on first use).
    stored = ReviewPolicy.objects.filter(edition=edition).first() or ReviewPolicy(edition=edition)
    part(
        "policy",
        {
            f.attname: getattr(stored, f.attname)
            for f in ReviewPolicy._meta.concrete_fields
            if not f.primary_key
        },
    )
    stages = weighted_stages(edition)
    part("stages", [[s.pk, s.score_weight, s.order] for s in stages])
    rules = _rules(edition)
    part(
        "rules",
        [
            [
                r.category_id,
                r.basis,
                r.winners,
                None if r.min_score is None else str(r.min_score),
                r.finalists_only,
                r.award_name_zh,
                r.award_name_en,
            ]
            for r in rules
        ],
    )
    part(
        "levels",
        list(
            AwardLevel.objects.filter(edition=edition)
            .order_by("-min_score")
            .values_list("name_zh", "name_en", "min_score")
        ),
    )
    part(
        "selections",
        list(
            AwardSelection.objects.filter(category__edition=edition)
            .order_by("category_id", "agency_id")
            .values_list("category_id", "agency_id", "citation_zh", "citation_en")
        ),
    )
    nominations = list(
        Nomination.objects.filter(edition=edition)
        .order_by("pk")
        .values_list("pk", "category_id", "agency_id", "state", "title")
    )
    part("nominations", nominations)
    counts["nominations"] = len(nominations)
    n_scores = 0
    h.update(b"scores\x00")
    for row in (
        Score.objects.filter(
            review__state=ReviewState.SUBMITTED,
            review__assignment__stage__in=stages,
            review__assignment__withdrawn_at__isnull=True,
        )
        .order_by("review_id", "indicator_id")
        .values_list(
            "review_id",
            "review__assignment__stage_id",
            "review__assignment__nomination_id",
            "review__assignment__reviewer_id",
            "indicator_id",
            "points",
        )
        .iterator(chunk_size=5000)
    ):
        h.update(_dump([*row[:5], None if row[5] is None else str(row[5])]))
        n_scores += 1
    counts["scores"] = n_scores
    ties = list(
        TieDecision.objects.filter(stage__edition=edition)
        .order_by("stage_id", "nomination_id")
        .values_list("stage_id", "nomination_id", "position")
    )
    part("ties", ties)
    counts["tie_decisions"] = len(ties)
    poll, run = _published_run(edition)
    if run is not None:
        part("poll", {"run": run.pk, "results": run.results})
        counts["poll_run"] = run.pk
    else:
        part("poll", None)
    return h.hexdigest(), counts


def _f(value):
    return None if value is None else float(value)


def _level(levels, score):
    for level in levels:  # highest minimum first
        if score is not None and score >= float(level.min_score):
            return level
    return None


def _indicator_means(category, stages, indicators) -> dict:
    """nomination id -> [raw mean points per indicator, combined over stages by weight]."""
    per_stage = defaultdict(dict)  # (nomination, indicator) -> {stage: mean}
    for row in (
        Score.objects.filter(
            review__state=ReviewState.SUBMITTED,
            review__assignment__stage__in=stages,
            review__assignment__withdrawn_at__isnull=True,
            review__assignment__nomination__category=category,
            points__isnull=False,
        )
        .values("review__assignment__nomination_id", "review__assignment__stage_id", "indicator_id")
        .annotate(mean=Avg("points"), n=Count("id"))
        .order_by()
    ):
        key = (row["review__assignment__nomination_id"], row["indicator_id"])
        per_stage[key][row["review__assignment__stage_id"]] = float(row["mean"])
    out = {}
    nominations = {n for n, _i in per_stage}
    for n in nominations:
        out[n] = [
            agg.combine_stages(
                (s.score_weight, per_stage.get((n, i.pk), {}).get(s.pk)) for s in stages
            )
            for i in indicators
        ]
    return out


def _category_head(category: Category, rule: AwardRule) -> dict:
    return {
        "id": category.pk,
        "code": category.code,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "basis": rule.basis,
        "award_name_zh": rule.award_name_zh or category.name_zh,
        "award_name_en": rule.award_name_en or category.name_en,
        "winners": rule.winners,
        "min_score": _f(rule.min_score),
        "finalists_only": rule.finalists_only,
        "method": "",
        "maximum": None,
        "stages": [],
        "dimensions": [],
        "indicators": [],
        "rows": [],
        "warnings": [],
        "close_call": None,
    }


def _empty_row(position, agency) -> dict:
    return {
        "position": position,
        "rank": None,
        "agency_id": agency.pk,
        "agency_code": agency.code,
        "agency_zh": agency.name_zh,
        "agency_en": agency.name_en,
        "nomination_id": None,
        "title": "",
        "state": "",
        "score": None,
        "votes": None,
        "share": None,
        "stage_scores": [],
        "dimension_scores": [],
        "indicator_scores": [],
        "tied": False,
        "decided": False,
        "incomplete": False,
        "winner": False,
        "level_zh": "",
        "level_en": "",
        "citation_zh": "",
        "citation_en": "",
    }


@dataclass(frozen=True)
class Candidate:
    """A dossier of a ranking, as the award rule sees it: in ranking order."""

    key: object
    score: float | None
    incomplete: bool
    state: str
    tied: bool = False  # shares its rank, undecided by the chair
    tie_group: tuple = ()


def rule_winners(
    ranking: Iterable[Candidate],
    *,
    winners: int | None,
    min_score: float | None,
    finalists_only: bool,
) -> list[tuple[object, bool]]:
    """The award rule's winners of a ranking (best first), each with whether it won only
    by sharing the last winning place (a tie the chair has not decided). A candidate can
    win with a score, complete reviews, finalist status (if the rule asks) and at least
    the minimum score; the best `winners` of those win (no limit when None), and every
    one tied with the last of them. The one rule for compiling and for the decision
    sensitivity's alternative rankings (sensitivity.py)."""
    out = []
    winners_left = winners
    last = None
    for c in ranking:
        eligible = (
            c.score is not None
            and not c.incomplete
            and (not finalists_only or c.state == NominationState.FINALIST)
            and (min_score is None or c.score >= min_score)
        )
        if not eligible:
            continue
        shares_last_place = last is not None and c.tied and c.tie_group == last.tie_group
        if winners_left is not None and winners_left <= 0 and not shares_last_place:
            break  # the places are taken and tied groups are contiguous: nobody after wins
        if winners_left is None or winners_left > 0 or shares_last_place:
            beyond = winners_left is not None and winners_left <= 0
            out.append((c.key, beyond))
            if winners_left is not None:
                winners_left -= 1
            last = c
    return out


def _standings_category(edition, category, rule, levels) -> dict:
    out = _category_head(category, rule)
    fs = final_standings(edition, category)
    out["method"] = fs.method
    out["maximum"] = fs.rubric.total_points if fs.rubric else None
    out["stages"] = [
        {"id": s.pk, "name_zh": s.name_zh, "name_en": s.name_en, "weight": s.score_weight}
        for s in fs.stages
    ]
    out["dimensions"] = [
        {"id": d.pk, "name_zh": d.name_zh, "name_en": d.name_en, "max_points": d.max_points}
        for d in fs.dimensions
    ]
    indicators = list(
        Indicator.objects.filter(dimension__rubric=fs.rubric).order_by(
            "dimension__order", "dimension_id", "order", "id"
        )
    )
    out["indicators"] = [
        {
            "id": i.pk,
            "dimension_id": i.dimension_id,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "max_points": i.max_points,
        }
        for i in indicators
    ]
    means = _indicator_means(category, fs.stages, indicators)
    chosen = dict(
        rule_winners(
            (
                Candidate(
                    r.nomination.pk,
                    r.score,
                    r.incomplete,
                    r.nomination.state,
                    r.tied,
                    r.tie_group,
                )
                for r in fs.rows
            ),
            winners=rule.winners,
            min_score=None if rule.min_score is None else float(rule.min_score),
            finalists_only=rule.finalists_only,
        )
    )
    for r in fs.rows:
        n = r.nomination
        row = _empty_row(r.position, n.agency)
        row.update(
            rank=r.rank,
            nomination_id=n.pk,
            title=n.title,
            state=n.state,
            score=r.score,
            stage_scores=[s.score for s in r.stages],
            dimension_scores=[v for _d, v in r.dimensions],
            indicator_scores=means.get(n.pk, [None] * len(indicators)),
            tied=r.tied,
            decided=r.decided,
            incomplete=r.incomplete,
        )
        if n.pk in chosen:
            row["winner"] = True
            if chosen[n.pk]:
                out["warnings"].append(
                    _(
                        "%(agency)s shares the last winning place (a tie the chair "
                        "has not decided), so it wins too."
                    )
                    % {"agency": n.agency.name_zh}
                )
            level = _level(levels, r.score)
            if level is not None:
                row["level_zh"], row["level_en"] = level.name_zh, level.name_en
        out["rows"].append(row)
    return out


def _poll_category(edition, category, rule, run) -> dict:
    from agencies.models import Agency

    out = _category_head(category, rule)
    if run is None:
        raise ResultsError(
            _(
                "“%(category)s” is decided by the telephone poll, whose results are not "
                "published yet. Publish the poll's tally first."
            )
            % {"category": category.name}
        )
    results = run.results
    agencies = {
        a.code: a for a in Agency.objects.filter(code__in=[r["code"] for r in results["rows"]])
    }
    winners = set(results.get("winners") or [])
    for i, t in enumerate(results["rows"], start=1):
        agency = agencies.get(t["code"])
        if agency is None:
            continue
        row = _empty_row(i, agency)
        row.update(
            rank=t.get("rank"),
            votes=t.get("votes"),
            share=t.get("estimate") if t.get("estimate") is not None else t.get("share"),
            winner=t["code"] in winners,
        )
        out["rows"].append(row)
    if results.get("tie"):
        out["warnings"].append(
            _("The poll had a tie for the last place; its tie rule decided the winners.")
        )
    out["close_call"] = _close_call(results, agencies)
    if out["close_call"]:
        c = out["close_call"]
        out["warnings"].append(
            _(
                "Too close to call: in the poll the last winner (%(last)s) leads the next "
                "(%(next)s) by %(lead).3f, within the margin of error of that lead "
                "(±%(moe).3f, 95 %%)."
            )
            % {
                "last": c["last_winner_zh"],
                "next": c["next_zh"],
                "lead": c["lead"],
                "moe": c["moe_of_lead"],
            }
        )
    return out


def _close_call(results: dict, agencies: dict) -> dict | None:
    """The tally's "too close to call" flag (the last winner's lead over the next inside
    the margin of error of that lead), with both agencies' names, or None."""
    close = results.get("close_call")
    if not close or not close.get("within_margin"):
        return None
    out = dict(close)
    for key in ("last_winner", "next"):
        agency = agencies.get(close[key])
        out[f"{key}_zh"] = agency.name_zh if agency else close[key]
        out[f"{key}_en"] = (agency.name_en or agency.name_zh) if agency else close[key]
    return out


def _selection_category(category, rule) -> dict:
    out = _category_head(category, rule)
    for i, s in enumerate(
        AwardSelection.objects.filter(category=category)
        .select_related("agency")
        .order_by("agency__path"),
        start=1,
    ):
        row = _empty_row(i, s.agency)
        row.update(winner=True, citation_zh=s.citation_zh, citation_en=s.citation_en)
        out["rows"].append(row)
    return out


def snapshot(edition: Edition) -> dict:
    levels = list(AwardLevel.objects.filter(edition=edition).order_by("-min_score"))
    poll, run = _published_run(edition)
    categories = []
    errors = []
    for rule in _rules(edition):
        category = rule.category
        try:
            if rule.basis == AwardBasis.STANDINGS:
                categories.append(_standings_category(edition, category, rule, levels))
            elif rule.basis == AwardBasis.POLL:
                categories.append(_poll_category(edition, category, rule, run))
            else:
                categories.append(_selection_category(category, rule))
        except ResultsError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ResultsError(*errors)
    return {
        "edition": {
            "id": edition.pk,
            "number": edition.number,
            "name_zh": edition.name_zh,
            "name_en": edition.name_en,
            "scheme_code": edition.scheme.code,
        },
        "categories": categories,
        "poll": None
        if run is None
        else {
            "run_id": run.pk,
            "title_zh": poll.title_zh,
            "title_en": poll.title_en,
            "n_votes": run.results.get("n_votes"),
            "close_call": run.results.get("close_call"),
            "rows": [
                {k: v for k, v in r.items() if not k.startswith("_")} for r in run.results["rows"]
            ],
        },
    }
