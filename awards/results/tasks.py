"""Thin Celery wrappers: ids in, a service call, nothing else."""

from celery import shared_task


@shared_task(name="results.run_job", acks_late=True)
def run_job(*, job_id: int) -> dict:
    from .services import job_execute

    job = job_execute(job_id=job_id)
    return {"job_id": job.pk, "status": job.status}


@shared_task(name="results.certificates_chunk", acks_late=True)
def certificates_chunk(*, job_id: int, index: int, award_ids: list[int]) -> dict:
    """One chunk of a certificates batch, on whichever worker takes it."""
    from .certificates import certificates_chunk_run

    outcome = certificates_chunk_run(job_id=job_id, index=index, award_ids=award_ids)
    return {"job_id": job_id, "index": index, "outcome": outcome}


@shared_task(name="results.certificates_merge", acks_late=True)
def certificates_merge(*, job_id: int) -> dict:
    """The last step of a certificates batch: the chunks joined, the job finished."""
    from .certificates import certificates_merge_run

    return {"job_id": job_id, "outcome": certificates_merge_run(job_id=job_id)}
