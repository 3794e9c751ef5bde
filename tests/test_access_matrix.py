"""The access matrix (issue 11): every URL pattern of the site, filled with real objects
(one this persona owns or is assigned to, one it does not), requested as every persona,
compared with the explicit table in tests/access_matrix_table.py.

- A new URL pattern with no row in the table fails test_every_pattern_has_a_row, naming
  it; a row whose pattern is gone fails too. To add a row, read the docstring of
  tests/access_matrix_table.py (one line per pattern and object variant).
- test_access_matrix requests everything once (GET, and POST where the row says so) in a
  world built once for the module, and lists every difference as
  "METHOD url-name [variant] persona: expected X, got Y (path)". The counts (patterns,
  personas, requests, unexpected outcomes) are printed at the end of the pytest run.
- To cover a new URL: add one line to ROWS in tests/access_matrix_table.py, e.g.
  `R("app:name", "own", "pk=nomination_own", allow(ED, OFF, SEC), post=allow(ED, ok=INVALID))`
  (and the object to tests/access_matrix_world.py if no existing one fits).
- Each request runs in a savepoint that is rolled back, so no request changes what the
  next one sees; a refused POST must not change the database even inside it.
"""

from __future__ import annotations

import functools
import time
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix_table import (
    ADMIN_LOGIN,
    ADMIN_ROWS,
    FORBIDDEN,
    INVALID,
    KNOWN_ISSUES,
    LOGIN,
    METHOD,
    NOT_FOUND,
    OK,
    REDIRECT,
    REFUSED,
    ROWS,
    STAFF_SEC,
    SUMMARY,
    UNAUTH,
)
from tests.access_matrix_world import AGENCY_PERSONAS, ANON, ED, ED2, OFF, PERSONAS, build_world

EXCLUDED_NAMESPACES = {"admin"}  # the Django admin: test_admin_refuses_non_staff


# --- the URL resolver ------------------------------------------------------------------


