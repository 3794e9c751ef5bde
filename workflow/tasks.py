"""Thin Celery wrappers: primitive arguments in, a service call, nothing else."""

import smtplib

from celery import shared_task


@shared_task(name="workflow.job_run", acks_late=True)
def job_run(*, job_id: int) -> dict:
    """The one job runner (workflow.jobs.run)."""
    from .jobs import run

    job = run(job_id)
    return {"job_id": job.pk, "kind": job.kind, "status": job.status}


# --- the mail outbox (workflow.outbox) ------------------------------------------------

# Must match workflow.outbox.MAX_ATTEMPTS / BACKOFF_BASE / BACKOFF_MAX (the service marks
# the row failed on its last attempt, so Celery's own limit is only a backstop).
_MAIL_MAX_ATTEMPTS = 5


@shared_task(
    name="workflow.outbound_mail_send",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=_MAIL_MAX_ATTEMPTS,
)
def outbound_mail_send(*, mail_id: int) -> str | None:
    from .outbox import mail_send

    return mail_send(mail_id=mail_id)


@shared_task(name="workflow.outbound_mail_retry_due", acks_late=True)
def outbound_mail_retry_due() -> int:
    from .outbox import mail_retry_due

    return mail_retry_due()


# --- end of the mail outbox -------------------------------------------------------------
