"""The reviewer's pages and the secretariat's record: what the assigned reviewer sees and
may do, what another role sees (the secretariat: the record, read-only; another reviewer:
nothing), and what outsiders get (an agency editor, a reviewer outside the panel: 404).
Every refused write is checked to change nothing."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from awards.models import Attachment, Nomination
from scoring.enums import ReviewState
from scoring.models import Assignment, Conflict, ConflictDeclaration, Review
from scoring.services import conflict_add, review_open, rubric_indicators
from tests.conftest import html, squash, table_rows, texts
from tests.factories import AgencyFactory, UserFactory, review_cycle, submitted_snapshot

pytestmark = pytest.mark.django_db


def client_for(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def streamed(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def cycle():
    c = review_cycle()
    c.indicators = rubric_indicators(c.rubric)
    c.reviewer = c.reviewers[1]
    c.other_reviewer = c.reviewers[2]
    c.nomination = c.nominations[0]
    c.editor = UserFactory(roles=[(Role.AGENCY_EDITOR, c.agencies[0])])
    # The dossier's latest submitted version cites an attachment.
    attachment = Attachment(
        nomination=c.nomination,
        original_name="流程圖.png",
        file_type="png",
        size=12,
        sha256=hashlib.sha256(b"\x89PNG\r\n\x1a\nabcd").hexdigest(),
    )
    attachment.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\nabcd"), save=False)
    attachment.save()
    c.attachment = attachment
    c.submission = submitted_snapshot(c.nomination, c.editor)
    c.assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nomination, reviewer=c.reviewer
    )
    c.other_assignment = Assignment.objects.create(
        stage=c.written, nomination=c.nomination, reviewer=c.other_reviewer
    )
    return c


def url(name, *args):
    return reverse(f"scoring:{name}", args=args)


def post_scores(cycle, points, *, version=0, action="save", comment="", overall=""):
    data = {"version": str(version), "action": action, "overall_comment": overall}
    for indicator, value in zip(cycle.indicators, points, strict=True):
        data[f"points-{indicator.pk}"] = value
        data[f"comment-{indicator.pk}"] = comment
    return data


def scores_of(assignment):
    review = Review.objects.filter(assignment=assignment).first()
    if review is None:
        return None
    return (
        review.state,
        review.version,
        sorted((s.indicator_id, s.points) for s in review.scores.all()),
    )


# --- my reviews ---------------------------------------------------------------------------


def test_my_reviews_lists_the_reviewers_open_assignments(cycle):
    review_open(cycle.assignment)
    response = client_for(cycle.reviewer).get(url("my_reviews"))
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//h2[contains(@class,'section-heading')]") == [
        f"Written review · {cycle.edition.name_en} · {cycle.edition.scheme.name_en}"
    ]
    assert table_rows(tree, "//table[contains(@class,'reviews-table')]") == [
        [
            "Household Registration Office 1",
            "First-line service agencies",
            "Draft",
            "0 / 1000",
            "Continue: Household Registration Office 1",
        ]
    ]
    (link,) = tree.xpath("//table//a[contains(@class,'button')]/@href")
    assert link == url("review", cycle.assignment.pk)


def test_my_reviews_other_personas(cycle):
    # A reviewer outside the panel with no assignment: nothing to do.
    response = client_for(cycle.outsider).get(url("my_reviews"))
    assert texts(html(response), "//div[@class='empty']") == [
        "No dossier is assigned to you in a stage open today."
    ]
    # An agency editor and the secretariat have no reviewer's list.
    assert client_for(cycle.editor).get(url("my_reviews")).status_code == 404
    assert client_for(cycle.secretariat).get(url("my_reviews")).status_code == 404


def test_undeclared_reviewer_sees_locked_rows_and_a_link_to_declare(cycle):
    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    response = client_for(cycle.reviewer).get(url("my_reviews"))
    tree = html(response)
    assert texts(tree, "//div[contains(@class,'declare-needed')]//strong") == [
        f"Declare your conflicts of interest for {cycle.edition.name_en} "
        f"({cycle.edition.scheme.name_en}) before you can read its dossiers."
    ]
    rows = table_rows(tree, "//table[contains(@class,'reviews-table')]")
    assert rows == [
        [
            "Household Registration Office 1",
            "First-line service agencies",
            "Locked",
            "—",
            "Declare conflicts first",
        ]
    ]
    assert tree.xpath("//table//a/@href") == [url("declare", cycle.edition.pk)]
    # And the scoring page is not there for them.
    assert client_for(cycle.reviewer).get(url("review", cycle.assignment.pk)).status_code == 404


def test_conflicted_and_withdrawn_assignments_are_not_listed(cycle):
    cycle.reviewer.affiliated_agency = cycle.agencies[0]
    cycle.reviewer.save()
    response = client_for(cycle.reviewer).get(url("my_reviews"))
    assert texts(html(response), "//div[@class='empty']") == [
        "No dossier is assigned to you in a stage open today."
    ]


def _many_assignments(cycle, n):
    authority = cycle.authorities[0]
    for i in range(n):
        agency = AgencyFactory(parent=authority, name_en=f"Extra office {i}")
        nomination = Nomination.objects.create(
            edition=cycle.edition,
            category=cycle.category,
            agency=agency,
            created_by=cycle.editor,
            state="eligible",
        )
        assignment = Assignment.objects.create(
            stage=cycle.written, nomination=nomination, reviewer=cycle.reviewer
        )
        if i % 2:
            review_open(assignment)


@pytest.mark.parametrize("n", [9, 499])  # 10 and 500 rows with the cycle's own
def test_my_reviews_query_count_is_constant(cycle, n, django_assert_num_queries):
    _many_assignments(cycle, n)
    client = client_for(cycle.reviewer)
    client.get(url("my_reviews"))  # warm the session
    with django_assert_num_queries(9):  # one more: the invitations waiting for an answer
        response = client.get(url("my_reviews"))
    rows = table_rows(html(response), "//table[contains(@class,'reviews-table')]")
    assert len(rows) == n + 1


def test_dashboard_context_for_a_reviewer(cycle):
    from django.template.loader import render_to_string

    from scoring.selectors.reviews import dashboard_context

    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    context = dashboard_context(cycle.reviewer)
    assert context["review_declarations_missing"] == [cycle.edition]
    assert [g["stage"] for g in context["review_assignments"]] == [cycle.written]
    from django.utils import translation

    with translation.override("en"):
        text = squash(render_to_string("scoring/_dashboard_reviewer.html", context))
    assert "Declare your conflicts of interest for" in text
    assert "0 of 1 submitted" in text
    assert dashboard_context(cycle.editor) == {
        "review_assignments": [],
        "review_declarations_missing": [],
        "review_invitations": [],
        "chair_pending_ties": [],
    }


# --- declaration --------------------------------------------------------------------------


def test_declaration_page_groups_the_nominated_agencies_by_authority(cycle):
    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    response = client_for(cycle.reviewer).get(url("declare", cycle.edition.pk))
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//fieldset[contains(@class,'declare-group')]/legend") == [
        "Under Taipei City Government",
        "Under New Taipei City Government",
    ]
    assert texts(tree, "//fieldset[1]//li") == [
        "Taipei City Government",
        "Household Registration Office 1 nominated",
        "Household Registration Office 3 nominated",
        "Household Registration Office 5 nominated",
    ]


def test_declaration_lists_agencies_with_draft_or_withdrawn_nominations(cycle):
    """The 8th edition listed 10 of 12 agencies: those with a draft or withdrawn
    nomination in any edition were dropped. Every agency of the scheme's tree is
    offered: nominated in any state, or not at all; another scheme's tree is not."""
    from awards.enums import NominationState
    from tests.factories import CategoryFactory, EditionFactory

    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    Nomination.objects.filter(pk=cycle.nominations[2].pk).update(state=NominationState.WITHDRAWN)
    Nomination.objects.filter(pk=cycle.nominations[4].pk).update(state=NominationState.DRAFT)
    quiet = AgencyFactory(name_en="Land Office", parent=cycle.authorities[0])
    # The same agency with a draft in an older edition of the scheme.
    older = EditionFactory(scheme=cycle.edition.scheme, number=cycle.edition.number - 1)
    Nomination.objects.create(
        edition=older,
        category=CategoryFactory(edition=older),
        agency=cycle.agencies[0],
        created_by=cycle.editor,
        state=NominationState.DRAFT,
    )
    elsewhere = AgencyFactory(name_en="Another government")  # another tree, not nominated
    response = client_for(cycle.reviewer).get(url("declare", cycle.edition.pk))
    tree = html(response)
    assert texts(tree, "//fieldset[1]//li") == [
        "Taipei City Government",
        "Household Registration Office 1 nominated",
        "Household Registration Office 3 nominated",
        "Household Registration Office 5 nominated",
        "Land Office",
    ]
    offered = {int(v) for v in tree.xpath("//input[@name='agencies']/@value")}
    assert {a.pk for a in cycle.agencies} | {quiet.pk} <= offered
    assert elsewhere.pk not in offered
    # A conflict with the agency whose nomination was withdrawn can be declared.
    response = client_for(cycle.reviewer).post(
        url("declare", cycle.edition.pk), {"agencies": [cycle.agencies[2].pk], "reason": "顧問"}
    )
    assert response.status_code == 302
    assert list(
        Conflict.objects.filter(reviewer=cycle.reviewer).values_list("agency_id", flat=True)
    ) == [cycle.agencies[2].pk]


