"""Site tests (mystery-shopper tests) logged by a site assessor at a site-visit stage:
service rules, the panel on the scoring page, evidence downloads and permissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agencies.enums import Role
from agencies.models import AuditEntry
from scoring.enums import SiteTestKind
from scoring.models import Assignment, SiteTest, SiteTestEvidence
from scoring.services import (
    ReviewClosed,
    SiteTestInvalid,
    rubric_indicators,
    site_test_log,
    site_test_remove,
)
from tests.conftest import html, squash, texts
from tests.factories import UserFactory, review_cycle

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle():
    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.site_visit.starts_on = c.today - datetime.timedelta(days=1)
    c.site_visit.save()
    c.assessor = c.assessors[0]
    c.nomination = c.nominations[0]
    c.visit = Assignment.objects.create(
        stage=c.site_visit, nomination=c.nomination, reviewer=c.assessor, kind="site_assessor"
    )
    c.written_assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nomination, reviewer=c.reviewers[1]
    )
    c.editor = UserFactory(roles=[(Role.AGENCY_EDITOR, c.agencies[0])])
    return c


def an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def png(name="通話截圖.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def log(cycle, **overrides):
    args = {
        "actor": cycle.assessor,
        "assignment": cycle.visit,
        "kind": "telephone",
        "tested_at": an_hour_ago(),
        "subject": "總機轉接戶籍謄本申請",
        "findings": "三聲內接聽，轉接正確。",
        "indicator_ids": [cycle.indicators[1].pk],
        "files": [png()],
    }
    args.update(overrides)
    return site_test_log(**args)


def test_logging_a_telephone_test_with_evidence(cycle):
    test = log(cycle)
    assert (test.kind, test.subject, test.findings) == (
        "telephone",
        "總機轉接戶籍謄本申請",
        "三聲內接聽，轉接正確。",
    )
    assert list(test.indicators.all()) == [cycle.indicators[1]]
    (evidence,) = test.evidence.all()
    assert (evidence.original_name, evidence.file_type, evidence.size) == (
        "通話截圖.png",
        "png",
        72,
    )
    # Stored under a generated name, never the user's.
    assert evidence.file.name.startswith(f"site-tests/{test.pk}/")
    assert evidence.file.name.endswith(".png") and "通話" not in evidence.file.name
    with evidence.file.open("rb") as f:
        assert f.read() == PNG
    entry = AuditEntry.objects.get(action="site_test.log")
    assert (entry.actor, entry.to_state, entry.data["indicators"]) == (
        cycle.assessor,
        "telephone",
        [cycle.indicators[1].pk],
    )


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(cycle):
    with pytest.raises(SiteTestInvalid) as exc:
        log(
            cycle,
            kind="séance",
            tested_at=timezone.now() + datetime.timedelta(hours=2),
            subject="  ",
            findings="",
            indicator_ids=[999999],
            files=[SimpleUploadedFile("report.pdf", EXE)],
        )
    errors = exc.value.message_dict
    assert errors["kind"] == ["Choose which test this was."]
    assert errors["tested_at"][0].startswith("The test cannot be in the future (it is now ")
    assert errors["subject"] == ["Say what was tested."]
    assert errors["findings"] == ["Write down the findings."]
    assert errors["indicators"] == ["Choose only indicators of this category's rubric."]
    assert errors["files"] == [
        "“report.pdf” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its content, "
        "not its name)."
    ]
    assert not SiteTest.objects.exists() and not SiteTestEvidence.objects.exists()


def test_evidence_over_the_size_limit_is_refused(cycle):
    cycle.edition.attachment_max_mb = 1
    cycle.edition.save()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024))
    with pytest.raises(SiteTestInvalid) as exc:
        log(cycle, files=[big])
    assert exc.value.message_dict == {
        "files": ["“big.png” is 1.0 MB; each file may be at most 1 MB."]
    }
    assert not SiteTest.objects.exists()


def test_indicators_of_another_rubric_are_refused(cycle):
    other = review_cycle(agencies=1, reviewers=1, site_assessors=0)
    with pytest.raises(SiteTestInvalid) as exc:
        log(cycle, indicator_ids=[rubric_indicators(other.rubric)[0].pk])
    assert exc.value.message_dict == {
        "indicators": ["Choose only indicators of this category's rubric."]
    }


def test_only_at_a_site_visit_stage_by_its_assessor(cycle):
    with pytest.raises(ReviewClosed) as exc:
        log(cycle, actor=cycle.reviewers[1], assignment=cycle.written_assignment)
    assert exc.value.messages == ["Site tests can be logged only in a site-visit stage."]
    with pytest.raises(ReviewClosed) as exc:
        log(cycle, actor=cycle.reviewers[1])
    assert exc.value.messages == ["Only the assigned site assessor can log tests for this visit."]
    cycle.site_visit.starts_on = cycle.today + datetime.timedelta(days=1)
    cycle.site_visit.ends_on = cycle.today + datetime.timedelta(days=5)
    cycle.site_visit.save()
    with pytest.raises(ReviewClosed) as exc:
        log(cycle)
    day = (cycle.today + datetime.timedelta(days=1)).isoformat()
    end = (cycle.today + datetime.timedelta(days=5)).isoformat()
    assert exc.value.messages == [
        f"Not open yet: this is allowed only during “Site visit”, {day} to {end}, "
        "Taipei time (Asia/Taipei)."
    ]
    assert not SiteTest.objects.exists()


def test_removing_a_test_deletes_its_evidence_after_commit(
    cycle, django_capture_on_commit_callbacks
):
    test = log(cycle)
    evidence = test.evidence.get()
    storage, name = evidence.file.storage, evidence.file.name
    with pytest.raises(ReviewClosed):
        site_test_remove(actor=cycle.reviewers[1], site_test=test)
    with django_capture_on_commit_callbacks(execute=True):
        site_test_remove(actor=cycle.assessor, site_test=test)
    assert not SiteTest.objects.exists()
    assert not storage.exists(name)
    entry = AuditEntry.objects.get(action="site_test.remove")
    assert (entry.actor, entry.from_state, entry.data["subject"]) == (
        cycle.assessor,
        "telephone",
        "總機轉接戶籍謄本申請",
    )


# --- the panel on the scoring page --------------------------------------------------------


def client_for(user):
    client = Client()
    client.cookies["lang"] = "en"
    client.force_login(user)
    return client


def page(cycle):
    return reverse("scoring:review", args=[cycle.visit.pk])


def test_the_assessor_logs_a_test_from_the_scoring_page(cycle):
    client = client_for(cycle.assessor)
    tree = html(client.get(page(cycle)))
    assert texts(tree, "//select[@name='kind']/option") == [
        "Choose…",
        "Telephone test",
        "Real application test",
        "Website review",
        "On-site visit",
    ]
    assert tree.xpath("//input[@name='tested_at']/@type") == ["datetime-local"]
    assert len(tree.xpath("//input[@name='indicators']")) == 5
    # The scoring form is on the same page.
    assert len(tree.xpath("//form[@id='review-form']//input[@type='number']")) == 5
    tested = timezone.localtime(an_hour_ago(), cycle.edition.tzinfo).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("scoring:site_test_add", args=[cycle.visit.pk]),
        {
            "kind": "website",
            "tested_at": tested,
            "subject": "線上預約系統",
            "findings": "預約流程四步驟完成。",
            "indicators": [str(cycle.indicators[3].pk)],
            "files": [png("網站.png")],
        },
    )
    assert response.status_code == 302
    test = SiteTest.objects.get()
    assert (
        timezone.localtime(test.tested_at, cycle.edition.tzinfo).strftime("%Y-%m-%dT%H:%M")
        == tested
    )
    tree = html(client.get(page(cycle)))
    (item,) = tree.xpath("//li[@class='site-test']")
    text = squash(item.text_content())
    assert "Website review" in text and "線上預約系統" in text and "預約流程四步驟完成。" in text
    assert "Indicators: Online services and e-participation" in text
    (href,) = item.xpath(".//a[@download]/@href")
    evidence = test.evidence.get()
    assert href == reverse("scoring:site_test_evidence", args=[cycle.visit.pk, evidence.pk])
    response = client.get(href)
    assert b"".join(response.streaming_content) == PNG


def test_an_on_site_visit_is_logged_as_its_own_kind_and_shown_on_the_scoring_page(cycle):
    """Issue 16: HK's consultancy visits are on-site visits, not "real application tests"."""
    client = client_for(cycle.assessor)
    page = html(client.get(reverse("scoring:review", args=[cycle.visit.pk])))
    assert "On-site visit" in texts(page, "//select[@id='site-kind']/option")
    tested = timezone.localtime(an_hour_ago(), cycle.edition.tzinfo).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("scoring:site_test_add", args=[cycle.visit.pk]),
        {
            "kind": "on_site",
            "tested_at": tested,
            "subject": "入境處人事登記處櫃台",
            "findings": "輪候時間十二分鐘，指示清楚。",
            "indicators": [cycle.indicators[1].pk],
        },
    )
    assert response.status_code == 302
    test = SiteTest.objects.get()
    assert (test.kind, test.get_kind_display()) == ("on_site", "On-site visit")
    page = html(client.get(reverse("scoring:review", args=[cycle.visit.pk])))
    assert texts(page, "//span[contains(@class, 'site-on_site')]") == ["On-site visit"]
    with translation.override("zh-hant"):
        assert str(SiteTestKind.ON_SITE.label) == "實地訪查"


