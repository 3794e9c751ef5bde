"""The HK 2002–03 telephone poll for the demo (seed 000, para 6: 4,500+ households
sampled by telephone; the three departments with most votes win 最佳公眾形象獎).

Assumed, not in the seed (see docs/poll.md): the 18 districts as strata with population
shares from the 2001 census rounded, the sample of exactly 4,500 households allocated
in proportion to them, household ids, and the question's wording."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Agency
from awards import demo_data
from awards.models import Edition

from .enums import PollStatus, TieRule
from .models import Household, Poll, PollCandidate, Stratum
from .services import poll_transition

SAMPLE_SIZE = 4500

# District, Chinese name, 2001 census population in thousands (rounded; assumed figures).
HK_DISTRICTS = [
    ("CW", "中西區", "Central and Western", 262),
    ("WC", "灣仔", "Wan Chai", 167),
    ("EA", "東區", "Eastern", 616),
    ("SO", "南區", "Southern", 290),
    ("YTM", "油尖旺", "Yau Tsim Mong", 282),
    ("SSP", "深水埗", "Sham Shui Po", 354),
    ("KC", "九龍城", "Kowloon City", 381),
    ("WTS", "黃大仙", "Wong Tai Sin", 445),
    ("KT", "觀塘", "Kwun Tong", 562),
    ("KWT", "葵青", "Kwai Tsing", 477),
    ("TW", "荃灣", "Tsuen Wan", 275),
    ("TM", "屯門", "Tuen Mun", 489),
    ("YL", "元朗", "Yuen Long", 449),
    ("NO", "北區", "North", 298),
    ("TP", "大埔", "Tai Po", 311),
    ("ST", "沙田", "Sha Tin", 628),
    ("SK", "西貢", "Sai Kung", 327),
    ("IS", "離島", "Islands", 86),
]


def district_shares() -> list[tuple[str, str, str, Decimal]]:
    """Population shares to 6 decimals, the largest remainder adjusted so they sum to 1."""
    total = sum(p for *_x, p in HK_DISTRICTS)
    shares = [Decimal(p / total).quantize(Decimal("0.000001")) for *_x, p in HK_DISTRICTS]
    shares[0] += Decimal(1) - sum(shares)
    return [(c, zh, en, s) for (c, zh, en, _p), s in zip(HK_DISTRICTS, shares, strict=True)]


def allocation(n: int = SAMPLE_SIZE) -> list[int]:
    """Households per district in proportion to population (largest remainder)."""
    total = sum(p for *_x, p in HK_DISTRICTS)
    exact = [n * p / total for *_x, p in HK_DISTRICTS]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[
        : n - sum(counts)
    ]:
        counts[i] += 1
    return counts


@transaction.atomic
def load_poll_demo() -> Poll | None:
    """Create the HK 2002–03 poll with its 23 candidates, 18 strata and 4,500 sampled
    households. Idempotent: returns None and changes nothing if the poll exists (or if
    the HK demo edition is not loaded)."""
    edition = Edition.objects.filter(scheme__code="hk-csca", number=2002).first()
    if edition is None or Poll.objects.filter(edition=edition).exists():
        return None
    poll = Poll.objects.create(
        edition=edition,
        title_zh="最佳公眾形象獎住戶電話訪問",
        title_en="Best Public Image Award household telephone poll",
        question_zh="在以下參加本年度計劃的政府部門之中，你認為哪一個部門的公眾形象最好？",
        question_en="Of the government departments taking part this year, which one has the best "
        "public image?",
        suggestion_question_zh="你對政府部門改善服務有甚麼建議？",
        suggestion_question_en="What would you suggest government departments improve?",
        target_sample_size=SAMPLE_SIZE,
        award_places=3,
        tie_rule=TieRule.SHARE,
    )
    # The 23 departments that entered the award (the other 25 only exhibited).
    entrants = [code for code, *_rest in demo_data.HK_DEPARTMENTS]
    departments = Agency.objects.filter(parent__code="HK-GOV", code__in=entrants).order_by("pk")
    PollCandidate.objects.bulk_create(
        PollCandidate(poll=poll, agency=a, order=i) for i, a in enumerate(departments)
    )
    strata = Stratum.objects.bulk_create(
        Stratum(poll=poll, code=c, name_zh=zh, name_en=en, population_share=s, order=i)
        for i, (c, zh, en, s) in enumerate(district_shares())
    )
    households = []
    number = 0
    for stratum, count in zip(strata, allocation(), strict=True):
        for _ in range(count):
            number += 1
            households.append(Household(poll=poll, ref=f"HK{number:05d}", stratum=stratum))
    Household.objects.bulk_create(households, batch_size=2000)
    # The secretariat opens the fieldwork (through the poll's transition service).
    secretariat = get_user_model().objects.filter(email="secretariat@demo.test").first()
    poll_transition(poll=poll, to_state=PollStatus.FIELDWORK, actor=secretariat)
    return poll


# The demo's "true" popularity of the departments, first = most popular (assumed).
DEMO_POPULARITY = ["HK-HKO", "HK-FSD", "HK-IMMD", "HK-POST", "HK-HKPF", "HK-LCSD"]

DEMO_SUGGESTIONS = [
    "網上預約可以再簡單一點",
    "熱線等候時間太長",
    "Longer opening hours on Saturdays, please",
    "職員態度友善，繼續努力",
    "表格應提供更多網上版本",
    "",
    "",
    "",
]


def firm_file_rows(
    poll: Poll, *, skip: set[str] = frozenset(), seed: int = 2003
) -> list[list[str]]:
    """Rows the demo polling firm returns: one per household not in `skip`, with a
    reproducible mix of dispositions, votes and suggestions (RNG seeded)."""
    rng = random.Random(seed)
    codes = list(poll.candidates.order_by("order").values_list("agency__code", flat=True))
    popular = [c for c in DEMO_POPULARITY if c in codes]
    weights = [
        12 if c in popular[:1] else 10 if c in popular[1:3] else 6 if c in popular else 2
        for c in codes
    ]
    rows = []
    for ref, stratum_order in poll.households.order_by("ref").values_list("ref", "stratum__order"):
        if ref in skip:
            continue
        roll = rng.random()
        # a little lower response in some districts, so the weights matter
        complete_cut = 0.62 - 0.01 * ((stratum_order or 0) % 5)
        if roll < complete_cut:
            vote = rng.choices(codes, weights)[0]
            rows.append([ref, "complete", vote, rng.choice(DEMO_SUGGESTIONS)])
        elif roll < complete_cut + 0.03:
            rows.append([ref, "partial", "", ""])
        elif roll < complete_cut + 0.18:
            rows.append([ref, "refusal", "", ""])
        elif roll < complete_cut + 0.30:
            rows.append([ref, "non_contact", "", ""])
        else:
            rows.append([ref, "ineligible", "", ""])
    return rows


def firm_file_csv(rows: list[list[str]], encoding: str = "big5") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["住戶編號", "訪問結果", "部門代碼", "建議"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
