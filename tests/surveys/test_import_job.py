"""The poll import's background job: the upload stores the file and reads its header;
confirming the columns queues `surveys.tasks.poll_import`, whose page shows a progress
bar (htmx follows it) until the result or the per-row report."""

import csv
import io
import re

import lxml.html
import pytest
from django.test import Client, TestCase
from django.urls import reverse

from agencies.enums import Role
from agencies.models import AuditEntry
from surveys import services
from surveys.models import CallAttempt, Household, PollImport, Response
from tests.factories import AgencyFactory, HouseholdFactory, UserFactory, interviewer_user
from workflow.models import Job

pytestmark = pytest.mark.django_db

HEADER = ["住戶編號", "訪問結果", "部門代碼", "建議"]
MAPPING = {"household_id": "住戶編號", "disposition": "訪問結果", "agency_code": "部門代碼"}


def _csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _client(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    client.force_login(user)
    return client


def _words(node):
    return " ".join(node.text_content().split())


@pytest.fixture
def sample(poll, strata):
    for i in range(1, 7):
        HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A" if i <= 3 else "B"])
    return poll


def _queued(poll, actor, rows, *, language="en"):
    """An import whose job is queued but has not run (its on-commit callback dropped)."""
    imp, already = services.import_upload(
        poll=poll,
        kind="responses",
        filename="firm.csv",
        content=_csv(rows),
        actor=actor,
        language=language,
    )
    assert already is False
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        services.import_apply(imp=imp, mapping=MAPPING, actor=actor)
    assert len(callbacks) == 1
    imp.refresh_from_db()
    return imp


GOOD = [["H1", "complete", "X"], ["H2", "refusal", ""], ["H3", "complete", "Y"]]


def test_the_queued_page_shows_progress_and_follows_the_job(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD)
    assert (imp.status, imp.job_status, imp.progress, imp.row_count) == ("uploaded", "queued", 0, 0)
    assert Response.objects.count() == 0  # nothing read yet
    detail = reverse("surveys:import_detail", args=[sample.pk, imp.pk])
    tree = lxml.html.fromstring(_client(secretariat).get(detail).content.decode())
    job = tree.get_element_by_id("import-job")
    assert (job.get("hx-get"), job.get("hx-trigger"), job.get("hx-swap")) == (
        detail,
        "every 1s",
        "outerHTML",
    )
    assert _words(tree.xpath("//h2[@id='job-heading']")[0]) == "Reading firm.csv"
    assert _words(tree.xpath("//div[@role='status']/label")[0]) == (
        "Waiting for a worker to start… 0 %"
    )
    assert tree.xpath("//progress/@value") == ["0"]
    assert tree.xpath("//form[contains(@class, 'mapping-form')]") == []  # not applied twice
    assert [
        _words(b) for b in tree.xpath("//p[@class='lead']/span[@class='badge tally-queued']")
    ] == ["Queued"]


def test_the_progress_partial_is_the_job_alone_in_few_queries(
    sample, secretariat, django_assert_num_queries
):
    imp = _queued(sample, secretariat, GOOD)
    client = _client(secretariat)
    detail = reverse("surveys:import_detail", args=[sample.pk, imp.pk])
    Job.objects.filter(pk=imp.job_id).update(status="running", progress=42)
    with django_assert_num_queries(5):
        response = client.get(detail, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="import-job"')
    assert "<html" not in page
    assert re.search(r"Checking every row… 42 %", page)
    assert 'value="42"' in page


def test_the_job_runs_in_the_uploaders_language_and_shows_the_result(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD, language="zh-hant")
    done = services.import_execute(import_id=imp.pk)
    assert (done.status, done.job_status, done.progress) == ("imported", "done", 100)
    assert (done.row_count, done.imported_count, done.errors) == (3, 3, [])
    assert sorted(
        Response.objects.values_list("household__ref", "disposition", "candidate__agency__code")
    ) == [("H1", "complete", "X"), ("H3", "complete", "Y")]
    assert CallAttempt.objects.filter(source="import").count() == 3
    assert done.started_at is not None and done.finished_at >= done.started_at
    assert list(
        AuditEntry.objects.filter(object_id=str(imp.pk), action__startswith="poll.import")
        .order_by("id")
        .values_list("action", "to_state")
    ) == [
        ("poll.import.upload", "uploaded"),
        ("poll.import.start", "queued"),
        ("poll.import.apply", "imported"),
    ]
    page = _client(secretariat).get(reverse("surveys:import_detail", args=[sample.pk, imp.pk]))
    tree = lxml.html.fromstring(page.content.decode())
    assert tree.get_element_by_id("import-job").get("hx-get") is None  # no longer follows
    assert [_words(n) for n in tree.xpath("//div[@class='message success']")] == [
        "3 rows imported."
    ]
    assert "3 rows" in _words(tree.xpath("//p[@class='lead']")[0])


def test_running_the_job_twice_changes_nothing_more(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD)
    services.import_execute(import_id=imp.pk)
    counts = (Response.objects.count(), CallAttempt.objects.count(), AuditEntry.objects.count())
    again = services.import_execute(import_id=imp.pk)
    assert (again.status, again.imported_count) == ("imported", 3)
    assert (
        Response.objects.count(),
        CallAttempt.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    # and applying it again is refused: the same import is returned, nothing queued
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        same = services.import_apply(imp=again, mapping=MAPPING, actor=secretariat)
    assert (callbacks, same.status, same.job_status) == ([], "imported", "done")


def test_a_queued_import_is_not_queued_twice(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD)
    with pytest.raises(services.PollError) as caught:
        services.import_apply(imp=imp, mapping=MAPPING, actor=secretariat)
    assert caught.value.messages == [
        "This file is already being imported. Wait for the job to finish."
    ]


def test_a_rejected_file_keeps_the_report_and_may_be_mapped_again(sample, secretariat):
    imp = _queued(sample, secretariat, [["H1", "complete", "NOPE"], ["H99", "refusal", ""]])
    done = services.import_execute(import_id=imp.pk)
    assert (done.status, done.job_status, done.row_count) == ("rejected", "done", 2)
    assert [(e["row"], e["column"], e["message"]) for e in done.errors] == [
        (2, "部門代碼", "Unknown agency code."),
        (3, "住戶編號", "Household not in the sample."),
    ]
    assert Response.objects.count() == CallAttempt.objects.count() == 0
    page = _client(secretariat).get(reverse("surveys:import_detail", args=[sample.pk, imp.pk]))
    tree = lxml.html.fromstring(page.content.decode())
    assert _words(tree.get_element_by_id("report-title")) == "2 errors: nothing was imported"
    assert len(tree.xpath("//form[contains(@class, 'mapping-form')]")) == 1
    errors_csv = reverse("surveys:import_errors_csv", args=[sample.pk, imp.pk])
    assert tree.xpath("//a[@download]/@href") == [errors_csv]


def test_a_failing_job_says_why(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD)
    imp.file.storage.delete(imp.file.name)  # the stored file is gone
    failed = services.import_execute(import_id=imp.pk)
    # the job stops where it was (claimed, nothing read)
    assert (failed.status, failed.job_status, failed.progress) == ("uploaded", "failed", 1)
    assert failed.error == "The uploaded file is no longer stored. Upload the file again."
    assert Response.objects.count() == 0
    entry = AuditEntry.objects.get(action="poll.import.fail")
    assert (entry.from_state, entry.to_state, entry.reason) == ("uploaded", "failed", failed.error)
    page = _client(secretariat).get(reverse("surveys:import_detail", args=[sample.pk, imp.pk]))
    tree = lxml.html.fromstring(page.content.decode())
    alert = tree.xpath("//section[@role='alert']")[0]
    assert _words(alert) == (
        "Nothing was imported The import of firm.csv stopped with an error. Nothing was "
        "changed. Upload the file again; if it fails again, tell the system administrator. "
        "The uploaded file is no longer stored. Upload the file again."
    )
    assert tree.xpath("//form[contains(@class, 'mapping-form')]") == []
    with pytest.raises(services.PollError) as caught:
        services.import_apply(imp=failed, mapping=MAPPING, actor=secretariat)
    assert caught.value.messages == [
        "The import of this file stopped with an error. Upload the file again."
    ]


def test_the_job_writes_its_messages_in_the_uploaders_language(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD, language="zh-hant")
    # the header (read at upload) was fine; a later line is neither UTF-8 nor Big5
    with imp.file.storage.open(imp.file.name, "wb") as stored:
        stored.write(_csv(GOOD) + b"H4,\xff\xfe\x81\xff\n")
    failed = services.import_execute(import_id=imp.pk)
    assert failed.job_status == "failed"
    assert failed.error == "檔案既不是 UTF-8 也不是 Big5 文字。請另存為 CSV（UTF-8）或 XLSX。"


def test_a_large_file_is_streamed_in_batches_with_progress(sample, secretariat, settings):
    """More rows than one staging batch: progress is committed between batches, then
    80 % when every row is staged and 90 % when the checks pass and the writes start."""
    from surveys import services as s
    from surveys import staging

    seen = []
    original = s._import_beat

    def spy(import_id, progress):
        seen.append(int(progress))
        original(import_id, progress)

    staging.STAGE_BATCH, batch = 2, staging.STAGE_BATCH
    s._import_beat, beat = spy, s._import_beat
    try:
        imp = _queued(sample, secretariat, [[f"H{i}", "refusal", ""] for i in range(1, 7)])
        done = services.import_execute(import_id=imp.pk)
    finally:
        staging.STAGE_BATCH, s._import_beat = batch, beat
    assert (done.status, done.imported_count) == ("imported", 6)
    assert len(seen) == 5 and seen == sorted(seen) and seen[-2:] == [80, 90]
    assert set(Household.objects.values_list("disposition", flat=True)) == {"refusal"}


def test_other_roles_get_404_for_the_job_page_and_partial(sample, secretariat):
    imp = _queued(sample, secretariat, GOOD)
    detail = reverse("surveys:import_detail", args=[sample.pk, imp.pk])
    editor = UserFactory(email="ed@example.test", roles=[(Role.AGENCY_EDITOR, AgencyFactory())])
    for user in (interviewer_user(email="iv2@example.test"), editor):
        client = _client(user)
        assert client.get(detail).status_code == 404
        assert client.get(detail, headers={"HX-Request": "true"}).status_code == 404
        assert client.post(detail, MAPPING).status_code == 404
    assert PollImport.objects.get(pk=imp.pk).job_status == "queued"
