"""The secretariat's review pages (overview, panel, conflicts, assignments, progress):
each seen by the secretariat, by a reviewer on the panel and by an agency editor (both
404), their forms with good and bad input and crafted POSTs, and constant query counts."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.enums import Role
from agencies.models import AuditEntry, User
from agencies.services import agency_create
from awards.enums import NominationState
from awards.models import Nomination
from scoring.enums import ConflictSource, MemberKind, ReviewState
from scoring.models import Assignment, Conflict, Panel, PanelMember, Review
from scoring.services import assignment_create, assignments_auto, conflict_add
from tests.conftest import html, squash, table_rows, texts
from tests.factories import UserFactory, review_cycle, score_directly

pytestmark = pytest.mark.django_db


def client_for(user=None, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return texts(html(response), '//ul[@class="messages"]/li')


def urls(c):
    return {
        "overview": reverse("scoring:review_editions"),
        "panel": reverse("scoring:panel", args=[c.category.pk]),
        "conflicts": reverse("scoring:conflicts", args=[c.edition.pk]),
        "assignments": reverse("scoring:assignments", args=[c.written.pk, c.category.pk]),
        "progress": reverse("scoring:progress", args=[c.written.pk, c.category.pk]),
    }


def form_urls(c):
    """Where each page's forms post: one view per form."""
    panel, stage = [c.category.pk], [c.written.pk, c.category.pk]
    return {
        "add": reverse("scoring:panel_member_add", args=panel),
        "invite": reverse("scoring:panel_invite", args=panel),
        "conflict_add": reverse("scoring:conflict_add", args=[c.edition.pk]),
        "auto": reverse("scoring:assignments_auto", args=stage),
        "assign": reverse("scoring:assignment_create", args=stage),
        "reassign": reverse("scoring:assignments_reassign", args=stage),
    }


def member_url(name, c, member):
    return reverse(f"scoring:{name}", args=[c.category.pk, member.pk])


def withdraw_url(c, assignment):
    return reverse("scoring:assignment_withdraw", args=[c.written.pk, c.category.pk, assignment.pk])


def conflict_remove_url(c, conflict):
    return reverse("scoring:conflict_remove", args=[c.edition.pk, conflict.pk])


def more_nominations(c, count):
    """`count` more eligible nominations in the category, made directly (no dossier)."""
    made = []
    for i in range(count):
        agency = agency_create(
            parent=c.authorities[i % 2],
            code=f"X{i:04d}",
            name_zh=f"加開機關{i}",
            name_en=f"Extra Office {i:03d}",
        )
        made.append(
            Nomination(
                edition=c.edition,
                category=c.category,
                agency=agency,
                created_by=c.secretariat,
                state=NominationState.ELIGIBLE,
                submitted_at=timezone.now(),
            )
        )
    return Nomination.objects.bulk_create(made)


# --- three personas on every page ---------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "panel", "conflicts", "assignments", "progress"])
def test_only_the_secretariat_sees_the_review_pages(page):
    c = review_cycle(agencies=2, reviewers=3)
    editor = User.objects.filter(role_assignments__role=Role.AGENCY_EDITOR).first()
    url = urls(c)[page]
    response = client_for(c.secretariat).get(url)
    assert response.status_code == 200
    assert squash(html(response).xpath("//h1")[0].text_content()).startswith(
        {
            "overview": "Review",
            "panel": "Panel: First-line service agencies",
            "conflicts": "Conflicts of interest",
            "assignments": "Assignments: First-line service agencies",
            "progress": "Progress: First-line service agencies",
        }[page]
    )
    for other in (c.reviewers[0], editor):  # a reviewer on the panel; an agency's editor
        assert client_for(other).get(url).status_code == 404
        assert client_for(other).post(url).status_code == 404
    assert client_for().get(url).status_code == 302  # signed out: to the sign-in page
    if page in ("panel", "conflicts", "assignments"):
        # The page itself takes no POST: each of its forms has a view of its own.
        assert client_for(c.secretariat).post(url).status_code == 405
    assert Assignment.objects.count() == 0


