import pytest

from tests.factories import (
    AgencyFactory,
    PollCandidateFactory,
    PollFactory,
    StratumFactory,
    interviewer_user,
    secretariat_user,
)


@pytest.fixture
def poll(db):
    """A poll in fieldwork with three candidates (codes X, Y, Z) and two strata
    (A 60 %, B 40 %)."""
    poll = PollFactory(target_sample_size=20, award_places=2)
    for i, code in enumerate("XYZ"):
        PollCandidateFactory(
            poll=poll,
            order=i,
            agency=AgencyFactory(code=code, name_zh=f"{code}署", name_en=f"{code} Dept"),
        )
    StratumFactory(
        poll=poll, code="A", name_zh="甲區", name_en="District A", population_share="0.6", order=1
    )
    StratumFactory(
        poll=poll, code="B", name_zh="乙區", name_en="District B", population_share="0.4", order=2
    )
    return poll


@pytest.fixture
def cand(poll):
    return {c.agency.code: c for c in poll.candidates.select_related("agency")}


@pytest.fixture
def strata(poll):
    return {s.code: s for s in poll.strata.all()}


@pytest.fixture
def secretariat(db):
    return secretariat_user(email="sec@example.test", full_name="秘書處 測試")


@pytest.fixture
def interviewer(db):
    return interviewer_user(email="iv@example.test", full_name="訪問員 甲")


@pytest.fixture(autouse=True)
def english():
    """Service and form messages are asserted in English; views set the `lang` cookie."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def en_client(client):
    client.cookies["lang"] = "en"
    return client
