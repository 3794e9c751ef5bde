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
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


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
