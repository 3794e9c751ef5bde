"""Celery queues per kind of work (issue 15; config/settings.py, docs/scaling.md): a
job's task goes to its kind's queue, a mail to "mail", a certificate chunk to "pdf", a
poll import to "import", the rest to "default". Read from the filesystem broker's own
message files (the embedded broker `make run` uses), no worker running: each message's
file name ends with the queue it was sent to."""

from __future__ import annotations

import pytest
from django.db import transaction

from awards.results.tasks import certificates_chunk
from config.celery import app
from surveys.services import IMPORT_KIND
from tests.factories import AgencyFactory, UserFactory
from workflow import jobs
from workflow.tasks import outbound_mail_send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(tmp_path):
    """This process's Celery app sends to a filesystem broker in tmp_path (nothing
    consumes it); the queues whose files appear there are the answer."""
    folder = tmp_path / "queue"
    folder.mkdir()
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    app.conf.update(
        task_always_eager=False,
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "control"),
        },
    )
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield lambda: sorted(p.name.rsplit(".", 2)[-2] for p in folder.iterdir())
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


def test_each_kind_of_work_goes_to_its_queue(broker):
    user = UserFactory()
    target = AgencyFactory()
    assert broker() == []
    with transaction.atomic():
        jobs.enqueue(kind="compile", target=target, actor=user)
    assert broker() == ["default"]
    with transaction.atomic():
        jobs.enqueue(kind=IMPORT_KIND, target=target, actor=user)
    assert broker() == ["default", "import"]
    certificates_chunk.delay(job_id=1, index=0, award_ids=[1])
    outbound_mail_send.delay(mail_id=1)
    assert broker() == ["default", "import", "mail", "pdf"]


def test_a_worker_without_a_queue_option_serves_every_queue():
    """`make run` starts one worker with no -Q: it consumes every declared queue."""
    assert {q.name for q in app.amqp.queues.consume_from.values()} >= {
        "default",
        "mail",
        "import",
        "pdf",
    }
    assert jobs.queue_of("certificates") == "default"  # it only cuts the chunks
    assert jobs.queue_of(IMPORT_KIND) == "import"
