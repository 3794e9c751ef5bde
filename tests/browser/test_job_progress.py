"""The embedded defaults run background jobs in a real worker process: with no Redis,
Celery talks over kombu's filesystem transport (config/settings.py), and `make run`
starts a worker beside the web server. Here a real worker process on that transport,
pointed at the live server's test database, prints the certificate batch while the
browser watches the one progress partial move, then shows the download links."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from awards.results.models import Award
from awards.results.services import serial_new
from config.celery import app
from tests.factories import AgencyFactory
from tests.results.helpers import approved_version, scored_cycle
from workflow.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
EXTRA_AWARDS = 60  # enough certificates that the batch takes a few seconds


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":  # pragma: no cover - CI has it
        pytest.fail("this test needs the PostgreSQL test database (DATABASE_URL)")
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def filesystem_worker(tmp_path):
    """start() -> a Celery worker process on the filesystem transport (the embedded
    broker), with this process's Celery app sending to it rather than running tasks
    in-process (the data is made before, with the test settings' in-process tasks)."""
    broker = tmp_path / "broker"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=_database_url(),
        CELERY_BROKER_DIR=str(broker),
        TEST_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    # The settings of the worker, read from the same module: the filesystem transport.
    options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "control_folder": str(broker / "control"),
        "store_processed": False,
        "polling_interval": 0.25,
    }
    for folder in ("queue", "control", "results"):
        (broker / folder).mkdir(parents=True)
    started = []

    def start():
        started.append(_start(env, options, broker))
        return started[0]

    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options", "result_backend")
    }
    try:
        yield start
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        for worker in started:
            worker.terminate()
            try:
                output, _ = worker.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                output, _ = worker.communicate()
            if worker.returncode not in (0, -15):
                print(output)


def _start(env, options, broker):
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app.conf.update(
        task_always_eager=False,
        broker_url="filesystem://",
        broker_transport_options=options,
        result_backend=f"file://{broker / 'results'}",
    )
    app._pool = None  # connections are made anew for the new broker
    app.amqp._producer_pool = None
    return worker


def test_the_certificate_batch_runs_in_the_worker_and_the_bar_moves(
    live_server, context, sign_in, filesystem_worker, axe_violations, shot
):
    cycle = scored_cycle(agencies=6, winners=2)
    version = approved_version(cycle)
    first = Award.objects.filter(version=version).first()
    Award.objects.bulk_create(
        [
            Award(
                version=version,
                category=first.category,
                agency=AgencyFactory(),
                order=10 + i,
                rank=10 + i,
                score=first.score,
                name_zh=first.name_zh,
                name_en=first.name_en,
                serial=serial_new(),
                issued_on=first.issued_on,
            )
            for i in range(EXTRA_AWARDS)
        ]
    )
    worker = filesystem_worker()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.secretariat, f"/cycle/results/versions/{version.pk}/")
    started = time.monotonic()
    page.get_by_role("button", name="Print all certificates").click()
    # The page comes back at once: the batch is the worker's, not the web request's.
    assert time.monotonic() - started < 3
    bar = page.locator("#job-certificates-bar")
    seen = []
    file_link = page.locator("#job-certificates-file")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not file_link.count():
        try:
            value = int(bar.get_attribute("value", timeout=500)) if bar.count() else None
        except PlaywrightError:  # htmx swapped the partial out meanwhile
            value = None
        if value is not None and (not seen or seen[-1] != value):
            seen.append(value)
            if 0 < value < 100 and not any(0 < v < 100 for v in seen[:-1]):
                shot(page, "01-certificates-in-progress-en")
        time.sleep(0.1)
    assert worker.poll() is None, "the worker process stopped"
    expect(file_link).to_be_visible()
    assert any(0 < v < 100 for v in seen), seen  # an intermediate value was shown
    assert seen == sorted(seen), seen  # and the bar only moved forwards
    expect(page.locator("#job-certificates-status")).to_have_text("Done")
    expect(page.locator("#job-certificates-zip")).to_be_visible()
    job = Job.objects.get(kind="certificates")
    assert (job.status, job.progress) == ("done", 100)
    assert (
        job.result["certificates"]
        == EXTRA_AWARDS + Award.objects.filter(version=version, order__lt=10).count()
    )
    pdf = page.request.get(live_server.url + file_link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    shot(page, "02-certificates-done-en")
    assert axe_violations(page) == []
