"""The results demo: the TW 8th edition compiled from the review demo, approved, published."""

import pytest

from awards.models import Edition
from awards.results.demo import load_results_demo
from awards.results.history import scheme_history
from awards.results.models import AwardRule, ResultVersion
from scoring.demo import load_review_demo

pytestmark = pytest.mark.django_db


def test_results_demo_publishes_the_8th_and_is_idempotent(demo):
    assert load_review_demo()
    assert load_results_demo()
    assert not load_results_demo()
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    version = ResultVersion.objects.get(edition=edition)
    assert (version.number, version.status, version.is_published) == (1, "approved", True)
    awards = list(version.awards.order_by("order"))
    assert len(awards) == 3 and all(a.serial for a in awards)
    assert [a.issued_on.isoformat() for a in awards] == ["2016-05-11"] * 3
    # History: 1st–7th as recorded, the 8th from its own data.
    history = scheme_history(edition.scheme)
    assert [(r.edition.number, r.participants, r.finalists, r.winners) for r in history.rows] == [
        (1, 150, 46, 24),
        (2, 147, 46, 28),
        (3, 156, 50, 29),
        (4, 168, 51, 32),
        (5, 173, 53, 30),
        (6, 175, 46, 30),
        (7, 174, 50, 30),
        (8, 12, 5, 3),
    ]
    total = history.recorded_total
    assert (total.participants, total.finalists, total.winners) == (1143, 342, 203)
    assert round(total.rate * 100, 1) == 17.8
    # The HK edition has its poll-decided award rule, waiting for the poll.
    assert AwardRule.objects.get(category__code="best-public-image").basis == "poll"
