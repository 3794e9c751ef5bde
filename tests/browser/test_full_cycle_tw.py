"""Issue 6's "done when" for Taiwan: the TW 8th edition as `load_demo` makes it, from a
self-nomination to a verified certificate.

In the browser: the demo editor writes and submits the Zhongshan household registration
office's dossier, the competent authority recommends it, the secretariat marks it
eligible; later the secretariat compiles the results (progress bar), submits them, the
approver approves them, the secretariat prints the certificates, the agency downloads its
certificate (its PDF text carries the Chinese name; its PNG is looked at), the public
verifies the serial, the secretariat revokes the award and the verification page says so.

Between those, the review (seven more dossiers, three reviewers each, five finalists,
site visits) goes through the services the review pages use; issue 4's browser test
covers those pages. The edition's 2016 stages are moved around today, one phase at a
time, as the secretariat would in the configuration."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import zipfile

import pytest
from playwright.sync_api import expect

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, User
from awards.enums import NominationState, StageKind
from awards.models import Category, Edition, Nomination
from awards.results.models import Award, AwardRule, ResultVersion
from awards.selectors import edition_today
from scoring.enums import Aggregation, MemberKind
from scoring.models import Assignment, ConflictDeclaration
from scoring.services import (
    assignments_auto,
    finalists_select,
    invitation_accept,
    panel_for,
    panel_member_add,
    review_policy,
)
from tests.browser.test_review_cycle import _score
from tests.factories import UserFactory, fill_dossier, submitted_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OTHERS = ["TW-TPE-DALO", "TW-NTPC-BQHR", "TW-NTPC-BQLO", "TW-KHH-FSLO", "TW-ILA-TAX", "TW-NTBT", "TW-BLI"]  # fmt: skip
QUALITY = {
    "TW-TPE-ZSHR": 0.93,  # the browser's dossier: the best, so it wins
    "TW-TPE-DALO": 0.62,
    "TW-NTPC-BQHR": 0.80,
    "TW-NTPC-BQLO": 0.74,
    "TW-KHH-FSLO": 0.88,
    "TW-ILA-TAX": 0.58,
    "TW-NTBT": 0.70,
    "TW-BLI": 0.66,
}


def _phase(edition, kind):
    """Place the stages so that `kind` is open today: those before it in the past, those
    after it in the future, each a few days long, in their configured order."""
    today = edition_today(edition)
    stages = list(edition.stages.order_by("order", "starts_on"))
    here = next(i for i, s in enumerate(stages) if s.kind == kind)
    for i, stage in enumerate(stages):
        offset = (i - here) * 5
        if i == here:
            stage.starts_on, stage.ends_on = today - datetime.timedelta(days=1), today
        else:
            start = today + datetime.timedelta(days=offset - (1 if offset < 0 else -1))
            stage.starts_on, stage.ends_on = start, start + datetime.timedelta(days=3)
        stage.save(update_fields=["starts_on", "ends_on"])


def _pdf_text(data: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _review(edition, category):
    """Seven more eligible dossiers; a panel; three reviewers each; z-score standings;
    the five best finalists with their site visits; everything scored and submitted."""
    secretariat = User.objects.get(email="secretariat@demo.test")
    _phase(edition, StageKind.NOMINATION)
    for code in OTHERS:
        agency = Agency.objects.get(code=code)
        editor = UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])
        nomination = Nomination.objects.create(
            edition=edition, category=category, agency=agency, created_by=editor
        )
        from awards.services import dossier_sections_create

        dossier_sections_create(nomination)
        fill_dossier(nomination, editor, text=f"{agency.name_zh}的服務成果。")
        submitted_snapshot(nomination, editor)
        Nomination.objects.filter(pk=nomination.pk).update(state=NominationState.ELIGIBLE)
    stages = {s.kind: s for s in edition.stages.all()}
    written, site = stages[StageKind.WRITTEN_REVIEW], stages[StageKind.SITE_VISIT]
    written.reviewers_per_dossier, written.score_weight = 3, 30
    written.save()
    site.reviewers_per_dossier, site.score_weight = 2, 70
    site.save()
    policy = review_policy(edition)
    policy.aggregation = Aggregation.ZSCORE
    policy.save()
    panel = panel_for(category)
    reviewers = [User.objects.get(email="reviewer@demo.test")] + [
        UserFactory(roles=[Role.REVIEWER], full_name=name, affiliation_type=kind)
        for name, kind in [
            ("評審委員 周董事長", AffiliationType.PRIVATE_SECTOR),
            ("評審委員 許會計師", AffiliationType.PROFESSIONAL_BODY),
            ("評審委員 劉參事", AffiliationType.GOVERNMENT),
        ]
    ]
    for i, user in enumerate(reviewers):
        member = panel_member_add(
            actor=secretariat, panel=panel, user=user, kind=MemberKind.REVIEWER, is_chair=i == 0
        )
        invitation_accept(actor=user, member=member)  # the invited reviewer accepts
        ConflictDeclaration.objects.create(edition=edition, reviewer=user)
    _phase(edition, StageKind.WRITTEN_REVIEW)
    assignments_auto(actor=secretariat, stage=written, category=category)
    for a in Assignment.objects.filter(stage=written).select_related("nomination__agency"):
        _score(a, QUALITY[a.nomination.agency.code])
    _phase(edition, StageKind.SHORTLISTING)
    best = sorted(
        Nomination.objects.filter(edition=edition), key=lambda n: -QUALITY[n.agency.code]
    )[:5]
    finalists_select(
        actor=secretariat,
        stage=written,
        category=category,
        nomination_ids=[n.pk for n in best],
        reason="前五名入圍",
    )
    _phase(edition, StageKind.SITE_VISIT)
    for a in Assignment.objects.filter(stage=site, withdrawn_at__isnull=True).select_related(
        "nomination__agency"
    ):
        _score(a, QUALITY[a.nomination.agency.code])
    return [n.agency.code for n in best]


def test_tw8_from_nomination_to_a_verified_certificate(
    demo, live_server, sign_in, context, shot, tmp_path, axe_violations
):
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    category = Category.objects.get(edition=edition, code="first-line")
    zshr = Agency.objects.get(code="TW-TPE-ZSHR")
    editor = User.objects.get(email="editor@demo.test")
    authority = User.objects.get(email="authority@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")

    # 1. The agency writes and submits its dossier.
    _phase(edition, StageKind.NOMINATION)
    page = sign_in(editor, "/dashboard/")
    page.get_by_role("link", name="開始撰寫自薦書").first.click()
    page.get_by_role("group", name=re.compile(edition.name_zh)).get_by_role(
        "radio", name=re.compile(category.name_zh)
    ).check()
    page.get_by_role("button", name="建立自薦書").click()
    expect(page).to_have_url(re.compile(r"/cycle/nominations/\d+/$"))
    nomination = Nomination.objects.get(agency=zshr, edition=edition)
    for section in nomination.sections.order_by("order"):
        page.locator(f"#body-{section.pk}").fill(
            f"{section.heading_zh}：戶籍登記一站完成，民眾滿意。"
        )
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("已儲存", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the dossier now?"
    page.get_by_role("button", name="送出自薦書").click()
    expect(page.locator(".messages")).to_contain_text("已送出第 1 版")
    shot(page, "01-submitted")

    # 2. The competent authority (Taipei City Government) recommends it.
    _phase(edition, StageKind.RECOMMENDATION)
    officer = sign_in(authority, f"/cycle/recommendations/{edition.pk}/")
    officer.get_by_label(f"{zshr.name_zh} · {category.name_zh} 的排序").fill("1")
    officer.get_by_role("button", name="儲存推薦").click()
    expect(officer.locator(".messages")).to_contain_text("推薦已儲存")

    # 3. The secretariat finds it eligible.
    _phase(edition, StageKind.ELIGIBILITY_CHECK)
    sec = sign_in(secretariat, "/cycle/eligibility/")
    row = sec.get_by_role("row", name=re.compile(zshr.name_zh))
    row.get_by_role("button", name=re.compile("^符合資格")).click()
    expect(sec.locator(".messages")).to_contain_text(zshr.name_zh)

    # 4. The review (services; pages covered by issue 4's browser test).
    finalists = _review(edition, category)
    assert "TW-TPE-ZSHR" in finalists
    AwardRule.objects.create(
        category=category,
        winners=3,
        award_name_zh="政府服務品質獎",
        award_name_en="Government Service Quality Award",
    )
    _phase(edition, StageKind.APPROVAL)

    # 5. The secretariat compiles (a progress bar, then the version) and submits it.
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    sec = sign_in(secretariat, "/cycle/results/")
    sec.get_by_role("link", name=edition.name_en).click()
    sec.get_by_role("button", name="Compile results").click()
    expect(sec.locator("#job-compile-status")).to_have_text("Done", timeout=20000)
    shot(sec, "02-compiled")
    sec.get_by_role("link", name="Open it").click()
    expect(sec.locator("#version-status")).to_have_text("Compiled")
    version = ResultVersion.objects.get(edition=edition)
    winners = list(version.awards.order_by("order").values_list("agency__code", flat=True))
    assert winners[0] == "TW-TPE-ZSHR" and len(winners) == 3
    sec.get_by_role("button", name="Submit for approval").click()
    expect(sec.locator("#version-status")).to_have_text("Submitted for approval")
    assert axe_violations(sec) == []

    # 6. The approver approves, publishing now.
    ap = sign_in(approver, "/dashboard/")
    ap.locator("#approver-waiting").get_by_role("link").first.click()
    ap.get_by_label("Comments (optional)").fill("准予核定。")
    ap.get_by_role("button", name="Approve these results").click()
    expect(ap.locator("#version-status")).to_have_text("Approved")
    expect(ap.locator("#version-meta")).to_contain_text("Published")
    shot(ap, "03-approved")
    award = Award.objects.get(version=version, agency=zshr)
    assert award.serial

    # 7. The secretariat prints every certificate: one PDF and a ZIP of single PDFs.
    sec = sign_in(secretariat, f"/cycle/results/versions/{version.pk}/")
    sec.get_by_role("button", name="Print all certificates").click()
    expect(sec.locator("#job-certificates-status")).to_have_text("Done", timeout=60000)
    merged = sec.request.get(
        live_server.url + sec.locator("#job-certificates-file").get_attribute("href")
    )
    assert merged.headers["content-type"] == "application/pdf"
    zipped = sec.request.get(
        live_server.url + sec.locator("#job-certificates-zip").get_attribute("href")
    )
    names = sorted(zipfile.ZipFile(io.BytesIO(zipped.body())).namelist())
    assert len(names) == 3 and any(award.serial in n for n in names)
    shot(sec, "04-certificates")

    # 8. The agency finds its award and downloads its certificate.
    mine = sign_in(editor, "/cycle/results/my-awards/")
    expect(mine.locator("main")).to_contain_text(award.serial)
    href = mine.get_by_role("link", name=re.compile("Certificate|證書")).first.get_attribute("href")
    pdf = mine.request.get(live_server.url + href)
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.body(), tmp_path, "certificate.pdf")
    assert zshr.name_zh in text
    assert award.serial in text
    png = tmp_path / "certificate"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-singlefile",
            str(tmp_path / "certificate.pdf"),
            str(png),
        ],
        check=True,
    )
    shot_dir = tmp_path
    assert (shot_dir / "certificate.png").exists()

    # 9. The public verifies the serial (typed, in lower case without hyphens).
    public = context.new_page()
    context.clear_cookies()
    public.goto(live_server.url + "/verify/")
    public.get_by_label("證書編號").fill(award.serial.replace("-", "").lower())
    public.get_by_role("button", name="查驗", exact=True).click()
    expect(public.locator("main")).to_contain_text(zshr.name_zh)
    shot(public, "05-verified")

    # 10. The award is revoked; verification says so, with the reason.
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    sec = sign_in(secretariat, f"/cycle/results/awards/{award.pk}/revoke/")
    sec.get_by_label("Reason for revocation").fill("服務品質未能維持，經查證屬實。")
    sec.get_by_role("button", name="Revoke the award").click()
    expect(sec.locator(".messages")).to_contain_text("was revoked")
    public.goto(live_server.url + f"/verify/{award.serial}/")
    expect(public.locator("main [role=alert]")).to_contain_text("服務品質未能維持")
    shot(public, "06-revoked")
