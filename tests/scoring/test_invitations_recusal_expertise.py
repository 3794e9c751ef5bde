"""Issue 18 parts 4-6: panel invitations (accept, decline with a reason, withdrawn; only
accepted members are assigned), recusal per dossier (withdrawn, recorded, audited, the
secretariat told, never assigned again; refused once submitted), and areas of expertise
(the scheme's list, reviewers' areas, agencies' service areas; auto-assignment prefers
matches and reports them; a held area cannot be deleted)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agencies.enums import Role
from agencies.models import AuditEntry
from scoring.enums import MemberState
from scoring.models import (
    AgencyServiceArea,
    Assignment,
    ExpertiseArea,
    PanelMember,
    Recusal,
)
from scoring.services import (
    AssignmentError,
    ExpertiseError,
    PanelError,
    agency_service_area_set,
    assignment_create,
    assignment_problem,
    assignment_recuse,
    assignments_auto,
    assignments_plan,
    conflict_add,
    conflict_prefixes,
    expertise_area_create,
    expertise_area_delete,
    expertise_area_update,
    invitation_accept,
    invitation_decline,
    invitation_withdraw,
    panel_member_add,
    path_is_conflicted,
    reviewer_areas_set,
)
from tests.factories import UserFactory, review_cycle, score_directly
from workflow.models import OutboundMail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user):
    client = Client()
    client.force_login(user)
    client.cookies["lang"] = "en"
    return client


def _invite(c, name="新委員"):
    user = UserFactory(roles=[Role.REVIEWER], full_name=name, affiliation_type="legislature")
    member = panel_member_add(actor=c.secretariat, panel=c.panel, user=user, kind="reviewer")
    return user, member


# --- invitations --------------------------------------------------------------------------


def test_adding_invites_and_mails_a_link_to_answer(django_capture_on_commit_callbacks):
    c = review_cycle(agencies=2, reviewers=2)
    with django_capture_on_commit_callbacks(execute=True):
        user, member = _invite(c)
    assert member.state == MemberState.INVITED
    queued = OutboundMail.objects.get(kind="reviewer_invited")
    assert (queued.user_id, queued.object_type, queued.object_id) == (
        user.pk,
        "scoring.panelmember",
        str(member.pk),
    )
    assert reverse("scoring:invitation", args=[member.pk]) in queued.body
    assert len(mail.outbox) == 1


def test_accept_twice_and_after_withdrawal_are_refused_and_change_nothing():
    c = review_cycle(agencies=2, reviewers=2)
    user, member = _invite(c)
    invitation_accept(actor=user, member=member)
    member.refresh_from_db()
    assert member.state == MemberState.ACCEPTED and member.answered_at is not None
    with pytest.raises(PanelError) as caught:
        invitation_accept(actor=user, member=member)
    assert caught.value.messages == [
        "You have already accepted this invitation. Nothing was changed."
    ]

    other, invited = _invite(c, "另一位")
    invitation_withdraw(actor=c.secretariat, member=invited)
    entries = AuditEntry.objects.filter(action="panel.invitation").count()
    for answer in (
        lambda: invitation_accept(actor=other, member=invited),
        lambda: invitation_decline(actor=other, member=invited, reason="沒空"),
    ):
        with pytest.raises(PanelError) as caught:
            answer()
        assert caught.value.messages == [
            "The secretariat withdrew this invitation, so it can no longer be answered. "
            "Nothing was changed."
        ]
    invited.refresh_from_db()
    assert (invited.state, invited.decline_reason) == (MemberState.WITHDRAWN, "")
    assert AuditEntry.objects.filter(action="panel.invitation").count() == entries


def test_decline_needs_a_reason_and_is_audited():
    c = review_cycle(agencies=2, reviewers=2)
    user, member = _invite(c)
    with pytest.raises(PanelError) as caught:
        invitation_decline(actor=user, member=member, reason="  ")
    assert caught.value.messages == [
        "Say why you decline, so the secretariat can find someone else."
    ]
    member.refresh_from_db()
    assert member.state == MemberState.INVITED
    invitation_decline(actor=user, member=member, reason="評審期間出國")
    member.refresh_from_db()
    assert (member.state, member.decline_reason) == (MemberState.DECLINED, "評審期間出國")
    entry = AuditEntry.objects.get(action="panel.invitation")
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        user,
        "invited",
        "declined",
        "評審期間出國",
    )


def test_only_accepted_members_are_assigned():
    c = review_cycle(agencies=2, reviewers=2, k=2)
    user, member = _invite(c)
    problem = assignment_problem(stage=c.written, nomination=c.nominations[0], reviewer=user)
    assert problem == (
        "新委員 has not accepted the invitation to the panel of First-line service agencies "
        "(invited): only members who accepted are assigned dossiers."
    )
    with pytest.raises(AssignmentError):
        assignment_create(
            actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=user
        )
    invitation_decline(actor=user, member=member, reason="沒空")
    c.written.reviewers_per_dossier = 3
    c.written.save()
    with pytest.raises(AssignmentError):  # only two accepted reviewers for three places
        assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    c.written.reviewers_per_dossier = 2
    c.written.save()
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert not Assignment.objects.filter(reviewer=user).exists()
    assert Assignment.objects.count() == 4


def test_invitation_page_answers_and_hides_from_others():
    c = review_cycle(agencies=1, reviewers=1)
    user, member = _invite(c)
    url = reverse("scoring:invitation", args=[member.pk])
    # Another reviewer cannot see or answer it: 404, nothing changes.
    assert client_for(c.reviewers[0]).get(url).status_code == 404
    assert client_for(c.reviewers[0]).post(url, {"action": "accept"}).status_code == 404
    client = client_for(user)
    dashboard = client.get(reverse("scoring:my_reviews")).content.decode()
    assert url in dashboard and "Invitations waiting for your answer" in dashboard
    response = client.post(url, {"action": "decline", "reason": ""})
    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MemberState.INVITED
    response = client.post(url, {"action": "decline", "reason": "利益衝突太多"}, follow=True)
    assert "利益衝突太多" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MemberState.DECLINED
    assert url not in client.get(reverse("scoring:my_reviews")).content.decode()


def test_an_unanswered_invitation_is_sent_again_with_a_fresh_link(
    django_capture_on_commit_callbacks,
):
    c = review_cycle(agencies=2, reviewers=2)
    with django_capture_on_commit_callbacks(execute=True):
        user, member = _invite(c, "待回覆")
    client = client_for(c.secretariat)
    panel_url = reverse("scoring:panel", args=[c.category.pk])
    page = client.get(panel_url).content.decode()
    resend_url = reverse("scoring:panel_invitation_resend", args=[c.category.pk, member.pk])
    assert f'action="{resend_url}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url, follow=True)
    assert response.redirect_chain == [(panel_url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"The invitation was sent again to 待回覆 ({user.email})."
    ]
    first, again = OutboundMail.objects.filter(kind="reviewer_invited").order_by("pk")
    assert (again.user_id, again.object_id) == (user.pk, str(member.pk))
    assert reverse("scoring:invitation", args=[member.pk]) in again.body
    assert again.subject == first.subject
    assert len(mail.outbox) == 2
    entry = AuditEntry.objects.get(action="panel.invitation_resent")
    assert (entry.actor, entry.from_state, entry.to_state) == (c.secretariat, "invited", "invited")
    member.refresh_from_db()
    assert member.state == MemberState.INVITED


def test_an_answered_invitation_is_not_sent_again(django_capture_on_commit_callbacks):
    c = review_cycle(agencies=2, reviewers=2)
    user, member = _invite(c, "已接受")
    invitation_accept(actor=user, member=member)
    client = client_for(c.secretariat)
    resend_url = reverse("scoring:panel_invitation_resend", args=[c.category.pk, member.pk])
    # No button for an answered invitation; a stale form posting anyway is refused.
    assert (
        resend_url
        not in client.get(reverse("scoring:panel", args=[c.category.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only an invitation not yet answered can be sent again; the invitation of 已接受 is "
        "“Accepted”. Nothing was sent."
    ]
    # Only the first invitation's mail, from when they were added.
    assert OutboundMail.objects.filter(kind="reviewer_invited").count() == 1
    assert not AuditEntry.objects.filter(action="panel.invitation_resent").exists()
    # Another category's address for this member: not found.
    other = reverse("scoring:panel_invitation_resend", args=[c.category.pk + 999, member.pk])
    assert client.post(other).status_code == 404


def test_panel_page_counts_states_with_a_constant_query_count(django_assert_num_queries):
    def page_queries(c):
        client = client_for(c.secretariat)
        url = reverse("scoring:panel", args=[c.category.pk])
        client.get(url)  # warm the session and the site's caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return len(ctx.captured_queries), response.content.decode()

    small = review_cycle(agencies=1, reviewers=2)
    area = expertise_area_create(
        actor=small.secretariat, scheme=small.edition.scheme, name_zh="戶政"
    )
    small_count, _html = page_queries(small)
    big = review_cycle(agencies=1, reviewers=6)
    areas = [
        expertise_area_create(actor=big.secretariat, scheme=big.edition.scheme, name_zh=n)
        for n in ("戶政", "地政")
    ]
    for reviewer in big.reviewers:
        reviewer_areas_set(
            actor=big.secretariat, user=reviewer, scheme=big.edition.scheme, areas=areas
        )
    declined_user, declined = _invite(big, "婉拒者")
    invitation_decline(actor=declined_user, member=declined, reason="出國")
    _invite(big, "待回覆")
    big_count, text = page_queries(big)
    assert big_count == small_count
    assert area.name_zh in _html
    assert '<span class="count-invited">1</span>' in text
    assert '<span class="count-accepted">7</span>' in text  # six reviewers, one assessor
    assert '<span class="count-declined">1</span>' in text
    assert "出國" in text


# --- recusal ------------------------------------------------------------------------------


def test_recusal_withdraws_records_tells_the_secretariat_and_blocks_reassignment(
    django_capture_on_commit_callbacks,
):
    c = review_cycle(agencies=2, reviewers=4, k=2)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assignment = Assignment.objects.filter(nomination=c.nominations[0]).first()
    reviewer = assignment.reviewer
    with pytest.raises(AssignmentError) as caught:
        assignment_recuse(actor=reviewer, assignment=assignment, reason="")
    assert caught.value.messages == ["Say why you recuse from this dossier."]
    with django_capture_on_commit_callbacks(execute=True):
        recusal = assignment_recuse(actor=reviewer, assignment=assignment, reason="前同事")
    assignment.refresh_from_db()
    assert assignment.withdrawn_at is not None
    assert assignment.withdrawn_reason == "Recused by the reviewer: 前同事"
    assert (recusal.nomination, recusal.reviewer, recusal.reason) == (
        c.nominations[0],
        reviewer,
        "前同事",
    )
    entry = AuditEntry.objects.get(action="assignment.recuse")
    assert (entry.actor, entry.to_state, entry.reason) == (reviewer, "recused", "前同事")
    told = OutboundMail.objects.get(kind="review_recusal")
    assert (told.user, told.object_id) == (c.secretariat, str(assignment.pk))
    assert "前同事" in told.body
    # Counts as a conflict: never assigned this dossier again, by hand or automatically.
    assert assignment_problem(stage=c.written, nomination=c.nominations[0], reviewer=reviewer) == (
        f"{reviewer.get_full_name()} recused from {c.nominations[0].agency.name} and cannot review it again."
    )
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert [(a.nomination, a.reviewer == reviewer) for a in result.created] == [
        (c.nominations[0], False)
    ]


def test_recusal_from_a_submitted_review_is_refused_with_the_way_forward():
    c = review_cycle(agencies=1, reviewers=2, k=2)
    assignment = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    score_directly(assignment, {})
    with pytest.raises(AssignmentError) as caught:
        assignment_recuse(actor=c.reviewers[0], assignment=assignment, reason="前同事")
    assert caught.value.messages == [
        "You have already submitted this review, so you cannot recuse from it here. Ask the "
        "secretariat to reopen the review (tell them why); once it is reopened you can recuse."
    ]
    assignment.refresh_from_db()
    assert assignment.withdrawn_at is None and not Recusal.objects.exists()
    # Through the page (a stale tab): 409, the message, nothing changed.
    response = client_for(c.reviewers[0]).post(
        reverse("scoring:review_recuse", args=[assignment.pk]), {"reason": "前同事"}
    )
    assert response.status_code == 409
    assert "Ask the secretariat to reopen the review" in response.content.decode()
    assert not Recusal.objects.exists()
    # Someone else cannot recuse for the reviewer: 404.
    other = client_for(c.reviewers[1])
    url = reverse("scoring:review_recuse", args=[assignment.pk])
    assert other.post(url, {"reason": "x"}).status_code == 404


# --- expertise ----------------------------------------------------------------------------


def test_areas_are_edited_audited_and_a_held_one_is_not_deleted():
    c = review_cycle(agencies=1, reviewers=3)
    scheme = c.edition.scheme
    with pytest.raises(ExpertiseError) as caught:
        expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh=" ")
    assert caught.value.message_dict == {"name_zh": ["Enter the area's name in Chinese."]}
    area = expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh="戶政")
    with pytest.raises(ExpertiseError) as caught:
        expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh="戶政")
    assert caught.value.message_dict == {
        "name_zh": ["The scheme already has an area named “戶政”."]
    }
    expertise_area_update(actor=c.secretariat, area=area, name_zh="戶政", name_en="Household")
    entry = AuditEntry.objects.filter(action="expertise.area_update").get()
    assert (entry.data["before"], entry.data["after"]) == (
        {"name_en": ""},
        {"name_en": "Household"},
    )
    for reviewer in c.reviewers[:2]:
        reviewer_areas_set(actor=c.secretariat, user=reviewer, scheme=scheme, areas=[area])
    with pytest.raises(ExpertiseError) as caught:
        expertise_area_delete(actor=c.secretariat, area=area)
    assert caught.value.messages == [
        "“Household” cannot be deleted: 2 reviewers hold it. Remove it from their areas first."
    ]
    assert ExpertiseArea.objects.filter(pk=area.pk).exists()
    for reviewer in c.reviewers[:2]:
        reviewer_areas_set(actor=c.secretariat, user=reviewer, scheme=scheme, areas=[])
    agency_service_area_set(actor=c.secretariat, agency=c.agencies[0], scheme=scheme, area=area)
    expertise_area_delete(actor=c.secretariat, area=area)
    assert not ExpertiseArea.objects.exists() and not AgencyServiceArea.objects.exists()
    assert AuditEntry.objects.get(action="expertise.area_delete").data["after"] is None


def test_auto_assignment_prefers_matching_areas_and_keeps_its_guarantees():
    c = review_cycle(agencies=4, reviewers=4, k=2)
    scheme = c.edition.scheme
    household = expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh="戶政")
    land = expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh="地政")
    for i, agency in enumerate(c.agencies):
        agency_service_area_set(
            actor=c.secretariat, agency=agency, scheme=scheme, area=household if i < 2 else land
        )
    # reviewers 3 and 4 hold 戶政, 1 and 2 hold 地政 (so matching is not the id order).
    for reviewer in c.reviewers[2:]:
        reviewer_areas_set(actor=c.secretariat, user=reviewer, scheme=scheme, areas=[household])
    for reviewer in c.reviewers[:2]:
        reviewer_areas_set(actor=c.secretariat, user=reviewer, scheme=scheme, areas=[land])
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[3],
        agency=c.agencies[0],
        source="secretariat",
        reason="顧問",
    )
    plan = assignments_plan(stage=c.written, category=c.category)
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert result.matched == plan.matched
    created = Assignment.objects.select_related("nomination__agency")
    prefixes = conflict_prefixes(c.edition, c.reviewers)
    assert not any(
        path_is_conflicted(a.nomination.agency.path, prefixes[a.reviewer_id]) for a in created
    )
    load = sorted(created.filter(reviewer=r).count() for r in c.reviewers)
    assert load == [2, 2, 2, 2]  # load balance kept
    held = {r.pk: set(r.expertise_areas.values_list("pk", flat=True)) for r in c.reviewers}
    areas = dict(AgencyServiceArea.objects.values_list("agency_id", "area_id"))
    matched = sum(1 for a in created if areas[a.nomination.agency_id] in held[a.reviewer_id])
    assert result.matched == matched
    assert matched >= 6  # of 8; without areas the id order would match only 4
    assert AuditEntry.objects.get(action="assignment.auto").data["matched"] == matched


def test_auto_assignment_reports_no_match_count_without_areas():
    c = review_cycle(agencies=2, reviewers=3, k=2)
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert result.matched is None
    response = client_for(c.secretariat).post(
        reverse("scoring:assignments_auto", args=[c.written.pk, c.category.pk]), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Automatic assignment: every dossier already has its reviewers."
    ]


def test_member_areas_and_agency_area_views():
    c = review_cycle(agencies=1, reviewers=1)
    scheme = c.edition.scheme
    area = expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh="稅務")
    client = client_for(c.secretariat)
    member = PanelMember.objects.get(user=c.reviewers[0])
    url = reverse("scoring:panel_member_areas", args=[c.category.pk, member.pk])
    response = client.post(url, {"areas": ["99999"]})
    assert "choose areas from the scheme&#x27;s list." in response.content.decode()
    assert not c.reviewers[0].expertise_areas.exists()
    client.post(url, {"areas": [str(area.pk)]})
    assert list(c.reviewers[0].expertise_areas.all()) == [area]
    agency_url = reverse("scoring:expertise_agency_area", args=[scheme.pk])
    response = client.post(agency_url, {"agency": "", "area": str(area.pk)})
    assert response.status_code == 400 and "Choose the agency." in response.content.decode()
    client.post(agency_url, {"agency": str(c.agencies[0].pk), "area": str(area.pk)})
    assert AgencyServiceArea.objects.get().area == area
    delete_url = reverse("scoring:expertise_area_delete", args=[scheme.pk, area.pk])
    response = client.post(delete_url)
    assert response.status_code == 409
    assert "“稅務” cannot be deleted: 1 reviewer holds it." in response.content.decode()
    assert ExpertiseArea.objects.filter(pk=area.pk).exists()
    # An area's page is the secretariat's only.
    page = reverse("scoring:expertise", args=[scheme.pk])
    assert client_for(c.reviewers[0]).get(page).status_code == 404
    response = client.post(page, {"name_zh": "", "name_en": "Tax"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter the area&#x27;s name in Chinese." in text and 'value="Tax"' in text


# --- a reviewer's own areas ------------------------------------------------------------------


def _area_boxes(response) -> dict[str, bool]:
    """{area name: ticked} of the page's checkboxes."""
    import lxml.html

    tree = lxml.html.fromstring(response.content.decode())
    return {
        label.text_content().strip(): bool(label.xpath(".//input[@checked]"))
        for label in tree.xpath("//ul[@class='area-choices']/li/label")
    }


