"""Time zones as people name them: "Taipei time (Asia/Taipei)", "臺北時間 (Asia/Taipei)".

One map for every page and form that shows an edition's zone (the timetable, the
configuration hub, the copy form's choices, windows' refusals, dashboards): pages never
show a bare identifier such as "Asia/Taipei" on its own."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

# Localized names of the zones the schemes use (and their neighbours); any other real
# zone falls back to "<zone> time zone".
ZONE_NAMES = {
    "Asia/Taipei": _l("Taipei time"),
    "Asia/Hong_Kong": _l("Hong Kong time"),
    "Asia/Macau": _l("Macau time"),
    "Asia/Shanghai": _l("China Standard Time"),
    "Asia/Singapore": _l("Singapore time"),
    "Asia/Tokyo": _l("Japan time"),
    "UTC": _l("Coordinated Universal Time"),
    "Europe/London": _l("UK time"),
}


def zone_name(time_zone: str) -> str:
    """The zone's name alone (臺北時間), else its identifier."""
    name = ZONE_NAMES.get(time_zone)
    return str(name) if name is not None else time_zone


def zone_label(time_zone: str) -> str:
    """The zone's localized name with its identifier, e.g. "臺北時間 (Asia/Taipei)"."""
    name = ZONE_NAMES.get(time_zone)
    if name is None:
        return _("%(zone)s time zone") % {"zone": time_zone}
    return _("%(name)s (%(zone)s)") % {"name": name, "zone": time_zone}
