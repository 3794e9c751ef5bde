"""The agency import: every bad file is refused whole with every problem named by row and
column; good files create and update agencies with correct tree paths, in one audit entry."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from agencies.importers import AgencyImportError, ImportProblem, ImportResult, import_agencies
from agencies.models import Agency, AuditEntry
from tests.factories import AgencyFactory, secretariat_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "code,name_zh,name_en,agency_type,parent_code,is_competent_authority,is_active"
COLUMNS_LISTED = (
    "code, name_zh, name_en, agency_type, parent_code, is_competent_authority, is_active"
)
TYPES_LISTED = (
    "household_registration, land, tax, environment, health, police, fire, tourism, "
    "social_welfare, labour, transport, immigration, culture, general, other"
)
YES_NO = "Not a yes/no value. Use 1 or 0, true or false, yes or no, 是 or 否, Y or N."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def existing():
    """Two agencies already stored: a competent authority and one office below it."""
    moi = AgencyFactory(
        code="TW-MOI", name_zh="內政部", name_en="Ministry of the Interior", agency_type="general"
    )
    AgencyFactory(
        code="TW-NPA", name_zh="內政部警政署", name_en="National Police Agency", parent=moi
    )


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode() + b"\r\n"


def xlsx_bytes(*rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored():
    """Everything about every agency, to compare before and after a refused import."""
    return list(
        Agency.objects.order_by("code").values_list(
            "code",
            "name_zh",
            "name_en",
            "agency_type",
            "parent__code",
            "is_competent_authority",
            "is_active",
            "path",
            "depth",
        )
    )


def refused(data: bytes, filename: str = "agencies.csv"):
    """Import data, expect a refusal that changed nothing, return (row, field, value,
    message) of each problem."""
    before = stored()
    audits = AuditEntry.objects.count()
    with pytest.raises(AgencyImportError) as caught:
        import_agencies(data=data, filename=filename)
    assert stored() == before
    assert AuditEntry.objects.count() == audits
    return [(p.row, p.field, p.value, p.message) for p in caught.value.problems]


def tree():
    """code -> (parent code, path spelled with codes, depth), to check paths exactly."""
    agencies = {a.pk: a for a in Agency.objects.select_related("parent")}
    return {
        a.code: (
            a.parent.code if a.parent else None,
            "/".join(agencies[int(pk)].code for pk in a.path.strip("/").split("/")),
            a.depth,
        )
        for a in agencies.values()
    }


# --- Good files -------------------------------------------------------------------------


def test_csv_with_bom_from_excel_creates_a_three_level_tree_in_any_order():
    user = secretariat_user()
    data = (FIXTURES / "agencies_good.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")

    result = import_agencies(data=data, filename="agencies_good.csv", actor=user)

    assert result == ImportResult(
        filename="agencies_good.csv",
        created=3,
        updated=0,
        unchanged=0,
        created_codes=("TW-TXG-ZZLO", "TW-TXG", "TW-TXG-LAND"),
    )
    assert tree() == {
        "TW-TXG": (None, "TW-TXG", 0),
        "TW-TXG-LAND": ("TW-TXG", "TW-TXG/TW-TXG-LAND", 1),
        "TW-TXG-ZZLO": ("TW-TXG-LAND", "TW-TXG/TW-TXG-LAND/TW-TXG-ZZLO", 2),
    }
    assert list(
        Agency.objects.order_by("path").values_list(
            "code", "name_zh", "name_en", "agency_type", "is_competent_authority", "is_active"
        )
    ) == [
        ("TW-TXG", "臺中市政府", "Taichung City Government", "general", True, True),
        (
            "TW-TXG-LAND",
            "臺中市政府地政局",
            "Land Administration Bureau, Taichung",
            "land",
            False,
            True,
        ),
        (
            "TW-TXG-ZZLO",
            "臺中市中正地政事務所",
            "Zhongzheng Land Office, Taichung",
            "land",
            False,
            True,
        ),
    ]
    entry = AuditEntry.objects.get(action="agency.import")
    assert (entry.action, entry.actor, entry.object_type) == (
        "agency.import",
        user,
        "agencies.agency",
    )
    assert entry.object_repr == "TW-TXG-ZZLO Zhongzheng Land Office, Taichung"
    assert entry.data == {
        "filename": "agencies_good.csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "created_codes": ["TW-TXG-ZZLO", "TW-TXG", "TW-TXG-LAND"],
        "updated_codes": [],
    }


def test_csv_without_bom_with_only_the_required_columns_uses_the_defaults():
    data = csv_bytes("name_zh,code", "臺中市政府,TW-TXG")

    result = import_agencies(data=data, filename="plain.csv")

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert list(
        Agency.objects.values_list(
            "code",
            "name_zh",
            "name_en",
            "agency_type",
            "parent",
            "is_competent_authority",
            "is_active",
            "depth",
        )
    ) == [("TW-TXG", "臺中市政府", "", "other", None, False, True, 0)]
    assert tree()["TW-TXG"] == (None, "TW-TXG", 0)


def test_xlsx_with_numbers_booleans_and_blank_rows_is_read_like_a_csv():
    data = xlsx_bytes(
        ("Code", "NAME_ZH", "Name_EN", "Agency_Type", "Parent_Code", "Is_Competent_Authority"),
        ("TW-TXG", "臺中市政府", "Taichung City Government", "General administration", None, True),
        (None, None, None, None, None, None),
        (10001, " 臺中市政府地政局 ", None, "地政", "TW-TXG", 0),
    )

    result = import_agencies(data=data, filename="agencies.xlsx")

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert list(
        Agency.objects.order_by("path").values_list(
            "code", "name_zh", "name_en", "agency_type", "is_competent_authority", "depth"
        )
    ) == [
        ("TW-TXG", "臺中市政府", "Taichung City Government", "general", True, 0),
        ("10001", "臺中市政府地政局", "", "land", False, 1),
    ]


def test_xlsx_is_known_by_its_content_not_its_name():
    data = xlsx_bytes(("code", "name_zh"), ("TW-TXG", "臺中市政府"))

    result = import_agencies(data=data, filename="agencies.csv")

    assert result.created == 1


def test_an_existing_code_is_updated_and_an_identical_row_is_counted_unchanged(existing):
    data = csv_bytes(
        HEADER,
        "TW-MOI,內政部,Ministry of the Interior,general,,yes,yes",
        "TW-NPA,內政部警政署,National Police Agency (NPA),police,TW-MOI,no,yes",
        "TW-NIA,內政部移民署,National Immigration Agency,immigration,TW-MOI,no,yes",
    )

    result = import_agencies(data=data, filename="update.csv")

    assert result == ImportResult(
        filename="update.csv",
        created=1,
        updated=2,
        unchanged=0,
        created_codes=("TW-NIA",),
        updated_codes=("TW-MOI", "TW-NPA"),
    )
    assert Agency.objects.count() == 3
    npa = Agency.objects.get(code="TW-NPA")
    assert (npa.name_en, npa.agency_type) == ("National Police Agency (NPA)", "police")
    assert Agency.objects.get(code="TW-MOI").is_competent_authority is True

    again = import_agencies(data=data, filename="update.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.filter(action="agency.import").count() == 2


def test_an_update_keeps_the_values_of_columns_the_file_does_not_have(existing):
    result = import_agencies(data=csv_bytes("code,name_zh", "TW-NPA,警政署"), filename="a.csv")

    assert (result.created, result.updated) == (0, 1)
    npa = Agency.objects.get(code="TW-NPA")
    assert (npa.name_zh, npa.name_en, npa.parent.code, npa.agency_type) == (
        "警政署",
        "National Police Agency",
        "TW-MOI",
        "household_registration",
    )


def test_parents_may_come_later_in_the_file_and_be_stored_agencies(existing):
    data = csv_bytes(
        "code,name_zh,parent_code",
        "TW-NPA-HWY,國道公路警察局,TW-NPA",
        "TW-TXG-POL-1,臺中市政府警察局第一分局,TW-TXG-POL",
        "TW-TXG-POL,臺中市政府警察局,TW-TXG",
        "TW-TXG,臺中市政府,",
    )

    import_agencies(data=data, filename="later.csv")

    assert tree() == {
        "TW-MOI": (None, "TW-MOI", 0),
        "TW-NPA": ("TW-MOI", "TW-MOI/TW-NPA", 1),
        "TW-NPA-HWY": ("TW-NPA", "TW-MOI/TW-NPA/TW-NPA-HWY", 2),
        "TW-TXG": (None, "TW-TXG", 0),
        "TW-TXG-POL": ("TW-TXG", "TW-TXG/TW-TXG-POL", 1),
        "TW-TXG-POL-1": ("TW-TXG-POL", "TW-TXG/TW-TXG-POL/TW-TXG-POL-1", 2),
    }


def test_moving_a_stored_agency_moves_the_stored_agencies_below_it(existing):
    AgencyFactory(code="TW-NPA-HWY", parent=Agency.objects.get(code="TW-NPA"))
    data = csv_bytes(
        "code,name_zh,parent_code",
        "TW-NPA,內政部警政署,TW-EY",
        "TW-EY,行政院,",
        "TW-MOI,內政部,TW-EY",
    )

    result = import_agencies(data=data, filename="move.csv")

    assert (result.created, result.updated) == (1, 2)
    assert tree() == {
        "TW-EY": (None, "TW-EY", 0),
        "TW-MOI": ("TW-EY", "TW-EY/TW-MOI", 1),
        "TW-NPA": ("TW-EY", "TW-EY/TW-NPA", 1),
        "TW-NPA-HWY": ("TW-NPA", "TW-EY/TW-NPA/TW-NPA-HWY", 2),
    }


def test_agency_types_and_yes_no_values_in_every_accepted_spelling():
    rows = [
        ("A1", "land", "1", "0"),
        ("A2", "地政", "true", "false"),
        ("A3", "Land administration", "YES", "no"),
        ("A4", "LAND", "是", "否"),
        ("A5", "", "y", "N"),
        ("A6", "Household registration", "", ""),
        ("A7", "戶政", "True", "FALSE"),
    ]
    data = csv_bytes(
        "code,name_zh,agency_type,is_competent_authority,is_active",
        *[f"{code},機關{code},{kind},{ca},{active}" for code, kind, ca, active in rows],
    )

    import_agencies(data=data, filename="spellings.csv")

    assert list(
        Agency.objects.order_by("code").values_list(
            "code", "agency_type", "is_competent_authority", "is_active"
        )
    ) == [
        ("A1", "land", True, False),
        ("A2", "land", True, False),
        ("A3", "land", True, False),
        ("A4", "land", True, False),
        ("A5", "other", True, False),
        ("A6", "household_registration", False, True),
        ("A7", "household_registration", True, False),
    ]


# --- Bad rows ---------------------------------------------------------------------------


def test_a_code_twice_in_the_file_names_both_rows(existing):
    data = csv_bytes(
        "code,name_zh",
        "TW-TXG,臺中市政府",
        "TW-TXG-LAND,臺中市政府地政局",
        "TW-TXG,臺中市政府（重複）",
    )

    assert refused(data) == [
        (2, "code", "TW-TXG", "The code TW-TXG also appears in row 4."),
        (4, "code", "TW-TXG", "The code TW-TXG also appears in row 2."),
    ]


def test_an_unknown_parent_code_is_refused(existing):
    data = csv_bytes(
        "code,name_zh,parent_code",
        "TW-TXG-TAX,臺中市政府地方稅務局,TW-TXG-FIN",
        "TW-NIA,內政部移民署,TW-MOI",
    )

    assert refused(data) == [
        (
            2,
            "parent_code",
            "TW-TXG-FIN",
            "No agency has the code TW-TXG-FIN, in this file or in the system.",
        ),
    ]


def test_a_blank_chinese_name_is_refused(existing):
    data = csv_bytes(HEADER, "TW-TXG,,Taichung City Government,general,,yes,yes")

    assert refused(data) == [(2, "name_zh", "", "A Chinese name is required.")]


def test_a_blank_code_is_refused(existing):
    data = csv_bytes(HEADER, " ,臺中市政府,Taichung City Government,general,,yes,yes")

    assert refused(data) == [(2, "code", "", "A code is required.")]


def test_an_unknown_agency_type_is_refused(existing):
    data = csv_bytes("code,name_zh,agency_type", "TW-TXG,臺中市政府,city")

    assert refused(data) == [
        (
            2,
            "agency_type",
            "city",
            f"Unknown agency type. Use one of {TYPES_LISTED}, or the type's Chinese or "
            "English name.",
        )
    ]


def test_a_value_that_is_not_yes_or_no_is_refused(existing):
    data = csv_bytes(
        "code,name_zh,is_competent_authority,is_active", "TW-TXG,臺中市政府,maybe,是的"
    )

    assert refused(data) == [
        (2, "is_competent_authority", "maybe", YES_NO),
        (2, "is_active", "是的", YES_NO),
    ]


def test_values_longer_than_the_columns_are_refused(existing):
    data = csv_bytes("code,name_zh", f"{'X' * 33},{'名' * 201}")

    assert refused(data) == [
        (2, "code", "X" * 33, "Too long: at most 32 characters."),
        (2, "name_zh", "名" * 201, "Too long: at most 200 characters."),
    ]


def test_parent_links_in_a_circle_are_refused_on_every_row_of_the_circle(existing):
    data = csv_bytes(
        "code,name_zh,parent_code",
        "A,甲,C",
        "B,乙,A",
        "C,丙,B",
        "D,丁,C",
        "E,戊,E",
    )

    circle = "The parent links go round in a circle: A → C → B → A."
    assert refused(data) == [
        (2, "parent_code", "C", circle),
        (3, "parent_code", "A", circle),
        (4, "parent_code", "B", circle),
        (6, "parent_code", "E", "An agency cannot be its own parent."),
    ]


def test_a_circle_through_stored_agencies_is_refused(existing):
    # TW-NPA is stored below TW-MOI; putting TW-MOI below TW-NPA closes a circle.
    data = csv_bytes("code,name_zh,parent_code", "TW-MOI,內政部,TW-NPA")

    assert refused(data) == [
        (
            2,
            "parent_code",
            "TW-NPA",
            "The parent links go round in a circle: TW-MOI → TW-NPA → TW-MOI.",
        )
    ]


def test_every_problem_of_every_row_is_reported_at_once(existing):
    data = csv_bytes(
        HEADER,
        "TW-TXG,臺中市政府,,city,,yes,yes",
        ",臺中市政府地政局,,land,TW-TXG,no,maybe",
        "TW-TXG,,,,TW-NOPE,,",
    )

    assert [(row, field) for row, field, _value, _message in refused(data)] == [
        (2, "code"),
        (2, "agency_type"),
        (3, "code"),
        (3, "is_active"),
        (4, "code"),
        (4, "name_zh"),
        (4, "parent_code"),
    ]


# --- Bad files --------------------------------------------------------------------------


def test_a_big5_csv_is_refused_naming_the_line_of_the_first_bad_byte(existing):
    data = (
        f"{HEADER}\r\n"
        "TW-TXG,臺中市政府,Taichung City Government,general,,是,是\r\n"
        "TW-TXG-LAND,臺中市政府地政局,,land,TW-TXG,否,是\r\n"
    ).encode("cp950")

    assert refused(data) == [
        (
            2,
            "",
            "TW-TXG,臺中市政府,Taichung City Government,general,,是,是",
            "The file is not UTF-8; it looks like Big5. Save it as “CSV UTF-8” and import again.",
        )
    ]


def test_a_big5_csv_message_in_chinese(existing):
    data = "code,name_zh\r\nTW-TXG,臺中市政府\r\n".encode("big5")

    with translation.override("zh-hant"):
        problems = refused(data)

    assert problems == [
        (
            2,
            "",
            "TW-TXG,臺中市政府",
            "檔案不是 UTF-8 編碼，看來是 Big5。請另存為「CSV UTF-8」後再匯入。",
        )
    ]
    with translation.override("zh-hant"):
        assert str(ImportProblem(*problems[0])) == f"第 2 列：{problems[0][3]}"


def test_text_in_another_encoding_is_refused_as_not_utf8(existing):
    data = "code,name_zh\nA1,Café\n".encode("latin-1")

    assert refused(data) == [
        (
            2,
            "",
            "A1,Caf\ufffd",
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and import again.",
        )
    ]


def test_an_xlsx_with_a_title_row_above_the_header_is_refused(existing):
    data = xlsx_bytes(
        ("105 年度受評機關名單",),
        HEADER.split(","),
        ("TW-TXG", "臺中市政府", "Taichung City Government", "general", None, "是", "是"),
    )

    assert refused(data, "agencies.xlsx") == [
        (
            1,
            "",
            "105 年度受評機關名單",
            f"Row 1 is not the header. The header must be the first row, with the columns: "
            f"{COLUMNS_LISTED}.",
        ),
        (
            2,
            "",
            COLUMNS_LISTED,
            "Row 2 looks like the header: delete the rows above it and import again.",
        ),
    ]


def test_a_file_without_any_header_is_refused_listing_the_columns(existing):
    data = csv_bytes("TW-TXG,臺中市政府", "TW-TXG-LAND,臺中市政府地政局")

    assert refused(data) == [
        (
            1,
            "",
            "TW-TXG, 臺中市政府",
            f"Row 1 is not the header. The header must be the first row, with the columns: "
            f"{COLUMNS_LISTED}.",
        )
    ]


def test_columns_separated_by_semicolons_are_refused_saying_so(existing):
    data = csv_bytes("code;name_zh", "TW-TXG;臺中市政府")

    assert refused(data) == [
        (
            1,
            "",
            "code;name_zh",
            "The columns are separated by “;”, not commas. Save the file as “CSV UTF-8” and "
            "import again.",
        )
    ]


def test_missing_required_unknown_and_repeated_columns_are_refused(existing):
    data = csv_bytes("name_en,parent,name_en", "Taichung City Government,,x")

    assert refused(data) == [
        (1, "code", "", "The required column code is missing."),
        (1, "name_zh", "", "The required column name_zh is missing."),
        (1, "name_en", "name_en", "This column appears more than once in the header."),
        (1, "parent", "parent", f"Unknown column. The columns are: {COLUMNS_LISTED}."),
    ]


@pytest.mark.parametrize(
    "data", [b"", b"\r\n \r\n", b"\xef\xbb\xbf", b",,,\r\n,,\r\n"], ids=["0", "ws", "bom", "commas"]
)
def test_an_empty_file_is_refused(existing, data):
    assert refused(data) == [(None, "", "", "The file is empty.")]


def test_an_empty_workbook_is_refused(existing):
    assert refused(xlsx_bytes(), "agencies.xlsx") == [(None, "", "", "The file is empty.")]


def test_a_header_without_rows_is_refused(existing):
    data = csv_bytes(HEADER, ",,,,,,", "")

    assert refused(data) == [(None, "", "", "There are no agency rows under the header.")]


def kind_refused(kind):
    return [
        (
            None,
            "",
            "",
            f"This is a {kind} file, not a CSV or Excel (.xlsx) file. Save the agency list as "
            "“CSV UTF-8” or as an Excel workbook (.xlsx) and import again.",
        )
    ]


def test_a_png_named_csv_is_refused(existing):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
        b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
        b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    assert refused(png, "agencies.csv") == kind_refused("PNG")


def test_a_pdf_named_csv_is_refused(existing):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    assert refused(pdf, "agencies.csv") == kind_refused("PDF")


def test_a_zip_that_is_not_a_workbook_is_refused(existing):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(out.getvalue(), "agencies.xlsx") == kind_refused("ZIP")


def test_an_old_xls_workbook_is_refused(existing):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert refused(xls, "agencies.xls") == [
        (
            None,
            "",
            "",
            "This is an old Excel workbook (.xls). Save it as an Excel workbook (.xlsx) or as "
            "“CSV UTF-8” and import again.",
        )
    ]


def test_binary_without_a_known_signature_is_refused(existing):
    assert refused(bytes(range(256)) * 4, "agencies.csv") == [
        (
            None,
            "",
            "",
            "The file is neither CSV text nor an Excel workbook (.xlsx). Save the agency list "
            "as “CSV UTF-8” or as an Excel workbook (.xlsx) and import again.",
        )
    ]


def test_utf16_text_is_refused(existing):
    data = "code,name_zh\r\nTW-TXG,臺中市政府\r\n".encode("utf-16")
    assert refused(data) == [
        (
            None,
            "",
            "",
            "The file is UTF-16 text, not UTF-8. Save it as “CSV UTF-8” and import again.",
        )
    ]


# --- The command ------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(existing):
    out = io.StringIO()

    call_command("import_agencies", str(FIXTURES / "agencies_good.csv"), stdout=out)

    assert out.getvalue() == "agencies_good.csv: 3 created, 0 updated, 0 unchanged.\n"
    assert Agency.objects.count() == 5
    assert AuditEntry.objects.get(action="agency.import").actor is None


def test_the_command_prints_one_line_per_problem_and_fails(existing):
    path = FIXTURES / "agencies_duplicate_and_unknown_parent.csv"
    before = stored()
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_agencies", str(path), stdout=out, stderr=err)

    assert str(caught.value) == "Nothing was imported: 3 problems."
    assert err.getvalue().splitlines() == [
        "Row 2, field code: The code TW-TXG also appears in row 4.",
        "Row 4, field code: The code TW-TXG also appears in row 2.",
        "Row 5, field parent_code: No agency has the code TW-TXG-FIN, in this file or in "
        "the system.",
    ]
    assert out.getvalue() == ""
    assert stored() == before


def test_the_command_prints_file_level_problems_without_a_row(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_agencies", str(path), stderr=err)

    assert str(caught.value) == "Nothing was imported: 1 problem."
    assert err.getvalue() == "The file is empty.\n"


def test_the_command_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("import_agencies", str(tmp_path / "missing.csv"))

    assert str(caught.value) == f"Cannot read {tmp_path / 'missing.csv'}: No such file or directory"
