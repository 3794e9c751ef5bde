"""The results workbook: sheets, numbers read back equal to the standings, reviewer
scores, formula neutralisation, formats, history statistics, the poll sheets, and the
background job."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from awards.models import Edition
from awards.results import services, workbook
from awards.results.enums import AwardBasis, VersionStatus
from awards.results.models import AwardRule
from awards.results.workbook import _Book, build_workbook, sheet_title, workbook_filename
from rubrics.models import Indicator
from scoring.enums import ReviewState, SiteTestKind
from scoring.models import Assignment, Review, Score, SiteTest, SiteTestEvidence
from scoring.selectors.standings import final_standings
from surveys import services as poll_services
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    PollCandidateFactory,
    PollFactory,
    StratumFactory,
    poll_votes,
)
from tests.results.helpers import approved_version, compile_version, scored_cycle
from tests.scoring.standings_helpers import give, indicators, split
from workflow.models import Job

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NASTY = ["=1+1", "+886 2 1234", "-5", "@SUM(A1)", "\tcmd", "#N/A"]


def build(version, language="zh-hant"):
    out = io.BytesIO()
    with translation.override(language):
        rows = build_workbook(version, out)
    data = out.getvalue()
    return load_workbook(io.BytesIO(data)), rows, data


def values(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def table(ws):
    """Rows under the header up to the first empty row."""
    out = []
    for r in values(ws)[1:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


@pytest.fixture
def cycle():
    return scored_cycle()


# --- sheets and standings ------------------------------------------------------------


def test_sheet_names_make_sense_in_chinese_and_in_english(cycle):
    version = approved_version(cycle)
    book, rows, _data = build(version)
    assert book.sheetnames == [
        "摘要",
        "第一線服務機關排名",
        "評審評分",
        "實地測試紀錄",
        "歷屆參獎統計",
    ]
    assert rows == {
        "summary": 17,
        "standings": 6,
        "reviewer_scores": 120,
        "site_tests": 0,
        "history": 2,
    }
    book, _rows, _data = build(version, "en")
    assert book.sheetnames == [
        "Summary",
        "First-line service a… standings",
        "Reviewer scores",
        "Site-visit tests",
        "History statistics",
    ]
    for ws in book.worksheets:
        assert len(ws.title) <= 31


def test_standings_read_back_equal_the_snapshot_and_the_live_standings(cycle):
    version = approved_version(cycle)
    book, _rows, _data = build(version)
    ws = book["第一線服務機關排名"]
    header = values(ws)[0]
    assert header == [
        "位次",
        "排序",
        "機關代碼",
        "機關（中文）",
        "機關（英文）",
        "自薦書名稱",
        "參獎狀態",
        "總成績",
        "初審（書面審查）（權重 30）",
        "決審（實地審查）（權重 70）",
        "優質便民服務（滿分 400）",
        "資訊網路服務（滿分 300）",
        "創新增值服務（滿分 300）",
        "服務流程（滿分 200，原始平均）",
        "機關形象及顧客關係（滿分 200，原始平均）",
        "資訊提供及檢索服務（滿分 100，原始平均）",
        "線上服務及網路參與（滿分 200，原始平均）",
        "創新服務情形（滿分 300，原始平均）",
        "同分",
        "召集人裁定同分名次",
        "評分未齊",
        "得獎",
        "獎項等級",
    ]
    snapshot = version.data["categories"][0]["rows"]
    live = final_standings(cycle.edition, cycle.category).rows
    got = table(ws)
    assert len(got) == len(snapshot) == len(live) == 6
    for line, snap, fresh in zip(got, snapshot, live, strict=True):
        (position, rank, code, zh, en, _title, _state, score) = line[:8]
        stage_scores, dimension_scores, indicator_scores = line[8:10], line[10:13], line[13:18]
        assert (position, rank, code, zh, en) == (
            snap["position"],
            snap["rank"],
            snap["agency_code"],
            snap["agency_zh"],
            snap["agency_en"],
        )
        assert zh == fresh.nomination.agency.name_zh
        assert score == snap["score"] == fresh.score
        assert stage_scores == snap["stage_scores"] == [s.score for s in fresh.stages]
        assert dimension_scores == snap["dimension_scores"] == [v for _d, v in fresh.dimensions]
        assert indicator_scores == snap["indicator_scores"]
        assert line[21] == ("✓" if snap["winner"] else None)
        assert line[22] == (snap["level_zh"] or None)
    # the order and the hand-computed finals of tests/results/helpers.py
    assert [(r[3], r[7], r[21], r[22]) for r in got[:3]] == [
        ("第1戶政事務所", 870, "✓", "特優"),
        ("第3戶政事務所", 770, "✓", "優等"),
        ("第2戶政事務所", 718, None, None),
    ]
    # Every number cell is formatted with two decimals.
    for row in ws.iter_rows(min_row=2, max_row=7, min_col=8, max_col=18):
        for cell in row:
            if cell.value is not None:
                assert (cell.data_type, cell.number_format) == ("n", "0.00")


def test_sheet_titles_are_valid_and_unique():
    used = set()
    assert sheet_title("評審/評分:[初審]*?", used) == "評審評分初審"
    assert sheet_title("評審評分初審", used) == "評審評分初審 (2)"
    assert sheet_title("x" * 40, used) == "x" * 31
    assert sheet_title("X" * 40, used) == "X" * 27 + " (2)"
    assert sheet_title("'quoted'", used) == "quoted"
    assert sheet_title("History", used) == "History (2)"
    assert sheet_title("", used) == "Sheet"


def test_numbers_keep_every_digit():
    """openpyxl alone writes 16 significant digits; a standings score must read back
    equal to the double it was."""
    values_ = [0.1 + 0.2, 783.3333333333334, 2 / 3 * 1000, 1e-7, -12.5]
    out = io.BytesIO()
    book = _Book(datetime.UTC)
    _ws, row = book.sheet("x", "x", [("a", 10, "0.00")] * len(values_))
    row(values_)
    book.wb.save(out)
    assert list(next(load_workbook(out).active.iter_rows(min_row=2, values_only=True))) == values_


def test_sheet_is_built_from_the_frozen_snapshot_not_recomputed(cycle):
    version = compile_version(cycle)
    first_score = version.data["categories"][0]["rows"][0]["score"]
    # Scores change after compiling: the version's standings do not.
    for score in Score.objects.filter(review__assignment__nomination=cycle.nominations[0]):
        score.points = 0
        score.save()
    book, _rows, _data = build(version)
    assert table(book["第一線服務機關排名"])[0][7] == first_score == 870


# --- reviewer scores --------------------------------------------------------------------


def test_reviewer_scores_one_row_per_score_of_submitted_reviews(cycle):
    first = Assignment.objects.get(
        stage=cycle.written, nomination=cycle.nominations[0], reviewer=cycle.reviewers[0]
    )
    review = first.review
    review.overall_comment = "流程清楚，建議加強線上服務。"
    review.submitted_at = datetime.datetime(2016, 2, 1, 1, 30, tzinfo=UTC)
    review.save()
    Score.objects.filter(review=review, indicator=indicators(cycle)[0]).update(
        comment="申辦流程簡便"
    )
    # A withdrawn assignment's review does not count.
    withdrawn = Assignment.objects.create(
        stage=cycle.written,
        nomination=cycle.nominations[1],
        reviewer=cycle.chair,
        withdrawn_at=datetime.datetime(2016, 1, 20, tzinfo=UTC),
    )
    give(cycle, withdrawn, split(999))
    version = approved_version(cycle)
    book, rows, _data = build(version)
    ws = book["評審評分"]
    got = values(ws)
    assert got[0] == [
        "階段",
        "類別",
        "機關代碼",
        "機關",
        "評審委員",
        "所屬類型",
        "評核指標",
        "給分",
        "評語",
        "總評",
        "送出時間",
    ]
    expected = Score.objects.filter(
        review__state=ReviewState.SUBMITTED, review__assignment__withdrawn_at__isnull=True
    ).count()
    assert rows["reviewer_scores"] == len(got) - 1 == expected == 6 * 3 * 5 + 3 * 2 * 5
    agency = cycle.nominations[0].agency
    assert got[1] == [
        "初審（書面審查）",
        "第一線服務機關",
        agency.code,
        "第1戶政事務所",
        "評審委員1",
        "學術界",
        "服務流程",
        160,
        "申辦流程簡便",
        "流程清楚，建議加強線上服務。",
        datetime.datetime(2016, 2, 1, 9, 30),  # Asia/Taipei, without tzinfo
    ]
    assert [r[6] for r in got[1:6]] == [i.name_zh for i in indicators(cycle)]
    assert [r[7] for r in got[1:6]] == [160, 160, 80, 160, 240]
    # written review first (stage order), then the site visit; agencies by code
    stages = [r[0] for r in got[1:]]
    assert stages == ["初審（書面審查）"] * 90 + ["決審（實地審查）"] * 30
    assert not any(r[7] == 199.8 for r in got[1:])  # 999 × 0.2: the withdrawn one
    assert (ws["H2"].data_type, ws["H2"].number_format) == ("n", "General")
    assert ws["K2"].number_format == "yyyy-mm-dd hh:mm"


def test_the_query_count_does_not_grow_with_the_rows():
    counts = []
    for agencies in (3, 6):
        version = approved_version(scored_cycle(agencies=agencies))
        with CaptureQueriesContext(connection) as queries:
            _book, rows, _data = build(version)
        counts.append((len(queries), rows["reviewer_scores"]))
    assert counts[0][1] < counts[1][1]
    assert counts[0][0] == counts[1][0]


# --- formula neutralisation -----------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text_and_numbers_stay_numbers():
    out = io.BytesIO()
    book = _Book(datetime.UTC)
    ws, row = book.sheet("x", "x", [("text", 10, None)] * 9)
    row([*NASTY, -5, -2.5, "普通文字"])
    book.wb.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()))["x"]
    cells = list(read.iter_rows(min_row=2))[0]
    for cell, text in zip(cells[:6], NASTY, strict=True):
        assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", text, True)
    assert [(c.data_type, c.value) for c in cells[6:]] == [
        ("n", -5),
        ("n", -2.5),
        ("s", "普通文字"),
    ]
    assert cells[8].quotePrefix is False
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_user_text_is_neutralised_in_the_workbook(cycle):
    reviews = list(
        Review.objects.filter(assignment__stage=cycle.written).order_by("assignment_id")[:4]
    )
    for review, text in zip(reviews, NASTY, strict=False):
        Score.objects.filter(review=review).update(comment=text)
    reviews[0].overall_comment = '=HYPERLINK("http://evil.example","按此")'
    reviews[0].save()
    agency = cycle.agencies[0]
    agency.name_en = "=cmd|' /C calc'!A0"
    agency.save()
    Indicator.objects.filter(pk=indicators(cycle)[0].pk).update(name_zh="=SUM(1)")
    version = approved_version(cycle)
    book, _rows, data = build(version)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t#":
                    found[cell.value] = (cell.data_type, cell.quotePrefix)
    assert found == {
        "=1+1": ("s", True),
        "+886 2 1234": ("s", True),
        "-5": ("s", True),
        "@SUM(A1)": ("s", True),
        '=HYPERLINK("http://evil.example","按此")': ("s", True),
        "=cmd|' /C calc'!A0": ("s", True),
        "=SUM(1)": ("s", True),  # an indicator's name, in the reviewer scores
        "=SUM(1)（滿分 200，原始平均）": ("s", True),  # and in a standings header
    }
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name)


# --- formats ------------------------------------------------------------------------------


def test_frozen_headers_bold_widths_and_formats(cycle):
    version = approved_version(cycle)
    book, _rows, _data = build(version)
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b is True
        assert ws.column_dimensions["A"].width > 5
    summary = book["摘要"]
    pairs = {r[0]: r[1] for r in table(summary)}
    assert pairs["獎項計畫"] == cycle.edition.scheme.name_zh
    assert pairs["屆別"] == cycle.edition.name_zh
    assert pairs["版次"] == 1
    with translation.override("zh-hant"):
        assert pairs["狀態"] == str(VersionStatus.APPROVED.label)
    assert pairs["輸入資料檢查碼（SHA-256）"] == version.checksum
    assert pairs["讀取評分筆數"] == 120
    compiled = version.compiled_at.astimezone(cycle.edition.tzinfo).replace(tzinfo=None)
    assert abs(pairs["彙整時間"] - compiled) < datetime.timedelta(milliseconds=1)
    compiled_cell = next(c for c in summary["B"] if c.value == pairs["彙整時間"])
    assert compiled_cell.number_format == "yyyy-mm-dd hh:mm"
    rates = [c for c in book["歷屆參獎統計"]["E"][1:] if c.value is not None]
    assert rates and all(c.number_format == "0.0%" for c in rates)


def test_summary_lists_categories_and_awards_with_serials(cycle):
    version = approved_version(cycle)
    award = version.awards.order_by("order").first()
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質下降")
    award.refresh_from_db()
    book, _rows, _data = build(version)
    rows = values(book["摘要"])
    blocks = [i for i, r in enumerate(rows) if all(v is None for v in r)]
    categories = rows[blocks[0] + 1 : blocks[1]]
    awards = rows[blocks[1] + 1 :]
    assert categories[0][:6] == [
        "類別",
        "獎項",
        "決定方式",
        "件數",
        "得獎機關數",
        "預定得獎數",
    ]
    with translation.override("zh-hant"):
        basis = str(AwardBasis.STANDINGS.label)
    assert categories[1][:6] == ["第一線服務機關", "政府服務品質獎", basis, 6, 2, 2]
    assert awards[0][:9] == [
        "類別",
        "獎項",
        "機關",
        "機關代碼",
        "個人或團隊",
        "獎項等級",
        "排序",
        "總成績",
        "證書序號",
    ]
    # An agency's award names no individual or team: that cell is empty.
    assert [r[:9] for r in awards[1:]] == [
        [
            "第一線服務機關",
            "政府服務品質獎",
            "第1戶政事務所",
            award.agency.code,
            None,
            "特優",
            1,
            870,
            award.serial,
        ],
        [
            "第一線服務機關",
            "政府服務品質獎",
            "第3戶政事務所",
            cycle.agencies[2].code,
            None,
            "優等",
            2,
            770,
            version.awards.get(order=2).serial,
        ],
    ]
    assert awards[1][10] == datetime.datetime.combine(award.revoked_on, datetime.time())
    assert awards[1][11] == "服務品質下降"


# --- site tests ------------------------------------------------------------------------------


def test_site_tests_are_logged(cycle):
    assignment = Assignment.objects.get(
        stage=cycle.site_visit, nomination=cycle.nominations[0], reviewer=cycle.reviewers[0]
    )
    test = SiteTest.objects.create(
        assignment=assignment,
        kind=SiteTestKind.TELEPHONE,
        tested_at=datetime.datetime(2016, 3, 10, 2, 5, tzinfo=UTC),
        subject="電話詢問戶籍謄本申請",
        findings="接聽迅速，說明清楚。",
    )
    test.indicators.set(indicators(cycle)[:2])
    SiteTestEvidence.objects.create(
        site_test=test, file="x.pdf", original_name="錄音.pdf", file_type="pdf", size=1, sha256="0"
    )
    version = approved_version(cycle)
    book, rows, _data = build(version)
    assert rows["site_tests"] == 1
    got = values(book["實地測試紀錄"])
    assert got[1] == [
        "決審（實地審查）",
        cycle.agencies[0].code,
        "第1戶政事務所",
        "評審委員1",
        "電話測試",
        datetime.datetime(2016, 3, 10, 10, 5),
        "電話詢問戶籍謄本申請",
        "接聽迅速，說明清楚。",
        "服務流程、機關形象及顧客關係",
        1,
    ]
    assert book["實地測試紀錄"]["F2"].number_format == "yyyy-mm-dd hh:mm"


# --- history ---------------------------------------------------------------------------------


TW_HISTORY = [
    (1, 150, 46, 24),
    (2, 147, 46, 28),
    (3, 156, 50, 29),
    (4, 168, 51, 32),
    (5, 173, 53, 30),
    (6, 175, 46, 30),
    (7, 174, 50, 30),
]


def test_history_sheet_has_the_recorded_editions_and_this_one(cycle):
    Edition.objects.filter(pk=cycle.edition.pk).update(number=8, name_zh="第八屆")
    cycle.edition.refresh_from_db()
    for number, participants, finalists, winners in TW_HISTORY:
        Edition.objects.create(
            scheme=cycle.edition.scheme,
            number=number,
            name_zh=f"第{number}屆",
            name_en=f"Edition {number}",
            recorded_participants=participants,
            recorded_finalists=finalists,
            recorded_winners=winners,
        )
    version = approved_version(cycle)
    book, rows, _data = build(version)
    got = values(book["歷屆參獎統計"])
    assert got[0] == ["屆別", "參獎機關數", "入圍機關數", "得獎機關數", "獲獎率", "來源"]
    recorded = "登錄數據（歷屆報告）"
    assert got[1:8] == [[f"第{n}屆", p, f, w, w / p, recorded] for n, p, f, w in TW_HISTORY]
    assert got[8] == ["第八屆", 6, 3, 2, 2 / 6, "本系統統計"]
    assert got[9] == ["登錄屆別合計", 1143, 342, 203, 203 / 1143, recorded]
    assert got[10] == ["合計", 1149, 345, 205, 205 / 1149, "本系統統計"]
    assert round(got[9][4], 2) == 0.18
    assert rows["history"] == 10


# --- the poll --------------------------------------------------------------------------------


def poll_cycle(cycle):
    """A Best Public Image Award category decided by a published poll of three of the
    cycle's agencies, with two strata and suggestions."""
    poll = PollFactory(edition=cycle.edition, target_sample_size=20, award_places=2)
    cand = [
        PollCandidateFactory(poll=poll, order=i, agency=agency)
        for i, agency in enumerate(cycle.agencies[:3])
    ]
    a = StratumFactory(poll=poll, code="A", name_zh="甲區", population_share="0.6", order=1)
    b = StratumFactory(poll=poll, code="B", name_zh="乙區", population_share="0.4", order=2)
    poll_votes(poll, {cand[0]: 6, cand[1]: 2}, stratum=a, suggestion="延長服務時間")
    poll_votes(poll, {cand[2]: 2}, stratum=a, suggestion="=1+1")
    poll_votes(poll, {cand[0]: 2, cand[1]: 6, cand[2]: 2}, stratum=b)
    run = poll_services.poll_tally_start(poll=poll, actor=cycle.secretariat)
    poll_services.poll_tally_execute(run_id=run.pk)
    run.refresh_from_db()
    poll.status = "closed"
    poll.save()
    poll_services.poll_publish(poll=poll, run=run, actor=cycle.secretariat)
    image = CategoryFactory(
        edition=cycle.edition,
        code="image",
        order=9,
        name_zh="最佳公眾形象獎",
        name_en="Best Public Image Award",
    )
    AwardRule.objects.create(category=image, basis=AwardBasis.POLL, winners=2)
    return run


