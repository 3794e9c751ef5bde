"""Thin Celery wrappers: primitive arguments in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="agencies.password_reset_mail_send", acks_late=True)
def password_reset_mail_send(email: str, language: str, **_before_the_outbox) -> int:
    # **_before_the_outbox: tasks queued before the upgrade also passed domain and
    # protocol; links now come from settings.SITE_URL.
    from .services import password_reset_mail_send as send

    return send(email=email, language=language)


@shared_task(name="agencies.agency_import", acks_late=True)
def agency_import(*, job_id: int) -> dict:
    from .importers import agency_import_execute

    job = agency_import_execute(job_id=job_id)
    return {"job_id": job.pk, "status": job.status}
