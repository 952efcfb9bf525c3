"""Shared fixtures: one user per role (contract §2), built without running seed_demo."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from regions.models import Assignment, Opd, Region, Role


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
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(wanted)
    if not uses_db:
        return
    from django.db import connection

    if connection.needs_rollback:
        return  # the test ended inside a broken transaction (it provoked a database error)
    from dashboard.store import differences

    wrong = differences(fresh_only=True)
    assert not wrong, f"stored readiness differs from a fresh computation: {wrong[:5]}"


@pytest.fixture
def admin_user(db):
    return make_user("admin.uji", Role.ADMIN)


@pytest.fixture
def verifikator(db):
    return make_user("verifikator.uji", Role.VERIFIKATOR)


@pytest.fixture
def pimpinan(db):
    return make_user("pimpinan.uji", Role.PIMPINAN)


@pytest.fixture
def koordinator_bangka(db):
    return make_user("koordinator.bangka.uji", Role.KOORDINATOR, "19.01")


@pytest.fixture
def koordinator_belitung(db):
    return make_user("koordinator.belitung.uji", Role.KOORDINATOR, "19.02")


@pytest.fixture
def operator_dinkes_bangka(db):
    return make_user("opd.dinkes.bangka.uji", Role.OPERATOR, "19.01", "dinkes")


@pytest.fixture
def operator_disdik_bangka(db):
    return make_user("opd.disdik.bangka.uji", Role.OPERATOR, "19.01", "disdik")


@pytest.fixture
def unassigned_user(db):
    return make_user("tanpa.penugasan", None)


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
