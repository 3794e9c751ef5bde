"""Shortlisting: previews by rank, count and threshold; finalists_select all or nothing,
refused with the list of which dossiers and why; audited through nomination_transition."""

import pytest
from django.utils import translation

from agencies.models import AuditEntry
from awards.enums import NominationState as S
from awards.models import Nomination
from scoring.services import ShortlistError, finalists_select, shortlist_preview, tie_decide
from tests.factories import review_cycle

from .standings_helpers import assign, give, split

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def cycle():
    """Six dossiers, each scored by reviewers r2 and r3 (mean):
    N1 900, N2 800, N3 700, N4 700 (tied, no tie-break dimension), N5 600, N6 500."""
    c = review_cycle()
    for n, total in zip(c.nominations, [900, 800, 700, 700, 600, 500], strict=True):
        for r in c.reviewers[1:3]:
            give(c, assign(c, n, r), split(total))
    return c


def names(rows):
    return [r.agency.name for r in rows]


def preview(cycle, by, value):
    return shortlist_preview(cycle.written, cycle.category, by=by, value=value)


def test_preview_by_rank_count_and_threshold(cycle):
    n = cycle.nominations
    # Rank ≤ 3 takes both dossiers tied at 3; the tie is a problem for the chair.
    p = preview(cycle, "rank", "3")
    assert p.nomination_ids == [n[0].pk, n[1].pk, n[2].pk, n[3].pk]
    assert p.problems == [
        "Household Registration Office 3, Household Registration Office 4 are tied at rank 3: the chair has to decide."
    ]
    p = preview(cycle, "count", 2)
    assert (p.nomination_ids, p.problems) == ([n[0].pk, n[1].pk], [])
    # Count 3 cuts through the tie: still a problem.
    assert preview(cycle, "count", 3).problems == p.problems + [
        "Household Registration Office 3, Household Registration Office 4 are tied at rank 3: the chair has to decide."
    ]
    p = preview(cycle, "threshold", "600")
    assert p.nomination_ids == [x.pk for x in n[:5]]
    assert preview(cycle, "threshold", "800.5").nomination_ids == [n[0].pk]


@pytest.mark.parametrize(
    ("by", "value", "message"),
    [
        ("threshold", "abc", "Threshold: enter a number of points, e.g. 750."),
        ("threshold", "", "Threshold: enter a number of points, e.g. 750."),
        ("threshold", "-1", "Threshold: enter a number of points, e.g. 750."),
        ("threshold", "1001", "Threshold: at most 1000 points, the rubric total."),
        ("count", "0", "Number of dossiers: enter a whole number of at least 1."),
        ("count", "2.5", "Number of dossiers: enter a whole number of at least 1."),
        ("rank", "x", "Top ranks: enter a whole number of at least 1."),
        ("lottery", "1", "Choose how to select: by rank, by count or by threshold."),
    ],
)
def test_preview_bad_input(cycle, by, value, message):
    with pytest.raises(ShortlistError) as exc:
        preview(cycle, by, value)
    assert exc.value.messages == [message]


def test_select_makes_finalists_and_audits(cycle):
    n = cycle.nominations
    made = finalists_select(
        actor=cycle.secretariat,
        stage=cycle.written,
        category=cycle.category,
        nomination_ids=[n[1].pk, n[0].pk],
        reason="初審前二名",
    ).made
    assert [x.pk for x in made] == [n[0].pk, n[1].pk]
    states = dict(Nomination.objects.values_list("pk", "state"))
    assert [states[x.pk] for x in n] == [S.FINALIST, S.FINALIST] + [S.ELIGIBLE] * 4
    transitions = AuditEntry.objects.filter(action="nomination.transition").order_by("id")
    assert [(e.object_id, e.from_state, e.to_state, e.reason) for e in transitions] == [
        (str(n[0].pk), "eligible", "finalist", "初審前二名"),
        (str(n[1].pk), "eligible", "finalist", "初審前二名"),
    ]
    assert transitions[0].data == {
        "stage": cycle.written.pk,
        "rank": 1,
        "score": 900.0,
        "reason_visibility": "internal",
    }
    summary = AuditEntry.objects.get(action="shortlist.select")
    assert summary.data["selected"] == [n[0].pk, n[1].pk]
    # Again: already finalists stay so, nothing new.
    assert (
        finalists_select(
            actor=cycle.secretariat,
            stage=cycle.written,
            category=cycle.category,
            nomination_ids=[n[0].pk],
        ).made
        == []
    )


