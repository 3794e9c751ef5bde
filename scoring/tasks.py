"""Thin Celery wrappers: a service call, nothing else."""

from celery import shared_task


@shared_task(name="scoring.send_review_reminders", acks_late=True)
def send_review_reminders() -> int:
    from .services import reminders_send

    return reminders_send()
