"""The review policy page (scoring:config_review_policy) and its service
(scoring.services.review_policy_update): saves audited before → after, each bad value
refused beside its field with nothing changed, a stale save refused, 404 for others."""

import datetime

import pytest
from django.utils import translation

from agencies.enums import Role
from awards.enums import StageKind
from awards.models import Stage
from scoring.enums import Aggregation
from scoring.models import ReviewPolicy
from scoring.services import (
    ReviewPolicyError,
    ReviewPolicyStale,
    StageSettings,
    policy_fingerprint,
    policy_stages,
    review_policy,
    review_policy_update,
)
from tests.conftest import html, texts
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    EditionFactory,
    StageFactory,
    UserFactory,
    secretariat_user,
)
from workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    edition = EditionFactory()
    CategoryFactory(edition=edition)
    StageFactory(edition=edition, order=1)  # nomination: not weighed
    StageFactory(
        edition=edition,
        order=2,
        kind=StageKind.WRITTEN_REVIEW,
        name_zh="初審",
        name_en="Written review",
        allows_scoring=True,
        starts_on=datetime.date(2016, 1, 15),
        ends_on=datetime.date(2016, 2, 29),
    )
    StageFactory(
        edition=edition,
        order=3,
        kind=StageKind.SITE_VISIT,
        name_zh="決審",
        name_en="Site visit",
        allows_scoring=True,
        is_site_visit=True,
        starts_on=datetime.date(2016, 3, 1),
        ends_on=datetime.date(2016, 4, 15),
    )
    return edition


def _stages(edition):
    written, site = policy_stages(edition)
    return written, site


def _update(edition, *, weights=(30, 70), based_on=None, **overrides):
    written, site = _stages(edition)
    policy = review_policy(edition)
    values = {
        "aggregation": Aggregation.ZSCORE,
        "zscore_min_reviews": 3,
        "disagreement_percent": 25,
        "conflicts_cover_authority": False,
        **overrides,
    }
    return review_policy_update(
        edition=edition,
        actor=overrides.pop("actor", None),
        based_on=based_on or policy_fingerprint(policy, [written, site]),
        stages={
            written.pk: StageSettings(weights[0], 3, False),
            site.pk: StageSettings(weights[1], 2, True),
        },
        **values,
    )


def _state(edition):
    policy = ReviewPolicy.objects.get(edition=edition)
    return (
        [
            getattr(policy, f)
            for f in (
                "aggregation",
                "zscore_min_reviews",
                "disagreement_percent",
                "conflicts_cover_authority",
            )
        ],
        list(
            Stage.objects.filter(edition=edition)
            .order_by("order")
            .values_list("score_weight", "reviewers_per_dossier", "reviewers_see_others")
        ),
    )


def test_saving_the_policy_and_weights_is_audited_before_and_after(edition):
    _update(edition)
    assert _state(edition) == (
        [Aggregation.ZSCORE, 3, 25, False],
        [(0, 3, False), (30, 3, False), (70, 2, True)],
    )
    entries = list(
        AuditEntry.objects.filter(data__config=True).order_by("id").values_list("action", "data")
    )
    assert [(a, d["before"], d["after"], d["edition"]) for a, d in entries] == [
        (
            "review_policy.update",
            {
                "aggregation": "mean",
                "conflicts_cover_authority": True,
                "disagreement_percent": 20,
                "zscore_min_reviews": 5,
            },
            {
                "aggregation": "zscore",
                "conflicts_cover_authority": False,
                "disagreement_percent": 25,
                "zscore_min_reviews": 3,
            },
            edition.pk,
        ),
        ("stage.review_settings.update", {"score_weight": 0}, {"score_weight": 30}, edition.pk),
        (
            "stage.review_settings.update",
            {"reviewers_per_dossier": 3, "reviewers_see_others": False, "score_weight": 0},
            {"reviewers_per_dossier": 2, "reviewers_see_others": True, "score_weight": 70},
            edition.pk,
        ),
    ]


def _refused(edition, **kwargs):
    review_policy(edition)
    before = _state(edition)
    entries = AuditEntry.objects.count()
    with translation.override("en"), pytest.raises((ReviewPolicyError, ReviewPolicyStale)) as info:
        _update(edition, **kwargs)
    assert _state(edition) == before
    assert AuditEntry.objects.count() == entries
    return info.value


@pytest.mark.parametrize("weights", [(30, 69), (30, 71)])
def test_weights_summing_to_99_or_101_are_refused(edition, weights):
    error = _refused(edition, weights=weights)
    total = sum(weights)
    assert error.field_errors == {
        "weights": [
            f"The stage weights add up to {total} %; they must add up to 100 % (e.g. 30 and 70)."
        ]
    }


def test_a_zscore_minimum_of_0_is_refused(edition):
    error = _refused(edition, zscore_min_reviews=0)
    assert error.field_errors == {
        "zscore_min_reviews": [
            "The z-score minimum must be at least 1 review (1 normalises every reviewer); "
            "0 is not allowed."
        ]
    }


