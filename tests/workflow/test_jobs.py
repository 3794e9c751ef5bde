"""The one job runner (workflow.jobs): idempotent enqueue, a claim taken once,
heartbeats, failures with a message, stale jobs seen and marked, re-runs."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from tests.factories import AgencyFactory, UserFactory
from workflow import jobs
from workflow.models import AuditEntry, Job
from workflow.tasks import job_run
from workflow.transitions import TransitionError

pytestmark = pytest.mark.django_db

SEEN = []  # what the test handler saw, in order (progress after each beat, language)


class Refused(Exception):
    def __init__(self, *messages):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def _count(job, beat):
    """A small real handler: counts the agency's name, beats at 30 and 70, writes a file."""
    SEEN.append(("language", translation.get_language()))
    if job.params.get("refuse"):
        raise Refused("The list is empty.", "Add a row.")
    if job.params.get("break"):
        raise ValueError("division by nothing")
    beat(30)
    SEEN.append(("progress", Job.objects.get(pk=job.pk).progress))
    beat(70)
    SEEN.append(("progress", Job.objects.get(pk=job.pk).progress))
    job.file.save("count.txt", ContentFile(b"3"), save=False)
    return {"letters": len(job.params.get("name", ""))}


jobs.register("test.count", _count, audit_prefix="test.count", errors=(Refused,))


@pytest.fixture(autouse=True)
def _clear():
    SEEN.clear()


@pytest.fixture
def target():
    return AgencyFactory()


@pytest.fixture
def user():
    return UserFactory()


def test_enqueue_is_idempotent_while_a_job_is_active(target, user):
    first, created = jobs.enqueue(kind="test.count", target=target, actor=user, language="en")
    again, created_again = jobs.enqueue(kind="test.count", target=target, actor=user)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Job.objects.count() == 1
    assert (first.target_type, first.target_id) == ("agencies.agency", target.pk)
    assert (first.status, first.progress, first.language) == ("queued", 0, "en")
    # another target or another kind is another job
    other, created_other = jobs.enqueue(kind="test.count", target=AgencyFactory(), actor=user)
    assert created_other and other.pk != first.pk


def test_the_database_refuses_two_active_jobs_of_a_kind_for_a_target(target):
    Job.objects.create(kind="test.count", target_type="agencies.agency", target_id=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(
            kind="test.count", target_type="agencies.agency", target_id=1, status="running"
        )
    Job.objects.create(kind="test.count", target_type="agencies.agency", target_id=1, status="done")


def test_progress_cannot_pass_100(target):
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="k", target_type="a.b", target_id=1, progress=101)


def test_the_task_runs_the_handler_with_heartbeats_in_the_requesters_language(
    target, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, _ = jobs.enqueue(
            kind="test.count", target=target, actor=user, params={"name": "abc"}, language="en"
        )
    assert len(callbacks) == 1  # the task is sent after commit, and ran (eager)
    job.refresh_from_db()
    assert SEEN == [("language", "en"), ("progress", 30), ("progress", 70)]
    assert (job.status, job.progress, job.result, job.error) == ("done", 100, {"letters": 3}, "")
    assert job.started_at <= job.heartbeat_at == job.finished_at
    assert job.file.name == f"jobs/test.count/{job.pk}-count.txt"
    with job.file.open("rb") as f:
        assert f.read() == b"3"
    assert list(
        AuditEntry.objects.filter(object_type="workflow.job", object_id=str(job.pk))
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    ) == [("test.count.start", "", "queued"), ("test.count.done", "running", "done")]


def test_a_job_is_claimed_once(target, user):
    job, _ = jobs.enqueue(kind="test.count", target=target, actor=user)
    claimed = jobs.claim(job.pk)
    assert claimed.status == "running" and claimed.progress == 1
    assert jobs.claim(job.pk) is None  # a second worker gets nothing
    # the task delivered again for a finished job does nothing more
    jobs.finish(claimed, {"letters": 0})
    assert job_run.apply(kwargs={"job_id": job.pk}).get() == {
        "job_id": job.pk,
        "kind": "test.count",
        "status": "done",
    }
    assert SEEN == []


def test_heartbeat_only_for_a_running_job_and_clamped(target, user):
    job, _ = jobs.enqueue(kind="test.count", target=target, actor=user)
    assert jobs.beat(job.pk, 50) is False  # still queued
    jobs.claim(job.pk)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        assert jobs.beat(job.pk, 140) is True
        job.refresh_from_db()
        assert job.progress == 100
        assert job.heartbeat_at == timezone.now()


def test_a_refusal_fails_the_job_with_its_messages(target, user):
    job, _ = jobs.enqueue(
        kind="test.count", target=target, actor=user, params={"refuse": True}, language="zh-hant"
    )
    job = jobs.run(job.pk)
    assert job.status == "failed"
    assert job.messages == ["The list is empty.", "Add a row."]
    assert job.error == "The list is empty. Add a row."
    assert job.finished_at is not None
    assert AuditEntry.objects.get(action="test.count.fail").reason == job.error


def test_an_unexpected_error_is_recorded_and_raised(target, user):
    job, _ = jobs.enqueue(kind="test.count", target=target, actor=user, params={"break": True})
    with pytest.raises(ValueError):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "division by nothing")


