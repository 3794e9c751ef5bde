"""The certificate batch in chunks (issue 15, point 5): chunks laid out apart and merged
with pypdf, single PDFs cut from the rendered pages, the job's parts claimed once by a
worker, its progress counted in certificates across chunks, and a long chunk keeping
its job alive (the clock moved with time-machine, nothing sleeps)."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import time_machine
from django.test import TestCase
from django.utils import timezone, translation
from pypdf import PdfReader

from awards.results import certificates as certs
from awards.results import services
from awards.results.enums import JobKind
from awards.results.models import Award
from awards.results.services import serial_new
from tests.factories import AgencyFactory
from tests.results.helpers import approved_version, scored_cycle
from workflow import jobs
from workflow.models import Job

BASE = "https://awards.example.test/"
T0 = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def version_of(awards: int):
    """(cycle, an approved version with `awards` awards): the cycle's finalists' (3) and
    more like the first, for other agencies (as tests/browser/test_job_progress.py)."""
    cycle = scored_cycle(agencies=4, winners=3)
    version = approved_version(cycle)
    first = Award.objects.filter(version=version).order_by("order").first()
    Award.objects.bulk_create(
        Award(
            version=version,
            category=first.category,
            agency=AgencyFactory(),
            order=10 + i,
            rank=10 + i,
            score=first.score,
            name_zh=first.name_zh,
            name_en=first.name_en,
            serial=serial_new(),
            issued_on=first.issued_on,
        )
        for i in range(awards - 3)
    )
    return cycle, version


def awards_of(version):
    return list(
        Award.objects.filter(version=version)
        .select_related("agency", "category", "version__edition__scheme")
        .order_by("category__order", "category__code", "order", "pk")
    )


def page_texts(pdf) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def zip_members(archive: bytes) -> list[tuple[str, list[str]]]:
    """(name, text of each page) of every single PDF in the ZIP, in order."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return [(name, page_texts(z.read(name))) for name in z.namelist()]


def read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def serials_on(texts: list[str], awards) -> list[list[str]]:
    """For each page, the serials of `awards` printed on it."""
    return [[a.serial for a in awards if a.serial in text] for text in texts]


@pytest.mark.django_db
def test_a_batch_in_chunks_merges_into_the_awards_pages_in_order():
    _cycle, version = version_of(5)
    awards = awards_of(version)
    assert len(awards) == 5
    merged, archive = certs.certificates_batch(awards, None, BASE, chunk=2)  # 2 + 2 + 1
    texts = page_texts(merged)
    assert serials_on(texts, awards) == [[a.serial] for a in awards]
    members = zip_members(archive)
    assert [name for name, _pages in members] == [f"{a.agency.code}-{a.serial}.pdf" for a in awards]
    assert [serials_on(pages, awards) for _name, pages in members] == [[[a.serial]] for a in awards]


