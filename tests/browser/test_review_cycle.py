"""Issue 4's "done when", in the browser across roles, on the TW 8th edition's
first-line category as `load_demo` makes it: a reviewer declares a conflict → the
secretariat assigns automatically → three reviewers score each dossier → standings
normalised per reviewer → five finalists shortlisted (which assigns the site visits) →
the site assessor logs a telephone test and scores → final standings (30 % + 70 %).

The 8th edition's stages are in 2016; the test moves them around today, as the
secretariat would in the configuration, so that they are open. Reviews other than the
ones done in the browser go through the same service the form uses (review_save)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, User
from awards.enums import NominationState, StageKind
from awards.models import Category, Edition, Nomination
from awards.selectors import edition_today
from scoring.enums import Aggregation, MemberKind, ReviewState
from scoring.models import Assignment, ConflictDeclaration, Review, SiteTest
from scoring.services import (
    invitation_accept,
    panel_for,
    panel_member_add,
    review_open,
    review_policy,
    review_save,
)
from tests.factories import UserFactory, fill_dossier, submitted_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOMINEES = [
    "TW-TPE-ZSHR", "TW-TPE-DALO", "TW-NTPC-BQHR", "TW-NTPC-BQLO", "TW-KHH-FSLO",
    "TW-ILA-TAX", "TW-NTBT", "TW-BLI",
]  # fmt: skip
QUALITY = [0.86, 0.62, 0.80, 0.74, 0.90, 0.58, 0.70, 0.66]
LENIENCY = [0.0, -0.12, 0.08, -0.04]  # the second reviewer is harsh, the third lenient


def _setup():
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    today = edition_today(edition)

    def day(offset):
        return today + datetime.timedelta(days=offset)

    stages = {s.kind: s for s in edition.stages.all()}
    moves = {
        StageKind.NOMINATION: (-1, 0),  # open while the dossiers are written; closed below
        StageKind.RECOMMENDATION: (-29, -25),
        StageKind.ELIGIBILITY_CHECK: (-24, -20),
        StageKind.WRITTEN_REVIEW: (-3, 10),
        StageKind.SHORTLISTING: (11, 11),
        StageKind.SITE_VISIT: (12, 40),
    }
    for kind, (start, end) in moves.items():
        stage = stages[kind]
        stage.starts_on, stage.ends_on = day(start), day(end)
        if kind == StageKind.WRITTEN_REVIEW:
            stage.reviewers_per_dossier, stage.score_weight = 3, 30
        if kind == StageKind.SITE_VISIT:
            stage.reviewers_per_dossier, stage.score_weight = 2, 70
        stage.save()
    policy = review_policy(edition)
    policy.aggregation = Aggregation.ZSCORE
    # Five finalists, four site-visit reviewers: each scores two or three, so the
    # small-sample guard's default of 5 would leave the site visit raw.
    policy.zscore_min_reviews = 2
    policy.save()
    category = Category.objects.get(edition=edition, code="first-line")
    from awards.services import dossier_sections_create

    nominations = []
    for code in NOMINEES:
        agency = Agency.objects.get(code=code)
        editor = UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])
        nomination = Nomination.objects.create(
            edition=edition, category=category, agency=agency, created_by=editor
        )
        dossier_sections_create(nomination)
        fill_dossier(nomination, editor, text=f"{agency.name_zh}的服務成果。")
        submitted_snapshot(nomination, editor)
        Nomination.objects.filter(pk=nomination.pk).update(state=NominationState.ELIGIBLE)
        nominations.append(nomination)
    nomination_stage = stages[StageKind.NOMINATION]
    nomination_stage.starts_on, nomination_stage.ends_on = day(-40), day(-30)
    nomination_stage.save()
    secretariat = User.objects.get(email="secretariat@demo.test")
    panel = panel_for(category)
    reviewer = User.objects.get(email="reviewer@demo.test")
    others = [
        UserFactory(roles=[Role.REVIEWER], full_name=name, affiliation_type=kind)
        for name, kind in [
            ("評審委員 周董事長", AffiliationType.PRIVATE_SECTOR),
            ("評審委員 許會計師", AffiliationType.PROFESSIONAL_BODY),
            ("評審委員 劉參事", AffiliationType.GOVERNMENT),
        ]
    ]
    reviewers = [reviewer, *others]
    for i, user in enumerate(reviewers):
        member = panel_member_add(
            actor=secretariat, panel=panel, user=user, kind=MemberKind.REVIEWER, is_chair=i == 1
        )
        invitation_accept(actor=user, member=member)
    assessor = User.objects.get(email="assessor@demo.test")
    member = panel_member_add(
        actor=secretariat, panel=panel, user=assessor, kind=MemberKind.SITE_ASSESSOR
    )
    invitation_accept(actor=assessor, member=member)
    for user in [*others, assessor]:
        ConflictDeclaration.objects.create(edition=edition, reviewer=user)
    return edition, category, stages, nominations, reviewers, assessor, day


def _score(assignment, share_of):
    """Score every indicator through the service the form uses, and submit."""
    review = review_open(assignment)
    scores = {
        s.indicator_id: (str(round(s.indicator.max_points * share_of)), "")
        for s in review.scores.select_related("indicator")
    }
    review_save(
        actor=assignment.reviewer,
        review=review,
        scores=scores,
        overall_comment="",
        based_on_version=review.version,
        submit=True,
    )


def test_tw8_first_line_from_conflict_to_final_standings(
    demo, live_server, browser, shot, axe_violations
):
    edition, category, stages, nominations, reviewers, assessor, day = _setup()
    written, site = stages[StageKind.WRITTEN_REVIEW], stages[StageKind.SITE_VISIT]
    dalo = Agency.objects.get(code="TW-TPE-DALO")

    def page_for(user):
        from django.conf import settings
        from django.test import Client

        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": "lang", "value": "en", "url": live_server.url},
            ]
        )
        return context.new_page()

    # 1. The demo reviewer declares a conflict with the Taipei land office. The edition
    # extends it to every agency under Taipei City Government.
    reviewer = reviewers[0]
    page = page_for(reviewer)
    page.goto(live_server.url + "/cycle/reviews/")
    page.get_by_role("link", name=re.compile("Declare conflicts of interest")).click()
    page.get_by_label(dalo.name_en).check()
    page.get_by_label("Reason").fill("曾擔任該所服務諮詢顧問")
    page.get_by_role("button", name="Save my declaration").click()
    expect(page.locator(".messages")).to_contain_text("Declared")
    shot(page, "01-declared")

    # 2. The secretariat assigns automatically: three reviewers each, never a conflict.
    sec = page_for(User.objects.get(email="secretariat@demo.test"))
    sec.goto(live_server.url + "/cycle/review/")
    eighth = sec.get_by_role("table", name=re.compile(re.escape(edition.name_en)))
    eighth.get_by_role("link", name=re.compile("^Assignments · First-line.* · Preliminary")).click()
    sec.get_by_role("button", name="Assign automatically").click()
    expect(sec.locator(".messages")).to_have_text("Automatic assignment made 24 assignments.")
    rows = sec.get_by_role("table", name="Dossiers and their reviewers").locator("tbody tr")
    expect(rows).to_have_count(8)
    shot(sec, "02-assigned")
    taipei = [n for n in nominations if n.agency.code.startswith("TW-TPE")]
    assert not Assignment.objects.filter(
        stage=written, reviewer=reviewer, nomination__in=taipei
    ).exists()
    assert {
        n.pk: Assignment.objects.filter(stage=written, nomination=n).count() for n in nominations
    } == {n.pk: 3 for n in nominations}

    # 3. Three reviewers score each dossier: the demo reviewer one in the browser...
    mine = (
        Assignment.objects.filter(stage=written, reviewer=reviewer)
        .select_related("nomination__agency")
        .order_by("nomination__agency__path")
    )
    first = mine[0]
    page.goto(live_server.url + "/cycle/reviews/")
    page.get_by_role(
        "link", name=re.compile(rf"^Score\W+{re.escape(first.nomination.agency.name_en)}$")
    ).click()
    inputs = page.locator("input[data-points]")
    expect(inputs).to_have_count(5)
    share = QUALITY[NOMINEES.index(first.nomination.agency.code)]
    for i in range(5):
        maximum = int(inputs.nth(i).get_attribute("max"))
        inputs.nth(i).fill(str(round(maximum * share)))
    page.get_by_label("Overall comment").fill("流程清楚，線上服務完整。")
    shot(page, "03-scoring-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Review submitted:")
    # ...and the rest through the same service, each reviewer with their own leniency.
    for assignment in Assignment.objects.filter(stage=written).select_related(
        "nomination__agency", "reviewer", "stage__edition"
    ):
        if Review.objects.filter(assignment=assignment, state=ReviewState.SUBMITTED).exists():
            continue
        q = QUALITY[NOMINEES.index(assignment.nomination.agency.code)]
        _score(assignment, q + LENIENCY[reviewers.index(assignment.reviewer)])

    # 4. Standings, normalised per reviewer; 5. the top five become finalists.
    sec.goto(
        live_server.url + f"/cycle/review/stages/{written.pk}/categories/{category.pk}/standings/"
    )
    expect(sec.locator("#standings-method dd").first).to_contain_text("z-score")
    table_rows = sec.locator("table.standings-table tbody tr")
    expect(table_rows).to_have_count(8)
    expect(sec.locator("#score-chart rect.bin")).not_to_have_count(0)
    expected_top = [NOMINEES[i] for i in sorted(range(8), key=lambda i: -QUALITY[i])[:5]]
    names = {a.code: a.name_en for a in Agency.objects.filter(code__in=NOMINEES)}
    expect(table_rows.locator("th[scope=row]").nth(0)).to_contain_text(names[expected_top[0]])
    shot(sec, "04-standings")
    assert axe_violations(sec) == []
    sec.get_by_role("radio", name="Number of dossiers").check()
    sec.get_by_label("Value").fill("5")
    sec.get_by_role("button", name="Preview").click()
    expect(sec.locator("#preview-result")).to_have_text("This rule selects 5 dossiers.")
    sec.get_by_role("button", name="Continue: check the finalists and their assignments").click()
    expect(sec.locator("#assignments-heading")).to_contain_text("15 assignments will be created")
    sec.get_by_role("button", name="Confirm: make 5 finalists and create 15 assignments").click()
    expect(sec.locator(".messages")).to_contain_text("5 dossiers are now finalists:")
    expect(sec.locator(".messages")).to_contain_text("15 assignments were created in")
    finalists = set(
        Nomination.objects.filter(state=NominationState.FINALIST).values_list(
            "agency__code", flat=True
        )
    )
    assert finalists == set(expected_top)
    # Shortlisting assigned the site visits: two reviewers and the site assessor each.
    visits = Assignment.objects.filter(stage=site, withdrawn_at__isnull=True)
    assert visits.count() == 15
    assert visits.filter(reviewer=assessor, kind=MemberKind.SITE_ASSESSOR).count() == 5

    # 6. The site visit opens; the assessor logs a telephone test and scores.
    site.starts_on = day(0)
    site.save()
    ConflictDeclaration.objects.get_or_create(edition=edition, reviewer=assessor)
    visit = visits.filter(reviewer=assessor).select_related("nomination__agency").first()
    ap = page_for(assessor)
    ap.goto(live_server.url + f"/cycle/reviews/{visit.pk}/")
    panel = ap.locator("#site-tests")
    panel.get_by_label("Test", exact=True).select_option(label="Telephone test")
    # The current minute in the edition's time zone: never in the future, at any hour.
    panel.get_by_label("Date and time of the test").fill(
        timezone.localtime(timezone.now(), edition.tzinfo).strftime("%Y-%m-%dT%H:%M")
    )
    panel.get_by_label("What was tested").fill("以民眾身分電話詢問申辦流程")
    panel.get_by_label("Findings").fill("電話於三響內接聽，說明清楚並主動告知所需文件。")
    panel.get_by_label("Service process").check()
    panel.get_by_role("button", name="Log the test").click()
    expect(ap.locator(".messages")).to_contain_text("Logged: Telephone test on")
    inputs = ap.locator("input[data-points]")
    share = QUALITY[NOMINEES.index(visit.nomination.agency.code)]
    for i in range(5):
        maximum = int(inputs.nth(i).get_attribute("max"))
        inputs.nth(i).fill(str(round(maximum * share)))
    ap.once("dialog", lambda dialog: dialog.accept())
    ap.get_by_role("button", name="Submit", exact=True).click()
    expect(ap.locator(".messages")).to_contain_text("Review submitted:")
    shot(ap, "05-site-visit")
    assert SiteTest.objects.filter(assignment=visit).count() == 1
    for assignment in visits.select_related("nomination__agency", "reviewer"):
        if Review.objects.filter(assignment=assignment, state=ReviewState.SUBMITTED).exists():
            continue
        q = QUALITY[NOMINEES.index(assignment.nomination.agency.code)]
        lenient = (
            LENIENCY[reviewers.index(assignment.reviewer)]
            if assignment.reviewer in reviewers
            else 0
        )
        _score(assignment, q + lenient)

    # 7. Final standings: 30 % written + 70 % site visit; the best dossier first.
    sec.goto(
        live_server.url + f"/cycle/review/editions/{edition.pk}/categories/{category.pk}/final/"
    )
    final_rows = sec.locator("table tbody tr")
    expect(final_rows.first).to_contain_text(names[expected_top[0]])
    expect(sec.locator("main")).to_contain_text("70")
    shot(sec, "06-final-standings")
    assert axe_violations(sec) == []
