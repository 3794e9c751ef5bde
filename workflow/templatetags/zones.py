"""`{{ edition.time_zone|zone_label }}`: a zone by its localized name (workflow.zones)."""

from django import template

from workflow.zones import zone_label as _zone_label
from workflow.zones import zone_name as _zone_name

register = template.Library()


@register.filter
def zone_label(time_zone):
    return _zone_label(str(time_zone)) if time_zone else ""


@register.filter
def zone_name(time_zone):
    """The name alone (臺北時間), for places that already say it is a time."""
    return _zone_name(str(time_zone)) if time_zone else ""
