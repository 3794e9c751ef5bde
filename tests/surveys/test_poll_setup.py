"""The poll set-up services (surveys.config_services): each edit saved and audited before
→ after under the poll's edition; each refusal says why and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import rules
from django.core.exceptions import ValidationError

from surveys import config_services as cs
from surveys.models import CallAttempt, Poll, Stratum
from tests.factories import EditionFactory, HouseholdFactory, UserFactory, interviewer_user
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def _settings(poll, **changes):
    values = {f: getattr(poll, f) for f in cs.SETTING_FIELDS}
    values.update(changes)
    return values


def _refused(call, **kwargs):
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    return info.value.message_dict


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def _strata(poll):
    return [
        (s.code, s.name_zh, s.name_en, s.population_share) for s in poll.strata.order_by("order")
    ]


def _row(code, share, zh="區", en="District"):
    return {"code": code, "name_zh": zh, "name_en": en, "share": Decimal(share)}


def _call(poll, interviewer):
    household = HouseholdFactory(poll=poll, stratum=poll.strata.first())
    return CallAttempt.objects.create(
        household=household, interviewer=interviewer, disposition="non_contact"
    )


def test_settings_saved_and_audited(poll, secretariat):
    start, end = datetime.date(2003, 1, 6), datetime.date(2003, 1, 24)
    cs.poll_settings_save(
        poll=poll,
        actor=secretariat,
        values=_settings(
            poll,
            target_sample_size=4500,
            fieldwork_starts_on=start,
            fieldwork_ends_on=end,
            sampling_frame_zh="全港住宅電話號碼",
        ),
    )
    poll.refresh_from_db()
    assert (poll.target_sample_size, poll.fieldwork_starts_on, poll.fieldwork_ends_on) == (
        4500,
        start,
        end,
    )
    [entry] = _entries("config.poll_settings")
    assert entry.actor == secretariat
    assert entry.data == {
        "config": True,
        "edition": poll.edition_id,
        "before": {
            "fieldwork_ends_on": None,
            "fieldwork_starts_on": None,
            "sampling_frame_zh": "",
            "target_sample_size": 20,
        },
        "after": {
            "fieldwork_ends_on": "2003-01-24",
            "fieldwork_starts_on": "2003-01-06",
            "sampling_frame_zh": "全港住宅電話號碼",
            "target_sample_size": 4500,
        },
    }


@pytest.mark.parametrize("size", [0, -5])
def test_a_sample_size_of_zero_or_less_is_refused(poll, secretariat, size):
    errors = _refused(
        cs.poll_settings_save,
        poll=poll,
        actor=secretariat,
        values=_settings(poll, target_sample_size=size),
    )
    assert errors == {
        "target_sample_size": ["The sample size must be at least 1 completed interview."]
    }
    poll.refresh_from_db()
    assert poll.target_sample_size == 20
    assert _entries("config.poll_settings") == []


def test_fieldwork_ending_before_it_starts_is_refused(poll, secretariat):
    errors = _refused(
        cs.poll_settings_save,
        poll=poll,
        actor=secretariat,
        values=_settings(
            poll,
            fieldwork_starts_on=datetime.date(2003, 1, 24),
            fieldwork_ends_on=datetime.date(2003, 1, 6),
        ),
    )
    assert errors == {
        "fieldwork_ends_on": [
            "The fieldwork cannot end (2003-01-06) before it starts (2003-01-24)."
        ]
    }
    poll.refresh_from_db()
    assert poll.fieldwork_starts_on is None


def test_more_award_places_than_candidates_is_refused(poll, secretariat):
    errors = _refused(
        cs.poll_settings_save, poll=poll, actor=secretariat, values=_settings(poll, award_places=4)
    )
    assert errors == {
        "award_places": ["4 award places is more than the poll's 3 candidate departments."]
    }


def test_the_question_cannot_change_once_calls_were_made(poll, secretariat, interviewer):
    cs.poll_settings_save(
        poll=poll, actor=secretariat, values=_settings(poll, question_en="Which one is best?")
    )
    _call(poll, interviewer)
    errors = _refused(
        cs.poll_settings_save,
        poll=poll,
        actor=secretariat,
        values=_settings(poll, question_en="Which department is best?", target_sample_size=30),
    )
    assert errors == {
        "question_en": [
            "The question cannot change: 1 call has been made with the current wording, "
            "and its answer would no longer match it."
        ]
    }
    poll.refresh_from_db()
    assert (poll.question_en, poll.target_sample_size) == ("Which one is best?", 20)


def test_strata_replaced_and_audited(poll, secretariat):
    cs.poll_strata_save(
        poll=poll,
        actor=secretariat,
        rows=[_row("A", "50", "甲區", "District A"), _row("C", "20"), _row("B", "30", "乙區")],
    )
    assert _strata(poll) == [
        ("A", "甲區", "District A", Decimal("0.500000")),
        ("C", "區", "District", Decimal("0.200000")),
        ("B", "乙區", "District", Decimal("0.300000")),
    ]
    [entry] = _entries("config.poll_strata")
    assert entry.data["before"] == {
        "strata": [
            ["A", "甲區", "District A", "0.600000"],
            ["B", "乙區", "District B", "0.400000"],
        ]
    }
    assert entry.data["after"] == {
        "strata": [
            ["A", "甲區", "District A", "0.500000"],
            ["C", "區", "District", "0.200000"],
            ["B", "乙區", "District", "0.300000"],
        ]
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [_row("A", "60"), _row("B", "39.5")],
            "The population shares add up to 99.5 %; they must add up to 100 %.",
        ),
        (
            [_row("A", "60"), _row("B", "40.5")],
            "The population shares add up to 100.5 %; they must add up to 100 %.",
        ),
        (
            [_row("A", "100"), _row("B", "0")],
            "The share of “B” must be more than 0 % and at most 100 %.",
        ),
        ([_row("A", "60"), _row("A", "40")], "Each stratum needs its own code; repeated: A."),
        ([], "Give at least one stratum."),
    ],
)
def test_bad_strata_are_refused(poll, secretariat, rows, message):
    before = _strata(poll)
    errors = _refused(cs.poll_strata_save, poll=poll, actor=secretariat, rows=rows)
    assert errors == {"strata": [message]}
    assert _strata(poll) == before
    assert _entries("config.poll_strata") == []


def test_strata_cannot_change_after_calls(poll, secretariat, interviewer):
    _call(poll, interviewer)
    before = _strata(poll)
    errors = _refused(
        cs.poll_strata_save, poll=poll, actor=secretariat, rows=[_row("A", "50"), _row("B", "50")]
    )
    assert errors == {
        "strata": [
            "The strata cannot change: 1 call has been made, and the households already "
            "called are weighted by the current strata."
        ]
    }
    assert _strata(poll) == before


def test_a_stratum_with_sampled_households_cannot_be_removed(poll, secretariat):
    HouseholdFactory(poll=poll, stratum=Stratum.objects.get(poll=poll, code="B"))
    errors = _refused(cs.poll_strata_save, poll=poll, actor=secretariat, rows=[_row("A", "100")])
    assert errors == {
        "strata": ["The stratum B cannot be removed: sampled households belong to it."]
    }
    # Its share and name may still change.
    cs.poll_strata_save(
        poll=poll, actor=secretariat, rows=[_row("A", "55"), _row("B", "45", "乙區")]
    )
    assert Stratum.objects.get(poll=poll, code="B").population_share == Decimal("0.45")


def test_interviewers_listed_audited_and_only_they_may_call(poll, secretariat, interviewer):
    other = interviewer_user(email="iv2@example.test", full_name="訪問員 乙")
    assert rules.has_perm("surveys.conduct_interviews", other, poll)
    cs.poll_interviewers_save(poll=poll, actor=secretariat, users=[interviewer])
    assert list(poll.interviewers.all()) == [interviewer]
    [entry] = _entries("config.poll_interviewers")
    assert (entry.data["before"], entry.data["after"]) == (
        {"interviewers": []},
        {"interviewers": ["iv@example.test"]},
    )
    assert rules.has_perm("surveys.conduct_interviews", interviewer, poll)
    assert not rules.has_perm("surveys.conduct_interviews", other, poll)


def test_a_user_who_is_not_a_poll_interviewer_is_refused_by_name(poll, secretariat, interviewer):
    clerk = UserFactory(email="clerk@example.test", full_name="書記 丙")
    errors = _refused(
        cs.poll_interviewers_save, poll=poll, actor=secretariat, users=[interviewer, clerk]
    )
    assert errors == {
        "interviewers": [
            "書記 丙 cannot be listed: not a poll interviewer. Give them the poll interviewer "
            "role first."
        ]
    }
    assert list(poll.interviewers.all()) == []
    assert _entries("config.poll_interviewers") == []


def test_a_poll_for_an_edition_that_has_none(poll, secretariat):
    edition = EditionFactory()
    values = {
        "title_zh": "電話訪問",
        "question_zh": "哪一個部門最好？",
        "target_sample_size": 4500,
        "award_places": 3,
        "tie_rule": "share",
    }
    created = cs.poll_create(edition=edition, actor=secretariat, values=values)
    assert (created.status, created.edition, created.target_sample_size) == (
        "draft",
        edition,
        4500,
    )
    [entry] = _entries("config.poll_create")
    assert entry.data["before"] is None
    assert entry.data["edition"] == edition.pk
    errors = _refused(cs.poll_create, edition=edition, actor=secretariat, values=values)
    assert errors == {"edition": ["This edition already has a poll."]}
    errors = _refused(
        cs.poll_create,
        edition=EditionFactory(),
        actor=secretariat,
        values={**values, "target_sample_size": 0, "question_zh": " "},
    )
    assert errors == {
        "question_zh": ["This field is required."],
        "target_sample_size": ["The sample size must be at least 1 completed interview."],
    }
    assert Poll.objects.count() == 2


def test_candidates_replaced_in_order_and_audited(poll, secretariat):
    from tests.factories import AgencyFactory

    AgencyFactory(code="W", name_zh="W署")
    cs.poll_candidates_save(poll=poll, actor=secretariat, codes=["W", "Z", "X"])
    assert list(poll.candidates.order_by("order").values_list("agency__code", flat=True)) == [
        "W",
        "Z",
        "X",
    ]
    [entry] = _entries("config.poll_candidates")
    assert (entry.data["before"], entry.data["after"]) == (
        {"candidates": ["X", "Y", "Z"]},
        {"candidates": ["W", "Z", "X"]},
    )


@pytest.mark.parametrize(
    ("codes", "messages"),
    [
        (["X", "NOPE", "Y"], ["No agency has the code NOPE."]),
        (["X", "X", "Y"], ["Each department once; repeated: X."]),
        (["X"], ["1 candidates are fewer than the poll's 2 award places."]),
        ([], ["Give at least one candidate department."]),
    ],
)
def test_bad_candidates_are_refused(poll, secretariat, codes, messages):
    errors = _refused(cs.poll_candidates_save, poll=poll, actor=secretariat, codes=codes)
    assert errors == {"candidates": messages}
    assert poll.candidates.count() == 3


def test_candidates_cannot_change_after_calls(poll, secretariat, interviewer):
    _call(poll, interviewer)
    errors = _refused(cs.poll_candidates_save, poll=poll, actor=secretariat, codes=["X", "Y"])
    assert errors == {
        "candidates": [
            "The candidates cannot change: 1 call has been made, and the votes cast name the "
            "current candidates."
        ]
    }
    assert poll.candidates.count() == 3