def test_only_the_secretariat_may_post_the_review_forms():
    c = review_cycle(agencies=2, reviewers=3)
    editor = User.objects.filter(role_assignments__role=Role.AGENCY_EDITOR).first()
    member = PanelMember.objects.get(user=c.reviewers[1])
    targets = [
        *form_urls(c).values(),
        member_url("panel_chair", c, member),
        member_url("panel_member_remove", c, member),
    ]
    for url in targets:
        for other in (c.reviewers[0], editor):
            assert client_for(other).post(url, {"reason": "x"}).status_code == 404
        assert client_for().post(url).status_code == 302
        assert client_for(c.secretariat).get(url).status_code == 405
    assert list(PanelMember.objects.filter(is_chair=True).values_list("user", flat=True)) == [
        c.reviewers[0].pk
    ]
    assert PanelMember.objects.filter(user=c.reviewers[1]).exists()
    assert Assignment.objects.count() == 0


def test_unknown_or_mismatched_objects_are_404():
    c = review_cycle(agencies=1, reviewers=1)
    other = review_cycle(agencies=1, reviewers=1)
    client = client_for(c.secretariat)
    assert client.get(reverse("scoring:panel", args=[999999])).status_code == 404
    assert client.get(reverse("scoring:conflicts", args=[999999])).status_code == 404
    for stage, category in (
        (c.shortlisting, c.category),  # not a scoring stage
        (c.written, other.category),  # another edition's category
    ):
        for name in ("scoring:assignments", "scoring:progress"):
            assert client.get(reverse(name, args=[stage.pk, category.pk])).status_code == 404


# --- overview -----------------------------------------------------------------------------


def test_overview_counts_per_category_and_stage():
    c = review_cycle(agencies=3, reviewers=3, k=2)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    score_directly(Assignment.objects.first(), {})
    tree = html(client_for(c.secretariat).get(urls(c)["overview"]))
    assert table_rows(tree, '//table[contains(@class,"review-overview")]') == [
        [
            "First-line service agencies",
            "Final standings · First-line service agencies 3 reviewers · First-line service "
            "agencies 1 site assessor",
            "6 of 6 assigned 3 dossiers · 1 submitted Assignments · First-line service agencies "
            "· Written review Progress · First-line service agencies · Written review "
            "Standings · First-line service agencies · Written review",
            "0 of 0 assigned 0 dossiers · 0 submitted Assignments · First-line service agencies "
            "· Site visit Progress · First-line service agencies · Site visit "
            "Standings · First-line service agencies · Site visit",
        ]
    ]


# --- panel --------------------------------------------------------------------------------


def test_panel_lists_members_and_adds_sets_chair_and_removes():
    c = review_cycle(agencies=2, reviewers=2)
    url = urls(c)["panel"]
    client = client_for(c.secretariat)
    assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[1]
    )
    tree = html(client.get(url))
    rows = table_rows(tree, '//table[contains(@class,"panel-table")]')
    assert [row[:7] for row in rows] == [
        [
            f"評審委員1 Chair {c.reviewers[0].email}",
            "Reviewer",
            "Accepted",
            "Academia",
            "—",
            "Declared",
            "0",
        ],
        [
            f"評審委員2 {c.reviewers[1].email}",
            "Reviewer",
            "Accepted",
            "Private sector",
            "—",
            "Declared",
            "1",
        ],
        [
            f"實地查核員1 {c.assessors[0].email}",
            "Site-visit assessor",
            "Accepted",
            "Private sector",
            "—",
            "Declared",
            "0",
        ],
    ]
    # Only people with a reviewer or assessor role, not yet on the panel, are offered.
    assert texts(tree, '//select[@name="add-user"]/option') == [
        "Choose a reviewer or assessor",
        f"非本組評審 <{c.outsider.email}>",
    ]

    # The outsider has no affiliation type: refused with the reason, nothing added.
    add_url = reverse("scoring:panel_member_add", args=[c.category.pk])
    response = client.post(add_url, {"add-user": c.outsider.pk, "add-kind": "reviewer"})
    assert response.status_code == 200
    assert texts(html(response), '//div[@class="report"]//li') == [
        "非本組評審 has no affiliation type: record it first (invite them again with it)."
    ]
    assert not PanelMember.objects.filter(user=c.outsider).exists()

    c.outsider.affiliation_type = "legislature"
    c.outsider.save()
    response = client.post(
        add_url,
        {"add-user": c.outsider.pk, "add-kind": "reviewer", "add-is_chair": "on"},
        follow=True,
    )
    assert messages_of(response) == [
        "非本組評審 was invited to the panel: an e-mail asks them to accept or decline."
    ]
    member = PanelMember.objects.get(user=c.outsider)
    assert (member.is_chair, member.affiliation_type) == (True, "legislature")
    assert PanelMember.objects.filter(panel=c.panel, is_chair=True).count() == 1

    old = PanelMember.objects.get(user=c.reviewers[0])
    response = client.post(member_url("panel_chair", c, old), follow=True)
    assert messages_of(response) == ["評審委員1 now chairs the panel."]
    assert list(PanelMember.objects.filter(is_chair=True)) == [old]

    busy = PanelMember.objects.get(user=c.reviewers[1])
    response = client.post(member_url("panel_member_remove", c, busy), follow=True)
    assert messages_of(response) == [
        "評審委員2 was removed from the panel; 1 assignment withdrawn."
    ]
    assert Assignment.objects.get().withdrawn_at is not None


