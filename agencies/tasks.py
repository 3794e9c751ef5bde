"""Thin Celery wrappers: primitive arguments in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="agencies.password_reset_mail_send", acks_late=True)
def password_reset_mail_send(email: str, domain: str, protocol: str, language: str) -> int:
    from .services import password_reset_mail_send as send

    return send(email=email, domain=domain, protocol=protocol, language=language)
