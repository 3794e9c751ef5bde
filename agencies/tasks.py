"""Thin Celery wrappers: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="agencies.agency_import", acks_late=True)
def agency_import(*, job_id: int) -> dict:
    from .importers import agency_import_execute

    job = agency_import_execute(job_id=job_id)
    return {"job_id": job.pk, "status": job.status}
