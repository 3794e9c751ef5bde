"""Thin Celery wrappers: a service call, nothing else."""

from celery import shared_task


@shared_task(name="awards.send_deadline_reminders", acks_late=True)
def send_deadline_reminders() -> int:
    from .reminders import deadline_reminders_send

    return deadline_reminders_send()