def test_declaring_none_unlocks_the_dossiers(cycle):
    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    client = client_for(cycle.reviewer)
    response = client.post(url("declare", cycle.edition.pk), {"none": "on", "reason": ""})
    assert response.status_code == 302 and response.url == url("my_reviews")
    assert ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).count() == 1
    assert not Conflict.objects.filter(reviewer=cycle.reviewer).exists()
    assert client.get(url("review", cycle.assignment.pk)).status_code == 200


def test_declaring_a_conflict_withdraws_the_assignment_and_hides_the_dossier(cycle):
    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    client = client_for(cycle.reviewer)
    # Bad input: nothing ticked, or ticked without a reason, or both choices.
    response = client.post(url("declare", cycle.edition.pk), {"reason": ""})
    assert response.status_code == 400
    assert texts(html(response), "//div[@id='declare-errors']//li") == [
        "Tick the agencies you have a conflict of interest with, or declare that you have none."
    ]
    agency = cycle.agencies[0]
    response = client.post(url("declare", cycle.edition.pk), {"agencies": [agency.pk]})
    assert texts(html(response), "//div[@id='declare-errors']//li") == [
        "Say briefly why you are conflicted."
    ]
    response = client.post(
        url("declare", cycle.edition.pk), {"agencies": [agency.pk], "none": "on", "reason": "x"}
    )
    assert texts(html(response), "//div[@id='declare-errors']//li") == [
        "You ticked agencies and also “no conflict of interest”: choose one or the other."
    ]
    assert not ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).exists()
    assert not Conflict.objects.filter(reviewer=cycle.reviewer).exists()
    response = client.post(
        url("declare", cycle.edition.pk), {"agencies": [agency.pk], "reason": "曾任該所顧問"}
    )
    assert response.status_code == 302
    conflict = Conflict.objects.get(reviewer=cycle.reviewer)
    assert (conflict.agency, conflict.source, conflict.reason) == (
        agency,
        "declared",
        "曾任該所顧問",
    )
    cycle.assignment.refresh_from_db()
    assert cycle.assignment.withdrawn_at is not None
    assert client.get(url("review", cycle.assignment.pk)).status_code == 404


