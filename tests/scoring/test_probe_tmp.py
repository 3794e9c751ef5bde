import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.scoring.test_review_views import cycle, client_for, url, post_scores  # noqa
from scoring.services import review_open

pytestmark = pytest.mark.django_db

def test_probe(cycle):
    client = client_for(cycle.reviewer)
    client.get(url("review", cycle.assignment.pk))
    with CaptureQueriesContext(connection) as q:
        r = client.get(url("review", cycle.assignment.pk))
    assert r.status_code == 200
    print("GET", len(q))
    for x in q.captured_queries: print("  ", x["sql"][:300])
    with CaptureQueriesContext(connection) as q:
        r = client.post(url("review", cycle.assignment.pk), post_scores(cycle, ["10"]*len(cycle.indicators), version=0))
    print("POST", r.status_code, len(q))
    for x in q.captured_queries: print("  ", x["sql"][:300])
