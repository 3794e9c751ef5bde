"""The tally's arithmetic against figures worked out by hand (see each docstring)."""

import hashlib
from decimal import Decimal

import pytest

from surveys.statistics import Candidate, StratumInfo, rates, tally

X, Y, Z = (
    Candidate(1, "X", "甲署", "X Dept"),
    Candidate(2, "Y", "乙署", "Y Dept"),
    Candidate(3, "Z", "丙署", "Z Dept"),
)


def test_unweighted_shares_margins_and_close_call():
    """A 50, B 30, C 20 of n = 100, two places.
    MoE(A) = 1.96 * sqrt(.5 * .5 / 100) = 1.96 * .05 = .098
    MoE(B) = 1.96 * sqrt(.3 * .7 / 100) = .0898185 (6 d.p.)
    lead of B over C = .1; its MoE = 1.96 * sqrt((.3 + .2 - .1^2) / 100) = 1.96 * .07 = .1372
    so the last place is within the margin of error."""
    a, b, c = Candidate(1, "A", "", "A"), Candidate(2, "B", "", "B"), Candidate(3, "C", "", "C")
    out = tally(
        poll_id=1,
        candidates=[a, b, c],
        strata=[],
        cells={(None, 1): 50, (None, 2): 30, (None, 3): 20},
        dispositions={"complete": 100},
        places=2,
        tie_rule="share",
    )
    assert out["n_votes"] == 100
    assert out["weighted"] is False
    assert out["deff"] == 1.0
    assert [
        (r["code"], r["votes"], r["share"], r["estimate"], r["moe"], r["rank"]) for r in out["rows"]
    ] == [
        ("A", 50, 0.5, 0.5, 0.098, 1),
        ("B", 30, 0.3, 0.3, 0.089818, 2),
        ("C", 20, 0.2, 0.2, 0.0784, 3),
    ]
    assert out["winners"] == ["A", "B"]
    assert out["tie"] is None
    assert out["close_call"] == {
        "last_winner": "B",
        "next": "C",
        "lead": 0.1,
        "moe_of_lead": 0.1372,
        "within_margin": True,
    }


def test_post_stratified_shares_and_kish_design_effect():
    """Stratum A (60 % of the population): X 6, Y 2, Z 2; stratum B (40 %): X 2, Y 6, Z 2.
    Unweighted X = Y = 8/20 = .4, Z = .2.
    Weighted X = .6 * .6 + .4 * .2 = .44; Y = .6 * .2 + .4 * .6 = .36; Z = .2.
    Weights w_A = .6 / (10/20) = 1.2, w_B = .4 / (10/20) = .8; mean 1, variance .04,
    so deff = 1 + CV^2 = 1.04.
    MoE(X) = 1.96 * sqrt(1.04 * .44 * .56 / 20) = .221860
    MoE(Y) = 1.96 * sqrt(1.04 * .36 * .64 / 20) = .214535
    MoE(Z) = 1.96 * sqrt(1.04 * .2 * .8 / 20) = .178780
    Two places: X and Y; Y's lead over Z is .16, its MoE
    1.96 * sqrt(1.04 * (.36 + .2 - .16^2) / 20) = .326731: within the margin."""
    strata = [
        StratumInfo(10, "A", "甲區", "A", Decimal("0.6")),
        StratumInfo(11, "B", "乙區", "B", Decimal("0.4")),
    ]
    cells = {(10, 1): 6, (10, 2): 2, (10, 3): 2, (11, 1): 2, (11, 2): 6, (11, 3): 2}
    out = tally(
        poll_id=1,
        candidates=[X, Y, Z],
        strata=strata,
        cells=cells,
        dispositions={"complete": 20},
        places=2,
        tie_rule="share",
    )
    assert out["weighted"] is True
    assert out["deff"] == 1.04
    assert [(r["code"], r["votes"], r["share"], r["estimate"], r["moe"]) for r in out["rows"]] == [
        ("X", 8, 0.4, 0.44, 0.22186),
        ("Y", 8, 0.4, 0.36, 0.214535),
        ("Z", 4, 0.2, 0.2, 0.17878),
    ]
    assert out["strata"] == [
        {
            "code": "A",
            "name_zh": "甲區",
            "name_en": "A",
            "population_share": 0.6,
            "votes": 10,
            "weight": 1.2,
        },
        {
            "code": "B",
            "name_zh": "乙區",
            "name_en": "B",
            "population_share": 0.4,
            "votes": 10,
            "weight": 0.8,
        },
    ]
    assert out["winners"] == ["X", "Y"]
    assert out["close_call"] == {
        "last_winner": "Y",
        "next": "Z",
        "lead": 0.16,
        "moe_of_lead": 0.326731,
        "within_margin": True,
    }


