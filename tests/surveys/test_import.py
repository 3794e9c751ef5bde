import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from agencies.models import AuditEntry
from surveys import services
from surveys.exports import errors_csv, neutralise, suggestions_xlsx
from surveys.forms import ImportUploadForm
from surveys.importers import ImportFileError, decode_csv, read_table
from surveys.models import CallAttempt, Household, PollImport, Response
from tests import bombs
from tests.factories import AgencyFactory, HouseholdFactory, poll_votes

pytestmark = pytest.mark.django_db

HEADER = ["住戶編號", "訪問結果", "部門代碼", "建議"]
MAPPING = {
    "household_id": "住戶編號",
    "disposition": "訪問結果",
    "agency_code": "部門代碼",
    "suggestion": "建議",
}


def _csv(rows, encoding="utf-8", header=HEADER):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def sample(poll, strata):
    for i in range(1, 7):
        HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A" if i <= 3 else "B"])
    return poll


def _import(poll, content, actor, filename="firm.csv", mapping=MAPPING, kind="responses"):
    imp, already = services.import_upload(
        poll=poll, kind=kind, filename=filename, content=content, actor=actor
    )
    if already:
        return imp, True
    # Applying queues the background job after commit; Celery runs it eagerly in tests.
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        services.import_apply(imp=imp, mapping=mapping, actor=actor)
    assert len(callbacks) == 1
    imp.refresh_from_db()
    assert imp.job_status == "done"
    return imp, False


GOOD = [
    ["H1", "complete", "X", "多謝"],
    ["H2", "complete", "y", ""],
    ["H3", "refusal", "", ""],
    ["H4", "1.1", "X", '=HYPERLINK("http://evil")'],
    ["H5", "non_contact", "", ""],
    ["H6", "Partial interview", "", "+1 better hotline"],
]


@pytest.mark.parametrize(
    "encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("big5", "big5")]
)
def test_valid_file_in_each_encoding_imports_atomically(sample, secretariat, encoding, expected):
    from django.utils import translation

    with translation.override("zh-hant"):
        imp, already = _import(sample, _csv(GOOD, encoding), secretariat)
    assert already is False
    assert imp.encoding == expected
    assert imp.status == "imported"
    assert imp.imported_count == 6
    assert imp.errors == []
    assert sorted(
        Response.objects.filter(poll=sample).values_list(
            "household__ref", "disposition", "candidate__agency__code"
        )
    ) == [
        ("H1", "complete", "X"),
        ("H2", "complete", "Y"),
        ("H4", "complete", "X"),
        ("H6", "partial", None),
    ]
    assert dict(Household.objects.filter(poll=sample).values_list("ref", "disposition")) == {
        "H1": "complete",
        "H2": "complete",
        "H3": "refusal",
        "H4": "complete",
        "H5": "non_contact",
        "H6": "partial",
    }
    assert CallAttempt.objects.filter(household__poll=sample, source="import").count() == 6
    # stored as given; neutralised only on the way out
    assert Response.objects.get(household__ref="H4").suggestion == '=HYPERLINK("http://evil")'
    assert AuditEntry.objects.filter(action="poll.import.apply", to_state="imported").count() == 1


def test_same_file_twice_changes_nothing(sample, secretariat):
    content = _csv(GOOD)
    first, _ = _import(sample, content, secretariat)
    before = (Response.objects.count(), CallAttempt.objects.count(), PollImport.objects.count())
    second, already = _import(sample, content, secretariat, filename="renamed.csv")
    assert already is True
    assert second == first
    assert (
        Response.objects.count(),
        CallAttempt.objects.count(),
        PollImport.objects.count(),
    ) == before


