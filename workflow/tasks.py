"""Thin Celery wrapper around the one job runner (workflow.jobs.run)."""

from celery import shared_task


@shared_task(name="workflow.job_run", acks_late=True)
def job_run(*, job_id: int) -> dict:
    from .jobs import run

    job = run(job_id)
    return {"job_id": job.pk, "kind": job.kind, "status": job.status}
