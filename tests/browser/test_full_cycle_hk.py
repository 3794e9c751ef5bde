"""Issue 6's "done when" for Hong Kong: the HK 2002–03 demo from a department's
self-nomination to the Best Public Image Award's certificates.

In the browser: the Immigration Department's editor writes and submits its dossier; the
secretariat finds it eligible; closes the poll's fieldwork, tallies and publishes it;
compiles the results; the approver approves them; the secretariat prints the three
certificates; the public sees the winners and verifies a certificate.

The polling firm's file (4,500 households) is imported through the service the import
page uses; issue 5's browser test covers that page. The 2002 stages are moved around
today, one phase at a time, as the secretariat would in the configuration."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from agencies.models import Agency, User
from awards.enums import StageKind
from awards.models import Category, Edition, Nomination
from awards.results.demo import award_rules_hk
from awards.results.models import ResultVersion
from surveys import services as poll_services
from surveys.demo import firm_file_csv, firm_file_rows, load_poll_demo
from surveys.enums import PollStatus
from tests.browser.test_full_cycle_tw import _pdf_text, _phase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hk_from_nomination_to_best_public_image_certificates(
    demo, live_server, sign_in, context, shot, tmp_path
):
    edition = Edition.objects.get(scheme__code="hk-csca", number=2002)
    department = Category.objects.get(edition=edition, code="department")
    immd = Agency.objects.get(code="HK-IMMD")
    editor = User.objects.get(email="editor-hk@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])

    # 1. The Immigration Department nominates itself.
    _phase(edition, StageKind.NOMINATION)
    page = sign_in(editor, "/cycle/nominations/")
    page.get_by_role("link", name="Start a dossier").first.click()
    page.get_by_role("group", name=re.compile(re.escape(edition.name_en))).get_by_role(
        "radio", name=re.compile(re.escape(department.name_en))
    ).check()
    page.get_by_role("button", name="Start the dossier").click()
    expect(page).to_have_url(re.compile(r"/cycle/nominations/\d+/$"))
    nomination = Nomination.objects.get(agency=immd, edition=edition)
    for section in nomination.sections.order_by("order"):
        page.locator(f"#body-{section.pk}").fill("網上預約及自助出入境檢查，服務快捷。")
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("Saved", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="Submit the dossier").click()
    expect(page.locator(".messages")).to_contain_text("1")
    shot(page, "01-submitted")
    nomination.refresh_from_db()
    assert nomination.state == "submitted"

    # 2. The secretariat finds it eligible (HK has no competent-authority step).
    _phase(edition, StageKind.ELIGIBILITY_CHECK)
    sec = sign_in(secretariat, "/cycle/eligibility/")
    row = sec.get_by_role("row", name=re.compile(re.escape(immd.name_en)))
    row.get_by_role("button", name=re.compile("^Eligible")).click()
    expect(sec.locator(".messages")).to_contain_text(immd.name_en)
    nomination.refresh_from_db()
    assert nomination.state == "eligible"

    # 3. The poll: the firm's file imported (service), fieldwork closed, tallied, published.
    _phase(edition, StageKind.TELEPHONE_POLL)
    poll = load_poll_demo()
    upload, _duplicate = poll_services.import_upload(
        poll=poll,
        kind="responses",
        filename="firm-2003-01.csv",
        content=firm_file_csv(firm_file_rows(poll), "big5"),
        actor=secretariat,
    )
    poll_services.import_apply(imp=upload, mapping=upload.mapping, actor=secretariat)
    poll_services.poll_set_status(poll=poll, status=PollStatus.CLOSED, actor=secretariat)
    sec.goto(live_server.url + f"/poll/{poll.pk}/tally/")
    sec.get_by_role("button", name="Run the tally").click()
    expect(sec.locator("#run-status")).to_have_text("Done", timeout=20000)
    sec.get_by_role("button", name="Publish these results").click()
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED
    top3 = poll.published_run.results["winners"]
    assert len(top3) == 3

    # 4. Results: the award rule (decided by the poll), compile, submit, approve.
    award_rules_hk(edition)
    _phase(edition, StageKind.APPROVAL)
    sec.goto(live_server.url + f"/cycle/results/editions/{edition.pk}/")
    sec.get_by_role("button", name="Compile results").click()
    expect(sec.locator("#job-compile-status")).to_have_text("Done", timeout=20000)
    sec.get_by_role("link", name="Open it").click()
    version = ResultVersion.objects.get(edition=edition)
    assert list(version.awards.order_by("order").values_list("agency__code", flat=True)) == top3
    sec.get_by_role("button", name="Submit for approval").click()
    expect(sec.locator("#version-status")).to_have_text("Submitted for approval")
    ap = sign_in(approver, f"/cycle/results/versions/{version.pk}/")
    ap.get_by_role("button", name="Approve these results").click()
    expect(ap.locator("#version-status")).to_have_text("Approved")
    shot(ap, "02-approved")

    # 5. Three Best Public Image Award certificates.
    sec = sign_in(secretariat, f"/cycle/results/versions/{version.pk}/")
    sec.get_by_role("button", name="Print all certificates").click()
    expect(sec.locator("#job-certificates-status")).to_have_text("Done", timeout=60000)
    merged = sec.request.get(
        live_server.url + sec.locator("#job-certificates-file").get_attribute("href")
    )
    text = _pdf_text(merged.body(), tmp_path, "all.pdf")
    assert text.count("Best Public Image Award") >= 3
    assert text.count("最佳公眾形象獎") >= 3
    for code in top3:
        assert Agency.objects.get(code=code).name_zh in text
    zipped = sec.request.get(
        live_server.url + sec.locator("#job-certificates-zip").get_attribute("href")
    )
    assert len(zipfile.ZipFile(io.BytesIO(zipped.body())).namelist()) == 3
    shot(sec, "03-certificates")

    # 6. The public: the winners page and a certificate's verification.
    context.clear_cookies()
    public = context.new_page()
    public.goto(live_server.url + "/results/")
    public.get_by_role("link", name=re.compile(re.escape(edition.name_zh))).first.click()
    for code in top3:
        expect(public.locator("main")).to_contain_text(Agency.objects.get(code=code).name_zh)
    shot(public, "04-winners")
    award = version.awards.order_by("order").first()
    public.goto(live_server.url + f"/verify/{award.serial}/")
    expect(public.locator("main")).to_contain_text(award.agency.name_zh)
    expect(public.locator("main")).to_contain_text("最佳公眾形象獎")
    shot(public, "05-verified")
