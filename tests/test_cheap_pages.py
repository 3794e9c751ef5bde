"""What keeps every page cheap (issue 15, point 4): templates compiled once per process,
no template included once per row of a long table, static files cached by browsers."""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.enums import Role

ROOT = Path(__file__).resolve().parent.parent

# The long tables: the agency's dossier list, the secretariat's eligibility list, the
# reviewer's assignments.
LONG_TABLES = [
    "templates/awards/nominations/list.html",
    "templates/awards/oversight/eligibility_list.html",
    "templates/scoring/reviews/my_reviews.html",
]


def test_templates_are_compiled_once_per_process():
    loaders = engines["django"].engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]
    assert [type(inner).__module__ for inner in loaders[0].loaders] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]
    # The cached loader hands back the same compiled template the second time.
    first = engines["django"].engine.get_template("awards/nominations/list.html")
    again = engines["django"].engine.get_template("awards/nominations/list.html")
    assert first is again


def includes_inside_loops(source: str) -> list[str]:
    depth, found = 0, []
    for tag in re.findall(r"{%-?\s*(\w+)[^%]*%}", source):
        if tag == "for":
            depth += 1
        elif tag == "endfor":
            depth -= 1
        elif tag == "include" and depth > 0:
            found.append(tag)
    return found


def test_includes_inside_loops_are_found():
    assert includes_inside_loops("{% for r in rows %}{% include 'x.html' %}{% endfor %}") == [
        "include"
    ]
    assert includes_inside_loops("{% include 'x.html' %}{% for r in rows %}{% endfor %}") == []


def test_long_tables_include_no_template_per_row():
    for name in LONG_TABLES:
        source = (ROOT / name).read_text()
        assert includes_inside_loops(source) == [], name


@pytest.mark.django_db  # the end of the response closes old connections (request_finished)
def test_static_files_are_cached_by_browsers():
    response = Client().get(f"{settings.STATIC_URL}vendor/htmx.min.js")
    try:
        assert response.status_code == 200
        assert b"htmx" in b"".join(response.streaming_content)
        assert response.headers["Cache-Control"] == "max-age=86400, public"
    finally:
        response.close()


def production_setting(name: str, **env) -> str:
    """A setting as config.settings reads it from this environment, in a fresh process."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update({"SECRET_KEY": "x" * 50, "DEBUG": "false", **env})
    result = subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(s.{name})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_with_redis_the_session_is_read_from_the_cache():
    assert (
        production_setting("SESSION_ENGINE", REDIS_URL="redis://127.0.0.1:6379/9")
        == "django.contrib.sessions.backends.cached_db"
    )
    assert (
        production_setting("SESSION_ENGINE", CELERY_BROKER_DIR=tempfile.mkdtemp())
        == "django.contrib.sessions.backends.db"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SECRETARIAT, Role.AGENCY_EDITOR])
def test_the_session_and_the_user_are_read_once_per_page(role):
    from tests.factories import AgencyFactory, UserFactory

    roles = [(role, AgencyFactory())] if role == Role.AGENCY_EDITOR else [role]
    client = Client()
    client.force_login(UserFactory(roles=roles))
    client.get(reverse("dashboard"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    tables = [re.search(r'FROM "(\w+)"', q["sql"]) for q in queries.captured_queries]
    names = [t.group(1) for t in tables if t]
    assert names.count("django_session") == 1
    assert names.count("agencies_user") == 1