def url_patterns(resolver=None, namespace="", prefix=""):
    """(full name, route) of every pattern, recursively through includes; an unnamed
    pattern is named by its route, "/" + route."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if full_ns.split(":")[0] in EXCLUDED_NAMESPACES:
                continue
            yield from url_patterns(p, full_ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), route
            else:
                yield "/" + route, route


def test_every_pattern_has_a_row():
    patterns = dict(url_patterns())
    rows = {row.name for row in ROWS}
    missing = sorted(set(patterns) - rows)
    gone = sorted(rows - set(patterns))
    keys = [(row.name, row.variant) for row in ROWS]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert not missing, "URL patterns with no row in tests/access_matrix_table.py: " + ", ".join(
        f"{name} ({patterns[name]})" for name in missing
    )
    assert not gone, "Rows whose URL pattern no longer exists: " + ", ".join(gone)
    assert not twice, f"Rows given twice: {twice}"
    admin_keys = {(name, "-") for name, _kwargs, _expected in ADMIN_ROWS}
    stale = sorted({k[:2] for k in KNOWN_ISSUES} - set(keys) - admin_keys)
    assert not stale, f"KNOWN_ISSUES entries with no row: {stale}"


# --- filling and requesting -------------------------------------------------------------


def resolve_attr(world, spec: str):
    if spec.startswith("#"):
        return spec[1:]
    head, *fields = spec.split(".")
    value = getattr(world, head)
    for field in fields:
        value = getattr(value, field)
    return value.pk if hasattr(value, "_meta") else value


def fill(world, spec: str) -> dict:
    pairs = (item.split("=", 1) for item in spec.split())
    return {key: resolve_attr(world, value) for key, value in pairs}


def outcome_of(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return OK
    if code in (301, 302, 303, 307, 308):
        target = response["Location"]
        if target.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if target.startswith(resolve_url(settings.LOGIN_URL)):
            return LOGIN if "next=" in target else REDIRECT
        return REDIRECT
    return {
        400: INVALID,
        409: INVALID,
        401: UNAUTH,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: METHOD,
    }.get(code, f"HTTP {code}")


# What a refused POST must leave alone: the row count of every model of ours, and the
# fields that carry a workflow's state.
WATCHED_FIELDS = {
    "awards.Nomination": ("state", "state_reason", "recommendation_rank"),
    "awards.DossierSection": ("version",),
    "awards.Attachment": ("removed_at",),
    "scoring.Assignment": ("withdrawn_at",),
    "scoring.Review": ("state", "version"),
    "surveys.Poll": ("status", "published_run_id"),
    "surveys.Household": ("leased_by_id", "leased_until", "disposition"),
    "surveys.PollImport": ("status",),
    "results.ResultVersion": ("status", "publish_at"),
    "results.Award": ("revoked_on", "summary_zh", "summary_en"),
    "results.CertificateTemplate": ("is_active", "html"),
    "agencies.User": ("is_active", "password"),
    "axes.AccessAttempt": ("username", "failures_since_start"),
    "workflow.OutboundMail": ("status", "attempts"),
    "api.ApiToken": ("revoked_at",),
}
OUR_APPS = ("workflow", "agencies", "rubrics", "awards", "scoring", "surveys", "results", "api")


@functools.cache
def _count_sql() -> tuple[list[str], str]:
    from django.db import connection

    tables = [
        model._meta.db_table for app in OUR_APPS for model in apps.get_app_config(app).get_models()
    ]
    q = connection.ops.quote_name
    return tables, "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)


def fingerprint():
    """The row count of every table of ours (one query) and the watched fields."""
    from django.db import connection

    tables, sql = _count_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        state = dict(zip(tables, cursor.fetchone(), strict=True))
    for label, fields in WATCHED_FIELDS.items():
        model = apps.get_model(label)
        state[label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def signed_in_client(world, persona) -> Client:
    """The persona's client with only its session cookie (no messages left over from the
    last request, whatever that request did to the cookie jar)."""
    client = world.clients[persona]
    client.cookies = SimpleCookie()
    session = world.sessions.get(persona)
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def finish(response):
    """Read a streamed response to its end: the test client then closes its file the way
    a WSGI server would (response.close() alone would also close the database connection,
    which on PostgreSQL ends the module's transaction)."""
    if response is not None and response.streaming:
        b"".join(response.streaming_content)


def token_client(world, persona) -> Client:
    """A client that sends the persona's API token and no session."""
    return Client(HTTP_AUTHORIZATION=f"Token {world.api_keys[persona]}")


def send(world, persona, method, path, data=None, *, watch=False, token=False):
    """(outcome, response or None, changed: list of what a refused POST changed)."""
    client = token_client(world, persona) if token else signed_in_client(world, persona)
    changed = []
    response = None
    with transaction.atomic():
        before = fingerprint() if watch else None
        try:
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data or {})
        except Exception as exc:  # a server error: reported as the outcome, not raised
            got = f"ERROR {type(exc).__name__}: {str(exc)[:120]}"
        else:
            got = outcome_of(response)
            if watch and got in REFUSED:
                after = fingerprint()
                changed = [k for k in before if before[k] != after[k]]
        transaction.set_rollback(True)
    return got, response, changed


# --- content checks ---------------------------------------------------------------------


def _names(agency) -> list[str]:
    return [n for n in (agency.name_zh, agency.name_en) if n]


def persona_scope(world, persona):
    """The agencies whose names a persona's pages may show: its own agency and the
    authority above it (editors), its subtree (officers)."""
    if persona in (ED, ED2):
        agency = world.agency if persona == ED else world.other_agency
        return [a for a in world.all_agencies if agency.path.startswith(a.path)]
    authority = world.authority if persona == OFF else world.other_authority
    return [a for a in world.all_agencies if a.path.startswith(authority.path)]


def agency_label(world, agency) -> str:
    """A name for an agency that does not depend on factory sequences."""
    for attr in ("agency", "other_agency", "authority", "other_authority"):
        if getattr(world, attr).pk == agency.pk:
            return attr
    return f"agencies[{world.cycle.agencies.index(agency)}]"


def _resolve_obj(world, spec):
    head, *fields = spec.split(".")
    obj = getattr(world, head)
    for field in fields:
        obj = getattr(obj, field)
    return obj


