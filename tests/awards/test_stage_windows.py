"""Point 4 of issue 13: each action is allowed only inside its stage's window, on the
server; a refusal names the stage, its window and its time zone, and changes nothing.
Point 8: the recommendation quota counts every recommendation made in the window."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import TestCase
from django.utils import translation

from awards.enums import NominationState as S
from awards.enums import StageKind
from awards.models import Nomination
from awards.services import (
    NominationError,
    nomination_mark_eligibility,
    nomination_start,
    nomination_submit,
    nominations_recommend,
    section_save,
)
from awards.windows import stage_status, stage_window_problem, zone_label
from tests.factories import during, fill_dossier, open_cycle

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2026, 12, 2, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English (the default language is zh-Hant; these tests
    passed only when an earlier test had left English active)."""
    with translation.override("en"):
        yield


@pytest.fixture
def cycle():
    with time_machine.travel(FROZEN, tick=False):
        yield open_cycle(quota=1)


def _window(cycle, kind):
    stage = next(s for s in cycle.edition.stages.all() if s.kind == kind)
    return stage, f"{stage.starts_on.isoformat()} to {stage.ends_on.isoformat()}"


def _submitted(cycle):
    n = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    fill_dossier(n, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=n)
    n.refresh_from_db()
    return n


def test_zone_label_names_the_zone_not_only_its_identifier():
    assert zone_label("Asia/Taipei") == "Taipei time (Asia/Taipei)"
    assert zone_label("Asia/Hong_Kong") == "Hong Kong time (Asia/Hong_Kong)"
    assert zone_label("America/Lima") == "America/Lima time zone"


def test_status_is_upcoming_open_or_closed_from_now_in_the_editions_zone(cycle):
    stages = {s.kind: s for s in cycle.edition.stages.all()}
    assert stage_status(stages[StageKind.NOMINATION]) == "open"
    assert stage_status(stages[StageKind.RECOMMENDATION]) == "upcoming"
    nomination = stages[StageKind.NOMINATION]
    # 16:00 UTC on the last day is already the next day in Taipei (UTC+8)
    last = datetime.datetime.combine(nomination.ends_on, datetime.time(16), tzinfo=datetime.UTC)
    with time_machine.travel(last - datetime.timedelta(minutes=1), tick=False):
        assert stage_status(nomination) == "open"
    with time_machine.travel(last, tick=False):
        assert stage_status(nomination) == "closed"


def test_the_refusal_names_the_stage_its_window_and_zone(cycle):
    stage, window = _window(cycle, StageKind.RECOMMENDATION)
    problem = stage_window_problem(cycle.edition, StageKind.RECOMMENDATION)
    assert problem == (
        f"Not open yet: this is allowed only during “{stage.name}”, {window}, "
        "Taipei time (Asia/Taipei)."
    )
    assert stage_window_problem(cycle.edition, StageKind.NOMINATION) is None


# Each gated action: (stage kind, what it does; returns a check that nothing changed)
def _start(cycle):
    nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)


def _edit(cycle, n):
    section = n.sections.first()
    section_save(
        actor=cycle.editor, section=section, body="新文字", based_on_version=section.version
    )


def _recommend(cycle, n):
    nominations_recommend(
        actor=cycle.officer, authority=cycle.authority, edition=cycle.edition, ranking=[n.pk]
    )


def _eligible(cycle, n):
    nomination_mark_eligibility(actor=cycle.secretariat, nomination=n, eligible=True)


@pytest.mark.parametrize(
    "kind, action, state_before",
    [
        (StageKind.NOMINATION, "start", None),
        (StageKind.NOMINATION, "edit", S.DRAFT),
        (StageKind.NOMINATION, "submit", S.DRAFT),
        (StageKind.RECOMMENDATION, "recommend", S.SUBMITTED),
        (StageKind.ELIGIBILITY_CHECK, "eligible", S.RECOMMENDED),
    ],
)
@pytest.mark.parametrize("when", ["before", "inside", "after"])
def test_every_cycle_action_only_inside_its_window(cycle, kind, action, state_before, when):
    with time_machine.travel(FROZEN, tick=False):
        n = None
        if state_before == S.DRAFT:
            n = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
            fill_dossier(n, cycle.editor)
        elif state_before in (S.SUBMITTED, S.RECOMMENDED):
            n = _submitted(cycle)
    if state_before == S.RECOMMENDED:
        with during(cycle.edition, StageKind.RECOMMENDATION):
            _recommend(cycle, n)
    stage, window = _window(cycle, kind)
    moments = {
        "before": stage.starts_on - datetime.timedelta(days=1),
        "inside": stage.starts_on,
        "after": stage.ends_on + datetime.timedelta(days=1),
    }
    noon = datetime.datetime.combine(moments[when], datetime.time(12), tzinfo=cycle.edition.tzinfo)
    # the nomination stage's "before" is the day before it opened
    count = Nomination.objects.count()
    state = n and Nomination.objects.get(pk=n.pk).state
    do = {
        "start": lambda: _start(cycle),
        "edit": lambda: _edit(cycle, n),
        "submit": lambda: nomination_submit(actor=cycle.editor, nomination=n),
        "recommend": lambda: _recommend(cycle, n),
        "eligible": lambda: _eligible(cycle, n),
    }[action]
    with time_machine.travel(noon, tick=False):
        if when == "inside":
            with TestCase.captureOnCommitCallbacks(execute=False):
                do()
            return
        if action == "start" and when == "before":
            # one nomination per agency: start another agency's instead
            pass
        with pytest.raises(NominationError) as refused:
            do()
    message = " ".join(refused.value.messages)
    assert f"“{stage.name}”, {window}, Taipei time (Asia/Taipei)" in message
    assert Nomination.objects.count() == count
    if n is not None:
        assert Nomination.objects.get(pk=n.pk).state == state


def test_quota_counts_a_recommendation_that_has_been_found_eligible(cycle):
    """Point 8: quota 1, recommend, mark eligible, a second recommendation is refused."""
    with time_machine.travel(FROZEN, tick=False):
        first = _submitted(cycle)
        second_editor = cycle.editor2
        cycle.category.nominations_per_agency = 2
        cycle.category.save()
        second = nomination_start(actor=second_editor, agency=cycle.agency, category=cycle.category)
        fill_dossier(second, second_editor)
        nomination_submit(actor=second_editor, nomination=second)
    with during(cycle.edition, StageKind.RECOMMENDATION):
        _recommend(cycle, first)
    with during(cycle.edition, StageKind.ELIGIBILITY_CHECK):
        _eligible(cycle, first)
    with (
        during(cycle.edition, StageKind.RECOMMENDATION, day=1),
        pytest.raises(NominationError) as e,
    ):
        _recommend(cycle, second)
    assert e.value.messages == [
        "You recommended 1 nominations and 1 recommended earlier still count; the quota is 1."
    ]
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.state, second.recommendation_rank) == (S.SUBMITTED, None)
    assert (first.state, first.recommendation_rank) == (S.ELIGIBLE, 1)


def test_only_the_authoritys_own_withdrawal_frees_a_place(cycle):
    with time_machine.travel(FROZEN, tick=False):
        cycle.category.nominations_per_agency = 2
        cycle.category.save()
        first = _submitted(cycle)
        second = nomination_start(actor=cycle.editor2, agency=cycle.agency, category=cycle.category)
        fill_dossier(second, cycle.editor2)
        nomination_submit(actor=cycle.editor2, nomination=second)
    with during(cycle.edition, StageKind.RECOMMENDATION):
        _recommend(cycle, first)
        # taking the first off the list frees its place for the second
        nominations_recommend(
            actor=cycle.officer,
            authority=cycle.authority,
            edition=cycle.edition,
            ranking=[second.pk],
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.recommended_at) == (S.SUBMITTED, None)
    assert (second.state, second.recommendation_rank) == (S.RECOMMENDED, 1)
