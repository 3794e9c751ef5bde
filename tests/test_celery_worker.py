"""A real Celery worker process round-trips a task through Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="needs a Redis server: set REDIS_URL (.ci/run always does)",
)
def test_a_real_worker_runs_a_task_sent_through_redis():
    queue = f"test-{uuid.uuid4().hex[:12]}"  # our own queue: no other worker takes it
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks in-process; not here
    try:
        token = uuid.uuid4().hex
        result = app.send_task("config.ping", kwargs={"token": token}, queue=queue)
        reply = result.get(timeout=60)
        assert reply["token"] == token
        assert reply["pid"] == worker.pid  # ran in the worker process, not in-process
        assert reply["pid"] != os.getpid()
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "Traceback" not in output, output
