"""Two interviewers asking at the same moment never get the same household. Real
concurrency needs real row locks: PostgreSQL only (SQLite serialises writers and has
no SELECT ... FOR UPDATE, so the question does not arise there)."""

import threading

import pytest
from django.db import connection, connections

from surveys import services
from tests.factories import HouseholdFactory, PollFactory, interviewer_user


@pytest.mark.django_db(transaction=True)
def test_concurrent_leases_are_distinct():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (CI runs it with DATABASE_URL)")
    poll = PollFactory()
    for i in range(20):
        HouseholdFactory(poll=poll, ref=f"H{i:02d}")
    users = [interviewer_user() for _ in range(8)]
    got, errors = [], []
    barrier = threading.Barrier(len(users))

    def work(user):
        try:
            barrier.wait()
            got.append(services.household_lease_next(poll=poll, interviewer=user).ref)
        except Exception as exc:  # noqa: BLE001 - reported below, the thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(got) == 8
    assert len(set(got)) == 8
