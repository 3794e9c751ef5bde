"""Assigning reviewers: by hand with every refusal, automatically (k each, never a
conflicted pair, balanced, affiliation types spread, idempotent, all or nothing), and
re-assignment in bulk."""

from collections import Counter

import pytest
from django.utils import translation

from agencies.enums import AffiliationType, Role
from agencies.models import AuditEntry
from awards.enums import NominationState
from awards.models import Nomination
from scoring.enums import ConflictSource, MemberKind
from scoring.models import Assignment, PanelMember
from scoring.services import (
    AssignmentError,
    assignment_create,
    assignment_withdraw,
    assignments_auto,
    assignments_reassign,
    conflict_add,
    conflicts_declare,
)
from tests.factories import UserFactory, review_cycle, score_directly

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def active(**filters):
    return Assignment.objects.filter(withdrawn_at__isnull=True, **filters)


def reviewers_of(nomination, stage):
    return set(active(stage=stage, nomination=nomination).values_list("reviewer_id", flat=True))


def loads(stage):
    return Counter(active(stage=stage).values_list("reviewer_id", flat=True))


# --- automatic ----------------------------------------------------------------------------


def test_auto_gives_k_each_balanced_and_is_idempotent():
    c = review_cycle(agencies=6, reviewers=4, k=3)
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert len(result.created) == 18
    for nomination in c.nominations:
        assert len(reviewers_of(nomination, c.written)) == 3
    counts = loads(c.written)
    assert set(counts) == {u.pk for u in c.reviewers}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sorted(counts.values()) == [4, 4, 5, 5]
    assert [(s.nomination.pk, s.existing, len(s.added)) for s in result.summary] == [
        (n.pk, 0, 3) for n in c.nominations
    ]
    assert all(a.kind == MemberKind.REVIEWER for a in result.created)
    assert AuditEntry.objects.filter(action="assignment.create").count() == 18
    assert AuditEntry.objects.get(action="assignment.auto").to_state == "18"

    again = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert again.created == []
    assert active(stage=c.written).count() == 18
    assert [(s.existing, s.added) for s in again.summary] == [(3, [])] * 6


def test_auto_tops_up_existing_assignments_and_counts_them_in_the_load():
    c = review_cycle(agencies=2, reviewers=4, k=3)
    first, second = c.nominations
    r = c.reviewers
    for user in (r[0], r[1]):
        assignment_create(actor=c.secretariat, stage=c.written, nomination=first, reviewer=user)
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    # The first dossier only needed one more; the least loaded (r2, r3) come first.
    assert reviewers_of(first, c.written) == {r[0].pk, r[1].pk, r[2].pk}
    assert reviewers_of(second, c.written) == {r[3].pk, r[0].pk, r[1].pk}
    assert len(result.created) == 4
    counts = loads(c.written)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_auto_never_assigns_a_conflicted_pair():
    c = review_cycle(agencies=6, reviewers=4, k=3)
    # The edition's default: a conflict covers every agency under the same competent
    # authority, so this one covers the dossiers 0, 2 and 4 (all under authority 0).
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[0],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
        reason="曾任該機關顧問",
    )
    c.reviewers[1].affiliated_agency = c.agencies[1]  # automatic: dossiers 1, 3 and 5
    c.reviewers[1].save()
    c.reviewers.append(UserFactory(roles=[Role.REVIEWER], affiliation_type="academia"))
    PanelMember.objects.create(
        panel=c.panel, user=c.reviewers[-1], kind=MemberKind.REVIEWER, affiliation_type="academia"
    )
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    for i, nomination in enumerate(c.nominations):
        on_it = reviewers_of(nomination, c.written)
        assert len(on_it) == 3
        if i % 2 == 0:
            assert c.reviewers[0].pk not in on_it
        else:
            assert c.reviewers[1].pk not in on_it


def test_auto_spreads_affiliation_types_within_a_dossier():
    c = review_cycle(agencies=6, reviewers=4, k=2)
    a, b = AffiliationType.ACADEMIA, AffiliationType.GOVERNMENT
    for user, kind in zip(c.reviewers, [a, a, b, b], strict=True):
        PanelMember.objects.filter(panel=c.panel, user=user).update(affiliation_type=kind)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    for nomination in c.nominations:
        types = sorted(
            PanelMember.objects.filter(
                panel=c.panel, user__in=reviewers_of(nomination, c.written)
            ).values_list("affiliation_type", flat=True)
        )
        assert types == ["academia", "government"]
    assert sorted(loads(c.written).values()) == [3, 3, 3, 3]


