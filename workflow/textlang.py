"""The language of a piece of text people wrote, for WCAG 2.1 success criterion 3.1.2
(language of parts): an appeal's reasons in Chinese on an English page are marked
lang="zh-Hant" so a screen reader reads them with a Chinese voice, and English text on a
Chinese page lang="en". Text of neither kind (codes, numbers, mixed sentences where the
page's language dominates) is left to the page's own language."""

from __future__ import annotations

import re

from django.utils.translation import get_language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTERS = re.compile(r"[A-Za-z].*[A-Za-z]")


def text_language(text) -> str | None:
    """'zh-Hant' for mainly Chinese text, 'en' for English words with no Chinese, else
    None. Mainly Chinese: at least as many Han characters as English words."""
    if not text:
        return None
    text = str(text)
    han = len(_HAN.findall(text))
    # English words: what spaces separate, with two letters or more (a code such as
    # HK-IMMD or AG0974 is one word, and says nothing on its own).
    words = sum(1 for token in text.split() if _LETTERS.search(token))
    if han and han >= words:
        return "zh-Hant"
    if not han and words >= 2:
        return "en"
    return None


def part_language(text, page_language: str | None = None) -> str | None:
    """The lang attribute `text` needs on a page in `page_language` (the active one by
    default): None where the text is in the page's language or says nothing."""
    page = (page_language or get_language() or "zh-hant").lower()
    lang = text_language(text)
    if lang is None or page.startswith(lang.lower()[:2]):
        return None
    return lang
