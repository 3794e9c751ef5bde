"""Issue 18 parts 4-6 in a real browser: a reviewer declines an invitation and is never
assigned; accepting twice or after the invitation was withdrawn is refused; a reviewer
recuses from one dossier and it is re-assigned to another reviewer; recusing from a
submitted review is refused with the way forward; the secretariat edits the scheme's
areas of expertise and cannot delete a held one; auto-assignment on the demo reports
how many assignments match the agency's service area."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agencies.enums import Role
from scoring.enums import MemberState
from scoring.models import Assignment, ExpertiseArea, PanelMember, Recusal
from scoring.services import assignments_auto, review_open, review_save
from tests.factories import UserFactory, review_cycle
from workflow.models import OutboundMail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_for(browser, live_server):
    """page_for(user, path) -> a page in a browser context of its own, signed in, English."""
    from django.conf import settings
    from django.test import Client

    opened = []

    def _page(user, path="/dashboard/"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        opened.append(context)
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
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield _page
    for context in opened:
        context.close()


def test_reviewer_declines_an_invitation_and_is_never_assigned(
    live_server, page_for, shot, axe_violations
):
    c = review_cycle(agencies=3, reviewers=2, k=2)
    newcomer = UserFactory(
        roles=[Role.REVIEWER], full_name="新委員 王教授", affiliation_type="legislature"
    )
    secretariat = page_for(c.secretariat, f"/cycle/review/categories/{c.category.pk}/panel/")
    add = secretariat.locator(
        "section", has=secretariat.get_by_role("heading", name="Add a registered person")
    )
    add.get_by_label("Person to add").select_option(label=f"新委員 王教授 <{newcomer.email}>")
    add.get_by_role("button", name="Add to the panel").click()
    expect(secretariat.locator(".messages")).to_have_text(
        "新委員 王教授 was invited to the panel: an e-mail asks them to accept or decline."
    )
    expect(secretariat.locator(".count-invited")).to_have_text("1")
    row = secretariat.get_by_role("row", name=re.compile("新委員 王教授"))
    expect(row.locator(".badge.invitation-invited")).to_have_text("Invited")
    invitation = OutboundMail.objects.get(kind="reviewer_invited", user=newcomer)
    member = PanelMember.objects.get(user=newcomer)
    link = f"/cycle/reviews/invitations/{member.pk}/"
    assert link in invitation.body
    shot(secretariat, "01-panel-invited-en")
    assert axe_violations(secretariat) == []

    # The reviewer sees the invitation on the dashboard and declines: a reason is needed.
    reviewer = page_for(newcomer)
    reviewer.locator("#pending-invitations").get_by_role("link").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Invitation to a review panel")
    shot(reviewer, "02-invitation-en")
    assert axe_violations(reviewer) == []
    reviewer.get_by_role("button", name="Decline the invitation").click()
    expect(reviewer.locator("#id_reason_error")).to_have_text(
        "Say why you decline, so the secretariat can find someone else."
    )
    shot(reviewer, "03-decline-no-reason-en")
    assert axe_violations(reviewer) == []
    member.refresh_from_db()
    assert member.state == MemberState.INVITED
    reviewer.get_by_label("Why you decline").fill("評審期間出國")
    reviewer.get_by_role("button", name="Decline the invitation").click()
    expect(reviewer.locator(".messages")).to_have_text(
        "You declined the invitation; the secretariat has your reason."
    )
    expect(reviewer.locator(".badge.invitation-declined")).to_have_text("Declined")
    expect(reviewer.get_by_role("button", name="Accept the invitation")).to_have_count(0)

    # The panel shows the answer and its reason; auto-assignment leaves them out.
    secretariat.reload()
    expect(secretariat.locator(".count-declined")).to_have_text("1")
    row = secretariat.get_by_role("row", name=re.compile("新委員 王教授"))
    expect(row.locator(".decline-reason")).to_have_text("評審期間出國")
    shot(secretariat, "04-panel-declined-en")
    secretariat.goto(
        live_server.url
        + f"/cycle/review/stages/{c.written.pk}/categories/{c.category.pk}/assignments/"
    )
    secretariat.get_by_role("button", name="Assign automatically").click()
    expect(secretariat.locator(".messages")).to_have_text(
        "Automatic assignment made 6 assignments."
    )
    expect(secretariat.locator(".assignee-name", has_text="新委員")).to_have_count(0)
    expect(secretariat.locator("select[name=reviewer] option", has_text="新委員")).to_have_count(0)
    assert not Assignment.objects.filter(reviewer=newcomer).exists()


def test_accepting_twice_or_after_withdrawal_is_refused(
    live_server, page_for, shot, axe_violations
):
    c = review_cycle(agencies=1, reviewers=1, k=1)
    first = UserFactory(roles=[Role.REVIEWER], full_name="甲委員", affiliation_type="academia")
    second = UserFactory(roles=[Role.REVIEWER], full_name="乙委員", affiliation_type="academia")
    from scoring.services import panel_member_add

    members = [
        panel_member_add(actor=c.secretariat, panel=c.panel, user=u, kind="reviewer")
        for u in (first, second)
    ]
    # Accept twice: two tabs on the same invitation; the second click is refused.
    tab1 = page_for(first, f"/cycle/reviews/invitations/{members[0].pk}/")
    tab2 = tab1.context.new_page()
    tab2.goto(live_server.url + f"/cycle/reviews/invitations/{members[0].pk}/")
    tab1.get_by_role("button", name="Accept the invitation").click()
    expect(tab1.locator(".messages")).to_have_text(
        "Thank you: you are on the panel of First-line service agencies."
    )
    tab2.get_by_role("button", name="Accept the invitation").click()
    expect(tab2.locator("#invitation-errors li")).to_have_text(
        "You have already accepted this invitation. Nothing was changed."
    )
    expect(tab2.locator(".badge.invitation-accepted")).to_have_text("Accepted")
    shot(tab2, "01-accepted-twice-en")
    assert axe_violations(tab2) == []

    # After withdrawal: the reviewer's open page, the secretariat withdraws meanwhile.
    reviewer = page_for(second, f"/cycle/reviews/invitations/{members[1].pk}/")
    secretariat = page_for(c.secretariat, f"/cycle/review/categories/{c.category.pk}/panel/")
    # Not answered yet: the secretariat sends it again (a fresh link); an answered one
    # offers no such button.
    expect(
        secretariat.get_by_role("button", name="Send the invitation again 甲委員")
    ).to_have_count(0)
    secretariat.get_by_role("button", name="Send the invitation again 乙委員").click()
    expect(secretariat.locator(".messages")).to_have_text(
        f"The invitation was sent again to 乙委員 ({second.email})."
    )
    shot(secretariat, "02-invitation-sent-again-en")
    assert axe_violations(secretariat) == []
    stale = secretariat.context.new_page()
    stale.goto(live_server.url + f"/cycle/review/categories/{c.category.pk}/panel/")
    secretariat.get_by_role("button", name="Withdraw the invitation 乙委員").click()
    expect(secretariat.locator(".messages")).to_have_text("The invitation of 乙委員 was withdrawn.")
    expect(secretariat.locator(".count-withdrawn")).to_have_text("1")
    # A page opened before the withdrawal still shows the button: refused, nothing sent.
    stale.get_by_role("button", name="Send the invitation again 乙委員").click()
    expect(stale.locator(".messages")).to_have_text(
        "Only an invitation not yet answered can be sent again; the invitation of 乙委員 is "
        "“Invitation withdrawn”. Nothing was sent."
    )
    assert OutboundMail.objects.filter(kind="reviewer_invited", user=second).count() == 2
    reviewer.get_by_role("button", name="Accept the invitation").click()
    expect(reviewer.locator("#invitation-errors li")).to_have_text(
        "The secretariat withdrew this invitation, so it can no longer be answered. "
        "Nothing was changed."
    )
    shot(reviewer, "03-accept-after-withdrawal-en")
    assert axe_violations(reviewer) == []
    members[1].refresh_from_db()
    assert members[1].state == MemberState.WITHDRAWN


def test_reviewer_recuses_from_one_dossier_and_it_is_reassigned(
    live_server, page_for, shot, axe_violations
):
    c = review_cycle(agencies=2, reviewers=3, k=2)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    dossier = c.nominations[0]
    assignment = Assignment.objects.filter(nomination=dossier).order_by("reviewer_id").first()
    recusing = assignment.reviewer
    before = set(Assignment.objects.filter(nomination=dossier).values_list("reviewer", flat=True))
    reviewer = page_for(recusing, f"/cycle/reviews/{assignment.pk}/")
    reviewer.get_by_role("link", name="Recuse from this dossier").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Recuse from a dossier")
    shot(reviewer, "01-recuse-confirm-en")
    assert axe_violations(reviewer) == []
    reviewer.get_by_role("button", name="Recuse from this dossier").click()
    expect(reviewer.locator("#id_reason_error")).to_have_text(
        "Say why you recuse from this dossier."
    )
    assert Assignment.objects.get(pk=assignment.pk).withdrawn_at is None
    reviewer.get_by_label("Reason").fill("該所主任是我的前同事")
    reviewer.get_by_role("button", name="Recuse from this dossier").click()
    expect(reviewer.locator(".messages")).to_have_text(
        f"You recused from {dossier.agency.name_en}. The secretariat has been told and will "
        "give the dossier to another reviewer."
    )
    assert Recusal.objects.get().reason == "該所主任是我的前同事"
    told = OutboundMail.objects.get(kind="review_recusal")
    assert told.user == c.secretariat and "該所主任是我的前同事" in told.body

    # The secretariat sees the dossier needing a reviewer; the recused one is not offered.
    secretariat = page_for(
        c.secretariat,
        f"/cycle/review/stages/{c.written.pk}/categories/{c.category.pk}/assignments/",
    )
    row = secretariat.get_by_role("row", name=re.compile(dossier.agency.name_en))
    expect(row).to_have_class(re.compile("row-short"))
    expect(row.locator(".recusal-list li")).to_have_text(
        f"Recused {recusing.get_full_name()}: 該所主任是我的前同事"
    )
    expect(row.locator(".needs-reviewer")).to_be_visible()
    options = row.locator("select[name=reviewer] option")
    (free,) = [
        r
        for r in c.reviewers
        if not Assignment.objects.filter(nomination=dossier, reviewer=r).exists()
    ]
    expect(options).to_have_text([free.get_full_name()])
    shot(secretariat, "02-assignments-recused-en")
    assert axe_violations(secretariat) == []
    row.get_by_role("button", name=re.compile("^Assign")).click()
    expect(secretariat.locator(".messages")).to_have_text(
        f"{free.get_full_name()} is assigned to {dossier.agency.name_en}."
    )
    active = Assignment.objects.filter(nomination=dossier, withdrawn_at__isnull=True)
    assert set(active.values_list("reviewer", flat=True)) == (before - {recusing.pk}) | {free.pk}


def test_recusing_from_a_submitted_review_is_refused(live_server, page_for, shot, axe_violations):
    c = review_cycle(agencies=1, reviewers=2, k=2)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assignment = Assignment.objects.filter(reviewer=c.reviewers[0]).get()
    reviewer = page_for(c.reviewers[0], f"/cycle/reviews/{assignment.pk}/recuse/")
    reviewer.get_by_label("Reason").fill("前同事")
    # Meanwhile, in another tab, the review is scored and submitted.
    review = review_open(assignment)
    review_save(
        actor=c.reviewers[0],
        review=review,
        scores={s.indicator_id: ("10", "") for s in review.scores.all()},
        overall_comment="",
        based_on_version=review.version,
        submit=True,
    )
    reviewer.get_by_role("button", name="Recuse from this dossier").click()
    expect(reviewer.locator("#recuse-error p")).to_have_text(
        "You have already submitted this review, so you cannot recuse from it here. Ask the "
        "secretariat to reopen the review (tell them why); once it is reopened you can recuse."
    )
    expect(reviewer.get_by_role("heading", name="Your review is already submitted")).to_be_visible()
    shot(reviewer, "01-recuse-submitted-en")
    assert axe_violations(reviewer) == []
    assert Assignment.objects.get(pk=assignment.pk).withdrawn_at is None
    assert not Recusal.objects.exists()


def test_secretariat_edits_areas_and_cannot_delete_a_held_one(
    live_server, page_for, shot, axe_violations
):
    c = review_cycle(agencies=2, reviewers=2, k=1)
    scheme = c.edition.scheme
    page = page_for(c.secretariat, f"/cycle/review/categories/{c.category.pk}/panel/")
    page.get_by_role("link", name="Areas of expertise of this scheme").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Areas of expertise")
    add = page.locator("section", has=page.get_by_role("heading", name="Add an area"))
    add.get_by_label("Name (English)").fill("Household registration")
    add.get_by_role("button", name="Add the area").click()
    add = page.locator("section", has=page.get_by_role("heading", name="Add an area"))
    expect(add.locator("#id_name_zh-error")).to_have_text("Enter the area's name in Chinese.")
    expect(add.get_by_label("Name (English)")).to_have_value("Household registration")
    assert not ExpertiseArea.objects.exists()
    add.get_by_label("Name (Chinese)").fill("戶政")
    add.get_by_role("button", name="Add the area").click()
    expect(page.locator(".messages")).to_have_text("Area “Household registration” added.")
    setter = page.locator(
        "section", has=page.get_by_role("heading", name="Set an agency's service area")
    )
    setter.get_by_label("Agency").select_option(value=str(c.agencies[0].pk))
    setter.get_by_label("Service area").select_option(label="Household registration")
    setter.get_by_role("button", name="Save the service area").click()
    expect(page.locator(".messages")).to_have_text(
        f"Service area of {c.agencies[0].name_en}: Household registration."
    )
    shot(page, "01-expertise-en")
    assert axe_violations(page) == []

    # A reviewer holds it (recorded on the panel page): then it cannot be deleted.
    page.goto(live_server.url + f"/cycle/review/categories/{c.category.pk}/panel/")
    row = page.get_by_role("row", name=re.compile(c.reviewers[1].get_full_name()))
    row.locator("summary", has_text="Edit areas").click()
    row.get_by_label("Household registration").check()
    row.get_by_role("button", name="Save the areas").click()
    expect(page.locator(".messages")).to_have_text(
        f"Areas of expertise of {c.reviewers[1].get_full_name()} saved."
    )
    row = page.get_by_role("row", name=re.compile(c.reviewers[1].get_full_name()))
    expect(row.locator(".area-list li")).to_have_text(["Household registration"])
    shot(page, "02-panel-areas-en")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Areas of expertise of this scheme").click()
    page.get_by_role("button", name="Delete 戶政").click()
    expect(page.locator(".messages")).to_have_text(
        "“Household registration” cannot be deleted: 1 reviewer holds it. Remove it from "
        "their areas first."
    )
    expect(page.get_by_role("table", name="Areas", exact=True).locator("tbody tr")).to_have_count(1)
    shot(page, "03-delete-refused-en")
    assert axe_violations(page) == []
    assert ExpertiseArea.objects.filter(scheme=scheme).count() == 1


def test_a_reviewer_records_own_areas_and_a_removed_one_is_refused(
    live_server, page_for, shot, axe_violations
):
    from scoring.services import expertise_area_create, expertise_area_delete

    c = review_cycle(agencies=1, reviewers=1, k=1)
    scheme = c.edition.scheme
    tax, land = (
        expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh=zh, name_en=en)
        for zh, en in (("稅務", "Taxation"), ("地政", "Land administration"))
    )
    reviewer = c.reviewers[0]
    page = page_for(reviewer, "/cycle/reviews/")
    page.get_by_role("link", name="My areas of expertise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My areas of expertise")
    page.get_by_label("Taxation").check()
    page.get_by_role("button", name=re.compile("^Save my areas")).click()
    expect(page.locator(".messages")).to_have_text(
        f"Your areas of expertise in {scheme.name_en} were saved."
    )
    expect(page.get_by_label("Taxation")).to_be_checked()
    expect(page.get_by_label("Land administration")).not_to_be_checked()
    shot(page, "04-own-areas-en")
    assert axe_violations(page) == []
    assert list(reviewer.expertise_areas.all()) == [tax]

    # The secretariat removes an area while the page is open; ticking it is refused
    # beside the list, what was ticked is kept, nothing changes.
    expertise_area_delete(actor=c.secretariat, area=land)
    page.get_by_label("Land administration").check()
    page.get_by_role("button", name=re.compile("^Save my areas")).click()
    expect(page.locator(f"#areas-{scheme.pk}-error li")).to_have_text(
        "An area you ticked is no longer on the scheme's list (the secretariat may have "
        "removed it). Check the list and save again. Nothing was changed."
    )
    expect(page.get_by_label("Taxation")).to_be_checked()
    expect(page.get_by_label("Land administration")).to_have_count(0)
    shot(page, "05-own-areas-refused-en")
    assert axe_violations(page) == []
    assert list(reviewer.expertise_areas.all()) == [tax]
    # In Chinese.
    page.context.add_cookies([{"name": "lang", "value": "zh-hant", "url": live_server.url}])
    page.goto(live_server.url + "/cycle/reviews/my-areas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的專長領域")
    expect(page.get_by_label("稅務")).to_be_checked()
    shot(page, "06-own-areas-zh")
    assert axe_violations(page) == []


def test_auto_assignment_on_the_demo_reports_its_expertise_matches(
    demo, live_server, page_for, shot, axe_violations
):
    """The demo's TW 9th (live) edition with the demo's reviewers (as the review demo
    makes them, with their areas) on its first-line panel, seven eligible dossiers of
    agencies with a service area, in written review today."""
    from agencies.models import Agency, User
    from awards.enums import NominationState, StageKind
    from awards.models import Category, Edition, Nomination
    from awards.services import dossier_sections_create
    from scoring.demo import PANEL, load_review_demo
    from scoring.models import ConflictDeclaration, Panel
    from tests.browser.test_full_cycle_tw import _phase
    from tests.factories import fill_dossier, submitted_snapshot

    assert load_review_demo()
    ninth = Edition.objects.get(scheme__code="tw-gsqa", number=9)
    category = Category.objects.get(edition=ninth, code="first-line")
    panel = Panel.objects.create(edition=ninth, category=category)
    for email, *_rest, chair in PANEL:
        user = User.objects.get(email=email)
        PanelMember.objects.create(
            panel=panel,
            user=user,
            kind="reviewer",
            affiliation_type=user.affiliation_type or "academia",
            is_chair=chair,
        )
        ConflictDeclaration.objects.create(edition=ninth, reviewer=user)
    codes = ["TW-TPE-ZSHR", "TW-TPE-DALO", "TW-NTPC-TAX", "TW-KHH-HLTH", "TW-TPE-POL", "TW-ILA-LDHR", "TW-KHH-FSLO"]  # fmt: skip
    for code in codes:
        agency = Agency.objects.get(code=code)
        editor = UserFactory(roles=[(Role.AGENCY_EDITOR, agency)])
        nomination = Nomination.objects.create(
            edition=ninth, category=category, agency=agency, created_by=editor
        )
        dossier_sections_create(nomination)
        fill_dossier(nomination, editor, text=f"{agency.name_zh}的服務成果。")
        submitted_snapshot(nomination, editor)
        Nomination.objects.filter(pk=nomination.pk).update(state=NominationState.ELIGIBLE)
    _phase(ninth, StageKind.WRITTEN_REVIEW)
    written = ninth.stages.get(kind=StageKind.WRITTEN_REVIEW)
    written.reviewers_per_dossier = 2
    written.save()

    secretariat = User.objects.get(email="secretariat@demo.test")
    page = page_for(
        secretariat, f"/cycle/review/stages/{written.pk}/categories/{category.pk}/assignments/"
    )
    page.get_by_role("button", name="Assign automatically").click()
    made = Assignment.objects.filter(stage=written).select_related("nomination__agency")
    held = {
        u: set(ExpertiseArea.objects.filter(reviewers=u).values_list("pk", flat=True))
        for u in made.values_list("reviewer", flat=True)
    }
    matched = sum(
        1
        for a in made
        if a.nomination.agency.service_areas.get(scheme=ninth.scheme).area_id in held[a.reviewer_id]
    )
    assert made.count() == 14 and matched > 0
    expect(page.locator(".messages")).to_have_text(
        f"Automatic assignment made 14 assignments. {matched} of 14 assignments match the "
        "agency's service area."
    )
    shot(page, "01-demo-auto-assigned-en")
    assert axe_violations(page) == []
