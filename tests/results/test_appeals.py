"""Appeals (申覆, issue 17 part 3): the window lies after approval and before publication
(refused otherwise, beside the field, audited before → after); one appeal per nomination
within the window, with attachments checked by content; another agency's nomination is a
404; the panel's decision is audited; an upheld appeal blocks publication until a newer
version, compiled after the decision, is approved. The clock is frozen."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from agencies.enums import Role
from agencies.models import User
from awards.results import appeals, selectors, services
from awards.results.config_services import ConfigError
from awards.results.enums import AppealState, VersionStatus
from awards.results.models import Appeal, AppealAttachment, ResultsSettings
from tests.conftest import html, table_rows, texts
from workflow.models import AuditEntry, OutboundMail

from .helpers import compile_version, scored_cycle

pytestmark = pytest.mark.django_db

# 10:00 in Taipei: the approval; publication ten days on; appeals for five days.
T0 = datetime.datetime(2026, 5, 4, 2, 0, tzinfo=datetime.UTC)
PUBLISH = T0 + datetime.timedelta(days=10)
OPENS, CLOSES = T0 + datetime.timedelta(hours=1), T0 + datetime.timedelta(days=5)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 100


def signed_in(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    client.force_login(user)
    return client


def editor_of(agency) -> User:
    return User.objects.get(
        role_assignments__role=Role.AGENCY_EDITOR, role_assignments__agency=agency
    )


def local(moment) -> str:
    return timezone.localtime(moment, datetime.timezone(datetime.timedelta(hours=8))).strftime(
        "%Y-%m-%dT%H:%M"
    )


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(clock):
    c = scored_cycle()
    c.v1 = compile_version(c)
    services.version_submit(version=c.v1, actor=c.secretariat)
    services.version_approve(version=c.v1, actor=c.approver, publish_at=PUBLISH)
    c.v1.refresh_from_db()
    return c


def window(cycle, opens=OPENS, closes=CLOSES):
    return appeals.appeal_window_save(
        edition=cycle.edition, actor=cycle.secretariat, opens_at=opens, closes_at=closes
    )


def file_appeal(cycle, nomination, reasons="評分未計入實地審查補充資料。", files=()):
    return appeals.appeal_file(
        nomination=nomination,
        actor=editor_of(nomination.agency),
        reasons=reasons,
        uploads=list(files),
    )


# --- the window ---------------------------------------------------------------------------


def test_the_window_is_saved_in_the_edition_zone_and_audited(cycle):
    response = signed_in(cycle.secretariat).post(
        reverse("results:appeal_window", args=[cycle.edition.pk]),
        {"appeal_opens_at": local(OPENS), "appeal_closes_at": local(CLOSES)},
    )
    assert response.status_code == 302
    settings = ResultsSettings.objects.get(edition=cycle.edition)
    assert (settings.appeal_opens_at, settings.appeal_closes_at) == (OPENS, CLOSES)
    # Every participant's editor is told once (six agencies, one editor each).
    mails = OutboundMail.objects.filter(kind="appeal_window")
    assert sorted(m.to_address for m in mails) == sorted(
        editor_of(n.agency).email for n in cycle.nominations
    )
    assert "2026-05-04 11:00" in mails.first().body
    assert "/cycle/results/my-feedback/" in mails.first().body
    entry = AuditEntry.objects.get(action="results.appeal_window")
    assert entry.data == {
        "config": True,
        "edition": cycle.edition.pk,
        "before": {"appeal_opens_at": None, "appeal_closes_at": None},
        "after": {
            "appeal_opens_at": "2026-05-04T11:00:00+08:00",
            "appeal_closes_at": "2026-05-09T10:00:00+08:00",
        },
    }


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (
            T0 - datetime.timedelta(days=1),
            CLOSES,
            "appeal_opens_at",
            "The window cannot open before the results were approved (2026-05-04 10:00).",
        ),
        (
            OPENS,
            PUBLISH + datetime.timedelta(hours=1),
            "appeal_closes_at",
            "The window must close before the scheduled publication (2026-05-14 10:00).",
        ),
        (CLOSES, OPENS, "appeal_closes_at", "The window must close after it opens."),
    ],
)
def test_a_window_outside_approval_and_publication_is_refused_beside_its_field(
    cycle, opens, closes, field, message
):
    response = signed_in(cycle.secretariat).post(
        reverse("results:appeal_window", args=[cycle.edition.pk]),
        {"appeal_opens_at": local(opens), "appeal_closes_at": local(closes)},
    )
    assert response.status_code == 400
    tree = html(response)
    assert texts(
        tree, f"//input[@name='{field}']/following-sibling::ul[@class='errorlist']/li"
    ) == [message]
    # What was typed is kept; nothing was saved.
    assert tree.xpath("//input[@name='appeal_opens_at']/@value") == [local(opens)]
    assert not ResultsSettings.objects.filter(appeal_opens_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="results.appeal_window").exists()


def test_no_window_before_approval(clock):
    c = scored_cycle()
    with pytest.raises(ConfigError) as error:
        window(c)
    assert list(error.value.errors) == ["appeal_opens_at"]


# --- filing --------------------------------------------------------------------------------


def test_an_agency_files_one_appeal_with_a_checked_attachment(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    nomination = cycle.nominations[1]  # 718: a finalist without an award
    editor = editor_of(nomination.agency)
    client = signed_in(editor)
    url = reverse("results:appeal_file", args=[nomination.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reasons": "實地審查分數與書面審查差距過大。",
            "attachments": [SimpleUploadedFile("補充說明.pdf", PDF)],
        },
    )
    appeal = Appeal.objects.get(nomination=nomination)
    assert response.status_code == 302
    assert response["Location"] == reverse("results:appeal_detail", args=[appeal.pk])
    assert (appeal.state, appeal.version, appeal.filed_by) == (AppealState.FILED, cycle.v1, editor)
    assert list(appeal.attachments.values_list("original_name", "file_type")) == [
        ("補充說明.pdf", "pdf")
    ]
    assert AuditEntry.objects.get(action="results.appeal.filed").to_state == "filed"
    # A second appeal on the same nomination is refused with a message.
    again = client.post(url, {"reasons": "再次申覆。"})
    assert again.status_code == 400
    assert texts(html(again), "//div[@class='report']//li") == [
        "An appeal on this nomination was already filed on 2026-05-04 13:00."
    ]
    assert Appeal.objects.count() == 1
    # The approver and the secretariat see it; another agency's editor does not.
    for user in (cycle.approver, cycle.secretariat):
        page = signed_in(user).get(reverse("results:appeal_detail", args=[appeal.pk]))
        assert texts(html(page), "//*[@id='appeal-reasons']") == [
            "實地審查分數與書面審查差距過大。"
        ]
    outsider = signed_in(editor_of(cycle.agencies[4]))
    attachment = AppealAttachment.objects.get()
    assert outsider.get(reverse("results:appeal_detail", args=[appeal.pk])).status_code == 404
    assert (
        outsider.get(reverse("results:appeal_attachment", args=[attachment.pk])).status_code == 404
    )
    download = client.get(reverse("results:appeal_attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    download.close()


def test_appeal_on_another_agencys_nomination_is_not_found(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    client = signed_in(editor_of(cycle.agencies[4]))
    url = reverse("results:appeal_file", args=[cycle.nominations[1].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reasons": "不是我的。"}).status_code == 404
    assert Appeal.objects.count() == 0


def test_appeal_after_the_window_or_with_a_disguised_file_is_refused_and_kept(cycle, clock):
    window(cycle)
    nomination = cycle.nominations[1]
    client = signed_in(editor_of(nomination.agency))
    url = reverse("results:appeal_file", args=[nomination.pk])
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    response = client.post(
        url, {"reasons": "理由。", "attachments": [SimpleUploadedFile("說明.pdf", EXE)]}
    )
    assert response.status_code == 400
    tree = html(response)
    assert texts(
        tree, "//input[@name='attachments']/following-sibling::ul[@class='errorlist']/li"
    ) == [
        "“說明.pdf” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its content, not its name)."
    ]
    assert texts(tree, "//textarea[@name='reasons']") == ["理由。"]
    clock.move_to(CLOSES + datetime.timedelta(minutes=1))
    response = client.post(url, {"reasons": "逾期的理由。"})
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//div[@class='report']//li") == [
        "The appeal window closed on 2026-05-09 10:00: appeals are no longer accepted."
    ]
    assert texts(tree, "//textarea[@name='reasons']") == ["逾期的理由。"]
    assert (Appeal.objects.count(), AppealAttachment.objects.count()) == (0, 0)
    # Shown on the page without the form after the window.
    assert texts(html(client.get(url)), "//*[@id='appeal-window-problem']") == [
        "The appeal window closed on 2026-05-09 10:00: appeals are no longer accepted."
    ]


# --- the decision and publication -----------------------------------------------------------


def test_an_upheld_appeal_blocks_publication_until_a_newer_version_is_approved(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    appeal = file_appeal(cycle, cycle.nominations[1])
    clock.move_to(OPENS + datetime.timedelta(days=1))
    secretariat = signed_in(cycle.secretariat)
    # Without reasons: refused, nothing changed.
    bad = secretariat.post(
        reverse("results:appeal_decide", args=[appeal.pk]), {"outcome": "upheld", "reasons": ""}
    )
    assert bad.status_code == 400
    appeal.refresh_from_db()
    assert appeal.state == AppealState.FILED
    response = secretariat.post(
        reverse("results:appeal_decide", args=[appeal.pk]),
        {"outcome": "upheld", "reasons": "補充資料確有漏計。"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.state, appeal.decision_reasons) == (AppealState.UPHELD, "補充資料確有漏計。")
    entry = AuditEntry.objects.get(action="results.appeal.upheld")
    assert (entry.from_state, entry.to_state, entry.reason) == (
        "filed",
        "upheld",
        "補充資料確有漏計。",
    )
    assert OutboundMail.objects.filter(kind="appeal_decided", object_id=str(appeal.pk)).count() == 1
    # The embargoed publication time of version 1 is lifted, and cannot be set again.
    cycle.v1.refresh_from_db()
    assert cycle.v1.publish_at is None
    with pytest.raises(services.ResultsError):
        services.version_schedule_publication(
            version=cycle.v1, actor=cycle.secretariat, publish_at=PUBLISH
        )
    page = secretariat.post(
        reverse("results:version_schedule", args=[cycle.v1.pk]),
        {"publish_at": local(PUBLISH)},
    )
    assert page.status_code == 400
    assert texts(html(page), "//*[@id='action-errors']//li") == [
        "Publication is blocked: the appeal of Household Registration Office 2 was upheld, "
        "and version 1 does not answer it. Compile a new version and have it approved."
    ]
    # The version page shows the appeal and offers compiling a new version.
    version_page = html(
        signed_in(cycle.approver).get(reverse("results:version", args=[cycle.v1.pk]))
    )
    assert table_rows(version_page, "//table[@id='version-appeals-table']") == [
        [
            "Household Registration Office 2",
            "First-line service agencies",
            "1",
            "Upheld",
            "補充資料確有漏計。",
        ]
    ]
    assert version_page.xpath("//*[@id='appeals-compile-button']") == []  # the approver's view
    assert html(secretariat.get(reverse("results:version", args=[cycle.v1.pk]))).xpath(
        "//*[@id='appeals-compile-button']"
    )
    # A new version, compiled after the decision and approved, answers it.
    v2 = compile_version(cycle)
    assert appeals.appeals_blocking(v2) == []
    services.version_submit(version=v2, actor=cycle.secretariat)
    services.version_approve(version=v2, actor=cycle.approver, publish_at=PUBLISH)
    v2.refresh_from_db()
    assert (v2.status, v2.publish_at) == (VersionStatus.APPROVED, PUBLISH)


def test_a_dismissed_appeal_does_not_block_publication(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    appeal = file_appeal(cycle, cycle.nominations[3])
    appeals.appeal_decide(
        appeal=appeal, actor=cycle.secretariat, upheld=False, reasons="無新事證。"
    )
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISMISSED
    cycle.v1.refresh_from_db()
    assert cycle.v1.publish_at == PUBLISH
    services.version_schedule_publication(
        version=cycle.v1, actor=cycle.secretariat, publish_at=PUBLISH + datetime.timedelta(days=1)
    )
    with pytest.raises(services.ResultsError):
        appeals.appeal_decide(appeal=appeal, actor=cycle.secretariat, upheld=True, reasons="改判。")


def public_page(cycle):
    edition = cycle.edition
    client = Client()
    client.cookies["lang"] = "en"
    return client.get(reverse("results:public_edition", args=[edition.scheme.code, edition.number]))


def test_an_appeal_awaiting_its_decision_holds_publication_past_its_time(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    first = file_appeal(cycle, cycle.nominations[1])
    second = file_appeal(cycle, cycle.nominations[3])
    # The publication time passes with both appeals undecided: nothing comes out.
    clock.move_to(PUBLISH + datetime.timedelta(hours=1))
    assert public_page(cycle).status_code == 404
    assert selectors.public_version(cycle.edition) is None
    cycle.v1.refresh_from_db()
    assert cycle.v1.publish_at == PUBLISH and not cycle.v1.is_published
    secretariat = signed_in(cycle.secretariat)
    page = html(secretariat.get(reverse("results:version", args=[cycle.v1.pk])))
    assert texts(page, "//*[@id='held-badge']") == ["Held by appeals"]
    assert texts(page, "//*[@id='held-note']") == [
        "Publication is held: its time has passed, but 2 appeals still await the panel's "
        "decision. The results come out as soon as they are all dismissed; if one is "
        "upheld, a new version must answer it."
    ]
    edition_page = html(secretariat.get(reverse("results:edition", args=[cycle.edition.pk])))
    assert "Held by appeals" in texts(edition_page, "//table//td//span[@class='badge frozen']")
    zh = html(
        signed_in(cycle.secretariat, "zh-hant").get(reverse("results:version", args=[cycle.v1.pk]))
    )
    assert texts(zh, "//*[@id='held-badge']") == ["申覆待決，暫緩公布"]
    # One dismissed: the other still holds it.
    appeals.appeal_decide(appeal=first, actor=cycle.secretariat, upheld=False, reasons="無新事證。")
    assert public_page(cycle).status_code == 404
    page = html(secretariat.get(reverse("results:version", args=[cycle.v1.pk])))
    assert texts(page, "//*[@id='held-note']")[0].startswith(
        "Publication is held: its time has passed, but 1 appeal still awaits"
    )
    # The last one dismissed: the results come out at once, their time having passed.
    appeals.appeal_decide(
        appeal=second, actor=cycle.secretariat, upheld=False, reasons="無新事證。"
    )
    assert selectors.public_version(cycle.edition) == cycle.v1
    response = public_page(cycle)
    assert response.status_code == 200
    assert "Household Registration Office 1" in response.content.decode()
    page = html(secretariat.get(reverse("results:version", args=[cycle.v1.pk])))
    assert page.xpath("//*[@id='held-note']") == []
    assert texts(page, "//*[@id='version-meta']//span[@class='badge open']") == ["Published"]


def test_upholding_an_appeal_that_held_publication_keeps_the_results_unpublished(cycle, clock):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    appeal = file_appeal(cycle, cycle.nominations[1])
    clock.move_to(PUBLISH + datetime.timedelta(days=1))
    appeals.appeal_decide(
        appeal=appeal, actor=cycle.secretariat, upheld=True, reasons="補充資料確有漏計。"
    )
    # Its time had passed, but the appeal held it: upholding takes the time away
    # (audited), so the version appealed against never comes out.
    cycle.v1.refresh_from_db()
    assert cycle.v1.publish_at is None
    assert selectors.public_version(cycle.edition) is None
    assert public_page(cycle).status_code == 404
    entry = AuditEntry.objects.get(action="results.version.schedule", object_id=str(cycle.v1.pk))
    assert (entry.from_state, entry.to_state) == (PUBLISH.isoformat(), "")


def test_a_filed_appeal_holds_a_new_version_but_not_the_published_one(cycle, clock):
    # Version 1 is published; version 2 is approved and appealed against: version 1
    # stays public, version 2 waits for the decision past its own time.
    clock.move_to(PUBLISH + datetime.timedelta(hours=1))
    assert selectors.public_version(cycle.edition) == cycle.v1
    v2 = compile_version(cycle)
    services.version_submit(version=v2, actor=cycle.secretariat)
    later = PUBLISH + datetime.timedelta(days=10)
    services.version_approve(version=v2, actor=cycle.approver, publish_at=later)
    window(
        cycle,
        opens=PUBLISH + datetime.timedelta(hours=2),
        closes=PUBLISH + datetime.timedelta(days=5),
    )
    clock.move_to(PUBLISH + datetime.timedelta(hours=3))
    appeal = file_appeal(cycle, cycle.nominations[1])
    assert appeal.version == v2
    clock.move_to(later + datetime.timedelta(hours=1))
    assert selectors.public_version(cycle.edition) == cycle.v1
    appeals.appeal_decide(
        appeal=appeal, actor=cycle.secretariat, upheld=False, reasons="無新事證。"
    )
    assert selectors.public_version(cycle.edition) == v2


def test_publication_inside_the_window_is_refused(cycle):
    window(cycle)
    with translation.override("en"), pytest.raises(services.ResultsError) as error:
        services.version_schedule_publication(
            version=cycle.v1,
            actor=cycle.secretariat,
            publish_at=CLOSES - datetime.timedelta(hours=1),
        )
    assert error.value.messages == [
        "Publication must come after the appeal window, which closes on 2026-05-09 10:00."
    ]
    cycle.v1.refresh_from_db()
    assert cycle.v1.publish_at == PUBLISH


def test_appeal_list_keeps_a_constant_number_of_queries(cycle, clock, django_assert_num_queries):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    client = signed_in(cycle.approver)
    url = reverse("results:appeal_list", args=[cycle.edition.pk])
    file_appeal(cycle, cycle.nominations[1])
    client.get(url)
    with django_assert_num_queries(QUERIES_APPEAL_LIST):
        client.get(url)
    for n in cycle.nominations[2:5]:
        file_appeal(cycle, n)
    with django_assert_num_queries(QUERIES_APPEAL_LIST):
        response = client.get(url)
    assert len(table_rows(html(response), "//table[@id='appeals-table']")) == 4


QUERIES_APPEAL_LIST = 6


def test_version_page_appeals_keep_a_constant_number_of_queries(
    cycle, clock, django_assert_num_queries
):
    window(cycle)
    clock.move_to(OPENS + datetime.timedelta(hours=2))
    client = signed_in(cycle.approver)
    url = reverse("results:version", args=[cycle.v1.pk])
    first = file_appeal(cycle, cycle.nominations[1])
    appeals.appeal_decide(appeal=first, actor=cycle.secretariat, upheld=True, reasons="成立。")
    client.get(url)
    with django_assert_num_queries(QUERIES_VERSION_PAGE):
        client.get(url)
    for n in cycle.nominations[2:5]:
        file_appeal(cycle, n)
    with django_assert_num_queries(QUERIES_VERSION_PAGE):
        response = client.get(url)
    assert len(table_rows(html(response), "//table[@id='version-appeals-table']")) == 4


QUERIES_VERSION_PAGE = 20  # + 1 for the latest sensitivity run
