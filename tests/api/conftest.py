"""A world for the API tests: a scored, approved and published TW-like edition (two
winners), a second edition approved but under embargo, and people with API tokens."""

from __future__ import annotations

import datetime
import types

import pytest
from django.test import Client
from django.utils import timezone

from agencies.enums import Role
from api.services import token_create
from awards.results.enums import VersionStatus
from awards.results.models import Award, ResultVersion
from awards.results.services import serial_new
from tests.factories import CategoryFactory, EditionFactory, UserFactory
from tests.results.helpers import approved_version, scored_cycle


def in_zh(msgid: str) -> str:
    """A message as the zh-Hant catalogue has it (our new messages are translated in
    i18n/api.json, which the merger puts in the catalogue)."""
    from django.utils import translation

    with translation.override("zh-hant"):
        return translation.gettext(msgid)


def api_client(key: str | None = None, *, scheme: str = "Token", lang: str | None = None):
    headers = {}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"{scheme} {key}"
    client = Client(**headers)
    if lang:
        client.cookies["lang"] = lang
    return client


@pytest.fixture
def world(db):
    cycle = scored_cycle(agencies=6, winners=2)
    w = types.SimpleNamespace(cycle=cycle)
    w.edition = cycle.edition
    w.scheme = cycle.edition.scheme
    w.category = cycle.category
    w.written = cycle.written
    w.version = approved_version(cycle, published=True)
    w.agency, w.other_agency = cycle.agencies[0], cycle.agencies[1]
    w.authority = cycle.authorities[0]
    w.nomination_own, w.nomination_other = cycle.nominations[0], cycle.nominations[1]
    w.award_own = Award.objects.get(version=w.version, agency=w.agency)

    # Another edition of the scheme: approved, under embargo for a month.
    now = timezone.now()
    w.embargoed_edition = EditionFactory(
        scheme=w.scheme, name_zh="第九屆（未公布）", name_en="9th (not published)"
    )
    embargoed_category = CategoryFactory(edition=w.embargoed_edition)
    w.version_embargoed = ResultVersion.objects.create(
        edition=w.embargoed_edition,
        number=1,
        status=VersionStatus.APPROVED,
        checksum="0" * 64,
        compiled_by=cycle.secretariat,
        submitted_at=now,
        submitted_by=cycle.secretariat,
        decided_at=now,
        decided_by=cycle.approver,
        publish_at=now + datetime.timedelta(days=30),
    )
    w.award_embargoed = Award.objects.create(
        version=w.version_embargoed,
        category=embargoed_category,
        agency=w.other_agency,
        name_zh="尚未公布之獎",
        name_en="Award under embargo",
        serial=serial_new(),
        issued_on=now.date(),
    )

    w.editor = UserFactory(roles=[(Role.AGENCY_EDITOR, w.agency)], full_name="本機關承辦人")
    w.other_editor = UserFactory(
        roles=[(Role.AGENCY_EDITOR, w.other_agency)], full_name="他機關承辦人"
    )
    w.officer = UserFactory(roles=[(Role.AUTHORITY_OFFICER, w.authority)], full_name="主管機關")
    w.secretariat = cycle.secretariat
    w.reviewer = cycle.reviewers[0]
    w.keys = {
        name: token_create(user=getattr(w, name), name=f"{name} 系統").key
        for name in ("editor", "other_editor", "officer", "secretariat", "reviewer")
    }
    return w