def test_a_reviewer_records_their_own_areas_audited_before_after():
    c = review_cycle(agencies=1, reviewers=2)
    scheme = c.edition.scheme
    tax, land, police = (
        expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh=n)
        for n in ("稅務", "地政", "警政")
    )
    reviewer = c.reviewers[0]
    reviewer_areas_set(actor=c.secretariat, user=reviewer, scheme=scheme, areas=[tax])
    client = client_for(reviewer)
    assert (
        'href="/cycle/reviews/my-areas/"'
        in client.get(reverse("scoring:my_reviews")).content.decode()
    )
    url = reverse("scoring:my_areas")
    page = client.get(url)
    assert scheme.name in page.content.decode()
    assert _area_boxes(page) == {"稅務": True, "地政": False, "警政": False}
    response = client.post(
        url, {"scheme": str(scheme.pk), "areas": [str(land.pk), str(police.pk)]}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Your areas of expertise in {scheme.name} were saved."
    ]
    assert _area_boxes(response) == {"稅務": False, "地政": True, "警政": True}
    assert set(reviewer.expertise_areas.all()) == {land, police}
    entry = AuditEntry.objects.filter(action="expertise.reviewer_areas").latest("pk")
    assert entry.actor == reviewer
    assert entry.data["before"]["areas"] == [tax.pk]
    assert entry.data["after"]["areas"] == sorted([land.pk, police.pk])
    # The secretariat's panel page shows what the reviewer recorded.
    panel = client_for(c.secretariat).get(reverse("scoring:panel", args=[c.category.pk]))
    assert "地政" in panel.content.decode()
    # Nothing ticked: no area.
    client.post(url, {"scheme": str(scheme.pk)})
    assert not reviewer.expertise_areas.exists()