def test_a_silent_job_is_marked_stale_when_seen_and_a_new_one_is_queued(target, user, settings):
    settings.WORKFLOW_JOB_STALE_SECONDS = 60
    job, _ = jobs.enqueue(kind="test.count", target=target, actor=user)
    jobs.claim(job.pk)
    jobs.beat(job.pk, 40)
    later = timezone.now() + datetime.timedelta(seconds=59)
    assert jobs.stale_mark(now=later) == 0  # still alive
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        assert jobs.is_stale(Job.objects.get(pk=job.pk))
        fresh, created = jobs.enqueue(kind="test.count", target=target, actor=user)
    assert created and fresh.pk != job.pk
    job.refresh_from_db()
    assert job.status == "stale"
    assert job.error.startswith("No sign of life since")
    assert job.result["failure"]["cause"] == "stopped"
    assert (
        AuditEntry.objects.filter(action="test.count.abandon", object_id=str(job.pk)).count() == 1
    )
    # a stale job cannot be finished any more
    with pytest.raises(TransitionError):
        jobs.finish(job)


def test_stale_mark_marks_every_silent_job(target, user, settings):
    settings.WORKFLOW_JOB_STALE_SECONDS = 60
    queued, _ = jobs.enqueue(kind="test.count", target=target, actor=user)
    alive, _ = jobs.enqueue(kind="test.count", target=AgencyFactory(), actor=user)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        jobs.beat(jobs.claim(alive.pk).pk, 10)  # a redelivered claim takes over the silent one
        assert jobs.stale_mark() == 1
    queued.refresh_from_db()
    alive.refresh_from_db()
    assert (queued.status, queued.result["failure"]["cause"]) == ("stale", "never_started")
    assert alive.status == "running"


def test_a_redelivered_task_takes_over_a_dead_running_job(target, user, settings):
    settings.WORKFLOW_JOB_STALE_SECONDS = 60
    job, _ = jobs.enqueue(kind="test.count", target=target, actor=user, params={"name": "ab"})
    jobs.claim(job.pk)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=30), tick=False):
        assert jobs.claim(job.pk) is None  # alive: not taken over
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=120), tick=False):
        done = jobs.run(job.pk)
    assert (done.status, done.result) == ("done", {"letters": 2})


def test_rerun_queues_the_same_work_again(target, user):
    job, _ = jobs.enqueue(
        kind="test.count", target=target, actor=user, params={"name": "abcd"}, language="en"
    )
    jobs.run(job.pk)
    other = UserFactory()
    again, created = jobs.rerun(Job.objects.get(pk=job.pk), actor=other)
    assert created and again.pk != job.pk
    assert (again.kind, again.target_id, again.params, again.language) == (
        "test.count",
        target.pk,
        {"name": "abcd"},
        "en",
    )
    assert again.requested_by == other
    assert jobs.run(again.pk).result == {"letters": 4}
    # re-running a job still alive returns it
    live, _ = jobs.enqueue(kind="test.count", target=AgencyFactory(), actor=user)
    assert jobs.rerun(live, actor=user) == (live, False)


def test_an_unknown_kind_is_refused_before_anything_is_written(target, user):
    with pytest.raises(LookupError):
        jobs.enqueue(kind="no.such", target=target, actor=user)
    assert Job.objects.count() == 0


def test_the_job_table_covers_every_state():
    table = jobs.JOB_WORKFLOW
    assert table.targets("queued") == {"running", "failed", "stale"}
    assert table.targets("running") == {"running", "done", "failed", "stale"}
    assert table.targets("done") == set() and table.targets("stale") == set()
    assert all(t.permission is None for t in table.transitions)  # system transitions only