def test_declaration_other_personas(cycle):
    # A reviewer on no panel of the edition, an agency editor: 404.
    assert client_for(cycle.outsider).get(url("declare", cycle.edition.pk)).status_code == 404
    assert client_for(cycle.editor).get(url("declare", cycle.edition.pk)).status_code == 404
    response = client_for(cycle.outsider).post(url("declare", cycle.edition.pk), {"none": "on"})
    assert response.status_code == 404
    assert not ConflictDeclaration.objects.filter(reviewer=cycle.outsider).exists()
    # A site assessor on the panel may declare.
    assessor = cycle.assessors[0]
    assert client_for(assessor).get(url("declare", cycle.edition.pk)).status_code == 200


# --- the scoring page ---------------------------------------------------------------------


def test_scoring_page_shows_the_dossier_and_the_form(cycle):
    response = client_for(cycle.reviewer).get(url("review", cycle.assignment.pk))
    assert response.status_code == 200
    tree = html(response)
    # The dossier as submitted, with attachment links to the checked download view.
    assert texts(
        tree, "//article[contains(@class,'review-dossier')]//h2[@class='section-heading']"
    )[:2] == ["Agency profile", "Contact person"]
    body = squash(tree.xpath("//article[contains(@class,'review-dossier')]")[0].text_content())
    assert "第1所的服務成果。" in body
    assert tree.xpath("//article//ul[@class='document-files']//a/@href") == [
        url("review_attachment", cycle.assignment.pk, cycle.attachment.pk)
    ]
    assert tree.xpath("//a[contains(., 'PDF snapshot')]/@href") == [
        url("review_pdf", cycle.assignment.pk)
    ]
    # One number input per indicator with its bounds, and the focus points.
    inputs = tree.xpath("//form[@id='review-form']//input[@type='number']")
    assert [(i.get("name"), i.get("max"), i.get("step"), i.get("min")) for i in inputs] == [
        (f"points-{i.pk}", str(i.max_points), "1", "0") for i in cycle.indicators
    ]
    assert texts(tree, "//form//label[@for][not(contains(@class,'comment-label'))]")[:5] == [
        "Service process",
        "Image and customer relations",
        "Information provision and search",
        "Online services and e-participation",
        "Innovation",
    ]
    assert texts(tree, "//p[@class='running-total']") == ["Total 0 / 1000"]
    assert tree.xpath("//script/@src") == ["/static/vendor/htmx.min.js", "/static/js/review.js"]
    assert texts(tree, "//form[@id='review-form']//button") == ["Save draft", "Submit"]
    # No other reviewer's total unless the stage allows it.
    assert not tree.xpath("//section[contains(@class,'others')]")