def test_auto_is_deterministic():
    def run():
        c = review_cycle(agencies=5, reviewers=5, k=3)
        assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
        index = {u.pk: i for i, u in enumerate(c.reviewers)}
        return [sorted(index[pk] for pk in reviewers_of(n, c.written)) for n in c.nominations]

    assert run() == run()


def test_more_conflicts_than_reviewers_reports_and_writes_nothing():
    c = review_cycle(agencies=4, reviewers=3, k=3)
    first = c.nominations[1]
    assignment_create(
        actor=c.secretariat, stage=c.written, nomination=first, reviewer=c.reviewers[0]
    )
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[2],
        agency=c.agencies[0],  # covers dossiers 0 and 2
        source=ConflictSource.SECRETARIAT,
    )
    before_audit = AuditEntry.objects.count()
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    error = caught.value
    assert error.messages == [
        "Automatic assignment stopped: 2 dossiers cannot get enough reviewers. "
        "Nothing was assigned."
    ]
    assert [(s.nomination.pk, s.kind, s.needed, s.possible, s.reason) for s in error.report] == [
        (c.nominations[0].pk, "reviewer", 3, 2, "3 reviewers needed, 2 not conflicted"),
        (c.nominations[2].pk, "reviewer", 3, 2, "3 reviewers needed, 2 not conflicted"),
    ]
    assert active(stage=c.written).count() == 1  # only the one made by hand before
    assert AuditEntry.objects.count() == before_audit


def test_a_panel_too_small_is_reported_as_such():
    c = review_cycle(agencies=1, reviewers=2, k=3)
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert [s.reason for s in caught.value.report] == ["3 reviewers needed, the panel has only 2"]
    assert Assignment.objects.count() == 0


def test_conflict_declared_after_assignment_withdraws_it_and_auto_fills_the_gap():
    c = review_cycle(agencies=2, reviewers=4, k=3)
    assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    nomination = c.nominations[0]
    reviewer = next(u for u in c.reviewers if u.pk in reviewers_of(nomination, c.written))
    withdrawn = conflicts_declare(actor=reviewer, edition=c.edition, agencies=[c.agencies[0]])
    assert [a.nomination_id for a in withdrawn] == [nomination.pk]
    assert reviewer.pk not in reviewers_of(nomination, c.written)
    assert withdrawn[0].withdrawn_reason == (f"Conflict of interest with {c.agencies[0].name_en}")
    result = assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert len(result.created) == 1
    assert len(reviewers_of(nomination, c.written)) == 3
    assert reviewer.pk not in reviewers_of(nomination, c.written)


def test_site_visit_gives_finalists_k_reviewers_and_one_assessor():
    c = review_cycle(agencies=4, reviewers=4, site_assessors=1, k=3)
    finalists = c.nominations[:3]
    Nomination.objects.filter(pk__in=[n.pk for n in finalists]).update(
        state=NominationState.FINALIST
    )
    result = assignments_auto(actor=c.secretariat, stage=c.site_visit, category=c.category)
    assert len(result.created) == 9  # 3 × (2 reviewers + 1 assessor)
    assessor = c.assessors[0]
    for nomination in finalists:
        on_it = active(stage=c.site_visit, nomination=nomination)
        assert sorted(on_it.values_list("kind", flat=True)) == [
            "reviewer",
            "reviewer",
            "site_assessor",
        ]
        assert on_it.get(kind="site_assessor").reviewer == assessor
    assert active(stage=c.site_visit, nomination=c.nominations[3]).count() == 0


def test_site_visit_with_every_assessor_conflicted_is_reported():
    c = review_cycle(agencies=2, reviewers=3, site_assessors=1, k=3)
    Nomination.objects.filter(pk=c.nominations[0].pk).update(state=NominationState.FINALIST)
    c.assessors[0].affiliated_agency = c.agencies[0]
    c.assessors[0].save()
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(actor=c.secretariat, stage=c.site_visit, category=c.category)
    assert [(s.kind, s.reason) for s in caught.value.report] == [
        ("site_assessor", "1 site assessor needed, every one of the panel's is conflicted")
    ]
    assert Assignment.objects.count() == 0