def test_negative_values_are_refused(edition):
    error = _refused(edition, disagreement_percent=-1, weights=(-30, 130))
    written, site = _stages(edition)
    assert error.field_errors == {
        "disagreement_percent": [
            "The disagreement threshold is a percentage from 0 to 100; -1 is not."
        ],
        f"stage-{written.pk}-score_weight": ["A weight is a percentage from 0 to 100; -30 is not."],
        f"stage-{site.pk}-score_weight": ["A weight is a percentage from 0 to 100; 130 is not."],
    }


def test_a_save_based_on_a_changed_policy_is_refused(edition):
    written, site = _stages(edition)
    old = policy_fingerprint(review_policy(edition), [written, site])
    _update(edition, weights=(40, 60))
    error = _refused(edition, based_on=old, weights=(30, 70))
    assert error.messages[0].startswith("Someone else changed this review policy")
    assert [s.score_weight for s in policy_stages(edition)] == [40, 60]


# --- the page ------------------------------------------------------------------------------


def url(edition):
    return f"/cycle/editions/{edition.pk}/configuration/review-policy/"


def _form(response) -> dict:
    tree = html(response)
    data = {}
    for el in tree.xpath("//form[contains(@class, 'policy-form')]//input[@name]"):
        kind = el.get("type")
        if kind in ("radio", "checkbox"):
            if el.get("checked") is not None:
                data[el.get("name")] = el.get("value") or "on"
        else:
            data[el.get("name")] = el.get("value") or ""
    return data


@pytest.fixture
def secretariat(client):
    client.cookies["lang"] = "en"
    user = secretariat_user()
    client.force_login(user)
    return user


def test_the_page_shows_the_policy_and_the_raw_mean_fallback(client, secretariat, edition):
    response = client.get(url(edition))
    assert response.status_code == 200
    tree = html(response)
    assert texts(tree, "//span[@id='zscore_min_reviews_helptext']") == [
        "Below this minimum the raw mean is used: under z-score, a reviewer who scored fewer "
        "than 5 dossiers in a stage and category is counted with their raw totals, not "
        "normalised (the standings mark them “raw”). 1 normalises every reviewer."
    ]
    assert texts(tree, "//tbody/tr/th") == ["Written review", "Site visit"]
    data = _form(response)
    assert data["aggregation"] == "mean"
    assert data["conflict_scope"] == "authority"


def test_the_page_saves_zscore_and_weights_30_70(client, secretariat, edition):
    data = _form(client.get(url(edition)))
    written, site = _stages(edition)
    data.update(
        {
            "aggregation": "zscore",
            "zscore_min_reviews": "3",
            f"stage-{written.pk}-score_weight": "30",
            f"stage-{site.pk}-score_weight": "70",
        }
    )
    response = client.post(url(edition), data)
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(edition=edition)
    assert (policy.aggregation, policy.zscore_min_reviews) == ("zscore", 3)
    assert [s.score_weight for s in policy_stages(edition)] == [30, 70]
    assert AuditEntry.objects.filter(actor=secretariat, data__config=True).count() == 3


def test_weights_of_99_are_refused_beside_the_field_and_typing_kept(client, secretariat, edition):
    data = _form(client.get(url(edition)))
    written, site = _stages(edition)
    data.update(
        {
            "aggregation": "median",
            f"stage-{written.pk}-score_weight": "30",
            f"stage-{site.pk}-score_weight": "69",
        }
    )
    response = client.post(url(edition), data)
    assert response.status_code == 400
    tree = html(response)
    assert texts(tree, "//ul[@id='weights-error']/li") == [
        "The stage weights add up to 99 %; they must add up to 100 % (e.g. 30 and 70)."
    ]
    again = _form(response)
    assert again[f"stage-{site.pk}-score_weight"] == "69"
    assert again["aggregation"] == "median"
    assert ReviewPolicy.objects.get(edition=edition).aggregation == "mean"
    assert [s.score_weight for s in policy_stages(edition)] == [0, 0]


def test_a_zscore_minimum_of_0_is_refused_beside_the_field(client, secretariat, edition):
    data = _form(client.get(url(edition)))
    data["zscore_min_reviews"] = "0"
    response = client.post(url(edition), data)
    assert response.status_code == 400
    assert texts(html(response), "//ul[@id='zscore_min_reviews-error']/li") == [
        "The z-score minimum must be at least 1 review (1 normalises every reviewer); "
        "0 is not allowed."
    ]


@pytest.mark.parametrize("roles", ["approver", "reviewer", "editor"])
def test_other_roles_get_404(client, edition, roles):
    role = {"approver": [Role.APPROVER], "reviewer": [Role.REVIEWER]}.get(
        roles, [(Role.AGENCY_EDITOR, AgencyFactory())]
    )
    client.force_login(UserFactory(roles=role))
    assert client.get(url(edition)).status_code == 404
    assert client.post(url(edition), {"aggregation": "median"}).status_code == 404
    assert not ReviewPolicy.objects.filter(edition=edition, aggregation="median").exists()


def test_the_demo_9th_edition_weighs_its_scoring_stages_30_70(demo):
    from awards.models import Edition

    ninth = Edition.objects.get(scheme__code="tw-gsqa", number=9)
    assert [(s.kind, s.score_weight) for s in policy_stages(ninth)] == [
        (StageKind.WRITTEN_REVIEW, 30),
        (StageKind.SITE_VISIT, 70),
    ]