def test_scoring_page_other_personas(cycle):
    page = url("review", cycle.assignment.pk)
    # Another reviewer of the same dossier, an agency editor, a reviewer off the panel: 404.
    for user in (cycle.other_reviewer, cycle.editor, cycle.outsider, cycle.assessors[0]):
        assert client_for(user).get(page).status_code == 404
    # The secretariat reads the record instead.
    response = client_for(cycle.secretariat).get(page)
    assert response.status_code == 302 and response.url == url("review_detail", cycle.assignment.pk)
    # Signed out: the sign-in page.
    assert client_for(None).get(page).status_code == 302


def test_a_conflict_added_after_assignment_hides_the_page_at_once(cycle):
    client = client_for(cycle.reviewer)
    assert client.get(url("review", cycle.assignment.pk)).status_code == 200
    conflict_add(
        actor=cycle.secretariat,
        edition=cycle.edition,
        reviewer=cycle.reviewer,
        agency=cycle.agencies[2],  # same competent authority as agency 1
        source="secretariat",
        reason="同一主管機關",
    )
    assert client.get(url("review", cycle.assignment.pk)).status_code == 404
    assert client.get(url("review_pdf", cycle.assignment.pk)).status_code == 404


def test_a_closed_stage_hides_the_page_and_refuses_a_post(cycle):
    cycle.written.ends_on = cycle.today - datetime.timedelta(days=1)
    cycle.written.save()
    client = client_for(cycle.reviewer)
    assert client.get(url("review", cycle.assignment.pk)).status_code == 404
    response = client.post(url("review", cycle.assignment.pk), post_scores(cycle, ["1"] * 5))
    assert response.status_code == 404
    assert scores_of(cycle.assignment) is None


