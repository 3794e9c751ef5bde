"""E-mails of review and scoring, written to the outbox in the transaction of the change
and sent after it commits (workflow.outbox). Each recipient gets the message in their
own language (User.language); every link starts with the declared site address."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import User
from workflow.outbox import mail_user
from workflow.site import site_url


def set_password_url(user: User) -> str:
    """A one-time link to the existing password_reset_confirm page."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def reviewer_invited(*, user_id: int, panel_id: int) -> int:
    from .models import Panel

    user = User.objects.get(pk=user_id)
    panel = Panel.objects.select_related("category", "edition").get(pk=panel_id)
    member = panel.members.get(user=user)
    mail_user(
        user,
        kind="reviewer_invited",
        subject_template="scoring/email/invitation_subject.txt",
        body_template="scoring/email/invitation.txt",
        context={
            "panel": panel,
            "member": member,
            "link": set_password_url(user),
            "login": site_url(reverse("login")),
            "has_password": user.has_usable_password(),
            "respond": site_url(reverse("scoring:invitation", args=[member.pk])),
        },
        obj=member,
    )
    return 1


def recusal_told(*, recusal_id: int) -> int:
    """Tell every active secretariat user that a reviewer recused from a dossier, with a
    link to the assignments page where it can be given to someone else."""
    from agencies.enums import Role

    from .models import Recusal

    recusal = Recusal.objects.select_related(
        "reviewer", "nomination__agency", "nomination__category", "assignment__stage__edition"
    ).get(pk=recusal_id)
    assignment = recusal.assignment
    link = site_url(
        reverse("scoring:assignments", args=[assignment.stage_id, recusal.nomination.category_id])
    )
    people = (
        User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for person in people:
        mail_user(
            person,
            kind="review_recusal",
            subject_template="scoring/email/recusal_subject.txt",
            body_template="scoring/email/recusal.txt",
            context={"recusal": recusal, "a": assignment, "link": link},
            obj=assignment,
        )
        sent += 1
    return sent


def review_reminder(*, user_id: int, stage_id: int, pending: int, days_left: int) -> int:
    from awards.models import Stage

    user = User.objects.get(pk=user_id)
    stage = Stage.objects.select_related("edition").get(pk=stage_id)
    mail_user(
        user,
        kind="review_reminder",
        subject_template="scoring/email/reminder_subject.txt",
        body_template="scoring/email/reminder.txt",
        context={
            "stage": stage,
            "pending": pending,
            "days_left": days_left,
            "link": site_url(reverse("dashboard")),
        },
        obj=stage,
    )
    return 1
