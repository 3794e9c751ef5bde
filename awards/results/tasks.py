"""Thin Celery wrappers: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="results.run_job", acks_late=True)
def run_job(*, job_id: int) -> dict:
    from .services import job_execute

    job = job_execute(job_id=job_id)
    return {"job_id": job.pk, "status": job.status}
