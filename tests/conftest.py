"""Shared fixtures: one user per role (contract §2), built without running seed_demo."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.test.utils import setup_databases, teardown_databases

from regions.models import Assignment, Opd, Region, Role

# The configured database (never used by a test): pytest-django swaps in the test database.
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]


def make_user(username: str, role: str | None, region_code: str | None = None, opd_kind=None):
    User = get_user_model()
    user = User.objects.create_user(username=username, password="Sandi-uji-2026!")
    if role == Role.ADMIN:
        user.is_superuser = user.is_staff = True
        user.save()
    if role:
        region = Region.objects.get(code=region_code) if region_code else None
        opd = Opd.objects.get(region=region, kind__code=opd_kind) if opd_kind else None
        Assignment.objects.create(user=user, role=role, region=region, opd=opd)
    return user


# Tests that take longest, run first: pytest-xdist hands tests out in this order, so a worker
# never starts one of them when the other worker is about to finish (``make test`` would wait
# for it alone). The browser tests on the demo site form one xdist group (``make test`` runs
# ``--dist loadgroup``): one worker runs them one after the other — two chromiums at once on two
# cores slow both down more than they gain — while the other worker takes the rest one test at a
# time, and then both share what is left. They restore the database themselves and may run
# anywhere; the others keep pytest-django's order (database tests before transactional ones).
SLOW_FILES = ("tests/test_get_changes_nothing.py",)
DEMO_SITE_GROUP = pytest.mark.xdist_group("demo_site")


def _on_demo_site(item) -> bool:
    return "demo_site" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    # before any ``pytest_collection_modifyitems``: xdist reads the group in its own
    if _on_demo_site(item):
        item.add_marker(DEMO_SITE_GROUP)


def pytest_collection_modifyitems(config, items):
    def slow(item) -> bool:
        return _on_demo_site(item) or item.nodeid.startswith(SLOW_FILES)

    items.sort(key=lambda item: not slow(item))  # stable: the order stays within each part


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashes():
    """Test users get MD5 password hashes: the production hasher (PBKDF2, 1,000,000 rounds) costs
    a quarter of a CPU second per user made and per password login, which added up to minutes of
    the suite. What is tested — who may log in, lockouts, password changes — does not depend on
    the hasher; ``manage.py seed_demo`` outside the tests keeps the production one."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def test_database(django_db_setup, django_db_blocker):
    """The test database, also for tests that reach it without pytest-django knowing (the
    browser tests on the demo site): pytest-django makes it only when a collected test asks
    for ``db``, ``transactional_db``, ``live_server`` or the ``django_db`` mark. Without one of
    those in the run, make it here (with the migrated state serialized, to restore it), so that
    nothing ever reaches the configured database."""
    if connections["default"].settings_dict["NAME"] != CONFIGURED_DATABASE:
        yield  # pytest-django made it
        return
    with django_db_blocker.unblock():
        made = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases={"default"}
        )
    assert connections["default"].settings_dict["NAME"] != CONFIGURED_DATABASE
    yield
    with django_db_blocker.unblock():
        teardown_databases(made, verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits, lockouts): nothing of another test can
    leak in. Readiness is stored in the test's own database, rolled back with it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _stored_readiness_matches_a_fresh_computation(request):
    """The invariant of the readiness store (dashboard.store): after every test that used the
    database, each stored row whose versions match equals a fresh computation. A write path that
    forgets to bump a version leaves such a row behind and fails here."""
    # Set the test's database up before this fixture, so that it is torn down after the check
    # (a test that reaches the database only through a user fixture would otherwise lose it first).
    wanted = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if wanted:
        request.getfixturevalue(wanted[0])
    yield
    # the browser tests on the committed demo site (tests/acceptance/conftest.py) use it too
    uses_db = (
        request.node.get_closest_marker("django_db") is not None
        or bool(wanted)
        or "demo_site" in request.fixturenames
    )
    if not uses_db:
        return
    from django.db import connection

    if connection.needs_rollback:
        return  # the test ended inside a broken transaction (it provoked a database error)
    from dashboard.store import differences

    wrong = differences(fresh_only=True)
    assert not wrong, f"stored readiness differs from a fresh computation: {wrong[:5]}"


# The role users of the fixtures below: fixture name → make_user's arguments. The browser tests
# that only read make the same users once for the demo site (tests/acceptance/conftest.py).
ROLE_USERS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "admin_user": ("admin.uji", Role.ADMIN, None, None),
    "verifikator": ("verifikator.uji", Role.VERIFIKATOR, None, None),
    "pimpinan": ("pimpinan.uji", Role.PIMPINAN, None, None),
    "koordinator_bangka": ("koordinator.bangka.uji", Role.KOORDINATOR, "19.01", None),
    "koordinator_belitung": ("koordinator.belitung.uji", Role.KOORDINATOR, "19.02", None),
    "operator_dinkes_bangka": ("opd.dinkes.bangka.uji", Role.OPERATOR, "19.01", "dinkes"),
    "operator_disdik_bangka": ("opd.disdik.bangka.uji", Role.OPERATOR, "19.01", "disdik"),
    "unassigned_user": ("tanpa.penugasan", None, None, None),
}


@pytest.fixture
def admin_user(db):
    return make_user(*ROLE_USERS["admin_user"])


@pytest.fixture
def verifikator(db):
    return make_user(*ROLE_USERS["verifikator"])


@pytest.fixture
def pimpinan(db):
    return make_user(*ROLE_USERS["pimpinan"])


@pytest.fixture
def koordinator_bangka(db):
    return make_user(*ROLE_USERS["koordinator_bangka"])


@pytest.fixture
def koordinator_belitung(db):
    return make_user(*ROLE_USERS["koordinator_belitung"])


@pytest.fixture
def operator_dinkes_bangka(db):
    return make_user(*ROLE_USERS["operator_dinkes_bangka"])


@pytest.fixture
def operator_disdik_bangka(db):
    return make_user(*ROLE_USERS["operator_disdik_bangka"])


@pytest.fixture
def unassigned_user(db):
    return make_user(*ROLE_USERS["unassigned_user"])


def start(program: str, region_code: str, year: int, user=None):
    """Start (or return) a region's assessment, as the koordinator's "start" button does.

    Opening a form never starts an assessment (a GET changes nothing), so tests that fill a form
    start it first.
    """
    from penilaian.models import Edition
    from penilaian.services import get_or_create_assessment

    return get_or_create_assessment(
        Edition.objects.get(program=program, year=year),
        Region.objects.get(code=region_code),
        user=user,
    )