def test_each_error_class_reported_per_row_and_nothing_imported(sample, secretariat):
    AgencyFactory(code="NOTCAND")
    HouseholdFactory(poll=sample, ref="H7", stratum=None)
    poll_votes(
        sample, {sample.candidates.get(agency__code="Z"): 1}
    )  # household V..., already voted
    voted = Household.objects.get(poll=sample, ref__startswith="V")
    rows = [
        ["H1", "complete", "X", ""],  # fine
        ["H2", "complete", "NOPE", ""],  # unknown agency code
        ["H3", "complete", "NOTCAND", ""],  # agency not on the candidate list
        ["H99", "complete", "X", ""],  # household not in the sample
        ["H1", "complete", "Y", ""],  # second vote from a household (in the file)
        [voted.ref, "complete", "X", ""],  # second vote (already interviewed)
        ["H4", "", "", ""],  # blank disposition
        ["H5", "maybe", "", ""],  # invalid disposition
        ["H6", "refusal", "X", ""],  # a vote without a complete interview
        ["H7", "complete", "", ""],  # complete without a vote
    ]
    before = (Response.objects.count(), CallAttempt.objects.count())
    imp, _ = _import(sample, _csv(rows), secretariat)
    assert imp.status == "rejected"
    assert imp.imported_count == 0
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in imp.errors] == [
        (3, "部門代碼", "NOPE", "Unknown agency code."),
        (4, "部門代碼", "NOTCAND", "This agency is not on the poll's list of candidates."),
        (5, "住戶編號", "H99", "Household not in the sample."),
        (
            6,
            "住戶編號",
            "H1",
            "Second entry from this household (first on row 2): one household, one vote.",
        ),
        (
            7,
            "住戶編號",
            voted.ref,
            "This household has already been interviewed: one household, one vote.",
        ),
        (8, "訪問結果", "", "Blank disposition."),
        (9, "訪問結果", "maybe", "Invalid disposition."),
        (10, "部門代碼", "X", "Only a complete interview carries a vote."),
        (11, "部門代碼", "", "A complete interview needs a vote."),
    ]
    assert (Response.objects.count(), CallAttempt.objects.count()) == before
    assert Household.objects.get(poll=sample, ref="H1").disposition == ""

    # the report downloads as CSV (UTF-8 with BOM)
    report = errors_csv(imp).decode("utf-8-sig").splitlines()
    assert report[0] == "row,column,value,message"
    assert report[1] == "3,部門代碼,NOPE,Unknown agency code."

    # fixed and re-imported (a different file, so a different hash)
    fixed = [r for r in rows if r[0] in {"H1", "H4", "H5", "H6", "H7"}][:1] + [
        ["H2", "complete", "Y", ""],
        ["H4", "refusal", "", ""],
    ]
    again, already = _import(sample, _csv(fixed), secretariat)
    assert already is False
    assert again.status == "imported"
    assert again.imported_count == 3


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        ("住戶編號,訪問結果\n".encode(), "The file has a header row but no data rows."),
        (
            b"\xff\xfe\x00\x81\xff",
            "The file is neither UTF-8 nor Big5 text. Save it as CSV (UTF-8) or XLSX.",
        ),
    ],
)
def test_unreadable_files(content, message):
    with pytest.raises(ImportFileError) as caught:
        read_table(content, "x.csv")
    assert str(caught.value) == message


