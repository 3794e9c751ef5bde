"""Celery application. With REDIS_URL set it talks to Redis; without, settings make
every task run in-process (task_always_eager), so the app works with nothing running."""

import os
import socket

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("award_cycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(token: str) -> dict:
    """Round-trip check used by the health test and by operators."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}


# Periodic jobs (run `celery -A config beat` beside the worker). CELERY_TIMEZONE is UTC:
# 01:00 UTC is 09:00 in Taipei and Hong Kong.
app.conf.beat_schedule = {
    "send-review-reminders": {
        "task": "scoring.send_review_reminders",
        "schedule": crontab(hour=1, minute=0),
    },
    # Deadline reminders to agencies and competent authorities (awards.ReminderRule).
    "send-deadline-reminders": {
        "task": "awards.send_deadline_reminders",
        "schedule": crontab(hour=1, minute=5),
    },
    # The mail outbox: queue again the messages whose send task was lost.
    "outbound-mail-retry-due": {
        "task": "workflow.outbound_mail_retry_due",
        "schedule": crontab(minute="*/5"),
    },
}
