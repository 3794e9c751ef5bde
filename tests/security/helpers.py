"""Small helpers shared by the security tests."""

import datetime
import zoneinfo

from django.test import Client

from awards.enums import NominationState as S
from awards.models import Nomination, Submission

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


def client_for(user=None, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def submitted_nomination(cycle, agency=None, *, state=S.SUBMITTED):
    """A nomination of open_cycle() as it stands once submitted (one submission row)."""
    submitted_at = datetime.datetime.combine(cycle.day(-1), datetime.time(9, 30), TAIPEI)
    nomination = Nomination.objects.create(
        edition=cycle.edition,
        category=cycle.category,
        agency=agency or cycle.agency,
        created_by=cycle.editor,
        state=state,
        submitted_at=submitted_at,
        state_changed_at=submitted_at,
    )
    Submission.objects.create(
        nomination=nomination,
        version=1,
        submitted_at=submitted_at,
        submitted_by=cycle.editor,
        content={},
        pdf=f"snapshots/{nomination.pk}/v1.pdf",
        pdf_sha256="0" * 64,
    )
    return nomination
