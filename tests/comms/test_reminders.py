"""Deadline reminders (issue 18 part 2): rules per stage configured by the secretariat
(audited before -> after; a day outside the window refused beside the field), sent once
per rule and person on their day in the edition's zone, not to who opted out."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from awards.enums import NominationState
from awards.models import ReminderRule, ReminderSent, Stage
from awards.reminders import (
    ReminderRuleError,
    deadline_reminders_send,
    reminder_opt_out_set,
    reminder_rule_add,
)
from awards.services import nomination_start
from awards.tasks import send_deadline_reminders
from tests.factories import during, fill_dossier, open_cycle
from workflow.models import AuditEntry, Notification, OutboundMail

pytestmark = pytest.mark.django_db


def _nomination_stage(cycle):
    return Stage.objects.get(edition=cycle.edition, kind="nomination")


def _at(stage, days_before, hour=9):
    day = stage.ends_on - datetime.timedelta(days=days_before)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=stage.edition.tzinfo)


@pytest.fixture
def english():
    """The refusals read in English (zh-Hant is the default; without this the test passed
    only when an earlier test had left English active)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_rule_day_after_close_or_before_open_is_refused_beside_the_field(english):
    cycle = open_cycle(nomination=(-5, 10))
    stage = _nomination_stage(cycle)
    with pytest.raises(ReminderRuleError) as after:
        reminder_rule_add(
            actor=cycle.secretariat, stage=stage, audience="agency_drafts", days_before=-1
        )
    assert list(after.value.message_dict) == ["days_before"]
    assert "after" in after.value.message_dict["days_before"][0]
    with pytest.raises(ReminderRuleError) as before:
        reminder_rule_add(
            actor=cycle.secretariat, stage=stage, audience="agency_drafts", days_before=16
        )
    assert "before" in before.value.message_dict["days_before"][0]
    assert ReminderRule.objects.count() == 0
    rule = reminder_rule_add(
        actor=cycle.secretariat, stage=stage, audience="agency_drafts", days_before=15
    )
    entry = AuditEntry.objects.get(action="config.reminder_rule_add")
    assert entry.actor == cycle.secretariat
    assert entry.data["after"] == {
        "stage_id": stage.pk,
        "audience": "agency_drafts",
        "days_before": 15,
    }
    assert rule.send_on == stage.starts_on


def test_a_rule_whose_audience_does_not_fit_the_stage_is_refused(english):
    """Agencies with drafts before a stage in which dossiers are written; competent
    authorities before the recommendation stage; nowhere else."""
    cycle = open_cycle(nomination=(-5, 10))
    recommendation = Stage.objects.get(edition=cycle.edition, kind="recommendation")
    eligibility = Stage.objects.get(edition=cycle.edition, kind="eligibility_check")
    for stage, audience, expected in [
        (recommendation, "agency_drafts", "they cannot change their dossier"),
        (eligibility, "agency_drafts", "they cannot change their dossier"),
        (_nomination_stage(cycle), "authority_pending", "before the recommendation stage"),
    ]:
        with pytest.raises(ReminderRuleError) as refused:
            reminder_rule_add(
                actor=cycle.secretariat, stage=stage, audience=audience, days_before=0
            )
        assert list(refused.value.message_dict) == ["audience"]
        assert expected in refused.value.message_dict["audience"][0]
    assert ReminderRule.objects.count() == 0
    reminder_rule_add(
        actor=cycle.secretariat, stage=recommendation, audience="authority_pending", days_before=0
    )
    assert ReminderRule.objects.get().audience == "authority_pending"


def test_timetable_page_refuses_a_bad_rule_keeping_what_was_typed(client):
    cycle = open_cycle()
    stage = _nomination_stage(cycle)
    client.force_login(cycle.secretariat)
    client.cookies["lang"] = "en"
    url = reverse("awards:config_reminder_add", kwargs={"pk": cycle.edition.pk})
    data = {
        "reminder-stage": stage.pk,
        "reminder-audience": "agency_drafts",
        "reminder-days_before": "-3",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "That day falls after “Nomination” closes on" in text
    assert 'value="-3"' in text
    assert ReminderRule.objects.count() == 0
    data["reminder-days_before"] = "2"
    response = client.post(url, data)
    assert response.status_code == 302
    rule = ReminderRule.objects.get()
    page = client.get(
        reverse("awards:config_stages", kwargs={"pk": cycle.edition.pk})
    ).content.decode()
    assert f'id="reminder-rule-{rule.pk}"' in page
    client.post(
        reverse(
            "awards:config_reminder_delete", kwargs={"pk": cycle.edition.pk, "rule_pk": rule.pk}
        )
    )
    assert ReminderRule.objects.count() == 0
    assert (
        AuditEntry.objects.get(action="config.reminder_rule_delete").data["before"]["days_before"]
        == 2
    )


def test_editor_of_a_draft_is_reminded_two_days_before_once_and_opt_out_respected(
    django_capture_on_commit_callbacks,
):
    cycle = open_cycle(nomination=(-5, 10))
    stage = _nomination_stage(cycle)
    draft = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    reminder_rule_add(actor=cycle.secretariat, stage=stage, audience="agency_drafts", days_before=2)
    reminder_opt_out_set(user=cycle.editor2, opted_out=True)
    assert AuditEntry.objects.filter(action="reminders.opt_out", actor=cycle.editor2).count() == 1
    mail.outbox.clear()
    with time_machine.travel(_at(stage, 3), tick=False):
        assert deadline_reminders_send() == 0  # not its day yet
    # 00:30 Taipei on the day is still the day before in UTC: the edition's zone counts.
    with (
        time_machine.travel(_at(stage, 2, hour=0).replace(minute=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_deadline_reminders() == 1
        assert deadline_reminders_send() == 0  # once per rule and person
    sent = OutboundMail.objects.get(kind="deadline_reminder")
    assert sent.user == cycle.editor
    assert (sent.object_type, sent.object_id) == ("awards.nomination", str(draft.pk))
    assert stage.ends_on.isoformat() in sent.subject
    assert Notification.objects.get(mail=sent).user == cycle.editor
    assert ReminderSent.objects.get().user == cycle.editor
    assert [m.to for m in mail.outbox] == [[cycle.editor.email]]


def test_authority_that_has_not_recommended_is_reminded_not_after_it_did():
    cycle = open_cycle(nomination=(-5, 10), recommendation=(11, 17))
    with during(cycle.edition, "nomination"):
        nomination = nomination_start(
            actor=cycle.editor, agency=cycle.agency, category=cycle.category
        )
        fill_dossier(nomination, cycle.editor)
        from awards.services import nomination_submit

        nomination_submit(actor=cycle.editor, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.state == NominationState.SUBMITTED
    stage = Stage.objects.get(edition=cycle.edition, kind="recommendation")
    reminder_rule_add(
        actor=cycle.secretariat, stage=stage, audience="authority_pending", days_before=1
    )
    with time_machine.travel(_at(stage, 1, hour=12), tick=False):
        assert deadline_reminders_send() == 1
    sent = OutboundMail.objects.get(kind="deadline_reminder")
    assert sent.user == cycle.officer
    assert cycle.authority.name_zh in sent.body