def test_saving_a_draft_and_submitting(cycle):
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    client.get(page)
    response = client.post(
        page, post_scores(cycle, ["150", "160", "", "", ""], comment="流程清楚", overall="草稿")
    )
    assert response.status_code == 302
    response = client.get(page)
    tree = html(response)
    assert texts(tree, "//li[contains(@class,'message')]")[0].startswith("Draft saved at ")
    assert texts(tree, "//p[@class='running-total']") == ["Total 310 / 1000"]
    assert tree.xpath(f"//input[@name='points-{cycle.indicators[0].pk}']/@value") == ["150"]
    assert tree.xpath("//input[@name='version']/@value") == ["1"]
    response = client.post(
        page,
        post_scores(
            cycle,
            ["150", "160", "80", "150", "250"],
            version=1,
            action="submit",
            comment="流程清楚",
        ),
    )
    assert response.status_code == 302
    tree = html(client.get(page))
    assert texts(tree, "//li[contains(@class,'message')]") == [
        "Review submitted: 790 of 1000 points."
    ]
    assert not tree.xpath("//form[@id='review-form']")
    notice = texts(tree, "//section[contains(@class,'review-readonly')]//p[@class='notice']")[0]
    assert notice.startswith("Submitted ") and notice.endswith(
        "(Taipei time). The review is locked; only the secretariat can reopen it."
    )
    rows = table_rows(tree, "//table[contains(@class,'scores-table')]")
    assert rows[1] == ["Service process", "150 / 200", "流程清楚"]
    assert scores_of(cycle.assignment)[0] == ReviewState.SUBMITTED


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("250", "“Service process”: at most 200 points; you gave 250."),
        ("-5", "“Service process”: points cannot be negative."),
        ("十", "“Service process”: “十” is not a number."),
        ("10.5", "“Service process”: use whole points only (no decimals)."),
    ],
)
def test_bad_values_are_shown_next_to_the_field_and_in_a_summary(cycle, value, message):
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    client.get(page)
    before = scores_of(cycle.assignment)
    response = client.post(page, post_scores(cycle, [value, "100", "", "", ""]))
    assert response.status_code == 400
    tree = html(response)
    field = f"points-{cycle.indicators[0].pk}"
    assert texts(tree, "//div[@id='review-errors']//li") == [message]
    assert tree.xpath("//div[@id='review-errors']//a/@href") == [f"#{field}"]
    assert texts(tree, f"//ul[@id='{field}-error']/li") == [message]
    (box,) = tree.xpath(f"//input[@id='{field}']")
    assert (box.get("value"), box.get("aria-invalid")) == (value, "true")
    # What else was typed stays in the form; nothing was saved.
    assert tree.xpath(f"//input[@id='points-{cycle.indicators[1].pk}']/@value") == ["100"]
    assert scores_of(cycle.assignment) == before


def test_crafted_posts_for_unassigned_or_conflicted_dossiers_change_nothing(cycle):
    review_open(cycle.assignment)
    before = scores_of(cycle.assignment)
    page = url("review", cycle.assignment.pk)
    for user in (cycle.other_reviewer, cycle.outsider, cycle.editor):
        assert client_for(user).post(page, post_scores(cycle, ["1"] * 5)).status_code == 404
    cycle.reviewer.affiliated_agency = cycle.agencies[0]
    cycle.reviewer.save()
    response = client_for(cycle.reviewer).post(page, post_scores(cycle, ["1"] * 5))
    assert response.status_code == 404
    assert scores_of(cycle.assignment) == before


