"""Messages to a group (issue 18 part 3): the secretariat previews and sends, each
recipient in their language through the outbox, logged on what it concerns, audited;
an unknown placeholder or an empty group is refused with nothing sent. "Remind
laggards" sends the standard reminder to the reviewers with open reviews."""

import pytest
from django.urls import reverse

from awards.enums import NominationState
from awards.messaging import (
    GROUPS,
    WINNERS_WITH_OPEN_OBLIGATION,
    GroupMessageError,
    group_message_send,
)
from scoring.groups import laggards_remind
from scoring.models import Assignment
from tests.factories import review_cycle, score_directly
from workflow.models import AuditEntry, Notification, OutboundMail

pytestmark = pytest.mark.django_db

TEXTS = {
    "subject_zh": "{name} 您好：{agency} 入圍通知",
    "body_zh": "請於 {deadline} 前準備實地審查。{link}",
    "subject_en": "Dear {name}: {agency} is a finalist",
    "body_en": "Please prepare for the site visit by {deadline}. {link}",
}


@pytest.fixture
def cycle():
    cycle = review_cycle(agencies=4, reviewers=3, k=2)
    for n, reviewer in zip(cycle.nominations, [0, 1, 2, 0], strict=True):
        Assignment.objects.create(
            stage=cycle.written, nomination=n, reviewer=cycle.reviewers[reviewer]
        )
    return cycle


def test_registry_has_the_groups_and_a_named_hook_for_obligations():
    assert {"agencies_drafts", "authorities_pending", "finalists", "reviewers_open"} <= set(GROUPS)
    assert WINNERS_WITH_OPEN_OBLIGATION == "winners_open_obligation"


def test_finalists_each_get_it_in_their_language_logged_on_their_nomination(cycle):
    from awards.models import Nomination

    finalist, other = cycle.nominations[0], cycle.nominations[1]
    Nomination.objects.filter(pk__in=[finalist.pk, other.pk]).update(state=NominationState.FINALIST)
    editors = {n.pk: n.agency.role_assignments.get().user for n in (finalist, other)}
    editors[other.pk].language = "en"
    editors[other.pk].save(update_fields=["language"])
    count = group_message_send(
        actor=cycle.secretariat, stage=cycle.site_visit, group="finalists", texts=TEXTS
    )
    assert count == 2
    zh = OutboundMail.objects.get(user=editors[finalist.pk])
    en = OutboundMail.objects.get(user=editors[other.pk])
    assert zh.language == "zh-hant" and en.language == "en"
    assert (
        zh.subject
        == f"{editors[finalist.pk].get_full_name()} 您好：{finalist.agency.name_zh} 入圍通知"
    )
    assert (
        en.subject
        == f"Dear {editors[other.pk].get_full_name()}: {other.agency.name_en} is a finalist"
    )
    assert cycle.site_visit.ends_on.isoformat() in zh.body
    assert f"/cycle/nominations/{finalist.pk}/" in zh.body
    assert (zh.object_type, zh.object_id) == ("awards.nomination", str(finalist.pk))
    assert Notification.objects.filter(mail__in=[zh, en]).count() == 2
    entry = AuditEntry.objects.get(action="message.group_message")
    assert entry.actor == cycle.secretariat and entry.data["group"] == "finalists"
    assert sorted(entry.data["recipients"]) == sorted(u.pk for u in editors.values())


def test_unknown_placeholder_is_named_beside_its_field_and_nothing_sent(cycle):
    texts = {**TEXTS, "body_en": "Due {due_date}, see {link}"}
    with pytest.raises(GroupMessageError) as refused:
        group_message_send(
            actor=cycle.secretariat, stage=cycle.written, group="reviewers_open", texts=texts
        )
    assert list(refused.value.message_dict) == ["body_en"]
    assert "{due_date}" in refused.value.message_dict["body_en"][0]
    assert OutboundMail.objects.count() == 0


def test_empty_group_is_said_and_nothing_sent(cycle):
    with pytest.raises(GroupMessageError) as refused:
        group_message_send(
            actor=cycle.secretariat, stage=cycle.site_visit, group="finalists", texts=TEXTS
        )
    assert list(refused.value.message_dict) == ["group"]
    assert OutboundMail.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="message.").exists()


def test_page_preview_then_send_and_bad_inputs_keep_what_was_typed(client, cycle):
    client.force_login(cycle.secretariat)
    client.cookies["lang"] = "en"
    url = reverse("awards:group_message", kwargs={"pk": cycle.edition.pk})
    assert client.get(url).status_code == 200
    data = {"stage": cycle.written.pk, "group": "reviewers_open", **TEXTS}
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="recipients"' in text and "Send to 3 people" in text
    assert cycle.reviewers[0].get_full_name() in text
    assert OutboundMail.objects.count() == 0  # a preview sends nothing
    bad = {**data, "subject_zh": "{姓名} {nam}"}
    response = client.post(
        reverse("awards:group_message_send", kwargs={"pk": cycle.edition.pk}), bad
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Unknown placeholder: {姓名}, {nam}." in text
    assert 'value="{姓名} {nam}"' in text
    assert OutboundMail.objects.count() == 0
    empty = {**data, "stage": cycle.site_visit.pk, "group": "finalists"}
    response = client.post(url, empty)
    assert response.status_code == 400
    assert "there is no one to write to" in response.content.decode()
    response = client.post(
        reverse("awards:group_message_send", kwargs={"pk": cycle.edition.pk}), data
    )
    assert response.status_code == 302
    assert OutboundMail.objects.filter(kind="group_message").count() == 3


def test_remind_laggards_reaches_only_reviewers_with_open_reviews(client, cycle):
    # reviewer 1's only review is submitted: not a laggard
    done = Assignment.objects.get(reviewer=cycle.reviewers[1])
    score_directly(done, {})
    count = laggards_remind(actor=cycle.secretariat, stage=cycle.written, category=cycle.category)
    assert count == 2
    sent = OutboundMail.objects.filter(kind="review_laggard_reminder")
    assert sorted(m.user_id for m in sent) == sorted([cycle.reviewers[0].pk, cycle.reviewers[2].pk])
    first = sent.get(user=cycle.reviewers[0])
    assert first.object_type == "scoring.assignment"
    assert cycle.written.ends_on.isoformat() in first.subject
    assert Notification.objects.get(mail=first).link == reverse(
        "scoring:review", kwargs={"assignment_pk": int(first.object_id)}
    )
    # the review page's log shows the reviewer this message
    client.force_login(cycle.reviewers[0])
    assignment = Assignment.objects.get(pk=first.object_id)
    from scoring.selectors import assignment_messages

    assert assignment_messages(assignment, recipient=cycle.reviewers[0]) == [first]


def test_remind_laggards_confirm_page_and_empty_group(client, cycle):
    client.force_login(cycle.secretariat)
    client.cookies["lang"] = "en"
    url = reverse(
        "scoring:progress_remind",
        kwargs={"stage_pk": cycle.written.pk, "category_pk": cycle.category.pk},
    )
    text = client.get(url).content.decode()
    assert "Send the reminder to 3 reviewers" in text
    assert OutboundMail.objects.count() == 0
    for a in Assignment.objects.all():
        score_directly(a, {})
    text = client.get(url).content.decode()
    assert 'id="no-laggards"' in text and "there is no one to write to" in text
    response = client.post(url, follow=True)
    assert "there is no one to write to" in response.content.decode()
    assert OutboundMail.objects.count() == 0
