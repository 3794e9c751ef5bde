"""The poll's fieldwork window: interviewers call households only between the fieldwork
dates the poll set-up gives (days in the edition's time zone, both included). A poll
without dates is not limited by them (its status alone governs calling)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from awards.windows import edition_today
from workflow.zones import zone_label

from .models import Poll


def fieldwork_window_problem(poll: Poll, *, now: datetime.datetime | None = None) -> str | None:
    """None when today falls inside the poll's fieldwork dates (or it has none), else a
    translated refusal naming the window and its time zone."""
    starts, ends = poll.fieldwork_starts_on, poll.fieldwork_ends_on
    if starts is None and ends is None:
        return None
    edition = poll.edition
    today = edition_today(edition, now=now)
    if (starts is None or starts <= today) and (ends is None or today <= ends):
        return None
    params = {
        "start": starts.isoformat() if starts else "—",
        "end": ends.isoformat() if ends else "—",
        "zone": zone_label(edition.time_zone),
        "today": today.isoformat(),
    }
    if starts is not None and today < starts:
        return (
            _(
                "Fieldwork has not begun: calls are made from %(start)s to %(end)s "
                "(%(zone)s), and today is %(today)s."
            )
            % params
        )
    return (
        _(
            "Fieldwork has ended: calls were made from %(start)s to %(end)s (%(zone)s), and today is %(today)s."
        )
        % params
    )