def test_own_areas_refusals_change_nothing_and_keep_the_ticks():
    c = review_cycle(agencies=1, reviewers=1)
    scheme = c.edition.scheme
    tax, land = (
        expertise_area_create(actor=c.secretariat, scheme=scheme, name_zh=n)
        for n in ("稅務", "地政")
    )
    reviewer = c.reviewers[0]
    client = client_for(reviewer)
    url = reverse("scoring:my_areas")
    # An area removed by the secretariat while the page was open.
    gone = land.pk
    expertise_area_delete(actor=c.secretariat, area=land)
    response = client.post(url, {"scheme": str(scheme.pk), "areas": [str(tax.pk), str(gone)]})
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "An area you ticked is no longer on the scheme&#x27;s list (the secretariat may have "
        "removed it). Check the list and save again. Nothing was changed."
    ) in text
    assert f'aria-describedby="areas-{scheme.pk}-error"' in text
    assert _area_boxes(response) == {"稅務": True}
    assert not reviewer.expertise_areas.exists()
    assert not AuditEntry.objects.filter(action="expertise.reviewer_areas").exists()
    # No scheme said: refused. Another scheme's (one they serve on no panel of): 404.
    response = client.post(url, {"areas": [str(tax.pk)]})
    assert response.status_code == 400
    assert "Choose the scheme whose areas you are saving." in response.content.decode()
    other = review_cycle(agencies=1, reviewers=1)
    foreign = expertise_area_create(
        actor=other.secretariat, scheme=other.edition.scheme, name_zh="醫療"
    )
    response = client.post(
        url, {"scheme": str(other.edition.scheme.pk), "areas": [str(foreign.pk)]}
    )
    assert response.status_code == 404
    assert not reviewer.expertise_areas.exists()
    # Someone on no panel: told so, nothing to tick.
    newcomer = UserFactory(roles=[Role.REVIEWER], full_name="新人", affiliation_type="academia")
    page = client_for(newcomer).get(url).content.decode()
    assert "You serve on no panel yet." in page and "area-choices" not in page
    # A declined invitation does not count.
    _user, member = _invite(c, "婉拒者")
    invitation_decline(actor=_user, member=member, reason="出國")
    response = client_for(_user).post(url, {"scheme": str(scheme.pk), "areas": [str(tax.pk)]})
    assert response.status_code == 404


def test_own_areas_page_keeps_a_constant_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_for(schemes: int) -> int:
        user = UserFactory(roles=[Role.REVIEWER], full_name="多獎委員", affiliation_type="academia")
        for n in range(schemes):
            c = review_cycle(agencies=1, reviewers=1)
            for name in ("稅務", "地政", "警政"):
                expertise_area_create(
                    actor=c.secretariat, scheme=c.edition.scheme, name_zh=f"{name}{n}"
                )
            member = panel_member_add(
                actor=c.secretariat, panel=c.panel, user=user, kind="reviewer"
            )
            invitation_accept(actor=user, member=member)
        client = client_for(user)
        url = reverse("scoring:my_areas")
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.content.decode().count('class="area-choices"') == schemes
        return len(ctx.captured_queries)

    assert count_for(1) == count_for(3)
