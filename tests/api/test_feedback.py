"""The API's feedback endpoint (issue 17): a nomination's feedback report once released,
to the agency's people and the secretariat; 404 before release and for anyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.services import token_create
from awards.results import feedback
from awards.results.models import FeedbackReport
from tests.results.helpers import approved_version
from tests.results.test_feedback import cycle, editor_of  # noqa: F401  (the fixture)

from .conftest import api_client

pytestmark = pytest.mark.django_db


def key_of(user) -> str:
    return token_create(user=user, name="機關系統").key


def test_a_released_report_for_its_agency_and_404_before_and_for_others(cycle):  # noqa: F811
    approved_version(cycle, published=True)
    feedback.feedback_prefill_all(edition=cycle.edition, actor=cycle.secretariat)
    nomination = cycle.nominations[3]
    report = FeedbackReport.objects.get(nomination=nomination)
    url = reverse("api:nomination_feedback", args=[nomination.pk])
    editor = api_client(key_of(editor_of(nomination.agency)), lang="en")
    other = api_client(key_of(editor_of(cycle.agencies[0])), lang="en")
    secretariat = api_client(key_of(cycle.secretariat), lang="en")
    # A draft: no one reads it through the API.
    for client in (editor, other, secretariat):
        assert client.get(url).status_code == 404
    feedback.feedback_release(report=report, actor=cycle.secretariat)
    answer = editor.get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["nomination"], body["score_band"]) == (nomination.pk, "600–699")
    first = body["items"][0]
    assert first["indicator_zh"] == cycle.first.name_zh
    assert "櫃臺等候時間仍長。" in first["opportunities"]
    # Reviewers stay anonymous: no name, no score of anyone.
    text = answer.content.decode()
    for reviewer in cycle.reviewers:
        assert reviewer.full_name not in text
    assert secretariat.get(url).status_code == 200
    refused = other.get(url)
    assert refused.status_code == 404
    assert refused.json()["code"] == "not_found"
    assert api_client().get(url).status_code == 401
