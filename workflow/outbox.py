"""The outbox: every e-mail the app sends is a row (workflow.models.OutboundMail).

`mail_queue()` writes the row in the caller's transaction, so a message exists exactly
when the change it tells about does, and queues the send task once that transaction
commits. The task (workflow.tasks.outbound_mail_send) calls `mail_send()`, which sends
one message; on an SMTP or network error it records the attempt and the error and lets
the task retry with exponential backoff, and after MAX_ATTEMPTS it marks the row failed.
A request never talks to the SMTP server, so an outage never turns a committed action
into an error page. `mail_retry_due()` (Celery beat) queues again the rows whose task was
lost; the secretariat sees failed mail on /mail/ and resends it (`mail_resend()`).

Status changes go through MAIL_WORKFLOW, the table below, like every workflow state.
Messages are rendered in the recipient's language (`mail_user()`, from the user's
`language` preference)."""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .links import object_link
from .models import MailStatus, Notification, OutboundMail
from .site import site_url
from .transitions import Transition, TransitionError, Workflow

logger = logging.getLogger(__name__)

S = MailStatus

MAX_ATTEMPTS = 5
# Seconds before the n-th retry: BACKOFF_BASE * 2 ** (n - 1), at most BACKOFF_MAX.
BACKOFF_BASE = 60
BACKOFF_MAX = 3600
# A queued row whose next attempt is this late has lost its task: queue it again.
LOST_AFTER = datetime.timedelta(minutes=10)
# Errors worth trying again: the SMTP server refused or failed, or the network did
# (socket errors, timeouts and refused connections are OSError).
RETRYABLE = (smtplib.SMTPException, OSError)

MAIL_WORKFLOW = Workflow(
    model=OutboundMail,
    states=MailStatus,
    field="status",
    initial=(S.QUEUED,),
    audit_action="mail.transition",
    transitions=[
        Transition("sent", (S.QUEUED,), S.SENT, _("Sent")),
        Transition("fail", (S.QUEUED,), S.FAILED, _("Give up")),
        Transition("resend", (S.FAILED,), S.QUEUED, _("Resend"), permission="workflow.resend_mail"),
    ],
)


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt (the same curve as the
    task's retry_backoff)."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


# --- queueing ------------------------------------------------------------------------


def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    language: str = "",
    user=None,
    html: str = "",
    obj: models.Model | None = None,
    link: str = "",
) -> OutboundMail:
    """Write one message to the outbox (in the caller's transaction) and send it once that
    transaction commits. Nothing here talks to the SMTP server.

    A message to a user is also their in-app notification (workflow.Notification),
    written in the same transaction, linking to `link` or to the page of `obj`
    (workflow.links)."""
    mail = OutboundMail.objects.create(
        to_address=to,
        user=user if (user is not None and user.pk) else None,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        kind=kind,
        subject=" ".join(str(subject).split())[:300],
        body=body,
        html=html,
        next_attempt_at=timezone.now(),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
    )
    if mail.user_id is not None:
        Notification.objects.create(
            user=mail.user,
            mail=mail,
            kind=mail.kind,
            subject=mail.subject,
            link=(link or object_link(obj, mail.user))[:500],
            object_type=mail.object_type,
            object_id=mail.object_id,
            object_repr=mail.object_repr,
            created_at=mail.created_at,
        )
    mail_id = mail.pk
    transaction.on_commit(lambda: _enqueue(mail_id))
    return mail


def user_language(user) -> str:
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def mail_render(language: str, subject_template: str, body_template: str, context: dict):
    """(subject, body) rendered in `language`; the context gets `site`, the declared
    site address, for absolute links."""
    context = {"site": site_url(), **context}
    with translation.override(language):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
    return subject, body


def mail_user(
    user,
    *,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict | None = None,
    obj: models.Model | None = None,
    language: str = "",
    link: str = "",
) -> OutboundMail:
    """Queue a templated message to `user`, rendered in the user's language (or
    `language`, where the mail answers what a visitor asked for in theirs)."""
    language = language or user_language(user)
    subject, body = mail_render(
        language, subject_template, body_template, {"user": user, **(context or {})}
    )
    return mail_queue(
        to=user.email,
        subject=subject,
        body=body,
        kind=kind,
        language=language,
        user=user,
        obj=obj,
        link=link,
    )


