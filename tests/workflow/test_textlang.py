"""Text people wrote carries its own language where it differs from the page's (WCAG 2.1
success criterion 3.1.2, language of parts): Chinese reasons on an English page are
lang="zh-Hant", English ones on a Chinese page lang="en"; codes, numbers and text in the
page's own language get no attribute."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from awards.results import appeals, services
from tests.conftest import html
from tests.results.helpers import compile_version, scored_cycle
from tests.results.test_appeals import editor_of
from workflow.textlang import part_language, text_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("實地審查分數與書面審查差距過大。", "zh-Hant"),
        ("評分未計入 site visit 資料", "zh-Hant"),  # mainly Chinese
        ("The site visit was cut short.", "en"),
        ("The agency 戶政 did well on the day", None),  # mainly English, one term
        ("HK-IMMD", None),  # a code: one word
        ("870.00", None),
        ("", None),
        (None, None),
    ],
)
def test_text_language(text, language):
    assert text_language(text) == language


def test_only_text_in_the_other_language_needs_an_attribute():
    assert part_language("實地審查差距過大。", "en") == "zh-Hant"
    assert part_language("實地審查差距過大。", "zh-hant") is None
    assert part_language("The site visit was cut short.", "zh-hant") == "en"
    assert part_language("The site visit was cut short.", "en") is None


def test_the_filter_writes_the_attribute_escaped_for_the_active_language():
    template = Template("{% load textlang %}<p{{ text|lang_attr }}>{{ text }}</p>")
    with translation.override("en"):
        assert template.render(Context({"text": "差距過大"})) == '<p lang="zh-Hant">差距過大</p>'
        assert template.render(Context({"text": "Too far apart"})) == "<p>Too far apart</p>"
    with translation.override("zh-hant"):
        assert template.render(Context({"text": "差距過大"})) == "<p>差距過大</p>"
        assert (
            template.render(Context({"text": "<b>Too far</b> apart"}))
            == '<p lang="en">&lt;b&gt;Too far&lt;/b&gt; apart</p>'
        )


T0 = datetime.datetime(2026, 5, 4, 2, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_an_appeal_page_marks_the_reasons_in_their_own_language():
    with time_machine.travel(T0, tick=False) as clock:
        cycle = scored_cycle()
        version = compile_version(cycle)
        services.version_submit(version=version, actor=cycle.secretariat)
        services.version_approve(
            version=version, actor=cycle.approver, publish_at=T0 + datetime.timedelta(days=10)
        )
        appeals.appeal_window_save(
            edition=cycle.edition,
            actor=cycle.secretariat,
            opens_at=T0 + datetime.timedelta(hours=1),
            closes_at=T0 + datetime.timedelta(days=5),
        )
        clock.move_to(T0 + datetime.timedelta(hours=2))
        nomination = cycle.nominations[1]
        appeal = appeals.appeal_file(
            nomination=nomination,
            actor=editor_of(nomination.agency),
            reasons="實地審查分數與書面審查差距過大。",
            uploads=[],
        )
        appeals.appeal_decide(
            appeal=appeal,
            actor=cycle.secretariat,
            upheld=False,
            reasons="The panel found no new evidence.",
        )
        url = reverse("results:appeal_detail", args=[appeal.pk])
        pages = {}
        for lang in ("en", "zh-hant"):
            client = Client()
            client.cookies["lang"] = lang
            client.force_login(cycle.secretariat)
            pages[lang] = html(client.get(url))

    def lang_of(page, element_id):
        return page.xpath(f"//*[@id='{element_id}']")[0].get("lang")

    assert pages["en"].get("lang") == "en"
    assert lang_of(pages["en"], "appeal-reasons") == "zh-Hant"
    assert lang_of(pages["en"], "appeal-decision-reasons") is None
    assert pages["zh-hant"].get("lang") == "zh-Hant"
    assert lang_of(pages["zh-hant"], "appeal-reasons") is None
    assert lang_of(pages["zh-hant"], "appeal-decision-reasons") == "en"