def test_proportional_sample_has_design_effect_one():
    strata = [
        StratumInfo(10, "A", "", "", Decimal("0.75")),
        StratumInfo(11, "B", "", "", Decimal("0.25")),
    ]
    out = tally(
        poll_id=1,
        candidates=[X, Y],
        strata=strata,
        cells={(10, 1): 30, (10, 2): 45, (11, 1): 20, (11, 2): 5},
        dispositions={},
        places=1,
        tie_rule="share",
    )
    assert out["deff"] == 1.0
    # equals the unweighted share when the sample is proportional: 50/100
    assert [r["estimate"] for r in out["rows"]] == [0.5, 0.5]


def test_clear_lead_is_not_flagged():
    """A 700, B 200, C 100 of 1000, one place: lead .5, MoE of lead
    1.96 * sqrt((.7 + .2 - .25) / 1000) = .049970 -> not within the margin."""
    a, b, c = Candidate(1, "A", "", ""), Candidate(2, "B", "", ""), Candidate(3, "C", "", "")
    out = tally(
        poll_id=1,
        candidates=[a, b, c],
        strata=[],
        cells={(None, 1): 700, (None, 2): 200, (None, 3): 100},
        dispositions={},
        places=1,
        tie_rule="share",
    )
    assert out["close_call"] == {
        "last_winner": "A",
        "next": "B",
        "lead": 0.5,
        "moe_of_lead": 0.04997,
        "within_margin": False,
    }


def _four():
    return [Candidate(i, code, "", code) for i, code in enumerate("ABCDE", start=1)]


def test_tie_for_last_place_shared():
    """A 5, B 3, C 2, D 2, E 1 and three places: C and D tie for the third place.
    Rule 'share': both win, four winners, and the tie is recorded."""
    out = tally(
        poll_id=7,
        candidates=_four(),
        strata=[],
        cells={(None, 1): 5, (None, 2): 3, (None, 3): 2, (None, 4): 2, (None, 5): 1},
        dispositions={},
        places=3,
        tie_rule="share",
    )
    assert out["winners"] == ["A", "B", "C", "D"]
    assert out["tie"] == {"rule": "share", "codes": ["C", "D"], "places_left": 1}
    assert [r["rank"] for r in out["rows"]] == [1, 2, 3, 3, 5]
    assert out["close_call"]["last_winner"] == "C"
    assert out["close_call"]["next"] == "E"


def test_tie_for_last_place_drawn_by_lot_is_reproducible():
    """Rule 'lot': the tied candidates are ordered by sha256("poll:<id>:<code>")."""
    order = sorted("CD", key=lambda code: hashlib.sha256(f"poll:7:{code}".encode()).hexdigest())
    out = tally(
        poll_id=7,
        candidates=_four(),
        strata=[],
        cells={(None, 1): 5, (None, 2): 3, (None, 3): 2, (None, 4): 2, (None, 5): 1},
        dispositions={},
        places=3,
        tie_rule="lot",
    )
    assert out["winners"] == ["A", "B", order[0]]
    assert out["tie"] == {"rule": "lot", "codes": ["C", "D"], "places_left": 1, "draw": order}


def test_candidates_without_votes_never_win():
    out = tally(
        poll_id=1,
        candidates=_four(),
        strata=[],
        cells={(None, 1): 3},
        dispositions={},
        places=3,
        tie_rule="share",
    )
    assert out["winners"] == ["A"]
    assert out["close_call"] is None


def test_no_votes_at_all():
    out = tally(
        poll_id=1,
        candidates=_four(),
        strata=[],
        cells={},
        dispositions={},
        places=3,
        tie_rule="share",
    )
    assert out["n_votes"] == 0
    assert out["winners"] == []
    assert {r["moe"] for r in out["rows"]} == {None}


def test_aapor_rr1_and_coop1():
    """I 100, P 10, R 40, NC 30, O (callbacks) 10, ineligible 20, never reached 10:
    RR1 = 100 / (100 + 10 + 40 + 30 + 10 + 10) = .5; COOP1 = 100 / (100 + 10 + 40 + 10) = .625."""
    assert rates(
        {
            "complete": 100,
            "partial": 10,
            "refusal": 40,
            "non_contact": 30,
            "callback": 10,
            "ineligible": 20,
            "": 10,
        }
    ) == {"rr1": 0.5, "coop1": 0.625}


@pytest.mark.parametrize("dispositions", [{}, {"ineligible": 5}])
def test_rates_undefined_without_eligible_households(dispositions):
    assert rates(dispositions) == {"rr1": None, "coop1": None}
