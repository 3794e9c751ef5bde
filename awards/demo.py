"""Load the demo award cycles (both seed schemes) through the services.

Rubrics are created through awards' own category_rubric_create (rubrics below awards).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from agencies.services import agency_create, user_create

from . import demo_data as data
from .enums import CategoryKind
from .models import AwardScheme, Category, Edition, Stage
from .services import category_rubric_clone, category_rubric_create


def _agency_tree(nodes, parent=None):
    for code, zh, en, kind, is_ca, children in nodes:
        agency = agency_create(
            parent=parent,
            code=code,
            name_zh=zh,
            name_en=en,
            agency_type=kind,
            is_competent_authority=is_ca,
        )
        _agency_tree(children, agency)


def _stages(edition, rows):
    Stage.objects.bulk_create(
        Stage(
            edition=edition,
            kind=kind,
            name_zh=zh,
            name_en=en,
            starts_on=start,
            ends_on=end,
            order=order,
            **flags,
        )
        for order, (kind, zh, en, start, end, flags) in enumerate(rows, start=1)
    )


def _load_taiwan():
    scheme = AwardScheme.objects.create(**data.TW_SCHEME)
    for number, participants, finalists, winners in data.TW_HISTORY:
        Edition.objects.create(
            scheme=scheme,
            number=number,
            name_zh=f"第{data.ORDINALS_ZH[number - 1]}屆政府服務品質獎",
            name_en=f"{data.ORDINALS_EN[number - 1]} Government Service Quality Award",
            time_zone="Asia/Taipei",
            recorded_participants=participants,
            recorded_finalists=finalists,
            recorded_winners=winners,
        )
    edition = Edition.objects.create(
        scheme=scheme,
        number=8,
        year_label="2016（民國105年）",
        name_zh="第八屆政府服務品質獎",
        name_en="8th Government Service Quality Award",
        time_zone="Asia/Taipei",
        uses_recommendation=True,
    )
    first_line = Category.objects.create(
        edition=edition,
        code="first-line",
        kind=CategoryKind.FIRST_LINE,
        order=1,
        name_zh="第一線服務機關",
        name_en="First-line service agencies",
        description_zh="日常業務直接、高頻率面對民眾提供服務之機關，著重實際提供服務事項的效率與品質。",
        description_en="Agencies that serve the public directly and often; judged on the "
        "efficiency and quality of the services they deliver.",
    )
    planning = Category.objects.create(
        edition=edition,
        code="service-planning",
        kind=CategoryKind.SERVICE_PLANNING,
        order=2,
        name_zh="服務規劃機關",
        name_en="Service planning agencies",
        description_zh="負責統籌規劃服務作業之中央主管機關或地方自治政府，著重服務專案的實際效果及解決方法。",
        description_en="Central authorities or local governments that plan services; judged on "
        "the actual effect of a service project and the solution it used.",
    )
    Category.objects.create(
        edition=edition,
        code="special",
        kind=CategoryKind.SPECIAL,
        order=3,
        name_zh="特別獎",
        name_en="Special award",
    )
    category_rubric_create(category=first_line, **data.TW8_FIRST_LINE_RUBRIC)
    category_rubric_create(category=planning, **data.TW8_PLANNING_RUBRIC)
    _stages(edition, data.TW8_STAGES)
    _agency_tree(data.TW_AGENCIES)


def _load_live_demonstration():
    """A 9th edition that is open now, so the demo can be used end to end: its rubrics are
    cloned from the 8th and its stages are placed around today's date in Taipei. It is
    labelled as a demonstration: the seed documents describe only the 8th."""
    scheme = AwardScheme.objects.get(code="tw-gsqa")
    eighth = Edition.objects.get(scheme=scheme, number=8)
    today = timezone.now().astimezone(eighth.tzinfo).date()
    edition = Edition.objects.create(
        scheme=scheme,
        number=9,
        year_label=str(today.year),  # the name says it is a demonstration, in each language
        name_zh="第九屆政府服務品質獎（系統示範）",
        name_en="9th Government Service Quality Award (demonstration)",
        time_zone="Asia/Taipei",
        uses_recommendation=True,
        recommendation_quota=3,
        is_demo=True,
    )
    for category in eighth.categories.select_related("rubric").order_by("order"):
        copy = Category.objects.create(
            edition=edition,
            code=category.code,
            kind=category.kind,
            order=category.order,
            name_zh=category.name_zh,
            name_en=category.name_en,
            description_zh=category.description_zh,
            description_en=category.description_en,
        )
        rubric = getattr(category, "rubric", None)
        if rubric is not None:
            category_rubric_clone(source=rubric, category=copy)
    rows = []
    for kind, zh, en, start, end, flags in data.LIVE_STAGES:
        rows.append(
            (
                kind,
                zh,
                en,
                today + datetime.timedelta(days=start),
                today + datetime.timedelta(days=end),
                flags,
            )
        )
    _stages(edition, rows)


def _load_hong_kong():
    scheme = AwardScheme.objects.create(**data.HK_SCHEME)
    # HK editions are numbered by the year they start: the paper gives no ordinal.
    edition = Edition.objects.create(
        scheme=scheme,
        number=2002,
        year_label="2002–03",
        name_zh="二零零二至零三年度傑出顧客服務獎",
        name_en="Outstanding Customer Service Award 2002–03",
        time_zone="Asia/Hong_Kong",
        uses_recommendation=False,
    )
    department = Category.objects.create(
        edition=edition,
        code="department",
        kind=CategoryKind.DEPARTMENT,
        order=1,
        name_zh="部門獎（傑出顧客服務獎）",
        name_en="Department award (Outstanding Customer Service)",
        description_zh="按服務質素、工作效率及成本效益的甄選準則評選。",
        description_en="Judged on service quality, efficiency and cost-effectiveness.",
    )
    Category.objects.create(
        edition=edition,
        code="best-public-image",
        kind=CategoryKind.SPECIAL,
        order=2,
        name_zh="最佳公眾形象獎",
        name_en="Best Public Image Award",
        description_zh="由住戶電話訪問投票選出，得票最多的三個部門獲獎。",
        description_en="Decided by the household telephone poll: the three departments with "
        "the most votes win.",
    )
    category_rubric_create(category=department, **data.HK_DEPARTMENT_RUBRIC)
    for order, (kind, values, rubric) in enumerate(
        [
            (CategoryKind.TEAM, data.HK_TEAM_CATEGORY, data.HK_TEAM_RUBRIC),
            (CategoryKind.INDIVIDUAL, data.HK_INDIVIDUAL_CATEGORY, data.HK_INDIVIDUAL_RUBRIC),
        ],
        start=3,
    ):
        category = Category.objects.create(edition=edition, kind=kind, order=order, **values)
        category_rubric_create(category=category, **rubric)
    _stages(edition, data.HK_STAGES)
    government = agency_create(
        code="HK-GOV",
        name_zh="香港特別行政區政府",
        name_en="Government of the HKSAR",
        agency_type="general",
    )
    # The 23 entrants, then the other 25 departments of the exhibition.
    for code, zh, en, kind in [*data.HK_DEPARTMENTS, *data.HK_EXHIBITORS]:
        agency_create(parent=government, code=code, name_zh=zh, name_en=en, agency_type=kind)


def _load_users():
    for email, name, roles, extra in data.DEMO_USERS:
        if User.objects.filter(email=email).exists():
            continue
        user_create(
            email=email,
            password=data.DEMO_PASSWORD,
            full_name=name,
            roles=[(role, Agency.objects.get(code=code) if code else None) for role, code in roles],
            **extra,
        )


@transaction.atomic
def load_demo() -> bool:
    """Load both schemes, the agencies and one user per role. Returns False (and changes
    nothing) if the demo is already there, so it can run at every start."""
    if AwardScheme.objects.filter(code__in=["tw-gsqa", "hk-csca"]).exists():
        _load_users()
        return False
    _load_taiwan()
    _load_hong_kong()
    _load_live_demonstration()
    _load_users()
    return True
