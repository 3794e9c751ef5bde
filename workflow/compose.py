"""Messages the secretariat writes (to a group, or a standard reminder): the
placeholders a text may use and their rendering, one recipient at a time.

A placeholder is a name (letters, digits, underscores, in any script) in braces, `{name}`. Only PLACEHOLDERS are known; a text that
names another is refused before anything is sent (`unknown_placeholders`). A brace that
does not enclose a plain name (`{ }`, `{{`) is text, left as it is."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "name": _("the recipient's name"),
    "agency": _("the agency the message concerns"),
    "deadline": _("the last day of the stage"),
    "link": _("the address of the page it concerns"),
}

_TOKEN = re.compile(r"\{(\w+)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in `text` that are not known, in order of first use."""
    seen: list[str] = []
    for name in _TOKEN.findall(text or ""):
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def compose_render(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value ("" when absent)."""

    def replace(match):
        name = match.group(1)
        return str(values.get(name, "")) if name in PLACEHOLDERS else match.group(0)

    return _TOKEN.sub(replace, text or "")