def test_two_tabs_show_both_values_and_keep_both(cycle):
    page = url("review", cycle.assignment.pk)
    tab1, tab2 = client_for(cycle.reviewer), client_for(cycle.reviewer)
    tab1.get(page)
    tab2.get(page)
    tab1.post(page, post_scores(cycle, ["150", "", "", "", ""], overall="分頁一"))
    response = tab2.post(page, post_scores(cycle, ["120", "", "", "", ""], overall="分頁二"))
    assert response.status_code == 409
    tree = html(response)
    assert texts(tree, "//p[@class='conflict-message']")[0].startswith(
        "This review was saved in another tab or window at "
    )
    field = f"points-{cycle.indicators[0].pk}"
    assert tree.xpath(f"//input[@id='{field}']/@value") == ["120"]
    assert texts(tree, "//p[@class='saved-elsewhere']") == ["Saved: 150", "Saved: 分頁一"]
    assert tree.xpath("//textarea[@id='overall_comment']/text()") == ["分頁二"]
    assert tree.xpath("//input[@name='version']/@value") == ["1"]
    review = Review.objects.get(assignment=cycle.assignment)
    assert review.overall_comment == "分頁一"
    assert review.revisions.filter(accepted=False).get().overall_comment == "分頁二"
    # Saving again from the refused page keeps the second tab's values.
    response = tab2.post(page, post_scores(cycle, ["120", "", "", "", ""], version=1))
    assert response.status_code == 302
    assert scores_of(cycle.assignment)[2][0] == (cycle.indicators[0].pk, Decimal("120.0"))


def test_other_reviewers_totals_only_when_the_stage_allows_and_anonymised(cycle):
    from tests.factories import score_directly

    score_directly(cycle.other_assignment, dict(zip(cycle.indicators, [100] * 5, strict=True)))
    third = Assignment.objects.create(
        stage=cycle.written, nomination=cycle.nomination, reviewer=cycle.reviewers[3]
    )
    score_directly(third, dict(zip(cycle.indicators, [150] * 5, strict=True)), submit=False)
    page = url("review", cycle.assignment.pk)
    response = client_for(cycle.reviewer).get(page)
    assert "500" not in squash(
        html(response).xpath("//div[@class='review-side']")[0].text_content()
    )
    cycle.written.reviewers_see_others = True
    cycle.written.save()
    tree = html(client_for(cycle.reviewer).get(page))
    assert texts(tree, "//ul[@class='others-list']/li") == ["Reviewer A: 500 / 1000"]
    text = squash(tree.text_content())
    for name in (cycle.other_reviewer.full_name, cycle.reviewers[3].full_name):
        assert name not in text


def test_downloads_are_permission_checked(cycle):
    client = client_for(cycle.reviewer)
    response = client.get(url("review_attachment", cycle.assignment.pk, cycle.attachment.pk))
    assert response.status_code == 200
    assert streamed(response) == b"\x89PNG\r\n\x1a\nabcd"
    assert response["Content-Type"] == "image/png"
    response = client.get(url("review_pdf", cycle.assignment.pk))
    assert streamed(response) == b"%PDF-1.4 test"
    # An attachment of another dossier, or not in the submitted version: 404.
    other = Attachment.objects.create(
        nomination=cycle.nominations[1], original_name="x.png", file_type="png", size=1, sha256=""
    )
    assert client.get(url("review_attachment", cycle.assignment.pk, other.pk)).status_code == 404
    # Another reviewer, an agency editor: 404. The secretariat may read.
    for user in (cycle.outsider, cycle.editor):
        c = client_for(user)
        assert c.get(url("review_pdf", cycle.assignment.pk)).status_code == 404
        assert (
            c.get(url("review_attachment", cycle.assignment.pk, cycle.attachment.pk)).status_code
            == 404
        )
    response = client_for(cycle.secretariat).get(url("review_pdf", cycle.assignment.pk))
    assert streamed(response) == b"%PDF-1.4 test"
    # The agency's own download view stays closed to the reviewer.
    awards_url = reverse(
        "awards:attachment_download", args=[cycle.nomination.pk, cycle.attachment.pk]
    )
    assert client.get(awards_url).status_code == 404


