"""The arithmetic of the tally, on counts already aggregated by the database.

Pure functions of plain data: no ORM here, so the same numbers can be checked by hand.
Shares and the ranking use exact fractions (ties are decided exactly, never by float
rounding); figures are rounded only when they are written into the results.

Definitions (documented in docs/poll.md):
- share of a candidate: its votes / all valid votes (complete interviews with a vote);
- post-stratification weight of a respondent in stratum h: w_h = P_h / (n_h / n), where
  P_h is the stratum's population share (renormalised over strata that have respondents);
- weighted share: sum over h of P_h * n_hc / n_h;
- Kish design effect of the weighting: deff = 1 + CV^2(w) = n * sum(w_i^2) / (sum w_i)^2;
- 95 % margin of error: 1.96 * sqrt(deff * p * (1 - p) / n);
- margin of error of a lead p1 - p2 (same sample): 1.96 * sqrt(deff * (p1 + p2 - (p1 - p2)^2) / n);
- AAPOR RR1 = I / (I + P + R + NC + O + U); COOP1 = I / (I + P + R + O), with
  O = callbacks still pending and U = households never reached by a final code yet.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Z95 = 1.96
DIGITS = 6


@dataclass(frozen=True)
class Candidate:
    id: int
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class StratumInfo:
    id: int
    code: str
    name_zh: str
    name_en: str
    population_share: Decimal


def _r(x) -> float | None:
    return None if x is None else round(float(x), DIGITS)


def moe(p: float, n: int, deff: float) -> float | None:
    if n <= 0:
        return None
    return Z95 * math.sqrt(deff * p * (1 - p) / n)


def moe_of_lead(p1: float, p2: float, n: int, deff: float) -> float | None:
    if n <= 0:
        return None
    return Z95 * math.sqrt(max(deff * (p1 + p2 - (p1 - p2) ** 2), 0.0) / n)


def lot_key(poll_id: int, code: str) -> str:
    """The reproducible draw: candidates tied for the last place are ordered by this."""
    return hashlib.sha256(f"poll:{poll_id}:{code}".encode()).hexdigest()


def rates(dispositions: dict[str, int]) -> dict:
    i = dispositions.get("complete", 0)
    p = dispositions.get("partial", 0)
    r = dispositions.get("refusal", 0)
    nc = dispositions.get("non_contact", 0)
    o = dispositions.get("callback", 0)
    u = dispositions.get("", 0)
    rr1_den = i + p + r + nc + o + u
    coop_den = i + p + r + o
    return {
        "rr1": _r(Fraction(i, rr1_den)) if rr1_den else None,
        "coop1": _r(Fraction(i, coop_den)) if coop_den else None,
    }


def tally(
    *,
    poll_id: int,
    candidates: list[Candidate],
    strata: list[StratumInfo],
    cells: dict[tuple[int | None, int], int],
    dispositions: dict[str, int],
    places: int,
    tie_rule: str,
) -> dict:
    """cells: (stratum id or None, candidate id) -> votes, as counted by the database."""
    by_candidate = {c.id: 0 for c in candidates}
    by_stratum: dict[int | None, int] = {}
    for (stratum_id, candidate_id), count in cells.items():
        by_candidate[candidate_id] = by_candidate.get(candidate_id, 0) + count
        by_stratum[stratum_id] = by_stratum.get(stratum_id, 0) + count
    n = sum(by_candidate.values())
    warnings: list[str] = []

    weighted = bool(strata)
    deff = 1.0
    estimate: dict[int, Fraction] = {
        c.id: (Fraction(by_candidate[c.id], n) if n else Fraction(0)) for c in candidates
    }
    strata_rows = []
    if weighted:
        reached = [s for s in strata if by_stratum.get(s.id, 0) > 0]
        unstratified = by_stratum.get(None, 0)
        if unstratified:
            warnings.append("unstratified_votes")
        if len(reached) < len(strata):
            warnings.append("empty_strata")
        share_total = sum((Fraction(s.population_share) for s in reached), Fraction(0))
        n_w = sum(by_stratum[s.id] for s in reached)
        weights: dict[int, Fraction] = {}
        if n_w and share_total:
            for s in reached:
                weights[s.id] = Fraction(s.population_share) / share_total * n_w / by_stratum[s.id]
            estimate = {}
            for c in candidates:
                estimate[c.id] = sum(
                    (
                        Fraction(s.population_share)
                        / share_total
                        * Fraction(cells.get((s.id, c.id), 0), by_stratum[s.id])
                        for s in reached
                    ),
                    Fraction(0),
                )
            # deff = n * sum(w^2) / (sum w)^2 over the n_w weighted respondents
            sum_w = sum(by_stratum[s.id] * weights[s.id] for s in reached)
            sum_w2 = sum(by_stratum[s.id] * weights[s.id] ** 2 for s in reached)
            deff = float(n_w * sum_w2 / (sum_w * sum_w))
            n = n_w
        for s in strata:
            strata_rows.append(
                {
                    "code": s.code,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "population_share": _r(s.population_share),
                    "votes": by_stratum.get(s.id, 0),
                    "weight": _r(weights.get(s.id)) if s.id in weights else None,
                }
            )

    rows = []
    for c in candidates:
        p = float(estimate[c.id])
        rows.append(
            {
                "candidate_id": c.id,
                "code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "votes": by_candidate[c.id],
                "share": _r(Fraction(by_candidate[c.id], sum(by_candidate.values())))
                if n
                else None,
                "estimate": _r(estimate[c.id]) if n else None,
                "moe": _r(moe(p, n, deff)),
                "_exact": estimate[c.id],
            }
        )
    rows.sort(key=lambda r: (-r["_exact"], -r["votes"], r["code"]))
    # Competition ranking ("1224"): equal estimates share a rank.
    for i, row in enumerate(rows):
        if i and row["_exact"] == rows[i - 1]["_exact"]:
            row["rank"] = rows[i - 1]["rank"]
        else:
            row["rank"] = i + 1

    eligible = [r for r in rows if r["votes"] > 0]
    winners: list[dict] = []
    tie = None
    if eligible and places > 0:
        if len(eligible) <= places:
            winners = list(eligible)
        else:
            boundary = eligible[places - 1]["_exact"]
            above = [r for r in eligible if r["_exact"] > boundary]
            tied = [r for r in eligible if r["_exact"] == boundary]
            left = places - len(above)
            if len(tied) <= left:
                winners = above + tied
            else:
                tie = {
                    "rule": tie_rule,
                    "codes": [r["code"] for r in tied],
                    "places_left": left,
                }
                if tie_rule == "lot":
                    drawn = sorted(tied, key=lambda r: lot_key(poll_id, r["code"]))
                    tie["draw"] = [r["code"] for r in drawn]
                    winners = above + drawn[:left]
                else:
                    winners = above + tied
    winner_codes = {r["code"] for r in winners}
    for row in rows:
        row["winner"] = row["code"] in winner_codes

    close_call = None
    runners_up = [r for r in eligible if r["code"] not in winner_codes]
    if winners and runners_up and n:
        last = min(winners, key=lambda r: (r["_exact"], r["code"]))
        nxt = runners_up[0]
        p1, p2 = float(last["_exact"]), float(nxt["_exact"])
        lead = last["_exact"] - nxt["_exact"]
        margin = moe_of_lead(p1, p2, n, deff)
        close_call = {
            "last_winner": last["code"],
            "next": nxt["code"],
            "lead": _r(lead),
            "moe_of_lead": _r(margin),
            "within_margin": float(lead) <= margin,
        }
    for row in rows:
        del row["_exact"]

    return {
        "n_votes": sum(by_candidate.values()),
        "n_weighted": n,
        "weighted": weighted,
        "deff": _r(deff),
        "dispositions": dict(sorted(dispositions.items())),
        **rates(dispositions),
        "rows": rows,
        "winners": [r["code"] for r in winners],
        "tie": tie,
        "close_call": close_call,
        "strata": strata_rows,
        "warnings": warnings,
        "places": places,
    }
