"""Replaying a demo edition today (`manage.py demo_replay`, docs/demo.md): every date of
the edition moves by the same number of days, so that a chosen stage starts today in the
edition's time zone and the gaps between stages (and the programme's events, and the
poll's fieldwork) stay as they were. Records already made (dossiers, reviews, results)
keep their own dates: they are history."""

from __future__ import annotations

import datetime

from django.db import transaction

from awards.enums import StageKind
from awards.models import Edition, Stage
from awards.selectors import edition_today
from workflow.audit import audit_record

from .models import ProgrammeEvent

DEFAULT_EDITION = "hk-csca/2002"
DEFAULT_PHASE = StageKind.NOMINATION


class ReplayError(ValueError):
    pass


def edition_by_key(key: str) -> Edition:
    """`scheme-code/number`, e.g. hk-csca/2002."""
    scheme, sep, number = (key or "").strip().partition("/")
    if not sep or not scheme or not number.isdigit():
        raise ReplayError(
            f"“{key}” is not an edition: write the scheme's code and the edition's number, "
            f"e.g. {DEFAULT_EDITION}."
        )
    edition = Edition.objects.filter(scheme__code=scheme, number=int(number)).first()
    if edition is None:
        known = ", ".join(
            f"{code}/{n}"
            for code, n in Edition.objects.order_by("scheme__code", "number").values_list(
                "scheme__code", "number"
            )
        )
        raise ReplayError(f"No edition {key}. Editions: {known or 'none (run load_demo)'}.")
    return edition


def replay_shift(edition: Edition, phase: str, today: datetime.date | None = None) -> int:
    """The number of days that puts the first stage of kind `phase` at `today`."""
    stages = list(edition.stages.order_by("order", "starts_on"))
    if not stages:
        raise ReplayError(f"{edition.scheme.code}/{edition.number} has no stages to move.")
    stage = next((s for s in stages if s.kind == phase), None)
    if stage is None:
        kinds = ", ".join(dict.fromkeys(s.kind for s in stages))
        raise ReplayError(f"No “{phase}” stage in {edition.scheme.code}/{edition.number}: {kinds}.")
    today = today or edition_today(edition)
    return (today - stage.starts_on).days


@transaction.atomic
def edition_replay(*, edition: Edition, phase: str = DEFAULT_PHASE, today=None, actor=None) -> int:
    """Move the edition's stages, programme events and poll fieldwork by the days that put
    `phase` at today; returns the days moved (0: nothing to do)."""
    from surveys.models import Poll

    days = replay_shift(edition, phase, today)
    if days == 0:
        return 0
    delta = datetime.timedelta(days=days)
    # Row by row (a handful): date arithmetic in SQL differs between the databases.
    stages = list(Stage.objects.filter(edition=edition))
    for stage in stages:
        stage.starts_on += delta
        stage.ends_on += delta
    Stage.objects.bulk_update(stages, ["starts_on", "ends_on"])
    events = list(ProgrammeEvent.objects.filter(edition=edition))
    for event in events:
        event.starts_at += delta
        event.ends_at += delta
    ProgrammeEvent.objects.bulk_update(events, ["starts_at", "ends_at"])
    for poll in Poll.objects.filter(edition=edition):
        for field in ("fieldwork_starts_on", "fieldwork_ends_on"):
            if getattr(poll, field) is not None:
                setattr(poll, field, getattr(poll, field) + delta)
        poll.save(update_fields=["fieldwork_starts_on", "fieldwork_ends_on"])
    audit_record(
        actor=actor,
        action="edition.replayed",
        obj=edition,
        data={"phase": str(phase), "days": days},
    )
    return days
