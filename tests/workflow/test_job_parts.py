"""A job in parts (workflow.jobs: CONTINUES, parts_plan, part_claim, part_beat,
part_done): the runner leaves such a job running, each part is taken once while its
worker beats, progress is counted over every part, and exactly the last part says so."""

import datetime

import pytest
import time_machine

from tests.factories import AgencyFactory, UserFactory
from workflow import jobs
from workflow.models import Job

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)


def _in_parts(job, beat):
    jobs.parts_plan(job, 2, 8, data={"size": 4})
    return jobs.CONTINUES


jobs.register("test.parts", _in_parts, audit_prefix="test.parts")


def test_a_job_in_parts_stays_running_until_its_last_part():
    with time_machine.travel(T0, tick=False) as clock:
        job, _created = jobs.enqueue(
            kind="test.parts", target=AgencyFactory(), actor=UserFactory(), language="en"
        )
        job = jobs.run(job.pk)
        assert (job.status, job.progress) == ("running", 10)
        assert jobs.parts_of(job)["data"] == {"size": 4}

        assert jobs.part_claim(job.pk, 0)
        assert not jobs.part_claim(job.pk, 0)  # delivered twice: taken once
        clock.shift(100)
        assert jobs.part_beat(job.pk, 0, 2)
        job.refresh_from_db()
        # 2 of 8 units: 10 + 85 × 2 / 8; the part's beat is the job's heartbeat.
        assert (job.progress, job.heartbeat_at) == (31, T0 + datetime.timedelta(seconds=100))
        clock.shift(100)  # 200 s since the job started, 100 s since the last beat
        assert not jobs.is_stale(job)
        assert jobs.stale_mark() == 0
        assert jobs.part_done(job.pk, 0, 4, {"file": "a"}) is False
        assert jobs.part_claim(job.pk, 1)
        assert jobs.part_done(job.pk, 1, 4, {"file": "b"}) is True
        assert jobs.part_done(job.pk, 1, 4) is False  # once only
        job.refresh_from_db()
        assert job.status == "running" and job.progress == 95
        assert [p["file"] for p in jobs.parts_done(job)] == ["a", "b"]
        jobs.finish(job, {"parts": 2})
    job.refresh_from_db()
    assert (job.status, job.progress, job.result) == ("done", 100, {"parts": 2})


def test_parts_of_a_stopped_job_are_not_taken():
    with time_machine.travel(T0, tick=False) as clock:
        job, _created = jobs.enqueue(kind="test.parts", target=AgencyFactory(), actor=None)
        job = jobs.run(job.pk)
        clock.shift(121)
        assert jobs.stale_mark() == 1
        assert not jobs.part_claim(job.pk, 0)
        assert jobs.part_beat(job.pk, 0, 1) is False
        assert jobs.part_done(job.pk, 0, 4) is None
    assert Job.objects.get(pk=job.pk).status == "stale"