def test_select_refuses_a_cut_through_an_undecided_tie_then_accepts_after_the_chair(cycle):
    n = cycle.nominations
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    with pytest.raises(ShortlistError) as exc:
        finalists_select(nomination_ids=[x.pk for x in n[:3]], **kwargs)
    assert exc.value.messages == [
        "Household Registration Office 3, Household Registration Office 4 are tied at rank 3: the chair has to decide."
    ]
    assert set(Nomination.objects.values_list("state", flat=True)) == {S.ELIGIBLE}
    assert not AuditEntry.objects.filter(action__in=["nomination.transition", "shortlist.select"])
    tie_decide(
        actor=cycle.chair,
        stage=cycle.written,
        category=cycle.category,
        ordered_nomination_ids=[n[3].pk, n[2].pk],
        reason="創新服務較具體",
    )
    made = finalists_select(nomination_ids=[n[0].pk, n[1].pk, n[3].pk], **kwargs).made
    assert [x.pk for x in made] == [n[0].pk, n[1].pk, n[3].pk]


def test_select_refuses_incomplete_standings_within_the_cut(cycle):
    n = cycle.nominations
    assign(cycle, n[1], cycle.reviewers[3])  # a third reviewer for N2 who has not submitted
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    with pytest.raises(ShortlistError) as exc:
        finalists_select(nomination_ids=[n[0].pk, n[1].pk], **kwargs)
    assert exc.value.messages == [
        "Household Registration Office 2: reviews incomplete (2 of 3 submitted)."
    ]
    assert Nomination.objects.get(pk=n[0].pk).state == S.ELIGIBLE
    # Above the incomplete one the cut is clean.
    made = finalists_select(nomination_ids=[n[0].pk], **kwargs).made
    assert [x.pk for x in made] == [n[0].pk]


def test_select_bad_input(cycle):
    n = cycle.nominations
    kwargs = {"stage": cycle.written, "category": cycle.category}
    with pytest.raises(ShortlistError) as exc:
        finalists_select(actor=cycle.secretariat, nomination_ids=[], **kwargs)
    assert exc.value.messages == ["Select at least one dossier to shortlist."]
    with pytest.raises(ShortlistError) as exc:
        finalists_select(actor=cycle.chair, nomination_ids=[n[0].pk], **kwargs)
    assert exc.value.messages == ["Only the secretariat selects finalists."]
    with pytest.raises(ShortlistError) as exc:
        finalists_select(actor=cycle.secretariat, nomination_ids=["x"], **kwargs)
    assert exc.value.messages == ["The selection names an unknown dossier."]
    with pytest.raises(ShortlistError) as exc:
        finalists_select(actor=cycle.secretariat, nomination_ids=[999999], **kwargs)
    assert exc.value.messages == ["The selection names a dossier that is not in these standings."]
    Nomination.objects.filter(pk=n[0].pk).update(state=S.SUBMITTED)
    with pytest.raises(ShortlistError) as exc:
        finalists_select(actor=cycle.secretariat, nomination_ids=[n[0].pk, n[1].pk], **kwargs)
    assert exc.value.messages == ["Household Registration Office 1 is “Submitted”, not eligible."]
    assert Nomination.objects.get(pk=n[1].pk).state == S.ELIGIBLE


# --- the plan, one transaction, the note's visibility (issue 14, points 4, 9 and 10) ---------


def test_plan_shows_the_site_visit_assignments_and_select_creates_exactly_those(cycle):
    from scoring.models import Assignment
    from scoring.services import shortlist_plan

    n = cycle.nominations
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    plan = shortlist_plan(nomination_ids=[n[0].pk, n[1].pk], **kwargs)
    assert plan.following == cycle.site_visit
    # Two reviewers (the site visit's k) and the one site assessor for each finalist.
    planned = sorted(a.key for a in plan.assignments)
    assert [(p[0], p[2]) for p in planned] == [
        (n[0].pk, "reviewer"),
        (n[0].pk, "reviewer"),
        (n[0].pk, "site_assessor"),
        (n[1].pk, "reviewer"),
        (n[1].pk, "reviewer"),
        (n[1].pk, "site_assessor"),
    ]
    # The plan writes nothing.
    assert not Assignment.objects.filter(stage=cycle.site_visit).exists()
    assert set(Nomination.objects.values_list("state", flat=True)) == {S.ELIGIBLE}
    result = finalists_select(
        nomination_ids=[n[0].pk, n[1].pk], expected=plan.fingerprint, **kwargs
    )
    assert result.following == cycle.site_visit
    assert (
        sorted(
            Assignment.objects.filter(stage=cycle.site_visit).values_list(
                "nomination_id", "reviewer_id", "kind"
            )
        )
        == planned
    )
    assert len(result.created) == 6
    summary = AuditEntry.objects.get(action="shortlist.select")
    assert (summary.data["assignments_created"], summary.data["next_stage"]) == (
        6,
        cycle.site_visit.pk,
    )


