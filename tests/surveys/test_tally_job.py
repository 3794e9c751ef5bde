import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import AuditEntry
from surveys import services
from surveys.models import PollTallyRun, Response
from surveys.tasks import poll_tally
from tests.factories import PollCandidateFactory, PollFactory, StratumFactory, poll_votes, tally_run

pytestmark = pytest.mark.django_db


def _hand_example(cand, strata):
    poll_votes(cand["X"].poll, {cand["X"]: 6, cand["Y"]: 2, cand["Z"]: 2}, stratum=strata["A"])
    poll_votes(cand["X"].poll, {cand["X"]: 2, cand["Y"]: 6, cand["Z"]: 2}, stratum=strata["B"])


def test_tally_job_counts_in_the_database_and_matches_the_hand_figures(
    poll, cand, strata, secretariat, django_capture_on_commit_callbacks
):
    _hand_example(cand, strata)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.poll_tally_start(poll=poll, actor=secretariat)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == "done"
    assert run.progress == 100
    assert run.requested_by == secretariat
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert run.inputs == {
        "households": 20,
        "responses": 20,
        "votes": 20,
        "candidates": 3,
        "strata": 2,
        # what publishing compares with the live responses (stratum, candidate, votes)
        "dispositions": {"complete": 20},
        "cells": [
            [strata["A"].pk, cand["X"].pk, 6],
            [strata["A"].pk, cand["Y"].pk, 2],
            [strata["A"].pk, cand["Z"].pk, 2],
            [strata["B"].pk, cand["X"].pk, 2],
            [strata["B"].pk, cand["Y"].pk, 6],
            [strata["B"].pk, cand["Z"].pk, 2],
        ],
    }
    res = run.results
    assert [(r["code"], r["votes"], r["estimate"], r["moe"]) for r in res["rows"]] == [
        ("X", 8, 0.44, 0.22186),
        ("Y", 8, 0.36, 0.214535),
        ("Z", 4, 0.2, 0.17878),
    ]
    assert res["deff"] == 1.04
    assert res["winners"] == ["X", "Y"]
    assert res["close_call"]["within_margin"] is True
    assert res["rr1"] == 1.0 and res["coop1"] == 1.0
    assert list(
        AuditEntry.objects.filter(object_id=str(run.job_id), object_type="workflow.job")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["poll.tally.start", "poll.tally.done"]


def test_rerun_on_same_data_gives_identical_results(poll, cand, strata, secretariat):
    _hand_example(cand, strata)
    first = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=first.pk)
    second = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.pk != first.pk
    assert second.results == first.results
    assert second.inputs == first.inputs
    # running the task again for a finished run changes nothing
    assert poll_tally.apply(kwargs={"run_id": first.pk}).get() == {
        "run_id": first.pk,
        "status": "done",
    }
    first.refresh_from_db()
    assert first.results == second.results


def test_second_start_while_one_runs_is_refused(poll, secretariat):
    running = services.poll_tally_start(poll=poll, actor=secretariat)  # queued, not executed
    with pytest.raises(services.TallyAlreadyRunning) as caught:
        services.poll_tally_start(poll=poll, actor=secretariat)
    assert caught.value.run == running
    assert PollTallyRun.objects.filter(poll=poll).count() == 1


