"""Issue 16's "done when", first half: a Hong Kong department nominates a team and an
individual officer, both are reviewed, awarded and approved, and their certificates name
them and the department. (The second half, the programme from the ceremony to a revocation
opened from a missed obligation, is tests/browser/test_programme.py.)

In the browser: the Immigration Department's editor starts a dossier in the team award,
is taken to the team's page, is refused a team with no members (beside the members, what
was typed kept), gives the team and submits; then the same for an officer, refused without
a post; the secretariat finds both eligible; an assigned reviewer sees who is nominated on
the review page; the secretariat compiles, the approver approves, the version page names
the team and the officer; the certificates (pdftotext) name them with the department; the
public winners page names the team (consent recorded) and not the officer (no consent).

The HK demo's 2002 stages are moved around today, one phase at a time, and the scoring goes
through the service the scoring form uses (its own browser tests cover that form)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, User
from awards.demo_data import HK_DEPARTMENT_RUBRIC
from awards.enums import CategoryKind, StageKind
from awards.models import Category, Edition, Nomination
from awards.nominees import MemberRow, nominee_save
from awards.results.models import Award, AwardRule, ResultVersion
from awards.services import category_rubric_create, nomination_start, nomination_submit
from scoring.enums import MemberKind
from scoring.models import Assignment, ConflictDeclaration
from scoring.services import assignments_auto, invitation_accept, panel_for, panel_member_add
from tests.browser.test_full_cycle_tw import _pdf_text, _phase
from tests.browser.test_review_cycle import _score
from tests.factories import UserFactory, fill_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEAM = ("櫃台服務隊", "Counter Service Team")
OFFICER = ("陳大文", "CHAN Tai-man", "高級入境事務主任")


def _category(edition, kind, code, zh, en, order):
    """The edition's team or individual award: the demo's own if it ships one, else made
    here with the department award's three criteria."""
    category = Category.objects.filter(edition=edition, kind=kind).first()
    if category is None:
        category = Category.objects.create(
            edition=edition, code=code, kind=kind, order=order, name_zh=zh, name_en=en
        )
    if getattr(category, "rubric", None) is None:
        category_rubric_create(category=category, **HK_DEPARTMENT_RUBRIC)
    AwardRule.objects.update_or_create(
        category=category,
        defaults={
            "winners": 1,
            "award_name_zh": zh,
            "award_name_en": en,
            "finalists_only": False,  # one written review, no shortlist
        },
    )
    return category


def _rival(edition, category, code, secretariat):
    """Another department's nomination in the same award, so that the browser's one has
    to win it."""
    agency = Agency.objects.get(code=code)
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])
    nomination = nomination_start(actor=editor, agency=agency, category=category)
    if category.kind == CategoryKind.TEAM:
        nominee_save(
            actor=editor,
            nomination=nomination,
            name_zh="外勤隊",
            name_en="Field Team",
            members=[MemberRow(name="李小明", post="二級工人")],
        )
    else:
        nominee_save(actor=editor, nomination=nomination, name_zh="張美玲", post="文書主任")
    fill_dossier(nomination, editor, text=f"{agency.name_zh}的服務成果。")
    nomination_submit(actor=editor, nomination=nomination)
    return nomination


