"""Deadline reminders for agencies and competent authorities (issue 18): the rules the
secretariat configures per stage (ReminderRule, audited before -> after), the opt-out a
user sets on their own messages page (audited), and the daily send (Celery beat,
awards.tasks.send_deadline_reminders): on the rule's day, in the edition's time zone,
each person of its audience who still owes something and has not opted out gets one
e-mail (and notification), once per rule and person (ReminderSent, a unique
constraint), logged on the nomination it concerns."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.audit import audit_record, config_change_record, snapshot
from workflow.outbox import mail_user
from workflow.site import site_url

from .enums import ReminderAudience, StageKind
from .messaging import Recipient, agencies_with_drafts, authorities_not_recommended
from .models import ReminderOptOut, ReminderRule, ReminderSent, Stage
from .windows import edition_today

RULE_FIELDS = ["stage_id", "audience", "days_before"]
AUDIENCES = {
    ReminderAudience.AGENCY_DRAFTS: agencies_with_drafts,
    ReminderAudience.AUTHORITY_PENDING: authorities_not_recommended,
}


class ReminderRuleError(ValidationError):
    pass


def reminder_rule_problems(stage: Stage, audience: str, days_before: int | None) -> dict:
    errors: dict[str, list[str]] = {}
    if audience not in ReminderAudience.values:
        errors["audience"] = [_("Choose who the reminder is for.")]
    elif audience == ReminderAudience.AGENCY_DRAFTS and not (
        stage.allows_dossier_edit or stage.kind == StageKind.NOMINATION
    ):
        errors["audience"] = [
            _(
                "Agencies with a draft are reminded before a stage in which dossiers are "
                "written; in “%(stage)s” they cannot change their dossier."
            )
            % {"stage": stage.name}
        ]
    elif audience == ReminderAudience.AUTHORITY_PENDING and stage.kind != StageKind.RECOMMENDATION:
        errors["audience"] = [
            _(
                "Competent authorities are reminded before the recommendation stage; "
                "“%(stage)s” is not it."
            )
            % {"stage": stage.name}
        ]
    if days_before is None:
        errors["days_before"] = [_("Enter a whole number of days.")]
    elif days_before < 0:
        errors["days_before"] = [
            _(
                "That day falls after “%(stage)s” closes on %(end)s: a reminder must come "
                "before the last day, or on it (0)."
            )
            % {"stage": stage.name, "end": stage.ends_on.isoformat()}
        ]
    elif stage.ends_on - datetime.timedelta(days=days_before) < stage.starts_on:
        errors["days_before"] = [
            _(
                "That day (%(day)s) falls before “%(stage)s” opens on %(start)s: at most "
                "%(max)s days before it closes."
            )
            % {
                "day": (stage.ends_on - datetime.timedelta(days=days_before)).isoformat(),
                "stage": stage.name,
                "start": stage.starts_on.isoformat(),
                "max": (stage.ends_on - stage.starts_on).days,
            }
        ]
    elif ReminderRule.objects.filter(
        stage=stage, audience=audience, days_before=days_before
    ).exists():
        errors["days_before"] = [_("This stage already has that reminder.")]
    return errors


def reminder_rule_add(*, actor, stage: Stage, audience: str, days_before: int | None):
    """A new deadline reminder for `stage` (audited as configuration). Refused, with a
    message per field, when its day falls after the stage closes or before it opens."""
    errors = reminder_rule_problems(stage, audience, days_before)
    if errors:
        raise ReminderRuleError(errors)
    with transaction.atomic():
        rule = ReminderRule.objects.create(stage=stage, audience=audience, days_before=days_before)
        config_change_record(
            actor=actor,
            action="config.reminder_rule_add",
            obj=rule,
            edition_id=stage.edition_id,
            before=None,
            after=snapshot(rule, RULE_FIELDS),
        )
    return rule


def reminder_rule_delete(*, actor, rule: ReminderRule) -> None:
    with transaction.atomic():
        before = snapshot(rule, RULE_FIELDS)
        config_change_record(
            actor=actor,
            action="config.reminder_rule_delete",
            obj=rule,
            edition_id=rule.stage.edition_id,
            before=before,
            after=None,
        )
        rule.delete()


def reminder_opt_out_set(*, user, opted_out: bool) -> bool:
    """The user's own choice to receive deadline reminders or not (audited). Returns
    whether anything changed."""
    with transaction.atomic():
        current = ReminderOptOut.objects.filter(user=user).exists()
        if current == opted_out:
            return False
        if opted_out:
            ReminderOptOut.objects.create(user=user)
        else:
            ReminderOptOut.objects.filter(user=user).delete()
        audit_record(
            actor=user,
            action="reminders.opt_out" if opted_out else "reminders.opt_in",
            obj=user,
            from_state="opted_out" if current else "receives",
            to_state="opted_out" if opted_out else "receives",
        )
    return True


def reminders_opted_out(user) -> bool:
    return ReminderOptOut.objects.filter(user=user).exists()


def _due_rules(now):
    """Rules whose day has come (in their edition's zone) and whose stage is still open."""
    base = now.date()
    window = datetime.timedelta(days=1)  # time zones differ from UTC by under a day
    rules = ReminderRule.objects.select_related("stage__edition").filter(
        stage__ends_on__gte=base - window
    )
    for rule in rules:
        today = edition_today(rule.stage.edition, now=now)
        if rule.send_on <= today <= rule.stage.ends_on:
            yield rule, today


def _send_one(rule: ReminderRule, recipient: Recipient, today: datetime.date) -> None:
    stage = rule.stage
    mail_user(
        recipient.user,
        kind="deadline_reminder",
        subject_template="awards/email/deadline_reminder_subject.txt",
        body_template="awards/email/deadline_reminder.txt",
        context={
            "stage": stage,
            "rule": rule,
            "agency": recipient.agency,
            "about": recipient.obj,
            "days_left": (stage.ends_on - today).days,
            "link": site_url(
                reverse("awards:dossier", kwargs={"pk": recipient.obj.pk})
                if rule.audience == ReminderAudience.AGENCY_DRAFTS
                else reverse("awards:recommendations")
            ),
        },
        obj=recipient.obj,
    )


def deadline_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send every deadline reminder that is due (see the module). Running it again sends
    nothing twice. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for rule, today in _due_rules(now):
        opted_out = set(ReminderOptOut.objects.values_list("user_id", flat=True))
        already = set(ReminderSent.objects.filter(rule=rule).values_list("user_id", flat=True))
        for recipient in AUDIENCES[rule.audience](rule.stage):
            if recipient.user.pk in opted_out or recipient.user.pk in already:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(rule=rule, user=recipient.user)
                    _send_one(rule, recipient, today)
            except IntegrityError:
                continue  # sent by a run beside this one
            sent += 1
    return sent