# --- the secretariat's record -------------------------------------------------------------


def _submitted(cycle):
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    client.get(page)
    client.post(page, post_scores(cycle, ["150", "160", "", "", ""]))
    client.post(
        page, post_scores(cycle, ["150", "170", "80", "150", "250"], version=1, action="submit")
    )
    return Review.objects.get(assignment=cycle.assignment)


def test_record_shows_history_and_reopens_with_a_reason(cycle):
    review = _submitted(cycle)
    assert review.state == ReviewState.SUBMITTED
    client = client_for(cycle.secretariat)
    record = url("review_detail", cycle.assignment.pk)
    tree = html(client.get(record))
    rows = table_rows(tree, "//table[contains(@class,'history-table')]")
    assert [r[1:4] for r in rows] == [
        [cycle.reviewer.full_name, "Saved", "310"],
        [cycle.reviewer.full_name, "Submitted", "800"],
    ]
    changes = [
        texts(li, "./li") for li in tree.xpath("//table[contains(@class,'history-table')]//ul")
    ]
    assert changes == [
        ["Service process: — → 150", "Image and customer relations: — → 160"],
        [
            "Image and customer relations: 160 → 170",
            "Information provision and search: — → 80",
            "Online services and e-participation: — → 150",
            "Innovation: — → 250",
        ],
    ]
    # Reopening without a reason: refused with the message, nothing changed.
    response = client.post(url("review_reopen", cycle.assignment.pk), {"reason": "  "})
    assert response.status_code == 400
    assert texts(html(response), "//ul[@id='id_reason_error']/li") == [
        "Give a reason for reopening the review: the reviewer will read it."
    ]
    assert Review.objects.get(pk=review.pk).state == ReviewState.SUBMITTED
    response = client.post(
        url("review_reopen", cycle.assignment.pk), {"reason": "創新分數請再確認"}
    )
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).state == ReviewState.REOPENED
    tree = html(client.get(record))
    assert texts(tree, "//li[contains(@class,'message')]") == [
        f"The review was reopened; {cycle.reviewer.full_name} has been told by e-mail."
    ]
    rows = table_rows(tree, "//table[contains(@class,'history-table')]")
    assert rows[2][2] == "Reopened 創新分數請再確認"
    assert not tree.xpath("//section[contains(@class,'reopen')]")
    # The reviewer can edit again.
    tree = html(client_for(cycle.reviewer).get(url("review", cycle.assignment.pk)))
    assert tree.xpath("//form[@id='review-form']")


def test_record_other_personas(cycle):
    _submitted(cycle)
    record = url("review_detail", cycle.assignment.pk)
    for user in (cycle.reviewer, cycle.other_reviewer, cycle.editor, cycle.outsider):
        assert client_for(user).get(record).status_code == 404
        response = client_for(user).post(url("review_reopen", cycle.assignment.pk), {"reason": "x"})
        assert response.status_code == 404
    assert Review.objects.get(assignment=cycle.assignment).state == ReviewState.SUBMITTED


