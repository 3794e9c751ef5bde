"""Demo programmes (docs/programme.md), through the same services as the pages.

- HK 2002–03 (seed 000, para 7): the award ceremony on 24 February 2003 at the Hong Kong
  Central Library, the exhibition there on 20–23 February presenting the departments'
  services (the seed's 48 departments: the 23 that entered and 25 more, every one asked
  to exhibit), a roving exhibition venue (March–June, shopping centres and
  government buildings) and an experience-sharing seminar, the winners (once the
  results are approved) asked to share their practice there;
- TW 8th (seed 004): the award ceremony in mid-May 2016, two results presentations
  (成果發表會) in June and July, the winners asked to give a talk once the results are
  approved, and the joint discussion of winners (得獎機關綜合座談).

Idempotent: an edition that already has events is left as it is."""

from __future__ import annotations

import datetime

from django.db import transaction

from agencies.models import Agency, User
from awards.models import Edition

from . import programme_services as services
from .enums import EventKind, ObligationKind
from .models import ProgrammeEvent


def _at(edition, y, m, d, hour, minute=0):
    return datetime.datetime(y, m, d, hour, minute, tzinfo=edition.tzinfo)


def _event(edition, actor, kind, name_zh, name_en, starts, ends, venue_zh, venue_en, **extra):
    values = {
        "kind": kind,
        "name_zh": name_zh,
        "name_en": name_en,
        "starts_at": starts,
        "ends_at": ends,
        "venue_zh": venue_zh,
        "venue_en": venue_en,
        "capacity": None,
        "description_zh": "",
        "description_en": "",
        "is_published": True,
        "outside_reason": "",
    } | extra
    return services.event_save(edition=edition, actor=actor, values=values)


def _hk(edition, actor) -> None:
    e = edition
    _event(
        e,
        actor,
        EventKind.CEREMONY,
        "傑出顧客服務頒獎典禮",
        "Outstanding Customer Service Award ceremony",
        _at(e, 2003, 2, 24, 15),
        _at(e, 2003, 2, 24, 17),
        "香港中央圖書館",
        "Hong Kong Central Library",
        description_zh="頒發個人、團隊及部門獎項。",
        description_en="Awards for individuals, teams and departments.",
    )
    exhibition = _event(
        e,
        actor,
        EventKind.EXHIBITION,
        "傑出顧客服務展覽",
        "Outstanding Customer Service Exhibition",
        _at(e, 2003, 2, 20, 10),
        _at(e, 2003, 2, 23, 18),
        "香港中央圖書館展覽館",
        "Hong Kong Central Library, exhibition gallery",
        description_zh="各部門介紹其服務；上一年度展覽吸引逾九千名參觀者。",
        description_en="Departments present their services; last year's drew over 9,000 visitors.",
    )
    departments = list(Agency.objects.filter(code__startswith="HK-").exclude(code="HK-GOV"))
    services.obligations_ask(
        event=exhibition,
        actor=actor,
        kind=ObligationKind.EXHIBIT,
        detail="展覽攤位一個，介紹部門服務",
        agencies=departments,
    )
    _event(
        e,
        actor,
        EventKind.ROVING,
        "巡迴展覽：沙田新城市廣場",
        "Roving exhibition: New Town Plaza, Sha Tin",
        _at(e, 2003, 3, 3, 10),
        _at(e, 2003, 3, 16, 21),
        "沙田新城市廣場",
        "New Town Plaza, Sha Tin",
        description_zh="巡迴展覽於三月至六月在各商場及政府大樓展出。",
        description_en="The roving exhibition tours shopping centres and government buildings "
        "from March to June.",
    )
    seminar = _event(
        e,
        actor,
        EventKind.SEMINAR,
        "經驗分享研討會",
        "Experience-sharing seminar",
        _at(e, 2003, 4, 10, 14, 30),
        _at(e, 2003, 4, 10, 17),
        "公務員培訓處演講廳",
        "Civil Service Training and Development Institute, lecture theatre",
        capacity=120,
        description_zh="得獎部門與其他部門分享其顧客服務經驗。",
        description_en="Winning departments share their customer-service practice with "
        "other departments.",
    )
    try:
        services.obligations_ask(
            event=seminar,
            actor=actor,
            kind=ObligationKind.TALK,
            detail="分享優良顧客服務的心得",
            all_winners=True,
        )
    except services.ValidationError:
        pass  # no approved results (the review demo is not loaded): nobody to ask yet


def _tw(edition, actor) -> None:
    e = edition
    _event(
        e,
        actor,
        EventKind.CEREMONY,
        "第8屆政府服務品質獎頒獎典禮",
        "8th Government Service Quality Award ceremony",
        _at(e, 2016, 5, 13, 14),
        _at(e, 2016, 5, 13, 16),
        "總統府",
        "Presidential Office Building",
    )
    presentations = [
        _event(
            e,
            actor,
            EventKind.PRESENTATION,
            "成果發表會（北區）",
            "Results presentation (north)",
            _at(e, 2016, 6, 15, 9, 30),
            _at(e, 2016, 6, 15, 16, 30),
            "國家發展委員會大禮堂",
            "National Development Council auditorium",
            capacity=200,
            description_zh="得獎機關發表服務創新成果，歡迎各機關同仁報名。",
            description_en="Winners present their service innovations; civil servants of any "
            "agency may register.",
        ),
        _event(
            e,
            actor,
            EventKind.PRESENTATION,
            "成果發表會（南區）",
            "Results presentation (south)",
            _at(e, 2016, 7, 6, 9, 30),
            _at(e, 2016, 7, 6, 16, 30),
            "高雄市政府四維行政中心",
            "Kaohsiung City Government, Siwei Administration Center",
            capacity=150,
        ),
    ]
    _event(
        e,
        actor,
        EventKind.DISCUSSION,
        "得獎機關綜合座談",
        "Joint discussion of winners",
        _at(e, 2016, 7, 20, 14),
        _at(e, 2016, 7, 20, 17),
        "國家發展委員會",
        "National Development Council",
        is_published=False,
    )
    for event in presentations:
        try:
            services.obligations_ask(
                event=event,
                actor=actor,
                kind=ObligationKind.TALK,
                detail="20 分鐘成果發表",
                all_winners=True,
            )
        except services.ValidationError:
            pass  # no approved results (the review demo is not loaded): nobody to ask yet


def load_programme_demo() -> bool:
    """Returns True if it added anything."""
    actor = User.objects.filter(email="secretariat@demo.test").first()
    changed = False
    for code, number, loader in (("hk-csca", 2002, _hk), ("tw-gsqa", 8, _tw)):
        edition = Edition.objects.filter(scheme__code=code, number=number).first()
        if edition is None or ProgrammeEvent.objects.filter(edition=edition).exists():
            continue
        with transaction.atomic():
            loader(edition, actor)
        changed = True
    return changed
