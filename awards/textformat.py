"""Plain text with light structure -> safe HTML. Users never write HTML: everything is
escaped; blank lines separate paragraphs; lines starting with "- ", "* ", "・" or "•"
form a bulleted list, lines starting with "1." / "1、" / "(1)" a numbered list."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BULLET = re.compile(r"^\s*(?:[-*•・])\s+(.*)$")
NUMBERED = re.compile(r"^\s*(?:\d+[.、)]|[（(]\d+[)）])\s*(.*)$")


def normalise(text: str) -> str:
    """One newline convention and composed characters, so counts match what users see."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def char_count(text: str) -> int:
    """Characters as a reader counts them: each Chinese character is one, and so is each
    character outside the Basic Multilingual Plane (which JavaScript would count twice)."""
    return len(normalise(text))


def render(text: str) -> SafeString:
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", normalise(text).strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            items = "".join(f"<li>{escape(BULLET.match(x).group(1))}</li>" for x in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(NUMBERED.match(line) for line in lines):
            items = "".join(f"<li>{escape(NUMBERED.match(x).group(1))}</li>" for x in lines)
            blocks.append(f"<ol>{items}</ol>")
        else:
            blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece above is escaped