def test_bad_site_test_input_is_shown_and_kept(cycle):
    client = client_for(cycle.assessor)
    future = timezone.localtime(
        timezone.now() + datetime.timedelta(days=2), cycle.edition.tzinfo
    ).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("scoring:site_test_add", args=[cycle.visit.pk]),
        {"kind": "telephone", "tested_at": future, "subject": "櫃台電話", "findings": ""},
    )
    assert response.status_code == 400
    tree = html(response)
    errors = texts(tree, "//div[@id='site-test-errors']//li")
    assert errors[0].startswith("The test cannot be in the future")
    assert errors[1] == "Write down the findings."
    assert tree.xpath("//input[@name='subject']/@value") == ["櫃台電話"]
    assert tree.xpath("//input[@name='tested_at']/@value") == [future]
    response = client.post(
        reverse("scoring:site_test_add", args=[cycle.visit.pk]),
        {"kind": "telephone", "tested_at": "yesterday", "subject": "x", "findings": "y"},
    )
    assert texts(html(response), "//div[@id='site-test-errors']//li") == [
        "Give the date and time as YYYY-MM-DD HH:MM."
    ]
    assert not SiteTest.objects.exists()


def test_a_zip_bomb_or_a_misnamed_evidence_file_is_refused_beside_the_control(cycle):
    from tests import bombs

    client = client_for(cycle.assessor)
    tested = timezone.localtime(an_hour_ago(), cycle.edition.tzinfo).strftime("%Y-%m-%dT%H:%M")
    for name, content, message in (
        (
            "通話紀錄.xlsx",
            bombs.entries_bomb(),
            "This file was refused: it holds 2502 files; at most 2000 are allowed. It looks like "
            "a “zip bomb”, which would take the server down when opened. Save the document "
            "again from its program, or send a smaller one.",
        ),
        (
            "通話紀錄.docx",
            bombs.PDF,
            "“通話紀錄.docx” is a PDF document but its name ends in .docx. Rename it or choose "
            "the right file.",
        ),
    ):
        response = client.post(
            reverse("scoring:site_test_add", args=[cycle.visit.pk]),
            {
                "kind": "telephone",
                "tested_at": tested,
                "subject": "櫃台電話",
                "findings": "三聲內接聽。",
                "files": [SimpleUploadedFile(name, content)],
            },
        )
        assert response.status_code == 400
        tree = html(response)
        control = tree.get_element_by_id("site-files")
        assert control.get("aria-describedby") == "site-files-help site-files-error"
        assert (control.get("aria-invalid"), control.get("autofocus")) == ("true", "")
        live = control.xpath("./following-sibling::div[@aria-live='polite']")[0]
        assert texts(live, "./ul[@id='site-files-error']/li") == [message]
        assert tree.xpath("//input[@name='subject']/@value") == ["櫃台電話"]
        assert texts(tree, "//textarea[@name='findings']") == ["三聲內接聽。"]
    assert (SiteTest.objects.count(), SiteTestEvidence.objects.count()) == (0, 0)


def test_site_test_views_other_personas(cycle):
    test = log(cycle)
    evidence = test.evidence.get()
    add = reverse("scoring:site_test_add", args=[cycle.visit.pk])
    remove = reverse("scoring:site_test_remove", args=[cycle.visit.pk, test.pk])
    download = reverse("scoring:site_test_evidence", args=[cycle.visit.pk, evidence.pk])
    data = {"kind": "telephone", "tested_at": "2020-01-01T10:00", "subject": "x", "findings": "y"}
    for user in (cycle.reviewers[1], cycle.editor, cycle.outsider):
        client = client_for(user)
        assert client.get(page(cycle)).status_code == 404
        assert client.post(add, data).status_code == 404
        assert client.post(remove).status_code == 404
        assert client.get(download).status_code == 404
    assert SiteTest.objects.count() == 1
    # The secretariat may read the evidence and sees the tests on the record page, but
    # logs nothing.
    secretariat = client_for(cycle.secretariat)
    assert b"".join(secretariat.get(download).streaming_content) == PNG
    assert secretariat.post(add, data).status_code == 404
    record = html(secretariat.get(reverse("scoring:review_detail", args=[cycle.visit.pk])))
    assert texts(record, "//li[@class='site-test']//strong") == ["總機轉接戶籍謄本申請"]
    # The written-review page of a reviewer has no site-test panel.
    tree = html(
        client_for(cycle.reviewers[1]).get(
            reverse("scoring:review", args=[cycle.written_assignment.pk])
        )
    )
    assert not tree.xpath("//section[@id='site-tests']")
    # The assessor removes it.
    assert client_for(cycle.assessor).post(remove).status_code == 302
    assert not SiteTest.objects.exists()
