"""What a polling firm's real files hit in the agency import: a header with merged cells
(read-only openpyxl names only the first column of a merged range, so a column would be
lost) and codes written in full-width look-alike characters (ＨＫ－ＩＭＭＤ)."""

import io

import pytest
from django.utils import translation

from agencies.importers import AgencyImportError, ImportProblem, import_agencies
from agencies.models import Agency, AuditEntry
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


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


def test_an_xlsx_with_merged_header_cells_is_refused_naming_them():
    # "name_zh" merged over two columns: the second column (name_en) has no name left.
    data = _workbook(
        [("code", "name_zh", None), ("HK-IMMD", "入境事務處", "Immigration Department")],
        merge="B1:C1",
    )
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(data=data, filename="agencies.xlsx")
    assert caught.value.problems == [
        ImportProblem(
            1,
            "",
            "",
            "The header row has merged cells (B1:C1): each column needs its own name, or its "
            "data would be lost. Unmerge the cells, name every column, and import again.",
        )
    ]
    assert Agency.objects.count() == 0


def test_merged_cells_below_the_header_do_not_matter():
    data = _workbook(
        [("code", "name_zh", "name_en"), ("HK-IMMD", "入境事務處", "Immigration Department")],
        merge="B2:C2",
    )
    result = import_agencies(data=data, filename="agencies.xlsx")
    assert result.created == 1


def test_a_full_width_code_matches_the_stored_agency_and_the_result_says_so():
    AgencyFactory(code="HK-IMMD", name_zh="入境事務處", name_en="Immigration Department")
    data = "code,name_zh,name_en\r\nＨＫ－ＩＭＭＤ,入境事務處,Immigration Dept.\r\n".encode()

    result = import_agencies(data=data, filename="agencies.csv")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert list(Agency.objects.values_list("code", "name_en")) == [("HK-IMMD", "Immigration Dept.")]
    assert result.normalised == ((2, "code", "ＨＫ－ＩＭＭＤ", "HK-IMMD"),)
    entry = AuditEntry.objects.get(action="agency.import")
    assert entry.data["normalised"] == [[2, "code", "ＨＫ－ＩＭＭＤ", "HK-IMMD"]]


def test_a_full_width_parent_code_finds_its_parent():
    AgencyFactory(code="HK-SB", name_zh="保安局", name_en="Security Bureau")
    data = "code,name_zh,parent_code\r\nHK-IMMD,入境事務處,ＨＫ－ＳＢ\r\n".encode()

    result = import_agencies(data=data, filename="agencies.csv")

    assert result.created == 1
    assert Agency.objects.get(code="HK-IMMD").parent.code == "HK-SB"
    assert result.normalised == ((2, "parent_code", "ＨＫ－ＳＢ", "HK-SB"),)


def test_the_import_page_says_which_codes_were_read_in_their_standard_form():
    import lxml.html
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    from tests.agencies.test_import_job import URL, client_for
    from tests.factories import secretariat_user

    AgencyFactory(code="HK-IMMD", name_zh="入境事務處", name_en="Immigration Department")
    client = client_for(secretariat_user())
    data = "code,name_zh\r\nＨＫ－ＩＭＭＤ,入境事務處\r\n".encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("agencies.csv", data)})
    page = client.get(response["Location"])
    tree = lxml.html.fromstring(page.content.decode())
    notice = tree.get_element_by_id("import-normalised")
    assert " ".join(notice.text_content().split()) == (
        "These codes were written with full-width or look-alike characters and were read as "
        "the standard code: Row 2: ＨＫ－ＩＭＭＤ was read as HK-IMMD."
    )
    assert Agency.objects.filter(name_zh="入境事務處").count() == 1