def test_auto_refuses_a_stage_without_scoring():
    c = review_cycle(agencies=1)
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(actor=c.secretariat, stage=c.shortlisting, category=c.category)
    assert caught.value.messages == [
        "“Shortlisting” is not a scoring stage: no one is assigned in it."
    ]


# --- by hand ------------------------------------------------------------------------------


def test_assignment_create_refusals_name_the_problem():
    c = review_cycle(agencies=2, reviewers=3)
    nomination, reviewer = c.nominations[0], c.reviewers[0]
    agency = c.agencies[0].name_en

    def refused(**kwargs):
        args = {
            "actor": c.secretariat,
            "stage": c.written,
            "nomination": nomination,
            "reviewer": reviewer,
        } | kwargs
        with pytest.raises(AssignmentError) as caught:
            assignment_create(**args)
        return caught.value.messages

    assert refused(stage=c.shortlisting) == [
        "“Shortlisting” is not a scoring stage: no one is assigned in it."
    ]
    assert refused(stage=c.site_visit) == [
        f"{agency} is not finalist, so it cannot be reviewed in “Site visit”."
    ]
    assert refused(reviewer=c.outsider) == [
        "非本組評審 is not on the panel of First-line service agencies as reviewer."
    ]
    assert refused(kind=MemberKind.SITE_ASSESSOR, reviewer=c.assessors[0]) == [
        "Site-visit assessors are assigned only in site-visit stages."
    ]
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[1],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
    )
    assert refused(reviewer=c.reviewers[1]) == [
        f"評審委員2 has a conflict of interest with {agency} and cannot review it."
    ]
    assignment = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=nomination, reviewer=reviewer
    )
    assert refused() == [f"評審委員1 is already assigned to {agency} in this stage."]
    Nomination.objects.filter(pk=nomination.pk).update(state=NominationState.INELIGIBLE)
    nomination.refresh_from_db()
    assert refused(reviewer=c.reviewers[2]) == [
        f"{agency} is not eligible, so it cannot be reviewed in “Written review”."
    ]
    assert active().count() == 1
    entry = AuditEntry.objects.get(action="assignment.create")
    assert (entry.actor, entry.object_id, entry.to_state) == (
        c.secretariat,
        str(assignment.pk),
        "active",
    )


def test_withdraw_needs_a_reason_and_is_audited():
    c = review_cycle(agencies=1, reviewers=3)
    assignment = assignment_create(
        actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=c.reviewers[0]
    )
    with pytest.raises(AssignmentError) as caught:
        assignment_withdraw(actor=c.secretariat, assignment=assignment, reason="  ")
    assert caught.value.messages == ["Give a reason for withdrawing the assignment."]
    assignment.refresh_from_db()
    assert assignment.withdrawn_at is None
    assignment_withdraw(actor=c.secretariat, assignment=assignment, reason="委員請辭")
    assignment.refresh_from_db()
    assert (assignment.is_active, assignment.withdrawn_reason) == (False, "委員請辭")
    entry = AuditEntry.objects.get(action="assignment.withdraw")
    assert (entry.from_state, entry.to_state, entry.reason) == ("active", "withdrawn", "委員請辭")
    with pytest.raises(AssignmentError) as caught:
        assignment_withdraw(actor=c.secretariat, assignment=assignment, reason="again")
    assert caught.value.messages == ["This assignment has already been withdrawn."]


# --- bulk re-assignment -------------------------------------------------------------------


