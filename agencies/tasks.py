"""Thin Celery wrappers: primitive arguments in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="agencies.password_reset_mail_send", acks_late=True)
def password_reset_mail_send(email: str, language: str, **_before_the_outbox) -> int:
    # **_before_the_outbox: tasks queued before the upgrade also passed domain and
    # protocol; links now come from settings.SITE_URL.
    from .services import password_reset_mail_send as send

    return send(email=email, language=language)
