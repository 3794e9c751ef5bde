"""Stage windows: whether today, in the edition's time zone, falls inside a stage's dates.

`stage_window_problem(edition, kind)` is the one rule every gated service checks (dossier
editing and submission, recommendation, eligibility marking, reviewer assignment,
scoring, site tests, compiling): None inside the window, else a translated refusal that
names the stage, its dates and its time zone. `stage_status` is the one answer to
"upcoming, open or closed" for every page that labels a stage."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from workflow.zones import zone_label  # noqa: F401  (re-exported: the pages' name for it)

from .enums import StageKind
from .models import Edition, Stage

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
STATUS_LABELS = {UPCOMING: _l("Upcoming"), OPEN: _l("Open now"), CLOSED: _l("Ended")}


def edition_today(edition: Edition, *, now: datetime.datetime | None = None) -> datetime.date:
    now = now or timezone.now()
    return now.astimezone(edition.tzinfo).date()


def stage_status(stage: Stage, *, today: datetime.date | None = None, now=None) -> str:
    """UPCOMING, OPEN or CLOSED for `stage` now (or on `today`) in its edition's zone."""
    if today is None:
        today = edition_today(stage.edition, now=now)
    if today < stage.starts_on:
        return UPCOMING
    if today > stage.ends_on:
        return CLOSED
    return OPEN


def stage_of(edition: Edition, kind: str) -> Stage | None:
    """The edition's first stage of this kind (from the prefetched stages if any)."""
    stages = sorted(edition.stages.all(), key=lambda s: (s.order, s.starts_on, s.pk))
    return next((s for s in stages if s.kind == kind), None)


def window_text(stage: Stage) -> str:
    return _("“%(stage)s”, %(start)s to %(end)s, %(zone)s") % {
        "stage": stage.name,
        "start": stage.starts_on.isoformat(),
        "end": stage.ends_on.isoformat(),
        "zone": zone_label(stage.edition.time_zone),
    }


def stage_problem(stage: Stage, *, now=None) -> str | None:
    """None if `stage` is open now, else why not: the stage, its window and its zone."""
    status = stage_status(stage, now=now)
    if status == OPEN:
        return None
    if status == UPCOMING:
        return _("Not open yet: this is allowed only during %(window)s.") % {
            "window": window_text(stage)
        }
    return _("Closed: this was allowed only during %(window)s.") % {"window": window_text(stage)}


def stage_window_problem(edition: Edition, kind: str, now=None) -> str | None:
    """None if the edition's stage of `kind` is open now (in the edition's time zone),
    else the translated refusal naming the stage, its window and its time zone."""
    stage = stage_of(edition, kind)
    if stage is None:
        return _("This edition has no “%(kind)s” stage, so this is not possible.") % {
            "kind": StageKind(kind).label
        }
    return stage_problem(stage, now=now)


def scoring_stages(edition: Edition) -> list[Stage]:
    return [s for s in edition.stages.all() if s.allows_scoring]


def after_scoring_problem(edition: Edition, now=None) -> str | None:
    """None once the last scoring stage has closed (compiling results), else why not."""
    stages = scoring_stages(edition)
    if not stages:
        return None
    last = max(stages, key=lambda s: (s.ends_on, s.order))
    if stage_status(last, now=now) == CLOSED:
        return None
    return _("Results can be compiled only after the last scoring stage closes: %(window)s.") % {
        "window": window_text(last)
    }


def assignment_window_problem(stage: Stage, *, now=None) -> str | None:
    """Reviewers for a scoring stage are assigned from the start of the scoring stage
    before it (the written review, whose standings choose the site visit's finalists),
    or for the first scoring stage from the start of the stage before it (the
    eligibility check), to the end of the stage itself. None inside, else why not."""
    stages = sorted(stage.edition.stages.all(), key=lambda s: (s.order, s.starts_on, s.pk))
    here = next((i for i, s in enumerate(stages) if s.pk == stage.pk), 0)
    earlier = stages[:here]
    scoring = [s for s in earlier if s.allows_scoring]
    first = scoring[-1] if scoring else (earlier[-1] if earlier else stage)
    today = edition_today(stage.edition, now=now)
    if first.starts_on <= today <= stage.ends_on:
        return None
    return _(
        "Reviewers for “%(stage)s” are assigned only from %(start)s (start of “%(first)s”) "
        "to %(end)s (end of “%(stage)s”), %(zone)s."
    ) % {
        "stage": stage.name,
        "first": first.name,
        "start": first.starts_on.isoformat(),
        "end": stage.ends_on.isoformat(),
        "zone": zone_label(stage.edition.time_zone),
    }