def test_poll_tally_suggestions_and_poll_standings(cycle):
    run = poll_cycle(cycle)
    version = approved_version(cycle)
    book, rows, _data = build(version)
    assert book.sheetnames == [
        "摘要",
        "第一線服務機關排名",
        "最佳公眾形象獎排名",
        "評審評分",
        "實地測試紀錄",
        "電話訪問統計",
        "民眾建議",
        "歷屆參獎統計",
    ]
    assert rows["standings"] == 6 + 3
    assert rows["poll"] == 3
    assert rows["suggestions"] == 10

    tally = values(book["電話訪問統計"])
    assert tally[0] == [
        "排序",
        "機關代碼",
        "機關（中文）",
        "機關（英文）",
        "票數",
        "得票率",
        "加權估計",
        "誤差範圍（95 %）",
        "得獎",
    ]
    expected = [
        [
            r["rank"],
            r["code"],
            r["name_zh"],
            r["name_en"],
            r["votes"],
            r["share"],
            r["estimate"],
            r["moe"],
            "✓" if r["winner"] else None,
        ]
        for r in run.results["rows"]
    ]
    assert tally[1:4] == expected
    assert [r[2] for r in tally[1:4]] == ["第1戶政事務所", "第2戶政事務所", "第3戶政事務所"]
    assert [r[4] for r in tally[1:4]] == [8, 8, 4]
    assert [r[6] for r in tally[1:4]] == [0.44, 0.36, 0.2]
    facts = {r[0]: r[1] for r in tally[5:] if r[0] is not None}
    assert facts["已點算票數"] == 20
    assert facts["設計效應"] == 1.04
    assert facts["回應率（AAPOR RR1）"] == 1.0
    assert facts["完成訪問"] == 20
    assert facts["甲區"] == "A"
    sheet = book["電話訪問統計"]
    assert [sheet.cell(row=r, column=c).number_format for r in (2,) for c in (6, 7, 8)] == [
        "0.0%"
    ] * 3

    standings = table(book["最佳公眾形象獎排名"])
    assert [(r[0], r[1], r[2], r[4], r[5], r[6]) for r in standings] == [
        (
            r["rank"],
            r["code"],
            r["name_zh"],
            r["votes"],
            r["estimate"],
            "✓" if r["winner"] else None,
        )
        for r in run.results["rows"]
    ]

    suggestions = values(book["民眾建議"])
    assert suggestions[0] == ["機關代碼", "機關", "住戶編號", "建議"]
    assert sorted(r[3] for r in suggestions[1:]) == ["=1+1"] * 2 + ["延長服務時間"] * 8
    neutral = [c for c in book["民眾建議"]["D"] if c.value == "=1+1"]
    assert all((c.data_type, c.quotePrefix) == ("s", True) for c in neutral)


