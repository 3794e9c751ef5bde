"""Issue 14, point 11, on the poll side: an out-of-date tally cannot be published (and the
refusal says what changed); a stalled tally says so within its heartbeat interval, in the
edition's local time; a lost database connection is reported as such, not as "the
worker"; counts are printed with proper plurals."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from agencies.models import AuditEntry
from surveys import services
from surveys.models import Response
from tests.conftest import html, squash, texts
from tests.factories import AgencyFactory, UserFactory, interviewer_user, poll_votes, tally_run

pytestmark = pytest.mark.django_db

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


def _client(user):
    c = Client()
    c.cookies["lang"] = "en"
    if user is not None:
        c.force_login(user)
    return c


def _done_run(poll, secretariat):
    run = services.poll_tally_start(poll=poll, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    return run


def _closed_poll_with_votes(poll, cand, strata):
    poll_votes(poll, {cand["X"]: 6, cand["Y"]: 3, cand["Z"]: 1}, stratum=strata["A"])
    poll_votes(poll, {cand["X"]: 2, cand["Y"]: 5, cand["Z"]: 3}, stratum=strata["B"])
    poll.status = "closed"
    poll.save(update_fields=["status"])


# --- publishing an out-of-date tally ----------------------------------------------------------


def test_an_up_to_date_tally_is_published(poll, cand, strata, secretariat):
    _closed_poll_with_votes(poll, cand, strata)
    run = _done_run(poll, secretariat)
    assert services.tally_changes(run) == []
    services.poll_publish(poll=poll, run=run, actor=secretariat)
    poll.refresh_from_db()
    assert poll.published_run == run


def test_a_tally_whose_responses_changed_is_refused_with_what_changed(
    poll, cand, strata, secretariat
):
    _closed_poll_with_votes(poll, cand, strata)
    run = _done_run(poll, secretariat)
    # after the tally: one vote corrected from X to Z, and two more interviews for Y
    changed = Response.objects.filter(poll=poll, candidate=cand["X"]).first()
    changed.candidate = cand["Z"]
    changed.save(update_fields=["candidate"])
    poll_votes(poll, {cand["Y"]: 2}, stratum=strata["B"])
    with pytest.raises(services.PollError) as exc:
        services.poll_publish(poll=poll, run=run, actor=secretariat)
    assert exc.value.messages == [
        "The responses changed since this tally was run, so it is out of date. Run the tally "
        "again and publish the new run.",
        "Households “Complete interview”: 20 then, 22 now.",
        "Votes for X: 8 then, 7 now.",
        "Votes for Y: 8 then, 10 now.",
        "Votes for Z: 4 then, 5 now.",
    ]
    poll.refresh_from_db()
    assert poll.published_run is None
    assert not AuditEntry.objects.filter(action="poll.publish").exists()
    # a new run counts the change and can be published
    fresh = _done_run(poll, secretariat)
    services.poll_publish(poll=poll, run=fresh, actor=secretariat)
    poll.refresh_from_db()
    assert poll.published_run == fresh


def test_votes_moved_between_districts_are_a_change_too(poll, cand, strata, secretariat):
    _closed_poll_with_votes(poll, cand, strata)
    run = _done_run(poll, secretariat)
    a = Response.objects.filter(poll=poll, candidate=cand["X"], stratum=strata["A"]).first()
    b = Response.objects.filter(poll=poll, candidate=cand["Y"], stratum=strata["B"]).first()
    a.candidate, b.candidate = cand["Y"], cand["X"]
    a.save(update_fields=["candidate"])
    b.save(update_fields=["candidate"])
    assert services.tally_changes(run) == [
        "Votes moved between districts; the totals per department are the same."
    ]


def test_publish_page_shows_the_refusal_to_the_secretariat_and_nothing_to_others(
    poll, cand, strata, secretariat
):
    _closed_poll_with_votes(poll, cand, strata)
    run = _done_run(poll, secretariat)
    poll_votes(poll, {cand["Z"]: 1}, stratum=strata["A"])
    url = reverse("surveys:publish", args=[poll.pk])
    response = _client(secretariat).post(url, {"run": run.pk})
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//div[@id='publish-errors']/h2") == ["Not published"]
    assert texts(tree, "//div[@id='publish-errors']//li") == [
        "Households “Complete interview”: 20 then, 21 now.",
        "Votes for Z: 4 then, 5 now.",
    ]
    # an interviewer and an agency editor may not publish: 404, and nothing changes
    for user in (
        interviewer_user(email="iv2@example.test"),
        UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory(code="OUT"))]),
    ):
        assert _client(user).post(url, {"run": run.pk}).status_code == 404
    poll.refresh_from_db()
    assert poll.published_run is None


# --- a stalled tally ----------------------------------------------------------------------


def _page(user, poll, run, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return _client(user).get(reverse("surveys:tally_run", args=[poll.pk, run.pk]), headers=headers)


def test_a_silent_running_tally_says_it_stalled_within_its_heartbeat_interval(
    poll, secretariat, settings
):
    settings.SURVEYS_TALLY_HEARTBEAT_SECONDS = 10
    beat = datetime.datetime(2026, 3, 2, 1, 15, 0, tzinfo=datetime.UTC)  # 09:15 in Taipei
    run = tally_run(poll, status="running", progress=10, heartbeat_at=beat, started_at=beat)
    with time_machine.travel(beat + datetime.timedelta(seconds=9), tick=False):
        tree = html(_page(secretariat, poll, run))
        assert tree.xpath("//div[@id='tally-stalled']") == []
        assert "Counting… 10 %" in squash(" ".join(texts(tree, "//label")))
    with time_machine.travel(beat + datetime.timedelta(seconds=11), tick=False):
        tree = html(_page(secretariat, poll, run))
        assert texts(tree, "//div[@id='tally-stalled']/h2") == ["This tally has stalled"]
        assert texts(tree, "//div[@id='tally-stalled']/p") == [
            "The worker counting this tally has sent no sign of life since 2026-03-02 "
            "09:15:00 (Taipei time), 11 seconds ago, at 10 %: it has probably stopped.",
            "A tally silent for 60 seconds is given up: then run the tally again.",
        ]
        # the page keeps following it, so it shows when the worker resumes
        assert tree.xpath("//div[@id='tally-status']/@hx-trigger") == ["every 1s"]


def test_a_queued_tally_no_worker_took_says_so(poll, secretariat):
    asked = datetime.datetime(2026, 3, 2, 1, 0, 0, tzinfo=datetime.UTC)
    with time_machine.travel(asked, tick=False):
        run = services.poll_tally_start(poll=poll, actor=secretariat)  # never executed
    with time_machine.travel(asked + datetime.timedelta(seconds=30), tick=False):
        tree = html(_page(secretariat, poll, run, htmx=False))
    assert texts(tree, "//div[@id='tally-stalled']/p")[0] == (
        "No worker has picked this tally up since 2026-03-02 09:00:00 (Taipei time), "
        "30 seconds ago: the background worker may not be running."
    )


def test_stalled_tally_page_is_the_secretariats_only(poll, secretariat):
    run = tally_run(poll, status="running", progress=10)
    for user in (
        interviewer_user(email="iv3@example.test"),
        UserFactory(roles=[(Role.REVIEWER, None)]),
    ):
        response = _page(user, poll, run)
        assert response.status_code == 404
        assert b"tally-stalled" not in response.content


def test_an_abandoned_run_reports_the_stop_in_local_time(poll, cand, strata, secretariat):
    poll_votes(poll, {cand["X"]: 1}, stratum=strata["A"])
    beat = datetime.datetime(2026, 3, 2, 1, 15, 0, tzinfo=datetime.UTC)
    dead = tally_run(poll, status="running", progress=10, heartbeat_at=beat)
    with time_machine.travel(beat + datetime.timedelta(minutes=2), tick=False):
        services.poll_tally_start(poll=poll, actor=secretariat)
        tree = html(_page(secretariat, poll, dead, htmx=False))
    assert texts(tree, "//p[@id='failure-cause']") == [
        "The worker counting this tally stopped: its last sign of life was at 2026-03-02 "
        "09:15:00 (Taipei time)."
    ]


def test_a_lost_database_connection_is_reported_as_such(poll, cand, strata, secretariat):
    poll_votes(poll, {cand["X"]: 2}, stratum=strata["A"])
    run = services.poll_tally_start(poll=poll, actor=secretariat)

    def drop_counting(execute, sql, params, many, context):
        if "GROUP BY" in sql and "surveys_response" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    at = datetime.datetime(2026, 3, 2, 1, 20, 0, tzinfo=datetime.UTC)
    with time_machine.travel(at, tick=False):
        with connection.execute_wrapper(drop_counting), pytest.raises(OperationalError):
            services.poll_tally_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == "failed"
        assert run.inputs["failure"] == {
            "cause": "database",
            "at": at.isoformat(),
            "detail": "server closed the connection unexpectedly",
        }
        tree = html(_page(secretariat, poll, run, htmx=False))
    assert texts(tree, "//p[@id='failure-cause']") == [
        "The tally lost its connection to the database at 2026-03-02 09:20:00 (Taipei time)."
    ]
    page = squash(" ".join(texts(tree, "//div[@id='tally-failed']")))
    assert "worker" not in page


# --- plurals ------------------------------------------------------------------------------


def test_counts_on_the_tally_page_use_plurals(poll, cand, strata, secretariat):
    poll_votes(poll, {cand["X"]: 1}, stratum=strata["A"])
    run = _done_run(poll, secretariat)
    tree = html(_page(secretariat, poll, run, htmx=False))
    assert texts(tree, "//dl[contains(@class,'run-meta')]/dd")[-1] == (
        "1 household, 1 interview, 1 vote"
    )


def test_one_valid_vote_and_one_household_in_the_sample(poll, cand, strata, secretariat):
    poll_votes(poll, {cand["X"]: 1}, stratum=strata["A"])
    run = _done_run(poll, secretariat)
    tree = html(_page(secretariat, poll, run, htmx=False))
    (caption,) = texts(tree, "//table/caption[contains(., 'valid vote')]")
    assert caption.startswith("1 valid vote · design effect")
    tree = html(_client(secretariat).get(reverse("surveys:fieldwork", args=[poll.pk])))
    assert "1 household in the sample, 0 not called yet." in texts(tree, "//p[@class='muted']")