@pytest.mark.parametrize("extra", [0, 60])
def test_declaration_page_query_count_is_constant(cycle, extra, django_assert_num_queries):
    """However many agencies the scheme's tree holds."""
    for i in range(extra):
        AgencyFactory(parent=cycle.authorities[i % 2], name_en=f"Extra office {i}")
    ConflictDeclaration.objects.filter(reviewer=cycle.reviewer).delete()
    client = client_for(cycle.reviewer)
    client.get(url("declare", cycle.edition.pk))  # warm the session
    # session, user, roles, edition, panel membership; the scheme's paths, this edition's
    # nominated agencies, the tree (its authorities are in it: no query of their own); the
    # declaration, declared conflicts
    with django_assert_num_queries(10):
        response = client.get(url("declare", cycle.edition.pk))
    assert len(html(response).xpath("//input[@name='agencies']")) == 8 + extra


# --- the scoring form's queries (issue 15: at most 10) ---------------------------------


@pytest.mark.parametrize("extra", [0, 30])
def test_scoring_form_query_count_is_constant(cycle, extra, django_assert_num_queries):
    """However many other assignments the reviewer has."""
    _many_assignments(cycle, extra)
    review_open(cycle.assignment)
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    client.get(page)  # warm the session
    # session, user; the assignment with its stage, edition, review policy, dossier,
    # rubric, reviewer, review and whether the reviewer has declared; roles; conflicts;
    # the review's scores (the review on each row); the latest submission; the message log
    with django_assert_num_queries(8):
        response = client.get(page)
    tree = html(response)
    assert len(tree.xpath("//input[starts-with(@name,'points-')]")) == len(cycle.indicators)
    assert tree.xpath("//input[@name='version']/@value") == ["0"]


@pytest.mark.parametrize("extra", [0, 30])
def test_saving_a_draft_query_count_is_constant(cycle, extra, django_assert_num_queries):
    _many_assignments(cycle, extra)
    review_open(cycle.assignment)
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    client.get(page)  # warm the session
    # session, user, the assignment (as above), roles, conflicts; then the save: savepoint,
    # the scores with their review locked (one query), the scores updated, the review
    # updated, the revision, release. In production the session is read from Redis and
    # the savepoint and its release are BEGIN and COMMIT: 10 queries (issue 15: at most 10)
    with django_assert_num_queries(11):
        response = client.post(page, post_scores(cycle, ["150", "160", "", "", ""]))
    assert response.status_code == 302
    state, version, scores = scores_of(cycle.assignment)
    assert (state, version) == (ReviewState.DRAFT, 1)
    assert [points for _pk, points in scores] == [
        Decimal("150.0"),
        Decimal("160.0"),
        None,
        None,
        None,
    ]


def test_a_score_for_another_rubrics_indicator_is_refused(cycle):
    review_open(cycle.assignment)
    client = client_for(cycle.reviewer)
    page = url("review", cycle.assignment.pk)
    before = scores_of(cycle.assignment)
    data = post_scores(cycle, ["150", "160", "", "", ""])
    data["points-999999"] = "10"
    response = client.post(page, data)
    assert response.status_code == 400
    assert texts(html(response), "//div[@id='review-errors']//li") == [
        "One of the scores is not for an indicator of this rubric."
    ]
    assert scores_of(cycle.assignment) == before


def test_remembered_conflicts_are_forgotten_when_a_conflict_is_added(cycle):
    """The scoring views read the reviewer's declaration and conflicts once per request
    (conflicts_remembered); a conflict recorded inside the block is seen at once."""
    from scoring.services.conflicts import conflicts_remembered, has_declared, is_conflicted

    agency = cycle.nomination.agency
    with conflicts_remembered():
        assert has_declared(cycle.edition, cycle.reviewer)
        assert not is_conflicted(cycle.edition, cycle.reviewer, agency)
        conflict_add(
            actor=cycle.secretariat,
            edition=cycle.edition,
            reviewer=cycle.reviewer,
            agency=agency,
            source="secretariat",
            reason="曾任該機關顧問",
        )
        assert is_conflicted(cycle.edition, cycle.reviewer, agency)
    assert is_conflicted(cycle.edition, cycle.reviewer, agency)
