"""The demo poll (`load_poll_demo`) opens its fieldwork through the poll's transition
service, audited, instead of being created in fieldwork."""

import pytest

from surveys.demo import load_poll_demo
from surveys.enums import PollStatus
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_poll_demo_opens_fieldwork_through_the_transition_service(demo):
    poll = load_poll_demo()
    assert poll.status == PollStatus.FIELDWORK
    poll.refresh_from_db()
    assert poll.status == PollStatus.FIELDWORK
    assert [
        (e.action, e.from_state, e.to_state, e.actor.email)
        for e in AuditEntry.objects.filter(object_id=str(poll.pk), action__startswith="poll.")
    ] == [("poll.status", "draft", "fieldwork", "secretariat@demo.test")]
    assert load_poll_demo() is None  # idempotent
