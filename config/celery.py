"""Celery application. With REDIS_URL set it talks to Redis; without, settings make
every task run in-process (task_always_eager), so the app works with nothing running."""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("award_cycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(token: str) -> dict:
    """Round-trip check used by the health test and by operators."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