def content_problems(world, row, persona, response) -> list[str]:
    kind = response.get("Content-Type", "")
    if not kind.startswith(("text/html", "application/json")) or response.streaming:
        return []
    body = response.content.decode(errors="replace")
    problems = []
    if row.shows:
        agency = _resolve_obj(world, row.shows).agency
        if not any(name in body for name in _names(agency)):
            problems.append(f"does not name {row.shows}'s agency")
    if row.hides:
        hidden = _resolve_obj(world, row.hides)
        if any(name in body for name in _names(hidden)):
            problems.append(f"names {row.hides}")
    if persona in AGENCY_PERSONAS and not row.shows_others:
        scope = persona_scope(world, persona)
        allowed = sorted((n for a in scope for n in _names(a)), key=len, reverse=True)
        for name in allowed:  # "Taipei City Government" inside "New Taipei City Government"
            body = body.replace(name, "")
        for agency in world.all_agencies:
            if agency not in scope and any(name in body for name in _names(agency)):
                problems.append(f"names {agency_label(world, agency)}, not this persona's")
    return problems


# --- the matrix -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            started = time.monotonic()
            w = build_world()
            w.build_seconds = time.monotonic() - started
            yield w
            transaction.set_rollback(True)


def known_lines(seen) -> list[str]:
    """One line per known issue, with the personas it concerns."""
    groups: dict[tuple, list[str]] = {}
    for where, got, want, persona in seen:
        groups.setdefault((where, got, want), []).append(persona)
    return [
        f"known issue: {where}: {got} (table: {want}) for "
        + ("every persona" if len(who) == len(PERSONAS) else ", ".join(who))
        for (where, got, want), who in groups.items()
    ]


# The rows are requested in CHUNKS tests (every CHUNKS-th row, so each chunk has a share
# of the heavy pages), in two xdist groups: scripts/test.sh runs with --dist loadgroup,
# so each group goes whole to one worker and the world is built once per worker. One
# test of all rows took about 300 s on one worker, the long pole of each CI pass.
CHUNKS = 8
GROUPS = 2


def matrix_group(index: int) -> str:
    return f"access-matrix-{index % GROUPS + 1}"


@pytest.mark.django_db
@pytest.mark.xdist_group(matrix_group(0))
def test_fingerprint_notices_a_change(world, django_db_blocker):
    """The check that a refused POST changed nothing sees a changed state and a new row."""
    with django_db_blocker.unblock():
        from agencies.services import audit_record
        from awards.models import Nomination

        with transaction.atomic():
            before = fingerprint()
            Nomination.objects.filter(pk=world.nomination_own.pk).update(state="winner")
            audit_record(actor=None, action="matrix.check", obj=world.edition)
            after = fingerprint()
            transaction.set_rollback(True)
    assert {k for k in before if before[k] != after[k]} == {
        "awards.Nomination",
        "agencies_auditentry",
    }


