"""Thin Celery wrappers: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="surveys.poll_tally", acks_late=True)
def poll_tally(*, run_id: int) -> dict:
    from .services import poll_tally_execute

    run = poll_tally_execute(run_id=run_id)
    return {"run_id": run.pk, "status": run.status}


@shared_task(name="surveys.poll_import", acks_late=True)
def poll_import(*, import_id: int) -> dict:
    from .services import import_execute

    imp = import_execute(import_id=import_id)
    return {"import_id": imp.pk, "status": imp.status, "job_status": imp.job_status}
