"""The frozen inputs of a result version (VersionRecord.data, shape in models.py), and
what changed in the live data since.

`record(edition)` is written by the compile job next to the snapshot: everything the
workbook shows beyond the standings (every reviewer's scores, the site-visit tests, the
poll's figures and suggestions), so an approved version's workbook never reads live rows.

`changes_since(version)` compares the live inputs with the version's: the checksum
(compilation.input_digest) says whether anything that decides the results changed; the
review fingerprints and the poll's run say which reviews and whether the tally changed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from .compilation import _dump, input_digest

CHUNK = 4000


def _points(value):
    return None if value is None else float(value)


def _review_digest(state: str, scores: list) -> str:
    """A fingerprint of one review: its state and its (indicator, points) pairs."""
    return hashlib.sha256(_dump([state, sorted(scores)])).hexdigest()[:16]


def _scores_rows(edition):
    from .workbook import scores_in_order

    return scores_in_order(edition).values_list(
        "review_id", "indicator_id", "points", "comment", "review__state"
    )


def live_review_digests(edition) -> dict[str, str]:
    """review id (as text) -> fingerprint, for the edition's active assignments in the
    weighted stages (any state: a reopened review differs from its submitted self)."""
    from scoring.models import Score
    from scoring.selectors.standings import weighted_stages

    per_review = defaultdict(list)
    states = {}
    for review_id, state, indicator_id, points in (
        Score.objects.filter(
            review__assignment__stage__in=weighted_stages(edition),
            review__assignment__withdrawn_at__isnull=True,
        )
        .values_list("review_id", "review__state", "indicator_id", "points")
        .order_by()
        .iterator(chunk_size=CHUNK)
    ):
        per_review[review_id].append([indicator_id, None if points is None else str(points)])
        states[review_id] = state
    return {str(pk): _review_digest(states[pk], scores) for pk, scores in per_review.items()}


def _reviews(edition) -> dict:
    from scoring.enums import ReviewState
    from scoring.models import PanelMember, Review
    from scoring.selectors.standings import weighted_stages

    affiliations = {
        (category_id, user_id): kind
        for category_id, user_id, kind in PanelMember.objects.filter(
            panel__edition=edition
        ).values_list("panel__category_id", "user_id", "affiliation_type")
    }
    out = {}
    for pk, stage_id, nom_id, category_id, user_id, name, email, kind, overall, at in (
        Review.objects.filter(
            state=ReviewState.SUBMITTED,
            assignment__stage__in=weighted_stages(edition),
            assignment__withdrawn_at__isnull=True,
        )
        .values_list(
            "pk",
            "assignment__stage_id",
            "assignment__nomination_id",
            "assignment__nomination__category_id",
            "assignment__reviewer_id",
            "assignment__reviewer__full_name",
            "assignment__reviewer__email",
            "assignment__reviewer__affiliation_type",
            "overall_comment",
            "submitted_at",
        )
        .iterator(chunk_size=CHUNK)
    ):
        out[str(pk)] = [
            stage_id,
            nom_id,
            user_id,
            name or email,
            affiliations.get((category_id, user_id)) or kind,
            overall,
            at.isoformat() if at else None,
        ]
    return out


def _site_tests(edition) -> list[dict]:
    from django.db.models import Count, Prefetch

    from rubrics.models import Indicator
    from scoring.models import SiteTest

    tests = (
        SiteTest.objects.filter(assignment__stage__edition=edition)
        .select_related(
            "assignment__stage", "assignment__nomination__agency", "assignment__reviewer"
        )
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("dimension__order", "order", "id"),
            )
        )
        .annotate(n_evidence=Count("evidence"))
        .order_by("assignment__nomination__agency__code", "tested_at", "id")
    )
    out = []
    for t in tests:
        a = t.assignment
        agency = a.nomination.agency
        out.append(
            {
                "stage_zh": a.stage.name_zh,
                "stage_en": a.stage.name_en,
                "agency_code": agency.code,
                "agency_zh": agency.name_zh,
                "agency_en": agency.name_en,
                "assessor": a.reviewer.get_full_name() if a.reviewer else "",
                "kind": t.kind,
                "tested_at": t.tested_at.isoformat(),
                "subject": t.subject,
                "findings": t.findings,
                "indicators": [[i.name_zh, i.name_en] for i in t.indicators.all()],
                "evidence": t.n_evidence,
            }
        )
    return out


def _poll(edition) -> dict | None:
    from surveys.selectors import suggestions

    from .compilation import _published_run

    poll, run = _published_run(edition)
    if run is None:
        return None
    results = run.results or {}
    return {
        "run_id": run.pk,
        "results_digest": hashlib.sha256(_dump(results)).hexdigest()[:16],
        **{k: results.get(k) for k in ("n_weighted", "deff", "rr1", "coop1")},
        "dispositions": results.get("dispositions") or {},
        "strata": results.get("strata") or [],
        "suggestions": [
            [
                r.candidate.agency.code if r.candidate_id else "",
                r.candidate.agency.name_zh if r.candidate_id else "",
                r.candidate.agency.name_en if r.candidate_id else "",
                r.household.ref,
                r.suggestion,
            ]
            for r in suggestions(poll).iterator(chunk_size=CHUNK)
        ],
    }


def record(edition) -> dict:
    """VersionRecord.data for `edition` now (see models.VersionRecord)."""
    from awards.models import Nomination, Stage
    from rubrics.models import Indicator

    scores = []
    per_review = defaultdict(list)
    states = {}
    for review_id, indicator_id, points, comment, state in _scores_rows(edition).iterator(
        chunk_size=CHUNK
    ):
        scores.append([review_id, indicator_id, _points(points), comment])
        per_review[review_id].append([indicator_id, None if points is None else str(points)])
        states[review_id] = state
    return {
        "stages": {
            str(pk): [zh, en]
            for pk, zh, en in Stage.objects.filter(edition=edition).values_list(
                "pk", "name_zh", "name_en"
            )
        },
        "nominations": {
            str(row[0]): list(row[1:])
            for row in Nomination.objects.filter(edition=edition).values_list(
                "pk",
                "category_id",
                "category__name_zh",
                "category__name_en",
                "agency__code",
                "agency__name_zh",
                "agency__name_en",
            )
        },
        "indicators": {
            str(pk): [zh, en]
            for pk, zh, en in Indicator.objects.filter(
                dimension__rubric__category__edition=edition
            ).values_list("pk", "name_zh", "name_en")
        },
        "reviews": _reviews(edition),
        "scores": scores,
        "review_digests": {str(pk): _review_digest(states[pk], s) for pk, s in per_review.items()},
        "site_tests": _site_tests(edition),
        "poll": _poll(edition),
    }


def record_of(version) -> dict:
    """The frozen inputs of `version`; for a version compiled before they were frozen,
    the live ones (marked "live": True so the workbook can say so)."""
    from .models import VersionRecord

    stored = VersionRecord.objects.filter(version=version).values_list("data", flat=True).first()
    if stored is not None:
        return stored
    return {**record(version.edition), "live": True}


# --- what changed since ---------------------------------------------------------------------


@dataclass
class Changes:
    """Live inputs vs a version's. `changed` is False when the checksum still matches."""

    changed: bool
    reopened: list = field(default_factory=list)  # review ids no longer submitted
    rescored: list = field(default_factory=list)  # submitted again with other points
    added: list = field(default_factory=list)  # reviews counted now, not then
    removed: list = field(default_factory=list)  # gone (withdrawn assignment, deleted)
    poll: bool = False  # the published tally is another run or other results
    other: bool = False  # rules, ties, policy, nominations, levels, selections, weights
    rows: list = field(default_factory=list)  # [(kind, stage, agency, reviewer)] for the page


def changes_since(version) -> Changes:
    from scoring.enums import ReviewState
    from scoring.models import Review

    edition = version.edition
    checksum, _counts = input_digest(edition)
    if checksum == version.checksum:
        return Changes(changed=False)
    out = Changes(changed=True)
    data = record_of(version)
    if data.get("live"):  # nothing frozen to compare with: the checksum says it all
        out.other = True
        return out
    then = data.get("review_digests") or {}
    now = live_review_digests(edition)
    submitted_now = set(
        str(pk)
        for pk in Review.objects.filter(
            pk__in=[int(k) for k in now], state=ReviewState.SUBMITTED
        ).values_list("pk", flat=True)
    )
    for pk, digest in then.items():
        if pk not in now:
            out.removed.append(int(pk))
        elif pk not in submitted_now:
            out.reopened.append(int(pk))
        elif now[pk] != digest:
            out.rescored.append(int(pk))
    out.added = [int(pk) for pk in now if pk not in then and pk in submitted_now]
    live_poll = _poll_fingerprint(edition)
    frozen_poll = data.get("poll")
    out.poll = live_poll != (
        None if frozen_poll is None else (frozen_poll["run_id"], frozen_poll["results_digest"])
    )
    out.other = not (out.reopened or out.rescored or out.added or out.removed or out.poll)
    out.rows = _rows(out)
    return out


def _poll_fingerprint(edition):
    from .compilation import _published_run

    _poll_obj, run = _published_run(edition)
    if run is None:
        return None
    return run.pk, hashlib.sha256(_dump(run.results or {})).hexdigest()[:16]


def _rows(out: Changes) -> list:
    from scoring.models import Review

    kinds = {}
    for kind in ("reopened", "rescored", "added"):
        for pk in getattr(out, kind):
            kinds[pk] = kind
    reviews = Review.objects.filter(pk__in=kinds).select_related(
        "assignment__stage", "assignment__nomination__agency", "assignment__reviewer"
    )
    rows = [
        (
            kinds[r.pk],
            r.assignment.stage.name,
            r.assignment.nomination.agency.name,
            r.assignment.reviewer.get_full_name() or r.assignment.reviewer.email,
        )
        for r in reviews
    ]
    rows.sort(key=lambda r: (r[1], r[2], r[3]))
    return rows
