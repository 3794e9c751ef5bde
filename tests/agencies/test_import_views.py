"""The import page: the secretariat sees it and imports; every other role gets 404 and a
signed-out visitor is sent to sign in."""

from pathlib import Path

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from agencies.enums import Role
from agencies.importers import import_agencies
from agencies.models import Agency, AgencyImportJob, AuditEntry
from tests.factories import AgencyFactory, UserFactory, secretariat_user

pytestmark = pytest.mark.django_db

URL = "/agencies/import/"
HEADER = "code,name_zh,name_en,agency_type,parent_code,is_competent_authority,is_active"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def client_for(user=None, lang=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if lang:
        client.cookies["lang"] = lang
    return client


def page(response):
    return lxml.html.fromstring(response.content.decode())


def texts(tree, xpath):
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def rows(tree, xpath):
    """The text of each cell (th or td, or dt and dd) of each row the xpath finds."""
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td|./dt|./dd")]
        for row in tree.xpath(xpath)
    ]


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def imported(client, data):
    """Upload a file, let the background job run (as a worker would, after the commit)
    and open the job's page, where the browser is sent."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, {"file": data})
    job = AgencyImportJob.objects.latest("pk")
    assert (response.status_code, response["Location"]) == (302, f"/agencies/import/{job.pk}/")
    return client.get(response["Location"])


@pytest.fixture
def editor():
    return UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory(code="TW-TPE-ZSHR"))])


@pytest.fixture
def reviewer():
    return UserFactory(roles=[Role.REVIEWER])


def test_secretariat_sees_the_form_the_columns_and_the_template_link():
    response = client_for(secretariat_user(), lang="en").get(URL)

    assert response.status_code == 200
    tree = page(response)
    assert texts(tree, "//main//h1") == ["Import agencies"]
    assert texts(tree, "//main//h2") == ["Upload the file", "How to prepare the file"]
    assert texts(tree, "//label[@for='id_file']") == ["Agency list (CSV or XLSX)"]
    file_input = tree.get_element_by_id("id_file")
    assert (file_input.get("type"), file_input.get("aria-describedby")) == (
        "file",
        "id_file_helptext",
    )
    assert texts(tree, "//*[@id='id_file_helptext']") == [
        "A CSV file saved as “CSV UTF-8”, or an Excel workbook (.xlsx), at most 5 MB. Row 1 "
        "must be the header; only the first sheet of a workbook is read."
    ]
    assert tree.xpath("//form[@enctype='multipart/form-data']/@method") == ["post"]
    assert texts(tree, "//table[caption]//tbody/tr/th") == [
        "code",
        "name_zh",
        "name_en",
        "agency_type",
        "parent_code",
        "is_competent_authority",
        "is_active",
    ]
    assert rows(tree, "//table[@aria-labelledby='example-heading']//tr") == [
        HEADER.split(","),
        ["TW-TXG", "臺中市政府", "Taichung City Government", "general", "", "1", "1"],
        [
            "TW-TXG-LAND",
            "臺中市政府地政局",
            "Land Administration Bureau, Taichung",
            "land",
            "TW-TXG",
            "0",
            "1",
        ],
        [
            "TW-TXG-ZZLO",
            "臺中市中正地政事務所",
            "Zhongzheng Land Office, Taichung",
            "land",
            "TW-TXG-LAND",
            "0",
            "1",
        ],
    ]
    types = rows(tree, "//details//tbody/tr")
    assert len(types) == 15
    assert types[:2] == [
        ["household_registration", "戶政", "Household registration"],
        ["land", "地政", "Land administration"],
    ]
    assert tree.xpath("//a[@download]/@href") == ["/static/agency-import-template.csv"]
    assert tree.xpath("//*[@style]") == []
    assert tree.xpath("//script[not(@src)]") == []
    assert tree.xpath("//section[contains(@class, 'report')]") == []


def test_the_template_offered_for_download_imports_as_it_is():
    data = (Path(__file__).resolve().parents[2] / "static/agency-import-template.csv").read_bytes()

    result = import_agencies(data=data, filename="agency-import-template.csv")

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Agency.objects.get(code="TW-TXG-ZZLO").depth == 2


def test_secretariat_imports_a_good_file_and_sees_the_counts():
    user = secretariat_user()

    response = imported(client_for(user, lang="en"), upload("agencies_good.csv"))

    assert response.status_code == 200
    tree = page(response)
    assert texts(tree, "//main//h2") == [
        "Import complete",
        "Upload another file",
        "How to prepare the file",
    ]
    done = tree.xpath("//section[@role='status']")[0]
    assert texts(done, ".//p[1]") == ["Every row of agencies_good.csv was imported."]
    assert rows(done, ".//dl/div") == [["Created", "3"], ["Updated", "0"], ["Unchanged", "0"]]
    assert done.xpath(".//a[@class='button']/@href") == ["/agencies/"]
    assert sorted(Agency.objects.values_list("code", flat=True)) == [
        "TW-TXG",
        "TW-TXG-LAND",
        "TW-TXG-ZZLO",
    ]
    assert AuditEntry.objects.get(action="agency.import").actor == user


def test_secretariat_sees_every_problem_and_nothing_is_imported():
    AgencyFactory(code="TW-TXG-ZZLO", name_zh="舊名稱")
    before = list(Agency.objects.values_list("code", "name_zh", "path"))

    response = imported(
        client_for(secretariat_user(), lang="en"),
        upload("agencies_duplicate_and_unknown_parent.csv"),
    )

    assert response.status_code == 200
    tree = page(response)
    report = tree.xpath("//section[contains(@class, 'report')]")[0]
    assert texts(report, ".//h2") == ["Nothing was imported"]
    assert texts(report, "./p") == [
        "agencies_duplicate_and_unknown_parent.csv has 3 problems. No agency was created or "
        "changed: correct the file and upload it again."
    ]
    assert texts(report, ".//thead//th") == ["Row", "Field", "Value", "Problem"]
    assert report.xpath(".//thead//th/@scope") == ["col"] * 4
    assert rows(report, ".//tbody/tr") == [
        ["2", "code", "TW-TXG", "The code TW-TXG also appears in row 4."],
        ["4", "code", "TW-TXG", "The code TW-TXG also appears in row 2."],
        [
            "5",
            "parent_code",
            "TW-TXG-FIN",
            "No agency has the code TW-TXG-FIN, in this file or in the system.",
        ],
    ]
    assert list(Agency.objects.values_list("code", "name_zh", "path")) == before
    assert not AuditEntry.objects.filter(action="agency.import").exists()


def test_file_level_problems_show_the_whole_file():
    data = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    response = imported(client_for(secretariat_user(), lang="en"), data)

    assert rows(page(response), "//section[contains(@class, 'report')]//tbody/tr") == [
        [
            "—",
            "whole file",
            "—",
            "This is a PNG file, not a CSV or Excel (.xlsx) file. Save the agency list as "
            "“CSV UTF-8” or as an Excel workbook (.xlsx) and import again.",
        ]
    ]


def test_a_blank_cell_is_shown_as_empty():
    data = SimpleUploadedFile("blank.csv", b"code,name_zh\r\nTW-TXG,\r\n")

    response = imported(client_for(secretariat_user(), lang="en"), data)

    assert rows(page(response), "//section[contains(@class, 'report')]//tbody/tr") == [
        ["2", "name_zh", "(empty)", "A Chinese name is required."]
    ]


def test_the_page_is_in_chinese_by_default():
    response = imported(
        client_for(secretariat_user()), upload("agencies_duplicate_and_unknown_parent.csv")
    )

    tree = page(response)
    assert texts(tree, "//main//h1") == ["匯入機關"]
    report = tree.xpath("//section[contains(@class, 'report')]")[0]
    assert texts(report, ".//h2") == ["未匯入任何資料"]
    assert texts(report, ".//thead//th") == ["列", "欄位", "內容", "問題"]
    assert rows(report, ".//tbody/tr") == [
        ["2", "code", "TW-TXG", "代碼 TW-TXG 也出現在第 4 列。"],
        ["4", "code", "TW-TXG", "代碼 TW-TXG 也出現在第 2 列。"],
        ["5", "parent_code", "TW-TXG-FIN", "本檔案及系統中都沒有代碼為 TW-TXG-FIN 的機關。"],
    ]


def test_no_file_is_a_form_error():
    response = client_for(secretariat_user(), lang="en").post(URL, {})

    tree = page(response)
    assert texts(tree, "//ul[@class='errorlist']") == ["This field is required."]
    assert tree.xpath("//section[contains(@class, 'report')]") == []
    assert Agency.objects.count() == 0


@pytest.mark.parametrize("persona", ["editor", "reviewer"])
def test_other_roles_get_not_found_and_cannot_import(request, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user, lang="en")
    before = Agency.objects.count()

    assert client.get(URL).status_code == 404
    response = client.post(URL, {"file": upload("agencies_good.csv")})

    assert response.status_code == 404
    assert b"Import agencies" not in response.content
    assert Agency.objects.count() == before


def test_signed_out_visitors_are_sent_to_sign_in():
    client = client_for()

    response = client.get(URL)
    posted = client.post(URL, {"file": upload("agencies_good.csv")})

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/agencies/import/",
    )
    assert posted.status_code == 302
    assert Agency.objects.count() == 0
