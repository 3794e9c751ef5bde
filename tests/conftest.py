import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django must allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright's own browser download cannot work on these machines.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    # Tests address live_server.url themselves. This also shadows pytest-playwright
    # 0.10.0's fallback `base_url`, a session fixture written as an instance method,
    # which pytest 9 deprecates with a PytestRemovedIn10Warning (an error here).
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture(autouse=True)
def _no_language_left_over():
    """Each test starts with no language active in its thread: the source strings, as
    right after `migrate` (management commands deactivate translations), which is what
    the first test on each worker always saw. The language middleware activates each
    request's language in the thread and leaves it there (production is unaffected:
    every request activates its own), so without this a test's code outside a request
    ran in whatever language the previous test's last request left, and which test ran
    before depended on how xdist shared the tests out. A test that means a language
    outside a request says so (translation.override)."""
    from django.utils import translation

    translation.deactivate_all()
    yield
    translation.deactivate_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and at the end of the session no connection left to
    it but ours: a live server's thread or the Celery worker test can still hold one, and
    PostgreSQL then refuses to drop the database ("being accessed by other users"), which
    fails the run after every test has passed."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def demo(db):
    """Both seed schemes, the agencies and one user per role, as `load_demo` makes them."""
    from awards.demo import load_demo

    load_demo()


@pytest.fixture
def sign_in(live_server, context):
    """sign_in(user) -> a Playwright page signed in as that user, at the dashboard."""
    from django.conf import settings
    from django.test import Client

    def _sign_in(user, path="/dashboard/"):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    return _sign_in


@pytest.fixture
def shot(request, output_path):
    """shot(page, name): save a full-page screenshot under the test's output folder."""

    def _shot(page, name):
        path = os.path.join(output_path, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return _shot


DEMO_PASSWORD = "award-demo-2026"

# WCAG 2.1 A and AA: the level the product promises.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def sign_in_with_form(live_server, new_context):
    """sign_in_with_form(email, password) -> a page after submitting the sign-in form.

    Each call gets a browser context of its own (its own cookies), so one test can sign in
    several times, as different people or with different passwords."""

    def _sign_in(email, password=DEMO_PASSWORD, path="/accounts/login/"):
        page = new_context().new_page()
        page.goto(live_server.url + path)
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(password)
        page.locator("form button[type=submit].button").click()
        page.wait_for_load_state()
        return page

    return _sign_in


@pytest.fixture(scope="session")
def axe_violations():
    """axe_violations(page) -> the WCAG 2.1 A/AA violations axe-core finds on the page.

    axe-playwright-python bundles axe-core and injects it through the DevTools protocol,
    so it runs offline and is not blocked by the site's Content-Security-Policy."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _violations(page):
        # A navigation under way (a click just before) leaves no document for axe to read.
        page.wait_for_load_state("load")
        results = axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [", ".join(map(str, n["target"])) for n in v["nodes"]],
            }
            for v in results.response["violations"]
        ]

    return _violations


# --- reading rendered pages in view tests ------------------------------------------------


def html(response):
    """The response body as an lxml tree, to query with XPath."""
    import lxml.html

    return lxml.html.fromstring(response.content.decode())


def squash(text: str) -> str:
    return " ".join(text.split())


def texts(tree, xpath: str) -> list[str]:
    """The whitespace-normalised text of every element the XPath selects."""
    return [squash(el.text_content()) for el in tree.xpath(xpath)]


def table_rows(tree, xpath: str) -> list[list[str]]:
    """The body rows of the table the XPath selects, each as its cells' texts."""
    (table,) = tree.xpath(xpath)
    return [texts(row, "./th|./td") for row in table.xpath("./tbody/tr")]


# --- the access matrix's counts in every run's output ------------------------------------


def _matrix_summary() -> dict:
    import sys

    table = sys.modules.get("tests.access_matrix_table")
    return getattr(table, "SUMMARY", None) or {}


def pytest_sessionfinish(session):
    """Under pytest-xdist a worker hands its access-matrix counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and _matrix_summary():
        import json

        workeroutput["access_matrix"] = json.dumps(_matrix_summary())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller gathers the workers' counts (the matrix's tests may run on several)."""
    import json

    found = getattr(node, "workeroutput", {}).get("access_matrix")
    if found:
        gathered = node.config.stash.setdefault(MATRIX_KEY, {})
        found = json.loads(found)
        gathered.setdefault("chunks", {}).update(found.pop("chunks", {}))
        gathered.update(found)


MATRIX_KEY = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter):
    """The counts of tests/test_access_matrix.py (issue 11), when it ran."""
    summary = _matrix_summary() or terminalreporter.config.stash.get(MATRIX_KEY, {})
    if not summary:
        return
    terminalreporter.section("access matrix")
    chunks = list(summary.get("chunks", {}).values())
    if chunks:
        total = {key: sum(c[key] for c in chunks) for key in ("rows", "requests", "unexpected")}
        total |= {key: sum(c[key] for c in chunks) for key in ("known_issues", "known_requests")}
        terminalreporter.write_line(
            "{patterns} URL patterns ({rows} rows, {urls} URLs), {personas} personas, "
            "{requests} requests, {unexpected} unexpected outcomes, {known_issues} known "
            "issues in {known_requests} requests ({seconds} s requesting in {ran} of {of} "
            "chunks, slowest {slowest} s; {build_seconds} s building the world)".format(
                **total,
                patterns=len({name for c in chunks for name in c["patterns"]}),
                urls=len({url for c in chunks for url in c["urls"]}),
                personas=chunks[0]["personas"],
                seconds=round(sum(c["seconds"] for c in chunks), 1),
                slowest=max(c["seconds"] for c in chunks),
                ran=len(chunks),
                of=chunks[0]["chunks"],
                build_seconds=max(c["build_seconds"] for c in chunks),
            )
        )
        for chunk in chunks:
            for line in chunk["lines"]:
                terminalreporter.write_line(line)
    for line in [summary.get("admin", ""), *summary.get("admin_lines", [])]:
        if line:
            terminalreporter.write_line(line)