def test_panel_refusals_and_crafted_posts():
    c = review_cycle(agencies=1, reviewers=1)
    other = review_cycle(agencies=1, reviewers=1)
    client = client_for(c.secretariat)
    done = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    score_directly(done, {})
    member = PanelMember.objects.get(user=c.reviewers[0])
    response = client.post(member_url("panel_member_remove", c, member), follow=True)
    assert messages_of(response) == [
        "評審委員1 has submitted reviews in this category and cannot be removed from the "
        "panel. Reopen or withdraw those reviews first."
    ]
    assert PanelMember.objects.filter(pk=member.pk).exists()
    # Another category's member, through this category's page: 404, nothing changes.
    foreign = PanelMember.objects.get(user=other.reviewers[0])
    assert client.post(member_url("panel_member_remove", c, foreign)).status_code == 404
    assert PanelMember.objects.filter(pk=foreign.pk).exists()
    # A user who is not a candidate (already a member elsewhere is fine, but not here).
    response = client.post(
        reverse("scoring:panel_member_add", args=[c.category.pk]),
        {"add-user": c.reviewers[0].pk, "add-kind": "reviewer"},
    )
    assert texts(html(response), '//*[@id="id_add-user"]/following-sibling::ul/li') == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_invite_form_creates_member_and_mails(django_capture_on_commit_callbacks):
    c = review_cycle(agencies=1, reviewers=1)
    url = form_urls(c)["invite"]
    client = client_for(c.secretariat)
    data = {
        "invite-email": "wu@example.test",
        "invite-full_name": "吳委員",
        "invite-affiliation_type": "professional_body",
        "invite-affiliation": "中華民國品質學會",
        "invite-kind": "reviewer",
        "invite-affiliated_agency": "nope",
    }
    response = client.post(url, data)
    assert texts(
        html(response), '//*[@id="id_invite-affiliated_agency"]/following-sibling::ul/li'
    ) == ["No agency has the code “nope”."]
    assert not User.objects.filter(email="wu@example.test").exists()
    data["invite-affiliated_agency"] = c.agencies[0].code.lower()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert messages_of(response) == [
        "吳委員 was invited: an e-mail with a link to choose a password is on its way to "
        "wu@example.test."
    ]
    user = User.objects.get(email="wu@example.test")
    assert user.affiliated_agency == c.agencies[0]
    assert PanelMember.objects.get(user=user).affiliation_type == "professional_body"
    assert [m.to for m in mail.outbox] == [["wu@example.test"]]
    # Links start with the declared site address (the test settings'), not the request's.
    assert settings.SITE_URL + "/accounts/reset/" in mail.outbox[0].body


# --- conflicts ----------------------------------------------------------------------------