def test_reassign_moves_every_dossier():
    c = review_cycle(agencies=3, reviewers=4)
    r0, r3 = c.reviewers[0], c.reviewers[3]
    for nomination in c.nominations:
        assignment_create(actor=c.secretariat, stage=c.written, nomination=nomination, reviewer=r0)
    created = assignments_reassign(
        actor=c.secretariat,
        stage=c.written,
        from_reviewer=r0,
        to_reviewer=r3,
        nominations=c.nominations[:2],
        reason="委員出國",
    )
    assert [a.nomination_id for a in created] == [n.pk for n in c.nominations[:2]]
    assert set(active(reviewer=r3).values_list("nomination_id", flat=True)) == {
        n.pk for n in c.nominations[:2]
    }
    assert list(active(reviewer=r0).values_list("nomination_id", flat=True)) == [
        c.nominations[2].pk
    ]
    assert list(
        Assignment.objects.filter(reviewer=r0, withdrawn_at__isnull=False).values_list(
            "withdrawn_reason", flat=True
        )
    ) == ["委員出國", "委員出國"]


def test_reassign_is_all_or_nothing_with_a_row_report():
    c = review_cycle(agencies=4, reviewers=4)
    r0, r1 = c.reviewers[0], c.reviewers[1]
    for nomination in c.nominations[:3]:
        assignment_create(actor=c.secretariat, stage=c.written, nomination=nomination, reviewer=r0)
    submitted = active(reviewer=r0, nomination=c.nominations[1]).get()
    score_directly(submitted, {})
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=r1,
        agency=c.agencies[2],  # covers dossiers 0 and 2 (same authority)
        source=ConflictSource.SECRETARIAT,
    )
    before = list(active().values_list("pk", flat=True))
    with pytest.raises(AssignmentError) as caught:
        assignments_reassign(
            actor=c.secretariat,
            stage=c.written,
            from_reviewer=r0,
            to_reviewer=r1,
            nominations=c.nominations,
            reason="調整",
        )
    a = [ag.name_en for ag in c.agencies]
    assert caught.value.messages == ["Nothing was moved: 4 dossiers cannot be re-assigned."]
    assert [(row.nomination.pk, row.problem) for row in caught.value.report] == [
        (
            c.nominations[0].pk,
            f"評審委員2 has a conflict of interest with {a[0]} and cannot review it.",
        ),
        (c.nominations[1].pk, "評審委員1 has already submitted a review of it."),
        (
            c.nominations[2].pk,
            f"評審委員2 has a conflict of interest with {a[2]} and cannot review it.",
        ),
        (c.nominations[3].pk, "評審委員1 is not assigned to it in this stage."),
    ]
    assert list(active().values_list("pk", flat=True)) == before

    with pytest.raises(AssignmentError) as caught:
        assignments_reassign(
            actor=c.secretariat,
            stage=c.written,
            from_reviewer=r0,
            to_reviewer=r1,
            nominations=[c.nominations[3]],
            reason="",
        )
    assert caught.value.messages == ["Give a reason for the re-assignment."]


def test_report_counts_reviewers_already_on_the_dossier():
    c = review_cycle(agencies=1, reviewers=3, k=3)
    for reviewer in c.reviewers[:2]:
        assignment_create(
            actor=c.secretariat, stage=c.written, nomination=c.nominations[0], reviewer=reviewer
        )
    conflict_add(
        actor=c.secretariat,
        edition=c.edition,
        reviewer=c.reviewers[2],
        agency=c.agencies[0],
        source=ConflictSource.SECRETARIAT,
    )
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(actor=c.secretariat, stage=c.written, category=c.category)
    assert [(s.needed, s.possible, s.reason) for s in caught.value.report] == [
        (1, 0, "1 more reviewer needed besides the 2 assigned, 0 others not conflicted")
    ]


def test_auto_on_chosen_nominations_only_and_refuses_others():
    c = review_cycle(agencies=3, reviewers=3, k=2)
    result = assignments_auto(
        actor=c.secretariat, stage=c.written, category=c.category, nominations=c.nominations[:1]
    )
    assert [a.nomination_id for a in result.created] == [c.nominations[0].pk] * 2
    Nomination.objects.filter(pk=c.nominations[1].pk).update(state=NominationState.INELIGIBLE)
    with pytest.raises(AssignmentError) as caught:
        assignments_auto(
            actor=c.secretariat,
            stage=c.written,
            category=c.category,
            nominations=[c.nominations[1].pk, c.nominations[2].pk],
        )
    assert caught.value.messages == [
        "Only eligible dossiers of First-line service agencies can be assigned in this stage."
    ]
    assert active().count() == 2