def test_xlsx_is_read(sample, secretariat):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["H1", "complete", "X", "好"])
    ws.append(["H2", "refusal", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    imp, _ = _import(sample, buf.getvalue(), secretariat, filename="firm.xlsx")
    assert (imp.file_format, imp.encoding, imp.status, imp.imported_count) == (
        "xlsx",
        "",
        "imported",
        2,
    )


def test_decode_detects_encodings():
    assert decode_csv("香港".encode("big5")) == ("香港", "big5")
    assert decode_csv("\ufeff香港".encode()) == ("香港", "utf-8-sig")
    assert decode_csv("香港".encode()) == ("香港", "utf-8")


def test_a_file_over_the_limit_is_refused_with_a_clear_message(settings):
    """The limit is a setting (2 GB by default: uploads stream to disk); over it, the
    form and the service refuse the file. In memory: no 50 MB file is written to disk."""
    assert services.importers.import_max_bytes() == 2 * 1024 * 1024 * 1024
    settings.SURVEYS_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    upload = SimpleUploadedFile("big.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    form = ImportUploadForm(data={"kind": "responses"}, files={"file": upload})
    assert form.is_valid() is False
    assert form.errors["file"] == [
        "The file is 50.0 MB; the limit is 20.0 MB. Split it into smaller files."
    ]
    # the service refuses it too, whoever calls it
    with pytest.raises(ImportFileError) as caught:
        services.import_upload(
            poll=None,
            kind="responses",
            filename="big.csv",
            content=b"x" * (50 * 1024 * 1024),
            actor=None,
        )
    assert str(caught.value) == "The file is 50.0 MB; the limit is 20.0 MB."


def test_size_limit_is_a_setting_and_the_view_says_so(en_client, poll, secretariat, settings):
    settings.SURVEYS_IMPORT_MAX_BYTES = 1024
    en_client.force_login(secretariat)
    upload = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 600, content_type="text/csv")
    response = en_client.post(
        reverse("surveys:import_new", args=[poll.pk]), {"kind": "responses", "file": upload}
    )
    assert response.status_code == 200
    assert (
        "The file is 0.0 MB; the limit is 0.0 MB. Split it into smaller files."
        in response.content.decode()
    )
    assert PollImport.objects.count() == 0


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+852", "'+852"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("正常", "正常"),
        ("a=b", "a=b"),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_every_export_neutralises_formulas(sample, secretariat, client):
    from openpyxl import load_workbook

    rows = [
        ["H1", "complete", "X", "=cmd|' /C calc'!A0"],
        ["H2", "complete", "Y", "+SUM(1,2)"],
        ["H3", "complete", "X", "-1"],
        ["H4", "complete", "X", "@import"],
    ]
    imp, _ = _import(sample, _csv(rows), secretariat)
    assert imp.status == "imported"
    client.force_login(secretariat)
    response = client.get(reverse("surveys:suggestions_xlsx", args=[sample.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert values == ["'+SUM(1,2)", "'-1", "'=cmd|' /C calc'!A0", "'@import"]
    # the error report too, in the reader's language
    from django.utils import translation

    with translation.override("zh-hant"):
        report = errors_csv(
            imp_bad_zh := _import(sample, _csv([["=H8", "complete", "X", ""]]), secretariat)[0]
        )
    assert "'=H8,住戶不在樣本中。" in report.decode("utf-8-sig")
    assert (
        imp_bad_zh.errors[0]["message"] == "Household not in the sample."
    )  # stored as source text
    with translation.override("en"):  # the request above switched this thread to zh-Hant
        bad, _ = _import(sample, _csv([["=H9", "complete", "@X", ""]]), secretariat)
        text = errors_csv(bad).decode("utf-8-sig")
    assert "'=H9,Household not in the sample." in text
    assert "'@X,Unknown agency code." in text
    # and the results CSV
    run = services.poll_tally_start(poll=sample, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    assert suggestions_xlsx([("=A", "-B", "+C", "@D")], ["=h"])  # smoke: builds


def test_sample_import_hashes_phone_numbers_and_refuses_duplicates(poll, secretariat):
    content = _csv(
        [["S1", "A", "+852 2345 6789"], ["S2", "B", "23456789"], ["S3", "C", ""], ["S1", "A", ""]],
        header=["household_id", "district", "phone"],
    )
    imp, _ = _import(
        poll,
        content,
        secretariat,
        mapping={"household_id": "household_id", "stratum": "district", "phone": "phone"},
        kind="sample",
    )
    assert imp.status == "rejected"
    assert [(e["row"], e["column"], e["message"]) for e in imp.errors] == [
        (3, "phone", "The same telephone number is already in the sample."),
        (4, "district", "Unknown stratum code."),
        (5, "household_id", "Household listed twice (first on row 2)."),
    ]
    ok = _csv(
        [["S1", "A", "+852 2345 6789"], ["S2", "B", ""]],
        header=["household_id", "district", "phone"],
    )
    imp, _ = _import(
        poll,
        ok,
        secretariat,
        mapping={"household_id": "household_id", "stratum": "district", "phone": "phone"},
        kind="sample",
    )
    assert imp.status == "imported"
    h = Household.objects.get(poll=poll, ref="S1")
    assert h.phone_hash == services.phone_hash("23456789")
    assert len(h.phone_hash) == 64 and "23456789" not in h.phone_hash
    assert not Household.objects.filter(phone_hash__contains="2345").exists()


BOMB_END = (
    " It looks like a “zip bomb”, which would take the server down when opened. Save the "
    "document again from its program, or send a smaller one."
)


@pytest.mark.parametrize(
    "name,make,message",
    [
        (
            "firm.xlsx",
            bombs.ratio_bomb,
            "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed."
            + BOMB_END,
        ),
        (
            "firm.xlsx",
            bombs.entries_bomb,
            "This file was refused: it holds 2502 files; at most 2000 are allowed." + BOMB_END,
        ),
        (
            "firm.xlsx",
            bombs.lying_bomb,
            "This file is damaged or forged: the sizes in its table of contents do not match "
            "its content. Save it again from its program and upload the new copy.",
        ),
        (
            "firm.xlsx",
            lambda: _csv(GOOD),
            "“firm.xlsx” is a text (CSV) file but its name ends in .xlsx. Rename it or choose "
            "the right file.",
        ),
    ],
    ids=["ratio", "entries", "lying-header", "csv-named-xlsx"],
)
def test_a_bomb_or_misnamed_file_is_refused_beside_the_control_and_nothing_stored(
    en_client, poll, secretariat, name, make, message
):
    import lxml.html

    en_client.force_login(secretariat)
    audits = AuditEntry.objects.count()
    response = en_client.post(
        reverse("surveys:import_new", args=[poll.pk]),
        {"kind": "responses", "file": SimpleUploadedFile(name, make())},
    )
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    file_input = tree.get_element_by_id("id_file")
    assert file_input.get("aria-describedby") == "id_file_helptext id_file_error"
    assert file_input.get("autofocus") == ""
    live = tree.xpath("//input[@id='id_file']/following-sibling::div[@aria-live='polite']")[0]
    assert [li.text_content() for li in live.xpath("./ul[@id='id_file_error']/li")] == [message]
    assert tree.xpath("//select[@id='id_kind']/option[@selected]/@value") == ["responses"]
    assert (PollImport.objects.count(), AuditEntry.objects.count()) == (0, audits)


def test_the_service_refuses_a_bomb_before_openpyxl_opens_it(poll, secretariat):
    with pytest.raises(ImportFileError) as caught:
        services.import_upload(
            poll=poll,
            kind="responses",
            filename="firm.xlsx",
            content=bombs.ratio_bomb(),
            actor=secretariat,
        )
    assert str(caught.value).startswith("This file was refused: it would unpack to 200 MB")
    assert PollImport.objects.count() == 0


def test_a_real_workbook_is_accepted_through_the_page(en_client, sample, secretariat):
    en_client.force_login(secretariat)
    response = en_client.post(
        reverse("surveys:import_new", args=[sample.pk]),
        {"kind": "responses", "file": SimpleUploadedFile("firm.xlsx", bombs.xlsx([HEADER, *GOOD]))},
    )
    imp = PollImport.objects.get()
    assert response["Location"] == reverse("surveys:import_detail", args=[sample.pk, imp.pk])
    # The upload reads the header only; the job counts (and checks) every row.
    assert (imp.file_format, imp.row_count, imp.headers) == ("xlsx", 0, HEADER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = en_client.post(response["Location"], MAPPING)
    imp.refresh_from_db()
    assert (imp.status, imp.job_status, imp.row_count, imp.imported_count) == (
        "imported",
        "done",
        6,
        6,
    )