@pytest.mark.django_db
@override_settings(RESULTS_VERIFY_PER_MINUTE=1_000_000)
@pytest.mark.parametrize(
    "chunk",
    [
        pytest.param(
            i, id=f"rows-{i + 1}-of-{CHUNKS}", marks=pytest.mark.xdist_group(matrix_group(i))
        )
        for i in range(CHUNKS)
    ],
)
def test_access_matrix(world, django_db_blocker, chunk):
    started = time.monotonic()
    unexpected, known_seen, known_fixed = [], [], []
    requests = 0
    urls = set()
    rows = ROWS[chunk::CHUNKS]
    with django_db_blocker.unblock():
        for row in rows:
            path = reverse(row.name, kwargs=fill(world, row.kwargs)) if row.kwargs else None
            path = path or (reverse(row.name) if not row.name.startswith("/") else row.name)
            urls.add(path)
            data = fill(world, row.data) if row.data else None
            # The JSON API's rows: with the session, then with the API token.
            ways = [False, True] if path.startswith("/api/v1/") else [False]
            for method, expected in (("GET", row.get), ("POST", row.post)):
                if expected is None:
                    continue
                for persona, token in ((p, t) for t in ways for p in PERSONAS):
                    if token and persona == ANON:
                        continue  # no token: the same request as without a session
                    want = expected[persona]
                    watch = method == "POST" and want in REFUSED
                    got, response, changed = send(
                        world, persona, method, path, data, watch=watch, token=token
                    )
                    requests += 1
                    how = " (token)" if token else ""
                    where = f"{method} {row.name} [{row.variant}] {persona}{how}"
                    problems = []
                    if got == OK and response is not None:
                        problems = content_problems(world, row, persona, response)
                    finish(response)
                    if changed:
                        problems.append("a refused POST changed " + ", ".join(changed))
                    seen = got + "".join(f" but {p}" for p in problems)
                    key = (row.name, row.variant, method, persona)
                    if key in KNOWN_ISSUES:
                        now, _why = KNOWN_ISSUES[key]
                        if seen == now:
                            known_seen.append(
                                (f"{method} {row.name} [{row.variant}]", seen, want, persona)
                            )
                            continue
                        if seen == want:
                            known_fixed.append(f"{where}: now {got} as the table says")
                            continue
                    if got != want:
                        unexpected.append(f"{where}: expected {want}, got {got} ({path})")
                    for problem in problems:
                        unexpected.append(f"{where}: {got} but {problem} ({path})")
    # Each chunk's counts; tests/conftest.py adds them up (across xdist workers too).
    SUMMARY.setdefault("chunks", {})[str(chunk)] = dict(
        chunks=CHUNKS,
        patterns=sorted({row.name for row in rows}),
        rows=len(rows),
        urls=sorted(urls),
        personas=len(PERSONAS),
        requests=requests,
        unexpected=len(unexpected),
        known_issues=len({k[:3] for k in known_seen}),
        known_requests=len(known_seen),
        seconds=round(time.monotonic() - started, 1),
        build_seconds=round(world.build_seconds, 1),
        lines=unexpected + known_lines(known_seen) + known_fixed,
    )
    assert not unexpected and not known_fixed, "\n".join(
        [f"{len(unexpected)} unexpected outcomes of {requests} requests:", *unexpected]
        + (
            ["Known issues now fixed (remove them from KNOWN_ISSUES):", *known_fixed]
            if known_fixed
            else []
        )
    )


@pytest.mark.django_db
@pytest.mark.xdist_group(matrix_group(1))
def test_admin_refuses_non_staff(world, django_db_blocker):
    """Every persona is sent to the admin's sign-in page; a staff secretariat user gets
    in but sees no model it has no admin permission for; the superuser persona (staff)
    sees everything."""
    from agencies.enums import Role
    from tests.factories import UserFactory

    unexpected, known, requests = [], [], 0
    with django_db_blocker.unblock():
        clients = {p: signed_in_client(world, p) for p in PERSONAS}
        staff = UserFactory(roles=[Role.SECRETARIAT], is_staff=True)
        clients[STAFF_SEC] = Client()
        clients[STAFF_SEC].force_login(staff)
        for name, _kwargs, expected in ADMIN_ROWS:
            path = reverse(name)
            for persona, want in expected.items():
                key = (name, "-", "GET", persona)
                response = clients[persona].get(path)
                got = outcome_of(response)
                finish(response)
                requests += 1
                if key in KNOWN_ISSUES:
                    if got == KNOWN_ISSUES[key][0]:
                        known.append(
                            f"known issue: GET {name}: {got} (table: {want}) for {persona}"
                        )
                        continue
                    if got == want:
                        unexpected.append(f"GET {name} {persona}: fixed, remove from KNOWN_ISSUES")
                        continue
                if got != want:
                    unexpected.append(f"GET {name} {persona}: expected {want}, got {got}")
    SUMMARY["admin"] = (
        f"admin: {len(ADMIN_ROWS)} URLs, {len(clients)} personas, {requests} requests, "
        f"{len(unexpected)} unexpected outcomes"
    )
    SUMMARY["admin_lines"] = unexpected + known
    assert not unexpected, "\n".join(unexpected)