def test_conflicts_page_lists_adds_and_removes():
    c = review_cycle(agencies=2, reviewers=2)
    url = urls(c)["conflicts"]
    client = client_for(c.secretariat)
    c.reviewers[1].affiliated_agency = c.agencies[1]
    c.reviewers[1].save()
    assignment = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    a0, a1 = c.agencies[0], c.agencies[1]
    response = client.post(
        form_urls(c)["conflict_add"],
        {
            "conflict-reviewer": c.reviewers[0].pk,
            "conflict-agency": a0.pk,
            "conflict-reason": "曾任該所顧問",
        },
        follow=True,
    )
    assert messages_of(response) == [
        f"Conflict recorded: 評審委員1 ✕ {a0.name_en}. 1 assignment was withdrawn."
    ]
    assert response.redirect_chain == [(url, 302)]
    assignment.refresh_from_db()
    assert assignment.withdrawn_at is not None
    tree = html(response)
    rows = table_rows(tree, '//table[contains(@class,"conflicts-table")]')
    when = Conflict.objects.get().created_at.astimezone(c.edition.tzinfo)
    assert [row[:5] for row in rows] == [
        [
            "評審委員1",
            f"{a0.name_en} {a0.code}",
            "Added by the secretariat",
            "曾任該所顧問",
            f"{when:%Y-%m-%d %H:%M} {c.secretariat.full_name}",
        ],
        ["評審委員2", f"{a1.name_en} {a1.code}", "Affiliation (automatic)", "—", "—"],
    ]
    assert rows[1][5] == "From the reviewer's affiliated agency."
    assert texts(tree, '//ul[@class="declaration-list"]/li') == [
        f"實地查核員1 Declared {c.today:%Y-%m-%d}",
        f"評審委員1 Declared {c.today:%Y-%m-%d}",
        f"評審委員2 Declared {c.today:%Y-%m-%d}",
    ]

    conflict = Conflict.objects.get()
    response = client.post(conflict_remove_url(c, conflict), {"reason": " "})
    assert messages_of(response) == [f"評審委員1 ✕ {a0.name_en}: Give a reason."]
    assert Conflict.objects.filter(pk=conflict.pk).exists()
    response = client.post(conflict_remove_url(c, conflict), {"reason": "誤植"}, follow=True)
    assert messages_of(response) == [f"Conflict removed: 評審委員1 ✕ {a0.name_en}."]
    assert not Conflict.objects.exists()
    assert AuditEntry.objects.get(action="conflict.remove").reason == "誤植"


def test_conflict_form_refuses_a_person_not_on_a_panel():
    c = review_cycle(agencies=1, reviewers=1)
    response = client_for(c.secretariat).post(
        form_urls(c)["conflict_add"],
        {
            "conflict-reviewer": c.outsider.pk,
            "conflict-agency": c.agencies[0].pk,
            "conflict-reason": "x",
        },
    )
    assert texts(html(response), '//*[@id="id_conflict-reviewer"]/following-sibling::ul/li') == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Conflict.objects.exists()


# --- assignments --------------------------------------------------------------------------


def test_assignment_table_shows_reviewers_and_review_states():
    c = review_cycle(agencies=2, reviewers=3, k=2)
    n0, n1 = c.nominations
    r = c.reviewers
    a = assignment_create(actor=c.secretariat, stage=c.written, nomination=n0, reviewer=r[0])
    score_directly(a, {})
    b = assignment_create(actor=c.secretariat, stage=c.written, nomination=n0, reviewer=r[1])
    Review.objects.create(assignment=b, state=ReviewState.DRAFT, updated_at=timezone.now())
    assignment_create(actor=c.secretariat, stage=c.written, nomination=n1, reviewer=r[2])
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=r[1],
        agency=c.agencies[1],
        source=ConflictSource.SECRETARIAT,
    )
    tree = html(client_for(c.secretariat).get(urls(c)["assignments"]))
    rows = tree.xpath('//table[contains(@class,"assignment-table")]/tbody/tr')
    assert [texts(row, "./th")[0] for row in rows] == [
        f"{c.agencies[0].name_en} Eligible",
        f"{c.agencies[1].name_en} Eligible 1 of 2",
    ]
    assert [texts(row, './/span[@class="assignee-name"]') for row in rows] == [
        ["評審委員1", "評審委員2"],
        ["評審委員3"],
    ]
    assert [
        texts(row, './/ul[@class="assignee-list"]//span[contains(@class,"badge")]') for row in rows
    ] == [
        ["Submitted", "Draft"],
        ["Not started"],
    ]
    # Offered: panel reviewers not on the dossier and not conflicted (評審委員2 is
    # conflicted with the second agency's authority; the assessor is not offered in
    # written review).
    assert [texts(row, './/select[@name="reviewer"]/option') for row in rows] == [
        ["評審委員3"],
        ["評審委員1"],
    ]
    assert texts(rows[1], './/td[@class="assign-cell"]/span') == ["1 conflicted member not offered"]


def test_auto_assign_button_reports_count_then_nothing_more():
    c = review_cycle(agencies=3, reviewers=3, k=2)
    url = form_urls(c)["auto"]
    client = client_for(c.secretariat)
    response = client.post(url, follow=True)
    assert messages_of(response) == ["Automatic assignment made 6 assignments."]
    assert response.redirect_chain == [(urls(c)["assignments"], 302)]
    response = client.post(url, follow=True)
    assert messages_of(response) == [
        "Automatic assignment: every dossier already has its reviewers."
    ]
    assert Assignment.objects.count() == 6


def test_auto_assign_failure_shows_the_report_and_writes_nothing():
    c = review_cycle(agencies=2, reviewers=3, k=3)
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[0],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
    )
    response = client_for(c.secretariat).post(form_urls(c)["auto"])
    assert response.status_code == 200
    tree = html(response)
    assert messages_of(response) == [
        "Automatic assignment stopped: 1 dossier cannot get enough reviewers. Nothing was assigned."
    ]
    assert table_rows(tree, '//div[contains(@class,"auto-report")]//table') == [
        [c.agencies[0].name_en, "3", "2", "3 reviewers needed, 2 not conflicted"]
    ]
    assert Assignment.objects.count() == 0


def test_crafted_assign_posts_are_refused():
    c = review_cycle(agencies=2, reviewers=3)
    other = review_cycle(agencies=1, reviewers=1)
    url = form_urls(c)["assign"]
    client = client_for(c.secretariat)
    nomination = c.nominations[0]
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[0],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
    )
    name = c.agencies[0].name_en

    def post(reviewer, nomination=nomination):
        return client.post(url, {"nomination": nomination.pk, "reviewer": reviewer})

    assert messages_of(post(c.reviewers[0].pk)) == [
        f"評審委員1 has a conflict of interest with {name} and cannot review it."
    ]
    assert messages_of(post(c.outsider.pk)) == [
        "非本組評審 is not on the panel of First-line service agencies as reviewer."
    ]
    assert messages_of(post("")) == [f"{name}: choose a reviewer to assign."]
    assert post(c.reviewers[1].pk, nomination=other.nominations[0]).status_code == 404
    assert Assignment.objects.count() == 0

    response = client.post(
        url,
        {"nomination": nomination.pk, "reviewer": c.reviewers[1].pk},
        follow=True,
    )
    assert messages_of(response) == [f"評審委員2 is assigned to {name}."]
    assert messages_of(post(c.reviewers[1].pk)) == [
        f"評審委員2 is already assigned to {name} in this stage."
    ]
    assert Assignment.objects.count() == 1


def test_withdraw_needs_a_reason_and_only_this_pages_assignments():
    c = review_cycle(agencies=1, reviewers=2)
    other = review_cycle(agencies=1, reviewers=1)
    client = client_for(c.secretariat)
    mine = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    theirs = assignment_create(
        actor=other.secretariat,
        stage=other.written,
        nomination=other.nominations[0],
        reviewer=other.reviewers[0],
    )
    response = client.post(withdraw_url(c, mine), {"reason": ""})
    assert messages_of(response) == [f"評審委員1 · {c.agencies[0].name_en}: Reason: Give a reason."]
    assert client.post(withdraw_url(c, theirs), {"reason": "x"}).status_code == 404
    response = client.post(withdraw_url(c, mine), {"reason": "請辭"}, follow=True)
    assert messages_of(response) == [f"Assignment withdrawn: 評審委員1 · {c.agencies[0].name_en}."]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.withdrawn_reason, theirs.withdrawn_at) == ("請辭", None)


def test_bulk_reassign_form_moves_or_reports():
    c = review_cycle(agencies=3, reviewers=3)
    url = form_urls(c)["reassign"]
    client = client_for(c.secretariat)
    r0, r1, r2 = c.reviewers
    for n in c.nominations:
        assignment_create(actor=c.secretariat, stage=c.written, nomination=n, reviewer=r0)
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=r1,
        agency=c.agencies[1],  # authority 1: dossier 1 only
        source=ConflictSource.SECRETARIAT,
    )
    data = {
        "move-from_reviewer": r0.pk,
        "move-to_reviewer": r1.pk,
        "move-nominations": [n.pk for n in c.nominations],
        "move-reason": "委員請假",
    }
    response = client.post(url, data)
    assert messages_of(response) == ["Nothing was moved: 1 dossier cannot be re-assigned."]
    assert texts(html(response), '//ul[@class="reassign-report"]/li') == [
        f"{c.agencies[0].name_en}: could move",
        f"{c.agencies[1].name_en}: 評審委員2 has a conflict of interest with "
        f"{c.agencies[1].name_en} and cannot review it.",
        f"{c.agencies[2].name_en}: could move",
    ]
    assert Assignment.objects.filter(reviewer=r0, withdrawn_at__isnull=True).count() == 3
    data["move-nominations"] = [c.nominations[0].pk, c.nominations[2].pk]
    response = client.post(url, data, follow=True)
    assert messages_of(response) == ["2 dossiers moved from 評審委員1 to 評審委員2."]
    assert set(
        Assignment.objects.filter(reviewer=r1, withdrawn_at__isnull=True).values_list(
            "nomination_id", flat=True
        )
    ) == {c.nominations[0].pk, c.nominations[2].pk}