def start_job(cycle, version):
    """The queued job, its task not sent (the test drives the parts itself)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = services.job_start(
            edition=cycle.edition,
            kind=JobKind.CERTIFICATES,
            actor=cycle.secretariat,
            version=version,
        )
    return jobs.claim(job.pk)


@pytest.mark.django_db
def test_the_job_in_chunks_skips_revoked_awards_and_counts_certificates(settings):
    settings.RESULTS_CERTIFICATES_CHUNK = 2
    cycle, version = version_of(6)
    awards = awards_of(version)
    services.award_revoke(award=awards[2], actor=cycle.secretariat, reason="服務品質下降")
    kept = [a for a in awards if a.pk != awards[2].pk]
    job = start_job(cycle, version)
    chunks = certs.certificates_plan(job)
    assert chunks == [[kept[0].pk, kept[1].pk], [kept[2].pk, kept[3].pk], [kept[4].pk]]

    progress = []

    def seen(_done):
        progress.append(Job.objects.get(pk=job.pk).progress)

    outcomes = [
        certs.certificates_chunk_run(job_id=job.pk, index=i, award_ids=ids, beat=seen)
        for i, ids in enumerate(chunks)
    ]
    assert outcomes == ["done", "done", "done"]  # the last one merged (task run in-process)
    # The progress before each heartbeat: from 10 to 95 % over the 5 certificates,
    # counted across the chunks (2 laid out: 44 %, 4: 78 %).
    assert progress == [10, 44, 44, 78, 78, 95]
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.result == {"certificates": 5, "skipped_revoked": 1, "template": "Built-in design"}
    merged = read(job.file)
    assert serials_on(page_texts(merged), awards) == [[a.serial] for a in kept]
    members = zip_members(read(job.archive))
    assert [name for name, _pages in members] == [f"{a.agency.code}-{a.serial}.pdf" for a in kept]
    assert all(len(pages) == 1 for _name, pages in members)
    assert [serials_on(pages, awards) for _name, pages in members] == [[[a.serial]] for a in kept]
    # The chunks' files are gone once merged.
    storage = job.file.storage
    assert storage.listdir(f"jobs/certificates/parts/{job.pk}") == ([], [])


@pytest.mark.django_db
def test_the_job_through_the_runner_is_the_same_in_chunks(settings):
    settings.RESULTS_CERTIFICATES_CHUNK = 2
    cycle, version = version_of(4)
    awards = awards_of(version)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_start(
            edition=cycle.edition,
            kind=JobKind.CERTIFICATES,
            actor=cycle.secretariat,
            version=version,
        )
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert serials_on(page_texts(read(job.file)), awards) == [[a.serial] for a in awards]


@pytest.mark.django_db
def test_a_long_chunk_keeps_its_job_alive_and_is_not_run_twice(settings):
    settings.RESULTS_CERTIFICATES_CHUNK = 12  # one chunk: two layouts of 10 and 2
    cycle, version = version_of(12)
    assert services.stale_seconds() == 120
    with time_machine.travel(T0, tick=False) as clock:
        job = start_job(cycle, version)
        (chunk,) = certs.certificates_plan(job)
        seen = []

        def slow(done):
            # A slow machine: each step of the chunk takes 100 s, nearly the threshold.
            clock.shift(100)
            current = Job.objects.get(pk=job.pk)
            (shown,) = jobs.notice_stale([current])  # a page showing the job meanwhile
            twice = certs.certificates_chunk_run(job_id=job.pk, index=0, award_ids=chunk)
            seen.append((done, shown.status, twice))

        outcome = certs.certificates_chunk_run(job_id=job.pk, index=0, award_ids=chunk, beat=slow)
        assert timezone.now() - T0 == datetime.timedelta(seconds=300)  # > 120 s in all
    assert outcome == "done"
    # Every step found the job running, and its task delivered again did nothing.
    assert seen == [(10, "running", "taken"), (12, "running", "taken"), (12, "running", "taken")]
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert len(page_texts(read(job.file))) == 12


@pytest.mark.django_db
def test_a_chunk_whose_worker_went_silent_is_taken_over(settings):
    settings.RESULTS_CERTIFICATES_CHUNK = 2
    cycle = scored_cycle(agencies=4, winners=3)
    version = approved_version(cycle)
    awards = awards_of(version)
    with time_machine.travel(T0, tick=False) as clock:
        job = start_job(cycle, version)
        first, second = certs.certificates_plan(job)
        assert certs.certificates_chunk_run(job_id=job.pk, index=0, award_ids=first) == "done"
        assert jobs.part_claim(job.pk, 1)  # a worker takes the chunk, then dies
        clock.shift(60)
        assert certs.certificates_chunk_run(job_id=job.pk, index=1, award_ids=second) == "taken"
        clock.shift(61)  # 121 s of silence
        job.refresh_from_db()
        assert jobs.part_is_stale(job, 1)
        assert certs.certificates_chunk_run(job_id=job.pk, index=1, award_ids=second) == "done"
    job.refresh_from_db()
    assert job.status == "done"
    assert serials_on(page_texts(read(job.file)), awards) == [[a.serial] for a in awards]


@pytest.mark.django_db
def test_a_chunk_of_a_job_marked_stale_does_nothing(settings):
    settings.RESULTS_CERTIFICATES_CHUNK = 2
    cycle = scored_cycle(agencies=4, winners=3)
    version = approved_version(cycle)
    with time_machine.travel(T0, tick=False) as clock:
        job = start_job(cycle, version)
        first, _second = certs.certificates_plan(job)
        clock.shift(121)
        assert jobs.stale_mark() == 1
        assert certs.certificates_chunk_run(job_id=job.pk, index=0, award_ids=first) == "taken"
    job.refresh_from_db()
    assert job.status == "stale" and not job.file