def test_a_failed_shortlist_changes_nothing_and_sends_no_mail(
    cycle, django_capture_on_commit_callbacks, mailoutbox
):
    """The site visit needs more reviewers than the panel has: refused as a whole, no
    finalist, no audit entry, no e-mail (before, the finalist state and its e-mail were
    committed and the page said "Nothing was shortlisted")."""
    from scoring.models import Assignment

    n = cycle.nominations
    cycle.site_visit.reviewers_per_dossier = 9
    cycle.site_visit.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ShortlistError) as exc:
            finalists_select(
                actor=cycle.secretariat,
                stage=cycle.written,
                category=cycle.category,
                nomination_ids=[n[0].pk],
                reason="x",
            )
    assert exc.value.messages[0] == "The finalists could not be assigned for Site visit:"
    assert exc.value.messages[1] == (
        "Automatic assignment stopped: 1 dossier cannot get enough reviewers. Nothing was assigned."
    )
    assert set(Nomination.objects.values_list("state", flat=True)) == {S.ELIGIBLE}
    assert not AuditEntry.objects.filter(
        action__in=["nomination.transition", "shortlist.select", "assignment.create"]
    )
    assert not Assignment.objects.filter(stage=cycle.site_visit).exists()
    assert (callbacks, mailoutbox) == ([], [])


def test_a_stale_preview_is_refused(cycle):
    from scoring.services import shortlist_plan

    n = cycle.nominations
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    plan = shortlist_plan(nomination_ids=[n[0].pk], **kwargs)
    # Another finalist takes the least-loaded reviewers first: the plan for N1 changes.
    finalists_select(nomination_ids=[n[1].pk], **kwargs)
    with pytest.raises(ShortlistError) as exc:
        finalists_select(nomination_ids=[n[0].pk], expected=plan.fingerprint, **kwargs)
    assert exc.value.messages == [
        "The standings or the panel changed since the preview: check the finalists and the "
        "assignments again before confirming."
    ]
    assert Nomination.objects.get(pk=n[0].pk).state == S.ELIGIBLE


def test_the_shortlisting_note_is_internal_unless_marked_for_the_agency(cycle, mailoutbox):
    from awards.enums import NoteVisibility

    n = cycle.nominations
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    finalists_select(nomination_ids=[n[0].pk], reason="主任委員裁示", **kwargs)
    finalists_select(
        nomination_ids=[n[1].pk],
        reason="請準備簡報",
        reason_visibility=NoteVisibility.AGENCY,
        **kwargs,
    )
    first, second = Nomination.objects.get(pk=n[0].pk), Nomination.objects.get(pk=n[1].pk)
    assert (first.state_reason, first.state_reason_visibility, first.agency_reason) == (
        "主任委員裁示",
        "internal",
        "",
    )
    assert (second.state_reason_visibility, second.agency_reason) == ("agency", "請準備簡報")
    with pytest.raises(ShortlistError) as exc:
        finalists_select(nomination_ids=[n[2].pk], reason_visibility="public", **kwargs)
    assert exc.value.messages == ["Choose who may read the note."]


def test_the_finalists_e_mail_carries_only_a_note_for_the_agency(
    cycle, django_capture_on_commit_callbacks, mailoutbox
):
    from agencies.enums import Role
    from awards.enums import NoteVisibility
    from tests.factories import UserFactory

    n = cycle.nominations
    first = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])], email="one@agency.test")
    second = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[1])], email="two@agency.test")
    kwargs = {"actor": cycle.secretariat, "stage": cycle.written, "category": cycle.category}
    with django_capture_on_commit_callbacks(execute=True):
        finalists_select(nomination_ids=[n[0].pk], reason="委員會內部討論：險勝", **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        finalists_select(
            nomination_ids=[n[1].pk],
            reason="請於決審準備簡報",
            reason_visibility=NoteVisibility.AGENCY,
            **kwargs,
        )
    # One message per recipient (in each one's language).
    by_to = {m.to[0]: m for m in mailoutbox}
    assert all(len(m.to) == 1 for m in mailoutbox) and len(by_to) == len(mailoutbox)
    to_first, to_second = by_to[first.email], by_to[second.email]
    assert str(n[0].agency.name_zh) in to_first.subject
    assert str(n[1].agency.name_zh) in to_second.subject
    assert "委員會內部討論" not in to_first.body
    assert "請於決審準備簡報" in to_second.body