# --- progress -----------------------------------------------------------------------------


def test_progress_per_reviewer_and_dossier():
    c = review_cycle(agencies=2, reviewers=2, k=2)
    n0, n1 = c.nominations
    r0, r1 = c.reviewers
    c.written.ends_on = c.day(4)
    c.written.save()
    a = assignment_create(actor=c.secretariat, stage=c.written, nomination=n0, reviewer=r0)
    review = score_directly(a, {})
    assignment_create(actor=c.secretariat, stage=c.written, nomination=n1, reviewer=r0)
    b = assignment_create(actor=c.secretariat, stage=c.written, nomination=n0, reviewer=r1)
    draft = Review.objects.create(assignment=b, updated_at=timezone.now())
    tree = html(client_for(c.secretariat).get(urls(c)["progress"]))
    assert texts(tree, '//div[contains(@class,"progress-facts")]//dd') == [
        f"{c.day(4):%Y-%m-%d}",
        "4 days left",
        "0 of 2",
    ]
    tz = c.edition.tzinfo
    assert table_rows(tree, '//table[@aria-labelledby="reviewers-heading"]') == [
        [
            "評審委員1 Reviewer",
            "2",
            "1",
            "0",
            "1",
            f"{review.submitted_at.astimezone(tz):%Y-%m-%d %H:%M}",
        ],
        [
            "評審委員2 Reviewer",
            "1",
            "0",
            "1",
            "0",
            f"{draft.updated_at.astimezone(tz):%Y-%m-%d %H:%M}",
        ],
    ]
    assert table_rows(tree, '//table[@aria-labelledby="dossiers-heading"]') == [
        [c.agencies[0].name_en, "1 of 2"],
        [c.agencies[1].name_en, "0 of 2"],
    ]


# --- constant queries ---------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 194])
@pytest.mark.parametrize(
    ("page", "queries"),
    [("overview", 7), ("panel", 10), ("conflicts", 9), ("assignments", 17), ("progress", 11)],
)
def test_pages_keep_a_constant_query_count(extra, page, queries, django_assert_num_queries):
    c = review_cycle(agencies=6, reviewers=4, k=3)
    more_nominations(c, extra)  # 6 or 200 dossiers
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    for assignment in Assignment.objects.all()[:5]:
        score_directly(assignment, {})
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[0],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
    )
    client = client_for(c.secretariat)
    url = urls(c)[page]
    client.get(url)  # warm the review policy (created on first use)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    if page == "assignments":
        tree = html(response)
        rows = tree.xpath('//table[contains(@class,"assignment-table")]/tbody/tr')
        assert len(rows) == 6 + extra
        # Each submitted review links to its record, where it can be reopened.
        submitted = Assignment.objects.filter(
            review__state="submitted", withdrawn_at__isnull=True
        ).order_by("pk")
        assert sorted(tree.xpath('//a[@class="review-record-link"]/@href')) == sorted(
            reverse("scoring:review_detail", args=[a.pk]) for a in submitted
        )
        assert len(submitted) == 4  # of the five, one was withdrawn for the conflict


def test_panel_for_is_created_on_first_add():
    c = review_cycle(agencies=1, reviewers=0, site_assessors=0)
    Panel.objects.all().delete()
    user = UserFactory(roles=[Role.REVIEWER], affiliation_type="academia", full_name="新委員")
    response = client_for(c.secretariat).post(
        form_urls(c)["add"],
        {"add-user": user.pk, "add-kind": MemberKind.REVIEWER},
        follow=True,
    )
    assert messages_of(response) == [
        "新委員 was invited to the panel: an e-mail asks them to accept or decline."
    ]
    assert Panel.objects.get().category == c.category
