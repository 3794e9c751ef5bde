"""The agency import upload: checked by its content in the request (a zip bomb or a
misnamed file is refused beside the control, nothing stored), then read by a background
job whose page shows its progress and then the result."""

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from agencies.enums import Role
from agencies.importers import AgencyImportError, agency_import_execute, import_agencies
from agencies.models import Agency, AgencyImportJob, AuditEntry
from tests import bombs
from tests.factories import AgencyFactory, UserFactory, secretariat_user

pytestmark = pytest.mark.django_db

URL = "/agencies/import/"
BOMB = (
    " It looks like a “zip bomb”, which would take the server down when opened. Save the "
    "document again from its program, or send a smaller one."
)
ROWS = [
    ["code", "name_zh", "parent_code"],
    ["TW-TXG", "臺中市政府", ""],
    ["TW-TXG-LAND", "臺中市政府地政局", "TW-TXG"],
]


def client_for(user, lang="en"):
    client = Client()
    client.force_login(user)
    client.cookies["lang"] = lang
    return client


def texts(tree, xpath):
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


@pytest.mark.parametrize(
    "data,message",
    [
        (
            bombs.ratio_bomb,
            "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed." + BOMB,
        ),
        (
            bombs.entries_bomb,
            "This file was refused: it holds 2502 files; at most 2000 are allowed." + BOMB,
        ),
        (
            bombs.lying_bomb,
            "This file is damaged or forged: the sizes in its table of contents do not match "
            "its content. Save it again from its program and upload the new copy.",
        ),
        (
            lambda: bombs.xlsx(ROWS),
            "“agencies.csv” is an Excel workbook (.xlsx) but its name ends in .csv. Rename it "
            "or choose the right file.",
        ),
    ],
    ids=["ratio", "entries", "lying-header", "misnamed"],
)
def test_a_refused_upload_is_said_beside_the_control_and_nothing_is_stored(data, message):
    name = "agencies.csv" if "name ends" in message else "agencies.xlsx"
    client = client_for(secretariat_user())
    audits = AuditEntry.objects.count()

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post(URL, {"file": SimpleUploadedFile(name, data())})

    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    file_input = tree.get_element_by_id("id_file")
    assert file_input.get("aria-describedby") == "id_file_helptext id_file_error"
    assert (file_input.get("aria-invalid"), file_input.get("autofocus")) == ("true", "")
    live = tree.xpath("//input[@id='id_file']/following-sibling::div[@aria-live='polite']")
    assert texts(live[0], "./ul[@id='id_file_error']/li") == [message]
    assert tree.xpath("//section[contains(@class, 'report')]") == []
    assert (callbacks, AgencyImportJob.objects.count(), Agency.objects.count()) == ([], 0, 0)
    assert AuditEntry.objects.count() == audits


def test_the_importer_itself_refuses_a_bomb_before_openpyxl_opens_it():
    """Whoever calls it (the management command, a job whose file predates the checks)."""
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(data=bombs.ratio_bomb(), filename="agencies.xlsx")
    assert [str(problem) for problem in caught.value.problems] == [
        "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed." + BOMB
    ]
    assert Agency.objects.count() == 0


def test_a_real_workbook_is_stored_queued_and_the_page_follows_the_job_to_its_result():
    user = secretariat_user()
    client = client_for(user)

    # The worker has not started: the request only stored the file and queued the job.
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = client.post(URL, {"file": SimpleUploadedFile("機關.xlsx", bombs.xlsx(ROWS))})
    job = AgencyImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/agencies/import/{job.pk}/")
    assert (job.status, job.progress, job.filename, len(callbacks)) == ("queued", 0, "機關.xlsx", 1)
    assert Agency.objects.count() == 0
    assert AuditEntry.objects.get(action="agency.import.start").data["filename"] == "機關.xlsx"

    tree = lxml.html.fromstring(client.get(response["Location"]).content.decode())
    follow = tree.get_element_by_id("import-job")
    assert follow.get("hx-get") == f"/agencies/import/{job.pk}/"
    assert follow.get("hx-trigger") == "every 1s"
    assert texts(follow, ".//h2") == ["Reading 機關.xlsx"]
    assert texts(follow, ".//*[@role='status']/label") == ["Waiting for a worker to start… 0 %"]
    assert follow.xpath(".//progress/@value") == ["0"]
    assert texts(tree, "//main//h2") == [
        "Reading 機關.xlsx",
        "Upload another file",
        "How to prepare the file",
    ]

    callbacks[0]()  # the worker runs the job
    job.refresh_from_db()
    assert (job.status, job.progress, bytes(job.content)) == ("done", 100, b"")
    assert Agency.objects.get(code="TW-TXG-LAND").parent.code == "TW-TXG"
    assert AuditEntry.objects.get(action="agency.import").actor == user
    assert AuditEntry.objects.get(action="agency.import.done").to_state == "done"

    partial = client.get(f"/agencies/import/{job.pk}/", headers={"HX-Request": "true"})
    fragment = lxml.html.fromstring(partial.content.decode())
    assert fragment.get("id") == "import-job" and fragment.get("hx-get") is None
    assert texts(fragment, ".//section[@role='status']//h2") == ["Import complete"]
    assert texts(fragment, ".//dl/div/dd") == ["2", "0", "0"]
    assert b"<html" not in partial.content

    # Running the job again does nothing more.
    assert agency_import_execute(job_id=job.pk).status == "done"
    assert Agency.objects.count() == 2
    assert AuditEntry.objects.filter(action="agency.import").count() == 1


def test_a_refused_file_is_reported_in_the_language_of_the_upload():
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(secretariat_user(), lang="zh-hant").post(
            URL, {"file": SimpleUploadedFile("a.csv", b"code,name_zh\nTW-TXG,\n")}
        )
    job = AgencyImportJob.objects.get()
    assert (job.status, job.language) == ("failed", "zh-hant")
    tree = lxml.html.fromstring(
        client_for(secretariat_user(), lang="en").get(response["Location"]).content.decode()
    )
    report = tree.xpath("//section[contains(@class, 'report')]")[0]
    assert texts(report, ".//tbody/tr/td[last()]") == ["必須填寫中文名稱。"]
    assert AuditEntry.objects.get(action="agency.import.fail").to_state == "failed"


@pytest.mark.parametrize("role", [Role.AGENCY_EDITOR, Role.REVIEWER])
def test_other_roles_get_not_found_for_a_job(role):
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(secretariat_user()).post(
            URL, {"file": SimpleUploadedFile("a.csv", b"code,name_zh\nX,Y\n")}
        )
    job = AgencyImportJob.objects.get()
    user = UserFactory(roles=[(role, AgencyFactory())] if role == Role.AGENCY_EDITOR else [role])
    response = client_for(user).get(f"/agencies/import/{job.pk}/")
    assert response.status_code == 404
    assert b"a.csv" not in response.content
    assert client_for(secretariat_user()).get("/agencies/import/999999/").status_code == 404
