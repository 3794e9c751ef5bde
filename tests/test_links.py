"""Every link a signed-in user is shown leads somewhere that user may go.

In the access matrix's world (tests/access_matrix_world.py: a published edition, one open
for nominations, polls, one user per persona), each persona walks the site from the
dashboard by its links, as a user clicking through would: every page's `<a href>` to a
page of this site is requested (GET, each in a savepoint rolled back, so no page changes
what the next one sees). A link that answers 404 (not for you), 403, 405 or a server
error is a page offering what it should not. (The same walk over the HK demo, as the
panel chair, found the ties page's breadcrumbs linking to the award cycles list and the
edition page, both 404 for a chair; this world has no tie, so that page is checked in
tests/scoring/test_standings.py.)

The same walk reads each page's text: a zh-Hant page shows no English sentence outside an
element marked lang="en" (a string a template forgot to mark for translation would show
in English to everyone; tests/test_catalogue.py only sees the strings that are marked).

The walk is bounded (PAGES a persona, QUERY_VARIANTS query strings a path, so sorting
and paging links are followed a little, not exhaustively) and reads HTML pages only; a
file's download is requested but not parsed."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from lxml import html as lxml_html

from tests.access_matrix_world import ANON, PERSONAS, build_world
from tests.test_access_matrix import finish, signed_in_client

PAGES = 150
QUERY_VARIANTS = 2
# Not walked: the Django admin (its own permissions, tested in the matrix), the language
# switch and sign-out (forms, not pages), files under /media/ (storage, not views).
SKIP_PREFIXES = ("/admin/", "/i18n/", "/accounts/logout/", "/media/", "/static/")
BAD = {403, 404, 405}
# Three or more English words in a row: shorter runs are names and terms (PDF, XLSX, API,
# Asia/Taipei, Google Authenticator) that read the same in a Chinese sentence.
ENGLISH = re.compile(r"[A-Za-z][a-z']+(?:[ ,-]+[A-Za-z][a-z']+){2,}")
# Text that is English on purpose: what users typed into a field being edited (textarea,
# input values), elements marked lang="en" (the English names beside the Chinese ones),
# and the machine-readable API's documentation, written for developers in English.
TEXT_NODES = (
    "//text()[not(ancestor::textarea)][not(ancestor::*[@lang][1][starts-with(@lang, 'en')])]"
)
TEXT_ATTRIBUTES = (
    "//*[not(ancestor-or-self::*[@lang][1][starts-with(@lang, 'en')])]"
    "/@*[name()='title' or name()='aria-label' or name()='placeholder' or name()='alt']"
)
ENGLISH_ON_PURPOSE = ("/api/docs/",)
# The strata field's help text shows the line format with an English name as its example.
ENGLISH_EXAMPLES = {"Central and Western"}


def _links(response) -> list[str]:
    if "text/html" not in response.get("Content-Type", ""):
        return []
    tree = lxml_html.fromstring(response.content)
    found = []
    for href in tree.xpath("//a/@href"):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:, or a fragment of this page
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The access matrix's world, built once for the module and rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


def _english(response) -> set[str]:
    tree = lxml_html.fromstring(response.content)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    texts = tree.xpath(TEXT_NODES) + tree.xpath(TEXT_ATTRIBUTES)
    return {m for text in texts for m in ENGLISH.findall(text)} - ENGLISH_EXAMPLES


_WALKS: dict[tuple[int, str], tuple[list[str], list[str], int]] = {}


def walk(world, persona) -> tuple[list[str], list[str], int]:
    """(the dead links as "path (linked from page): status", the English seen on zh-Hant
    pages as "path: text", pages requested); each persona walks once a world."""
    key = (id(world), persona)
    if key not in _WALKS:
        _WALKS[key] = _walk(world, persona)
    return _WALKS[key]


def _walk(world, persona):
    client = signed_in_client(world, persona)
    start = reverse("dashboard")
    queue, seen, variants, dead, english = deque([(start, "sign-in")]), set(), {}, [], []
    while queue and len(seen) < PAGES:
        url, came_from = queue.popleft()
        if url in seen:
            continue
        path = url.split("?", 1)[0]
        if "?" in url:
            if variants.get(path, 0) >= QUERY_VARIANTS:
                continue
            variants[path] = variants.get(path, 0) + 1
        seen.add(url)
        with transaction.atomic():
            response = client.get(url)  # zh-Hant: no language cookie
            finish(response)
            transaction.set_rollback(True)
        if response.status_code in BAD or response.status_code >= 500:
            dead.append(f"{url} (linked from {came_from}): {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            target = response["Location"]
            if target.startswith("/") and not target.startswith(SKIP_PREFIXES):
                queue.append((target, url))
            continue
        if "text/html" in response.get("Content-Type", "") and not path.startswith(
            ENGLISH_ON_PURPOSE
        ):
            english.extend(f"{path}: {text}" for text in sorted(_english(response)))
        queue.extend((link, url) for link in _links(response) if link not in seen)
    return dead, english, len(seen)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != ANON])
def test_every_link_shown_leads_somewhere_allowed(site, persona):
    dead, _english, pages = walk(site, persona)
    assert pages > 1, f"{persona} reached no page from the dashboard"
    assert dead == [], f"{persona} is shown links it may not follow ({pages} pages walked)"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != ANON])
def test_zh_hant_pages_show_no_english_sentence(site, persona):
    _dead, english, pages = walk(site, persona)
    assert pages > 1
    assert english == [], f"English on the zh-Hant pages {persona} reached ({pages} walked)"


def test_the_english_check_sees_a_forgotten_translation():
    """The check itself: text outside lang="en" is read, text inside it and in a textarea
    is not."""
    from django.http import HttpResponse

    page = HttpResponse(
        "<main><h1>評審作業</h1><p>Please submit your reviews</p>"
        '<p lang="en">Ease of the service process</p>'
        "<textarea>Central and Western District Office</textarea>"
        '<button aria-label="Move this row up">↑</button></main>'
    )
    assert _english(page) == {"Please submit your reviews", "Move this row up"}