def test_database_refuses_two_active_runs_of_one_poll(poll):
    tally_run(poll, status="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        tally_run(poll, status="queued")
    # finished runs do not count
    tally_run(poll, status="done")
    tally_run(poll, status="failed")


def test_run_whose_worker_died_is_failed_and_the_next_run_is_complete(
    poll, cand, strata, secretariat
):
    _hand_example(cand, strata)
    stale = timezone.now() - datetime.timedelta(seconds=61)
    dead = tally_run(
        poll,
        status="running",
        progress=60,
        heartbeat_at=stale,
        started_at=stale,
        results={"rows": "half-written"},
    )
    run = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    dead.refresh_from_db()
    run.refresh_from_db()
    assert dead.status == "stale"
    assert dead.error.startswith("No sign of life since")
    assert dead.inputs["failure"] == {"cause": "stopped", "at": stale.isoformat(), "detail": ""}
    assert run.status == "done"
    assert run.inputs["votes"] == 20
    assert [(r["code"], r["votes"], r["estimate"]) for r in run.results["rows"]] == [
        ("X", 8, 0.44),
        ("Y", 8, 0.36),
        ("Z", 4, 0.2),
    ]
    assert (
        AuditEntry.objects.filter(action="poll.tally.abandon", object_id=str(dead.job_id)).count()
        == 1
    )


def test_a_live_run_is_not_taken_over(poll, secretariat):
    recent = timezone.now() - datetime.timedelta(seconds=30)
    tally_run(poll, status="running", heartbeat_at=recent)
    with pytest.raises(services.TallyAlreadyRunning):
        services.poll_tally_start(poll=poll, actor=secretariat)


def test_redelivered_task_takes_over_a_dead_run(poll, cand, strata):
    """With acks_late, a task whose worker died is delivered again: it resumes the run."""
    _hand_example(cand, strata)
    stale = timezone.now() - datetime.timedelta(minutes=5)
    run = tally_run(poll, status="running", progress=40, heartbeat_at=stale)
    poll_tally.apply(kwargs={"run_id": run.pk})
    run.refresh_from_db()
    assert run.status == "done"
    assert run.inputs["votes"] == 20


def test_partial_interviews_and_other_dispositions_do_not_vote(poll, cand, strata, secretariat):
    poll_votes(poll, {cand["X"]: 3}, stratum=strata["A"])
    poll_votes(poll, {cand["Y"]: 1}, stratum=strata["B"])
    from tests.factories import HouseholdFactory

    partial = HouseholdFactory(poll=poll, stratum=strata["B"], disposition="partial")
    Response.objects.create(
        poll=poll, household=partial, stratum=strata["B"], disposition="partial", source="import"
    )
    HouseholdFactory(poll=poll, stratum=strata["A"], disposition="refusal")
    HouseholdFactory(poll=poll, stratum=strata["A"], disposition="ineligible")
    HouseholdFactory(poll=poll, stratum=strata["A"])
    run = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    run.refresh_from_db()
    counts = {
        k: run.inputs[k] for k in ("households", "responses", "votes", "candidates", "strata")
    }
    assert counts == {"households": 8, "responses": 5, "votes": 4, "candidates": 3, "strata": 2}
    assert run.inputs["dispositions"] == {
        "": 1,
        "complete": 4,
        "ineligible": 1,
        "partial": 1,
        "refusal": 1,
    }
    # RR1 = 4 / (4 + 1 + 1 + 0 + 0 + 1) ; COOP1 = 4 / (4 + 1 + 1)
    assert run.results["rr1"] == round(4 / 7, 6)
    assert run.results["coop1"] == round(4 / 6, 6)
    # weighted: A (.6) all X; B (.4) all Y -> X .6, Y .4
    assert [(r["code"], r["votes"], r["estimate"]) for r in run.results["rows"]] == [
        ("X", 3, 0.6),
        ("Y", 1, 0.4),
        ("Z", 0, 0.0),
    ]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shares=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=4),
    votes=st.lists(
        st.lists(st.integers(min_value=0, max_value=6), min_size=4, max_size=4),
        min_size=4,
        max_size=4,
    ),
    places=st.integers(min_value=1, max_value=4),
)
def test_tally_equals_a_plain_recount(db, shares, votes, places):
    """For random samples, the tally's counts and weighted shares equal a recount done
    row by row in Python from the responses themselves."""
    from fractions import Fraction

    poll = PollFactory(award_places=places, target_sample_size=50)
    candidates = [PollCandidateFactory(poll=poll, order=i) for i in range(4)]
    total = sum(shares)
    strata = [
        StratumFactory(
            poll=poll,
            code=f"S{i}",
            population_share=f"{Fraction(s, total).__float__():.6f}",
            order=i,
        )
        for i, s in enumerate(shares)
    ]
    for stratum, row in zip(strata, votes, strict=False):
        poll_votes(poll, {c: n for c, n in zip(candidates, row, strict=True) if n}, stratum=stratum)
    run = services.poll_tally_start(poll=poll, actor=None)
    services.poll_tally_execute(run_id=run.pk)
    run.refresh_from_db()

    # plain recount
    counts, per_stratum, cell = {}, {}, {}
    for r in Response.objects.filter(poll=poll):
        if r.disposition == "complete" and r.candidate_id:
            counts[r.candidate_id] = counts.get(r.candidate_id, 0) + 1
            per_stratum[r.stratum_id] = per_stratum.get(r.stratum_id, 0) + 1
            cell[(r.stratum_id, r.candidate_id)] = cell.get((r.stratum_id, r.candidate_id), 0) + 1
    by_id = {row["candidate_id"]: row for row in run.results["rows"]}
    assert {cid: row["votes"] for cid, row in by_id.items() if row["votes"]} == counts
    assert run.results["n_votes"] == sum(counts.values())
    reached = [s for s in strata if per_stratum.get(s.pk)]
    if reached:
        norm = sum(Fraction(s.population_share) for s in reached)
        for c in candidates:
            expected = sum(
                Fraction(s.population_share)
                / norm
                * Fraction(cell.get((s.pk, c.pk), 0), per_stratum[s.pk])
                for s in reached
            )
            assert by_id[c.pk]["estimate"] == round(float(expected), 6)
        ranked = sorted(
            (c for c in candidates if counts.get(c.pk)),
            key=lambda c: -by_id[c.pk]["estimate"],
        )
        assert set(run.results["winners"]) >= {
            by_id[c.pk]["code"]
            for c in ranked[: min(places, len(ranked))]
            if by_id[c.pk]["estimate"]
            > (by_id[ranked[places].pk]["estimate"] if len(ranked) > places else -1)
        }
    else:
        assert run.results["winners"] == []
