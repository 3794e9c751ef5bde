"""Strict parsing of numbers people type (scores, ranks, places, thresholds, ids in posts).

Python's int() and Decimal() accept more than digits: "1_0" is 10, "１０" and "١٠" are
10, "1e1" is 10, and str.isdigit() is true for "²", which int() then refuses with a
ValueError (a server error). Everything read from a request or a form goes through
these functions instead: ASCII digits with an optional sign and decimal point only.
Full-width digits and the full-width point or comma, which a Chinese input method types,
are read as their ASCII forms; any other character is refused.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".", "，": ".", "－": "-", "＋": "+"}
)
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
MAX_DIGITS = 15


def normalise(text) -> str:
    return "" if text is None else str(text).strip().translate(_FULL_WIDTH)


def parse_int(text, *, signed: bool = False) -> int | None:
    """The whole number typed, or None if it is not one (empty, "1_0", "²", "1e3", "1.0").
    Without `signed`, a sign is refused too: ids, versions, ranks and places."""
    text = normalise(text)
    if not _INT.fullmatch(text) or len(text) > MAX_DIGITS:
        return None
    if not signed and text[0] in "+-":
        return None
    return int(text)


def parse_decimal(text) -> Decimal | None:
    """The number typed, or None if it is not one ("1_0", "1e1", "NaN", "١٠" are not)."""
    text = normalise(text)
    if not _DECIMAL.fullmatch(text) or len(text) > MAX_DIGITS:
        return None
    return Decimal(text)


def int_list(values) -> list[int] | None:
    """Each value as a whole number, or None if any is not one."""
    parsed = [parse_int(v) for v in values]
    return None if any(p is None for p in parsed) else parsed


class StrictIntegerField(forms.IntegerField):
    """forms.IntegerField reads "1_0" as 10 (it calls int()); this one refuses it."""

    default_error_messages = {"invalid": _("Enter a whole number, in digits only.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_int(value, signed=True)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed
