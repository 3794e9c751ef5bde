"""What a polling firm's real files hit in the poll import, each with a real file built
here: Big5 behind a UTF-8 byte order mark, an XLSX whose header has merged cells,
full-width look-alike agency codes, and a database connection lost mid-import. And the
staged, set-based import gives the rows the per-row import gave."""

import csv
import datetime
import io

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from agencies.models import Agency
from surveys.importers import ImportFileError, read_header
from surveys.models import CallAttempt, Household, PollImport, Response
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

HEADER = ["住戶編號", "訪問結果", "部門代碼", "建議", "回電時間"]
MAPPING = {
    "household_id": "住戶編號",
    "disposition": "訪問結果",
    "agency_code": "部門代碼",
    "suggestion": "建議",
    "callback_at": "回電時間",
}


def _csv(rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _client(user):
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(user)
    return client


def _words(node):
    return " ".join(node.text_content().split())


@pytest.fixture
def sample(poll, strata):
    for i in range(1, 7):
        HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A" if i <= 3 else "B"])
    return poll


def _upload_and_apply(client, poll, name, data, mapping=MAPPING):
    response = client.post(
        reverse("surveys:import_new", args=[poll.pk]),
        {"kind": "responses", "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with TestCase.captureOnCommitCallbacks(execute=True):
        applied = client.post(response["Location"], mapping)
    assert applied.status_code == 302
    return PollImport.objects.latest("pk"), client.get(response["Location"])


def test_big5_behind_a_utf8_bom_is_read_as_big5_through_the_pages(sample, secretariat):
    text = _csv([["H1", "complete", "X", "多謝晒，請改善熱線", ""], ["H2", "refusal", "", "", ""]])
    data = b"\xef\xbb\xbf" + text.encode("big5hkscs")
    imp, page = _upload_and_apply(_client(secretariat), sample, "firm.csv", data)
    assert (imp.encoding, imp.status, imp.imported_count, imp.headers) == (
        "big5-bom",
        "imported",
        2,
        HEADER,
    )
    assert Response.objects.get().suggestion == "多謝晒，請改善熱線"
    assert "2 rows imported." in page.content.decode()


def test_a_bom_before_neither_utf8_nor_big5_is_refused_with_a_message():
    with pytest.raises(ImportFileError) as caught:
        read_header(b"\xef\xbb\xbfa,b\n\xff\xfe\xff,\x80\n", "x.csv")
    assert str(caught.value) == (
        "The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8) or XLSX."
    )


def _workbook(rows, merge=None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_with_merged_header_cells_is_refused_beside_the_control(sample, secretariat):
    # "訪問結果" merged over the disposition and the vote columns: the vote would be lost.
    data = _workbook(
        [("住戶編號", "訪問結果", None, "建議"), ("H1", "complete", "X", "")], merge="B1:C1"
    )
    response = _client(secretariat).post(
        reverse("surveys:import_new", args=[sample.pk]),
        {"kind": "responses", "file": SimpleUploadedFile("firm.xlsx", data)},
    )
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    assert [_words(e) for e in tree.xpath("//*[contains(@class, 'errorlist')]")] == [
        "The header row has merged cells (B1:C1): each column needs its own name, or its "
        "data would be lost. Unmerge the cells, name every column, and upload the file again."
    ]
    assert PollImport.objects.count() == 0


def test_merged_cells_under_the_header_are_accepted(sample, secretariat):
    data = _workbook(
        [("住戶編號", "訪問結果", "部門代碼", "建議"), ("H1", "complete", "X", "a"), ("H2",)],
        merge="D2:D3",
    )
    assert read_header(data, "firm.xlsx").headers == ["住戶編號", "訪問結果", "部門代碼", "建議"]


def test_full_width_codes_vote_for_the_candidate_and_the_page_says_so(sample, secretariat):
    agencies = Agency.objects.count()
    text = _csv([["H1", "complete", "ｘ", "", ""], ["H2", "complete", "Ｙ", "", ""]])
    imp, page = _upload_and_apply(_client(secretariat), sample, "firm.csv", text.encode())
    assert (imp.status, imp.imported_count) == ("imported", 2)
    assert sorted(Response.objects.values_list("candidate__agency__code", flat=True)) == ["X", "Y"]
    assert Agency.objects.count() == agencies
    tree = lxml.html.fromstring(page.content.decode())
    assert _words(tree.get_element_by_id("import-normalised")) == (
        "These agency codes were written with full-width or look-alike characters and were "
        "read as the standard code: ｘ was read as X. Ｙ was read as Y."
    )


def test_per_row_errors_are_shown_on_the_page(sample, secretariat):
    text = _csv(
        [
            ["H1", "complete", "X", "", ""],
            ["H1", "refusal", "", "", ""],
            ["H99", "maybe", "", "", ""],
            ["H3", "callback", "", "", "tomorrow"],
        ]
    )
    imp, page = _upload_and_apply(_client(secretariat), sample, "firm.csv", text.encode())
    assert imp.status == "rejected"
    tree = lxml.html.fromstring(page.content.decode())
    rows = [
        [_words(td) for td in tr.xpath("td")]
        for tr in tree.xpath("//table[@id='import-errors']/tbody/tr")
    ]
    assert rows == [
        [
            "3",
            "住戶編號",
            "H1",
            "Second entry from this household (first on row 2): one household, one vote.",
        ],
        ["4", "住戶編號", "H99", "Household not in the sample."],
        ["4", "訪問結果", "maybe", "Invalid disposition."],
        ["5", "回電時間", "tomorrow", "Not a date and time (YYYY-MM-DD HH:MM)."],
    ]
    assert (Response.objects.count(), CallAttempt.objects.count()) == (0, 0)


def test_a_mixed_file_gives_the_rows_the_per_row_import_gave(sample, secretariat, cand, strata):
    """Every disposition, a call back, suggestions, a vote in full width: the calls,
    interviews and households written are those the per-row import wrote (one call per
    row, an interview for complete and partial, the household's last disposition)."""
    text = _csv(
        [
            ["H1", "complete", "X", "多謝", ""],
            ["H2", "1.1", "ｙ", "", ""],
            ["H3", "callback", "", "", "2026-03-02 18:30"],
            ["H4", "Partial interview", "", "+1 better hotline", ""],
            ["H5", "non_contact", "", "", ""],
            ["H6", "refusal", "", "", ""],
        ]
    )
    imp, _page = _upload_and_apply(_client(secretariat), sample, "firm.csv", text.encode())
    assert (imp.status, imp.row_count, imp.imported_count) == ("imported", 6, 6)
    assert list(
        Response.objects.order_by("household__ref").values_list(
            "household__ref",
            "poll_id",
            "stratum__code",
            "disposition",
            "candidate__agency__code",
            "suggestion",
            "source",
            "batch_id",
            "interviewer_id",
        )
    ) == [
        ("H1", sample.pk, "A", "complete", "X", "多謝", "import", imp.pk, None),
        ("H2", sample.pk, "A", "complete", "Y", "", "import", imp.pk, None),
        ("H4", sample.pk, "B", "partial", None, "+1 better hotline", "import", imp.pk, None),
    ]
    callback = datetime.datetime(2026, 3, 2, 18, 30, tzinfo=sample.edition.tzinfo)
    assert list(
        CallAttempt.objects.order_by("household__ref").values_list(
            "household__ref", "disposition", "callback_at", "source", "interviewer_id"
        )
    ) == [
        ("H1", "complete", None, "import", None),
        ("H2", "complete", None, "import", None),
        ("H3", "callback", callback, "import", None),
        ("H4", "partial", None, "import", None),
        ("H5", "non_contact", None, "import", None),
        ("H6", "refusal", None, "import", None),
    ]
    assert list(
        Household.objects.order_by("ref").values_list(
            "ref", "disposition", "callback_at", "attempts", "leased_by_id"
        )
    ) == [
        ("H1", "complete", None, 1, None),
        ("H2", "complete", None, 1, None),
        ("H3", "callback", callback, 1, None),
        ("H4", "partial", None, 1, None),
        ("H5", "non_contact", None, 1, None),
        ("H6", "refusal", None, 1, None),
    ]
    assert len({c.at for c in CallAttempt.objects.all()}) == 1  # one statement, one time


KILL = """
CREATE FUNCTION surveys_test_kill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
CREATE TRIGGER surveys_test_kill BEFORE INSERT ON surveys_callattempt
FOR EACH STATEMENT EXECUTE FUNCTION surveys_test_kill();
"""
UNKILL = "DROP TRIGGER surveys_test_kill ON surveys_callattempt; DROP FUNCTION surveys_test_kill();"


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_mid_import_is_said_and_the_import_may_be_retried(
    poll, strata, secretariat
):
    """The database server drops the job's connection in the middle of the writing
    transaction (the backend terminates itself as the calls are inserted): the page says
    so, nothing is imported, and "Try again" runs the same file through once it is back."""
    if connection.vendor != "postgresql":
        pytest.skip("terminates a PostgreSQL backend")
    for i in range(1, 4):
        HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A"])
    with connection.cursor() as cursor:
        cursor.execute(KILL)
    client = _client(secretariat)
    text = _csv([["H1", "complete", "X", "", ""], ["H2", "refusal", "", "", ""]])
    try:
        response = client.post(
            reverse("surveys:import_new", args=[poll.pk]),
            {"kind": "responses", "file": SimpleUploadedFile("firm.csv", text.encode())},
        )
        detail = response["Location"]
        applied = client.post(detail, MAPPING)  # the job runs in this request (eager)
        assert applied.status_code == 302
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(UNKILL)
    imp = PollImport.objects.select_related("job").get()
    assert (imp.status, imp.job_status, imp.may_retry) == ("uploaded", "failed", True)
    assert (Response.objects.count(), CallAttempt.objects.count()) == (0, 0)
    page = client.get(detail)
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.content.decode())
    alert = tree.xpath("//section[@role='alert']")[0]
    assert _words(alert) == (
        "Nothing was imported The connection to the database was lost during the import. "
        "Nothing was imported. Try again: the file is still stored. Try the import again"
    )
    retry = alert.xpath(".//form")[0]
    fields = {i.get("name"): i.get("value") for i in retry.xpath(".//input[@type='hidden']")}
    assert client.post(detail, fields).status_code == 302
    imp.refresh_from_db()
    assert (imp.status, imp.job_status, imp.imported_count) == ("imported", "done", 2)
    assert Household.objects.get(ref="H2").disposition == "refusal"