def test_a_department_s_team_and_officer_from_nomination_to_certificates(
    demo, live_server, sign_in, context, shot, tmp_path, axe_violations
):
    edition = Edition.objects.get(scheme__code="hk-csca", number=2002)
    immd = Agency.objects.get(code="HK-IMMD")
    editor = User.objects.get(email="editor-hk@demo.test")
    secretariat = User.objects.get(email="secretariat@demo.test")
    approver = User.objects.get(email="approver@demo.test")
    team_award = _category(edition, CategoryKind.TEAM, "team", "團隊獎", "Team award", 3)
    officer_award = _category(
        edition, CategoryKind.INDIVIDUAL, "individual", "個人獎", "Individual award", 4
    )
    # Only the stages this test walks through; the others are past or future.
    stages = {s.kind: s for s in edition.stages.all()}
    written = stages[StageKind.WRITTEN_REVIEW]
    written.reviewers_per_dossier, written.score_weight = 2, 100
    written.save()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])

    # 1. The department nominates a team: the team's page first, a refusal, then the team.
    _phase(edition, StageKind.NOMINATION)
    rivals = [
        _rival(edition, team_award, "HK-FEHD", secretariat),
        _rival(edition, officer_award, "HK-FEHD", secretariat),
    ]
    page = sign_in(editor, "/cycle/nominations/")
    page.get_by_role("link", name="Start a dossier").first.click()
    page.get_by_role("group", name=re.compile(re.escape(edition.name_en))).get_by_role(
        "radio", name=re.compile(re.escape(team_award.name_en))
    ).check()
    page.get_by_role("button", name="Start the dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Team nominated")
    page.get_by_label("Team name (Chinese)").fill(TEAM[0])
    page.get_by_label("Team name (English)").fill(TEAM[1])
    page.get_by_role("button", name="Save the details").click()
    expect(page.locator("#members-error")).to_contain_text("member")
    expect(page.get_by_label("Team name (English)")).to_have_value(TEAM[1])  # kept
    team = Nomination.objects.get(agency=immd, category=team_award)
    assert not hasattr(Nomination.objects.get(pk=team.pk), "nominee")
    shot(page, "01-team-refused")
    assert axe_violations(page) == []
    page.get_by_label("Member 1: name").fill("黃志強")
    page.get_by_label("Member 1: post").fill("總入境事務主任")
    page.get_by_label("Member 2: name").fill("林嘉欣")
    page.get_by_label("Member 2: post").fill("入境事務助理員")
    page.get_by_label(re.compile("agrees to be named")).check()
    page.get_by_role("button", name="Save the details").click()
    expect(page.locator(".messages")).to_contain_text("The nominee's details are saved.")
    shot(page, "02-team-saved")
    page.get_by_role("link", name="Back to the dossier").click()
    page.wait_for_load_state("load")  # htmx listens before the sections are typed into
    expect(page.locator("main")).to_contain_text(TEAM[1])
    for section in team.sections.order_by("order"):
        page.locator(f"#body-{section.pk}").fill("櫃台服務隊以一站式服務縮短輪候時間。")
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("Saved", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit the dossier").click()
    expect(page.locator(".messages")).to_contain_text("1")
    team.refresh_from_db()
    assert team.state == "submitted"
    assert [m.name for m in team.nominee.members.order_by("order")] == ["黃志強", "林嘉欣"]

    # 2. An officer: refused without a post (beside the field), then given.
    page.goto(live_server.url + "/cycle/nominations/")
    page.get_by_role("link", name="Start a dossier").first.click()
    page.get_by_role("group", name=re.compile(re.escape(edition.name_en))).get_by_role(
        "radio", name=re.compile(re.escape(officer_award.name_en))
    ).check()
    page.get_by_role("button", name="Start the dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Officer nominated")
    page.get_by_label("Officer's name (Chinese)").fill(OFFICER[0])
    page.get_by_label("Officer's name (English)").fill(OFFICER[1])
    page.get_by_role("button", name="Save the details").click()
    post = page.get_by_label("Post (rank or job title)")
    expect(post).to_have_attribute("aria-invalid", "true")
    assert "id_post_error" in post.get_attribute("aria-describedby").split()
    expect(page.locator("#id_post_error")).to_contain_text("post")
    expect(page.get_by_label("Officer's name (English)")).to_have_value(OFFICER[1])
    shot(page, "03-officer-refused")
    post.fill(OFFICER[2])
    page.get_by_role("button", name="Save the details").click()
    expect(page.locator(".messages")).to_contain_text("The nominee's details are saved.")
    page.get_by_role("link", name="Back to the dossier").click()
    page.wait_for_load_state("load")  # htmx listens before the sections are typed into
    officer = Nomination.objects.get(agency=immd, category=officer_award)
    for section in officer.sections.order_by("order"):
        page.locator(f"#body-{section.pk}").fill("陳大文主任主動協助長者辦理證件。")
        expect(page.locator(f"#status-{section.pk}")).to_contain_text("Saved", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit the dossier").click()
    expect(page.locator(".messages")).to_contain_text("1")
    officer.refresh_from_db()
    assert officer.state == "submitted" and officer.nominee.post == OFFICER[2]

    # 3. The secretariat finds all four eligible.
    _phase(edition, StageKind.ELIGIBILITY_CHECK)
    sec = sign_in(secretariat, "/cycle/eligibility/")
    for nomination in [team, officer, *rivals]:
        row = (
            sec.get_by_role("row")
            .filter(has_text=nomination.agency.name_en)
            .filter(has_text=nomination.category.name_en)
        )
        row.get_by_role("button", name=re.compile("^Eligible")).click()
        expect(sec.locator(".messages")).to_contain_text(nomination.agency.name_en)
    assert set(Nomination.objects.filter(edition=edition).values_list("state", flat=True)) == {
        "eligible"
    }

    # 4. A panel of two reviews them; the reviewer sees whom the dossier nominates.
    reviewers = [
        UserFactory(roles=[Role.REVIEWER], full_name=name, affiliation_type=kind)
        for name, kind in [
            ("評審 何議員", AffiliationType.LEGISLATURE),
            ("評審 梁總裁", AffiliationType.PRIVATE_SECTOR),
        ]
    ]
    for category in (team_award, officer_award):
        panel = panel_for(category)
        for user in reviewers:
            member = panel_member_add(
                actor=secretariat, panel=panel, user=user, kind=MemberKind.REVIEWER
            )
            invitation_accept(actor=user, member=member)
    for user in reviewers:
        ConflictDeclaration.objects.get_or_create(edition=edition, reviewer=user)
    _phase(edition, StageKind.WRITTEN_REVIEW)
    written.refresh_from_db()
    for category in (team_award, officer_award):
        assignments_auto(actor=secretariat, stage=written, category=category)
    mine = Assignment.objects.get(stage=written, nomination=team, reviewer=reviewers[0])
    rev = sign_in(reviewers[0], f"/cycle/reviews/{mine.pk}/")
    expect(rev.locator("main")).to_contain_text(TEAM[1])
    expect(rev.locator("main")).to_contain_text("黃志強")
    shot(rev, "04-reviewer-sees-the-team")
    ours = {team.pk, officer.pk}
    for a in Assignment.objects.filter(stage=written):
        _score(a, 0.9 if a.nomination_id in ours else 0.6)

    # 5. Compiled, submitted, approved: the version names the team and the officer.
    _phase(edition, StageKind.APPROVAL)
    sec = sign_in(secretariat, f"/cycle/results/editions/{edition.pk}/")
    sec.get_by_role("button", name="Compile results").click()
    expect(sec.locator("#job-compile-status")).to_have_text("Done", timeout=20000)
    sec.get_by_role("link", name="Open it").click()
    version = ResultVersion.objects.get(edition=edition)
    won = {a.nomination_id for a in Award.objects.filter(version=version)}
    assert ours <= won and not won & {r.pk for r in rivals}
    expect(sec.locator("#awards")).to_contain_text(f"Team: {TEAM[1]}")
    expect(sec.locator("#awards")).to_contain_text(f"Individual: {OFFICER[1]}")
    sec.get_by_role("button", name="Submit for approval").click()
    expect(sec.locator("#version-status")).to_have_text("Submitted for approval")
    ap = sign_in(approver, f"/cycle/results/versions/{version.pk}/")
    ap.get_by_role("button", name="Approve these results").click()
    expect(ap.locator("#version-status")).to_have_text("Approved")
    shot(ap, "05-approved")
    assert axe_violations(ap) == []

    # 6. The certificates name the team, the officer (with the post) and the department.
    sec = sign_in(secretariat, f"/cycle/results/versions/{version.pk}/")
    sec.get_by_role("button", name="Print all certificates").click()
    expect(sec.locator("#job-certificates-status")).to_have_text("Done", timeout=60000)
    merged = sec.request.get(
        live_server.url + sec.locator("#job-certificates-file").get_attribute("href")
    )
    text = re.sub(r"\s+", "", _pdf_text(merged.body(), tmp_path, "all.pdf"))
    for expected in (TEAM[0], OFFICER[0], OFFICER[2], immd.name_zh):
        assert expected in text, expected
    assert re.sub(r"\s+", "", TEAM[1]) in text

    # 7. The public sees the team named (consent) and the officer not (no consent).
    context.clear_cookies()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    public = context.new_page()
    public.goto(live_server.url + f"/results/{edition.scheme.code}/{edition.number}/")
    main = public.locator("main")
    expect(main).to_contain_text(TEAM[1])
    expect(main).to_contain_text(f"An officer of {immd.name_en}")
    expect(main).not_to_contain_text(OFFICER[1])
    shot(public, "06-public-winners")
    assert axe_violations(public) == []
