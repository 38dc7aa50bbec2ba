"""What the accessibility checks share: Debian's Chromium, a logged-in browser per role, the tally they print."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from demo.seed import seed_demo
from tests.browser.conftest import browser_type_launch_args  # noqa: F401 (the fixture: Debian's Chromium)
from tests.factories import CATEGORY_NAMES, category


@pytest.fixture
def live_district(transactional_db, live_server):
    """The demo district in the live server's database (a browser test's database is flushed after it)."""
    for code in CATEGORY_NAMES:
        category(code)  # loaded by a migration, but this test's database was flushed before it
    seed_demo()
    return live_server


def session_cookie(username: str) -> str:
    """A logged-in session for the demo login, as a browser would carry it (no password typed)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def open_context(browser, live_server):
    """Open a browser context as `username` ("" for a visitor), in `language`, at `viewport`; closed after the test."""
    opened = []

    def open_(username: str, language: str, viewport: dict, phone: bool, **options):
        context = browser.new_context(
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            locale="en-GB" if language == "en" else "zh-CN",
            **options,
        )
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        if username:
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(username), "url": live_server.url}
            )
        context.add_cookies(cookies)
        opened.append(context)
        return context

    yield open_
    for context in opened:
        context.close()


REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def report(request) -> list[str]:
    """Lines for the summary at the end of the run, passed or failed: the counts CI's log shows."""
    return request.config.stash.setdefault(REPORT, [])


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(REPORT, [])
    if lines:
        terminalreporter.section("accessibility checks (tests/a11y)")
        for line in lines:
            terminalreporter.write_line(line)
