"""Where a message or notification about an object leads: the page of that object.

The workflow layer names no app above it, so each app registers, for its own models, a
function (obj, user) -> URL path (`link_register("awards.nomination", ...)`, in its
AppConfig.ready). `object_link()` answers with the registered one, or "" when none is
registered; the notification then links to the dashboard."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

LinkFor = Callable[[models.Model, object], str]
_LINKS: dict[str, LinkFor] = {}


def link_register(label: str, link_for: LinkFor) -> None:
    _LINKS[label] = link_for


def object_link(obj: models.Model | None, user=None) -> str:
    if obj is None:
        return ""
    link_for = _LINKS.get(obj._meta.label_lower)
    return link_for(obj, user) if link_for else ""