# --- the job -----------------------------------------------------------------------------------


def test_workbook_job_runs_to_a_file_that_opens(cycle):
    version = approved_version(cycle)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_start(
            edition=cycle.edition, kind="workbook", actor=cycle.secretariat, version=version
        )
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    scheme = cycle.edition.scheme.code
    name = f"results-{scheme}-{cycle.edition.number}-v1.xlsx"
    assert workbook_filename(version) == name
    assert job.file.name == f"jobs/workbook/{job.pk}-{name}"
    assert job.result["language"] == "zh-hant"
    assert job.result["version"] == 1
    assert job.result["rows"]["reviewer_scores"] == 120
    with job.file.open("rb") as f:
        data = f.read()
    assert job.result["bytes"] == len(data)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "摘要"
    assert table(book["第一線服務機關排名"])[0][3] == "第1戶政事務所"


def test_workbook_job_uses_the_language_it_was_queued_in(cycle):
    version = approved_version(cycle)
    job = services.job_start(
        edition=cycle.edition, kind="workbook", actor=cycle.secretariat, version=version
    )
    Job.objects.filter(pk=job.pk).update(params={"version": version.pk, "language": "en"})
    job = services.job_execute(job_id=job.pk)
    assert job.status == "done"
    assert job.result["language"] == "en"
    with job.file.open("rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    assert book.sheetnames[0] == "Summary"
    assert values(book["Reviewer scores"])[1][5] == "Academia"


def test_workbook_job_without_a_version_fails_clearly(cycle):
    approved_version(cycle)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_start(edition=cycle.edition, kind="workbook", actor=cycle.secretariat)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "請選擇要匯出活頁簿的成績版次。"
    assert not job.file


def test_workbook_job_spools_a_big_workbook_to_disk(cycle, monkeypatch):
    monkeypatch.setattr(workbook, "IN_MEMORY_BYTES", 1024)
    version = approved_version(cycle)
    job = services.job_start(
        edition=cycle.edition, kind="workbook", actor=cycle.secretariat, version=version
    )
    job = services.job_execute(job_id=job.pk)
    assert job.status == "done"
    assert job.result["bytes"] > 1024
    with job.file.open("rb") as f:
        data = f.read()
    assert len(data) == job.result["bytes"]
    assert load_workbook(io.BytesIO(data)).sheetnames[0] == "摘要"


def test_workbook_job_refuses_a_version_of_another_edition(cycle):
    version = approved_version(cycle)
    other = EditionFactory(scheme=cycle.edition.scheme)
    job = services.job_start(
        edition=other, kind="workbook", actor=cycle.secretariat, version=version
    )
    job = services.job_execute(job_id=job.pk)
    assert (job.status, job.error) == ("failed", "此版次屬於其他屆別。")


def test_workbook_job_refuses_an_unreadable_snapshot(cycle):
    version = approved_version(cycle)
    type(version).objects.filter(pk=version.pk).update(data={"edition": {}})
    job = services.job_start(
        edition=cycle.edition, kind="workbook", actor=cycle.secretariat, version=version
    )
    job = services.job_execute(job_id=job.pk)
    assert job.status == "failed"
    assert job.error == "第 1 版沒有可讀取的成績快照，無法製作活頁簿。請重新彙整成績。"
    assert not job.file