def _enqueue(mail_id: int) -> None:
    from celery.exceptions import Retry
    from kombu.exceptions import OperationalError

    from .tasks import outbound_mail_send

    try:
        outbound_mail_send.delay(mail_id=mail_id)
    except Retry:
        # Tasks run in-process and propagate their errors (the tests; `make run` without
        # a broker): the failed attempt is recorded and mail_retry_due tries again.
        logger.warning("outbox: mail %s could not be sent yet; it will be retried", mail_id)
    except OperationalError:  # the broker is down: the row waits for mail_retry_due
        logger.warning("outbox: could not queue mail %s; the periodic retry will", mail_id)


# --- sending -------------------------------------------------------------------------


def mail_send(*, mail_id: int) -> str | None:
    """Send one queued message (the task's body). Returns the row's status, or None if
    there is no such row. A row that is not queued (sent already, or failed) is left
    alone, so running it twice sends once. On a retryable error the attempt and error
    are saved and the error raised again, for the task to retry later; the last attempt
    marks the row failed instead and returns."""
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != S.QUEUED:
            return mail.status if mail is not None else None
        message = EmailMultiAlternatives(
            mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to_address]
        )
        if mail.html:
            message.attach_alternative(mail.html, "text/html")
        attempts = mail.attempts + 1
        now = timezone.now()
        try:
            message.send()
        except RETRYABLE as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if attempts >= MAX_ATTEMPTS:
                _fail(mail, attempts, error)
                return S.FAILED
            OutboundMail.objects.filter(pk=mail.pk).update(
                attempts=attempts,
                last_error=error,
                next_attempt_at=now + datetime.timedelta(seconds=backoff(attempts)),
            )
            failure = exc
        except ValueError as exc:  # a header Django refuses: trying again will not help
            _fail(mail, attempts, f"{type(exc).__name__}: {exc}"[:2000])
            return S.FAILED
        else:
            MAIL_WORKFLOW.apply(
                mail,
                S.SENT,
                actor=None,
                locked=mail,
                update={
                    "attempts": attempts,
                    "sent_at": now,
                    "last_error": "",
                    "next_attempt_at": None,
                },
            )
            return S.SENT
    # Outside the transaction, so the attempt and its error stay recorded.
    raise failure


def _fail(mail: OutboundMail, attempts: int, error: str) -> None:
    MAIL_WORKFLOW.apply(
        mail,
        S.FAILED,
        actor=None,
        locked=mail,
        reason=error,
        update={"attempts": attempts, "last_error": error, "next_attempt_at": None},
    )


def mail_retry_due(*, now: datetime.datetime | None = None) -> int:
    """Queue the send task again for every queued row whose next attempt is overdue by
    LOST_AFTER (its task was lost: a worker died, the broker restarted). Sending is
    idempotent (mail_send locks the row and sends only a queued one), so a task that
    was merely late does no harm. Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        OutboundMail.objects.filter(
            status=S.QUEUED, next_attempt_at__lte=now - LOST_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    OutboundMail.objects.filter(pk__in=due).update(next_attempt_at=now)
    for mail_id in due:
        _enqueue(mail_id)
    return len(due)


# --- the secretariat ------------------------------------------------------------------


def mail_resend(*, actor, mail: OutboundMail) -> OutboundMail:
    """The secretariat sends a failed message again: failed -> queued (audited), with a
    fresh count of attempts, sent once the transaction commits."""
    with transaction.atomic():
        current = OutboundMail.objects.select_for_update().get(pk=mail.pk)
        if current.status != S.FAILED:
            raise TransitionError(
                _("Only a message that failed can be sent again; this one is “%(status)s”.")
                % {"status": current.get_status_display()},
                code="transition",
            )
        locked = MAIL_WORKFLOW.apply(
            mail,
            S.QUEUED,
            actor=actor,
            update={"attempts": 0, "next_attempt_at": timezone.now()},
            data={"last_error": current.last_error},
            locked=current,
        )
        mail_id = locked.pk
        transaction.on_commit(lambda: _enqueue(mail_id))
    return locked
