"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
``live_server``.

They are skipped only on a developer machine without chromium; under CI (``CI`` set) a missing
browser is a failure, never a silent skip.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kampung_kb import demo as kampung_kb_demo
from penilaian import demo as penilaian_demo
from sinergitas import demo as sinergitas_demo

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (browser tests run in CI)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def launch_chromium(playwright):
    """A headless Debian chromium (the system build, not Playwright's download).

    Use it inside ``sync_playwright()`` and keep ORM calls outside that block: Playwright runs
    the block in a greenlet, where Django would open (and leak) a connection of its own.
    """
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def demo_data():
    """The demo data of every app, for tests that browse the portal as the demo roles."""
    cache.clear()
    penilaian_demo.seed()
    kampung_kb_demo.seed()
    sinergitas_demo.seed()


def session_cookie(user, live_server) -> dict:
    """A logged-in session of ``user`` as a Playwright cookie for ``live_server``."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
