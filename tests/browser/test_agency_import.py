"""The agency import through a real browser: a good file in Chinese, then a bad one in
English, with the report of every problem and nothing imported."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from tests.factories import AgencyFactory, secretariat_user

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_secretariat_imports_a_good_file_then_sees_the_report_of_a_bad_one(
    transactional_db, live_server, sign_in, shot, axe_violations
):
    AgencyFactory(code="TW-MOI", name_zh="內政部", name_en="Ministry of the Interior")
    page = sign_in(secretariat_user(full_name="秘書處 陳怡君"), "/agencies/import/")

    expect(page.get_by_role("heading", level=1)).to_have_text("匯入機關")
    expect(page.get_by_role("table", name="欄位說明").get_by_role("row")).to_have_count(1 + 7)
    expect(page.get_by_role("link", name="下載範本（CSV UTF-8）")).to_have_attribute(
        "href", "/static/agency-import-template.csv"
    )
    page.get_by_text("機關類型", exact=True).click()
    types = page.get_by_role("group").get_by_role("table")
    expect(types.get_by_role("row").nth(2)).to_have_text(
        re.compile(r"^\s*land\s*地政\s*Land administration\s*$")
    )
    assert axe_violations(page) == []
    shot(page, "01-import-form-zh")

    page.get_by_label("機關名單（CSV 或 XLSX）").set_input_files(FIXTURES / "agencies_good.csv")
    page.get_by_role("button", name="匯入", exact=True).click()

    done = page.get_by_role("status").filter(has_text="匯入完成")
    expect(done.get_by_role("heading", level=2)).to_have_text("匯入完成")
    expect(done).to_contain_text("agencies_good.csv 的所有資料列均已匯入。")
    expect(done.locator("dl dt")).to_have_text(["新增", "更新", "未變更"])
    expect(done.locator("dl dd")).to_have_text(["3", "0", "0"])
    assert axe_violations(page) == []
    shot(page, "02-import-done-zh")

    done.get_by_role("link", name="檢視機關名單").click()
    expect(page).to_have_url(live_server.url + "/agencies/")
    office = page.get_by_role("row", name=re.compile("臺中市中正地政事務所"))
    expect(office.get_by_role("cell")).to_have_text(
        ["TW-TXG-ZZLO", "地政", "臺中市政府地政局", "啟用"]
    )
    expect(office.locator("th.depth-2")).to_have_count(1)
    shot(page, "03-agency-list-after-import-zh")

    page.goto(live_server.url + "/agencies/import/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import agencies")
    page.get_by_label("Agency list (CSV or XLSX)").set_input_files(
        FIXTURES / "agencies_duplicate_and_unknown_parent.csv"
    )
    page.get_by_role("button", name="Import", exact=True).click()

    report = page.get_by_role("region", name="Nothing was imported")
    expect(report).to_contain_text(
        "agencies_duplicate_and_unknown_parent.csv has 3 problems. No agency was created or "
        "changed: correct the file and upload it again."
    )
    table = report.get_by_role("table", name="Nothing was imported")
    expect(table.get_by_role("columnheader")).to_have_text(["Row", "Field", "Value", "Problem"])
    rows = table.locator("tbody tr")
    expected = [
        ["2", "code", "TW-TXG", "The code TW-TXG also appears in row 4."],
        ["4", "code", "TW-TXG", "The code TW-TXG also appears in row 2."],
        [
            "5",
            "parent_code",
            "TW-TXG-FIN",
            "No agency has the code TW-TXG-FIN, in this file or in the system.",
        ],
    ]
    expect(rows).to_have_count(len(expected))
    for index, cells in enumerate(expected):
        expect(rows.nth(index).get_by_role("cell")).to_have_text(cells)
    assert axe_violations(page) == []
    shot(page, "04-import-report-en")

    assert sorted(Agency.objects.values_list("code", "name_zh")) == [
        ("TW-MOI", "內政部"),
        ("TW-TXG", "臺中市政府"),
        ("TW-TXG-LAND", "臺中市政府地政局"),
        ("TW-TXG-ZZLO", "臺中市中正地政事務所"),
    ]


def test_a_zip_bomb_is_refused_beside_the_control_and_a_workbook_goes_through_the_job(
    transactional_db, live_server, sign_in, shot, axe_violations
):
    from agencies.models import AgencyImportJob
    from tests import bombs

    page = sign_in(secretariat_user(full_name="秘書處 陳怡君"), "/agencies/import/")
    page.get_by_role("button", name="English").click()
    control = page.get_by_label("Agency list (CSV or XLSX)")
    control.set_input_files(
        files=[
            {"name": "agencies.xlsx", "mimeType": "application/zip", "buffer": bombs.ratio_bomb()}
        ]
    )
    page.get_by_role("button", name="Import", exact=True).click()

    error = page.locator("#id_file_error")
    expect(error).to_have_text(
        "This file was refused: it would unpack to 200 MB; at most 100 MB are allowed. It looks "
        "like a “zip bomb”, which would take the server down when opened. Save the document "
        "again from its program, or send a smaller one."
    )
    expect(error).to_be_in_viewport()
    expect(control).to_be_focused()
    expect(control).to_have_attribute("aria-describedby", "id_file_helptext id_file_error")
    expect(error.locator("xpath=..")).to_have_attribute("aria-live", "polite")
    assert axe_violations(page) == []
    shot(page, "05-zip-bomb-refused-en")
    assert (AgencyImportJob.objects.count(), Agency.objects.count()) == (0, 0)

    control.set_input_files(
        files=[
            {
                "name": "機關.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": bombs.xlsx([["code", "name_zh"], ["TW-TXG", "臺中市政府"]]),
            }
        ]
    )
    page.get_by_role("button", name="Import", exact=True).click()
    job = AgencyImportJob.objects.get()
    expect(page).to_have_url(f"{live_server.url}/agencies/import/{job.pk}/")
    done = page.get_by_role("status").filter(has_text="Import complete")
    expect(done).to_contain_text("Every row of 機關.xlsx was imported.")
    expect(done.locator("dl dd")).to_have_text(["1", "0", "0"])
    assert axe_violations(page) == []
    shot(page, "06-workbook-imported-en")
