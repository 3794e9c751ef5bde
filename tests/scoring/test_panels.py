"""Panel services: members need the matching role and an affiliation type, one chair,
removal refused once they have submitted, invitations by e-mail with a set-password
link, and the secretariat's removal of a conflict."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from agencies.enums import AffiliationType, Role
from agencies.models import AuditEntry, RoleAssignment, User
from scoring.enums import ConflictSource, MemberKind
from scoring.models import Assignment, Conflict, Panel, PanelMember
from scoring.services import (
    PanelError,
    assignment_create,
    conflict_add,
    conflict_remove,
    is_conflicted,
    panel_chair_set,
    panel_for,
    panel_member_add,
    panel_member_remove,
    reviewer_invite,
)
from tests.factories import CategoryFactory, UserFactory, review_cycle, score_directly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def c():
    return review_cycle(agencies=2, reviewers=3)


def test_panel_for_creates_once():
    category = CategoryFactory()
    panel = panel_for(category)
    assert (panel.edition_id, panel.category_id) == (category.edition_id, category.pk)
    assert panel_for(category) == panel
    assert Panel.objects.count() == 1


def test_member_needs_the_role_matching_the_kind_and_an_affiliation_type(c):
    plain = UserFactory(affiliation_type=AffiliationType.ACADEMIA, full_name="王教授")
    with pytest.raises(PanelError) as caught:
        panel_member_add(actor=c.secretariat, panel=c.panel, user=plain, kind=MemberKind.REVIEWER)
    assert caught.value.messages == [
        "王教授 does not hold the role “Reviewer”, so cannot serve as reviewer."
    ]
    with pytest.raises(PanelError) as caught:
        panel_member_add(
            actor=c.secretariat, panel=c.panel, user=c.outsider, kind=MemberKind.SITE_ASSESSOR
        )
    assert caught.value.messages == [
        "非本組評審 does not hold the role “Site-visit assessor”, so cannot serve as "
        "site-visit assessor."
    ]
    with pytest.raises(PanelError) as caught:
        panel_member_add(
            actor=c.secretariat, panel=c.panel, user=c.outsider, kind=MemberKind.REVIEWER
        )
    assert caught.value.messages == [
        "非本組評審 has no affiliation type: record it first (invite them again with it)."
    ]
    with pytest.raises(PanelError) as caught:
        panel_member_add(
            actor=c.secretariat, panel=c.panel, user=c.reviewers[1], kind=MemberKind.REVIEWER
        )
    assert caught.value.messages == ["評審委員2 is already on this panel."]
    assert PanelMember.objects.filter(panel=c.panel).count() == 4


def test_one_chair_a_new_chair_clears_the_old_audited(c):
    newcomer = UserFactory(roles=[Role.REVIEWER], affiliation_type=AffiliationType.LEGISLATURE)
    member = panel_member_add(
        actor=c.secretariat, panel=c.panel, user=newcomer, kind="reviewer", is_chair=True
    )
    assert member.affiliation_type == "legislature"
    assert list(
        PanelMember.objects.filter(panel=c.panel, is_chair=True).values_list("user", flat=True)
    ) == [newcomer.pk]
    assert [
        (e.action, e.from_state, e.to_state)
        for e in AuditEntry.objects.filter(action__startswith="panel.").order_by("id")
    ] == [("panel.chair_clear", "chair", "member"), ("panel.member_add", "", "chair")]

    old = PanelMember.objects.get(panel=c.panel, user=c.reviewers[0])
    panel_chair_set(actor=c.secretariat, member=old)
    assert list(
        PanelMember.objects.filter(panel=c.panel, is_chair=True).values_list("user", flat=True)
    ) == [c.reviewers[0].pk]
    assessor = PanelMember.objects.get(panel=c.panel, user=c.assessors[0])
    with pytest.raises(PanelError) as caught:
        panel_chair_set(actor=c.secretariat, member=assessor)
    assert caught.value.messages == ["Only a reviewer can chair the panel."]


def test_remove_refused_with_a_submitted_review_else_withdraws_assignments(c):
    busy, idle = c.reviewers[0], c.reviewers[1]
    done = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=busy
    )
    score_directly(done, {})
    pending = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=idle
    )
    member = PanelMember.objects.get(panel=c.panel, user=busy)
    with pytest.raises(PanelError) as caught:
        panel_member_remove(actor=c.secretariat, member=member)
    assert caught.value.messages == [
        "評審委員1 has submitted reviews in this category and cannot be removed from the "
        "panel. Reopen or withdraw those reviews first."
    ]
    assert PanelMember.objects.filter(pk=member.pk).exists()

    withdrawn = panel_member_remove(
        actor=c.secretariat, member=PanelMember.objects.get(panel=c.panel, user=idle)
    )
    assert [a.pk for a in withdrawn] == [pending.pk]
    pending.refresh_from_db()
    assert pending.withdrawn_reason == "Removed from the panel of First-line service agencies"
    assert not PanelMember.objects.filter(panel=c.panel, user=idle).exists()
    entry = AuditEntry.objects.get(action="panel.member_remove")
    assert (entry.from_state, entry.to_state, entry.data["withdrawn"]) == (
        "reviewer",
        "removed",
        1,
    )


def test_invite_creates_the_user_grants_the_role_and_mails_a_working_link(
    c, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://award.example.test"
    with django_capture_on_commit_callbacks(execute=True):
        member = reviewer_invite(
            actor=c.secretariat,
            panel=c.panel,
            email=" Lin.Prof@Example.TEST ",
            full_name="林教授",
            affiliation_type=AffiliationType.ACADEMIA,
            affiliation="國立政治大學",
            kind=MemberKind.REVIEWER,
            affiliated_agency=c.agencies[1],
        )
    user = User.objects.get(email="lin.prof@example.test")
    assert member.user == user
    assert (member.kind, member.affiliation_type, member.is_chair) == (
        "reviewer",
        "academia",
        False,
    )
    assert (user.full_name, user.affiliation, user.affiliated_agency) == (
        "林教授",
        "國立政治大學",
        c.agencies[1],
    )
    assert not user.has_usable_password()
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        "reviewer"
    ]
    # The affiliated agency is an automatic conflict.
    assert is_conflicted(c.edition, user, c.agencies[1])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lin.prof@example.test"]
    # In the new user's language: Chinese, the default.
    assert message.subject == f"評審小組邀請：{c.panel.category.name_zh}（{c.edition.name_zh}）"
    assert "林教授" in message.body
    assert "登入前，請先由此設定您的密碼（連結僅能使用一次）：" in message.body
    links = re.findall(r"https://award\.example\.test(/accounts/reset/\S+/)", message.body)
    assert len(links) == 1

    client = Client()
    response = client.get(links[0], follow=True)
    assert response.status_code == 200
    assert b'name="new_password1"' in response.content
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Kx9-panel-pass", "new_password2": "Kx9-panel-pass"})
    user.refresh_from_db()
    assert user.check_password("Kx9-panel-pass")
    assert [e.action for e in AuditEntry.objects.filter(object_id=str(user.pk)).order_by("id")][
        -1
    ] == "panel.invite"


def test_invite_reuses_an_existing_user_and_refuses_a_duplicate(
    c, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="chen@example.test", full_name="陳委員", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        member = reviewer_invite(
            actor=c.secretariat,
            panel=c.panel,
            email="CHEN@example.test",
            full_name="另一個名字",
            affiliation_type=AffiliationType.STAFF_SIDE,
            affiliation="",
            kind=MemberKind.SITE_ASSESSOR,
        )
    existing.refresh_from_db()
    assert member.user == existing
    assert (existing.full_name, existing.affiliation_type) == ("陳委員", "staff_side")
    assert existing.check_password("pw-for-tests")
    assert "You already have an account" in mail.outbox[0].body
    with pytest.raises(PanelError) as caught:
        reviewer_invite(
            actor=c.secretariat,
            panel=c.panel,
            email="chen@example.test",
            full_name="",
            affiliation_type=AffiliationType.STAFF_SIDE,
            affiliation="",
            kind=MemberKind.SITE_ASSESSOR,
        )
    assert caught.value.messages == ["陳委員 is already on this panel."]
    with pytest.raises(PanelError) as caught:
        reviewer_invite(
            actor=c.secretariat,
            panel=c.panel,
            email="new@example.test",
            full_name="",
            affiliation_type="",
            affiliation="",
            kind=MemberKind.REVIEWER,
        )
    assert caught.value.messages == ["Choose the affiliation type of the person to invite."]
    assert not User.objects.filter(email="new@example.test").exists()


def test_conflict_remove_needs_a_reason_and_is_audited(c):
    conflict, _gone = conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[0],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
        reason="親屬任職",
    )
    with pytest.raises(PanelError) as caught:
        conflict_remove(actor=c.secretariat, conflict=conflict, reason="")
    assert caught.value.messages == ["Give a reason for removing the conflict of interest."]
    assert Conflict.objects.count() == 1
    conflict_remove(actor=c.secretariat, conflict=conflict, reason="誤植")
    assert Conflict.objects.count() == 0
    entry = AuditEntry.objects.get(action="conflict.remove")
    assert (entry.from_state, entry.to_state, entry.reason) == ("secretariat", "removed", "誤植")
    assert not is_conflicted(c.edition, c.reviewers[0], c.agencies[0])
    assert Assignment.objects.count() == 0
