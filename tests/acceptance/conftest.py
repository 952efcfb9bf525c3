"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
``live_server``.

They are skipped only on a developer machine without chromium; under CI (``CI`` set) a missing
browser is a failure, never a silent skip.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import Client

from kampung_kb import demo as kampung_kb_demo
from penilaian import demo as penilaian_demo
from regions.models import Region
from sinergitas import demo as sinergitas_demo
from tests.conftest import ROLE_USERS, make_user

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


def seed_demo_data():
    """The demo data of every app, for tests that browse the portal as the demo roles."""
    cache.clear()
    penilaian_demo.seed()
    kampung_kb_demo.seed()
    sinergitas_demo.seed()


@dataclass(frozen=True)
class DemoSite:
    """A live server over committed demo data, with one user per role of ``ROLE_USERS``."""

    url: str
    users: dict


def reference_data_loaded() -> None:
    """Make sure the test database holds what the migrations put in it (a transactional test
    before may have flushed it: pytest-django restores only at the start of the next one)."""
    connection = connections["default"]
    if not hasattr(connection, "_test_serialized_contents"):
        # no test of this run asked for serialized rollbacks: keep the migrated state now
        assert Region.objects.exists()
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    elif not Region.objects.exists():
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


def restore_reference_data() -> None:
    """Empty every table and load the migrated state again, as a transactional test does."""
    connection = connections["default"]
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        reset_sequences=False,  # PostgreSQL: new rows must not reuse the ids loaded below
        inhibit_post_migrate=True,
    )
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture(scope="package")
def demo_site(test_database, django_db_blocker):
    """The browser tests that only read share one demo site per test process: the demo data and
    the role users are committed once and served by a live server of their own; at the end every
    table is emptied and the migrated state loaded again, so no test after them sees any of it.

    (One transactional test each would seed the demo and reload the migrated state every time.)
    The tests use no ``db``/``live_server`` fixture and leave the data as they found it (what
    one adds for itself, it deletes again); a GET may store derived readiness rows, which the
    invariant of tests/conftest.py checks after each test.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        reference_data_loaded()
        try:
            seed_demo_data()
            users = {name: make_user(*args) for name, args in ROLE_USERS.items()}
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield DemoSite(url=server.url, users=users)
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            restore_reference_data()


def session_cookie(user, server) -> dict:
    """A logged-in session of ``user`` as a Playwright cookie for ``server`` (``live_server`` or
    the ``demo_site``: anything with a ``url``)."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": server.url,
    }
