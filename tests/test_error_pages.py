"""Error pages: Indonesian, in the site layout, with a way back; JSON under /api/; the 500 page
renders while the database is down (issue #15)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, override_settings

from babel_pug import views

# the database fixtures come from the mark, so they outlive conftest's autouse checks
pytestmark = pytest.mark.django_db

ENGLISH_DEFAULTS = ("Not Found", "Forbidden", "Server Error", "Bad Request", 'lang="en"')


def assert_indonesian_error_page(body: str, heading: str) -> None:
    assert '<html lang="id">' in body
    assert heading in body
    assert 'class="topbar"' in body  # the site layout
    assert "Kembali ke beranda" in body  # a way back
    assert "Portal Kesiapan PUG-KLA Babel" in body
    for english in ENGLISH_DEFAULTS:
        assert english not in body


@override_settings(DEBUG=False)
def test_a_koordinator_following_a_link_to_another_region_gets_an_indonesian_404(
    client, koordinator_bangka
):
    client.force_login(koordinator_bangka)
    response = client.get("/wilayah/19.02/")
    assert response.status_code == 404
    assert_indonesian_error_page(response.content.decode(), "Halaman tidak ditemukan")


@override_settings(DEBUG=False)
def test_an_unknown_address_is_an_indonesian_404_for_anyone(client, db):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert_indonesian_error_page(response.content.decode(), "Halaman tidak ditemukan")


@override_settings(DEBUG=False)
def test_a_role_without_access_gets_an_indonesian_403(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    response = client.get("/admin/")
    # the admin answers 403 in the site layout for roles other than the provincial admin
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="id">' in body and "Forbidden" not in body


def test_permission_denied_view_is_indonesian(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/wilayah/19.01/")
    request.user = AnonymousUser()
    response = views.permission_denied(request)
    assert response.status_code == 403
    assert_indonesian_error_page(response.content.decode(), "Anda tidak memiliki akses")


def test_bad_request_view_is_indonesian(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = views.bad_request(request)
    assert response.status_code == 400
    assert_indonesian_error_page(response.content.decode(), "Permintaan tidak dapat dipahami")


@override_settings(DEBUG=False)
def test_api_errors_stay_json(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    response = client.get("/api/tidak-ada/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Tidak ditemukan."}
    request = RequestFactory().get("/api/v1/regions/")
    crashed = views.server_error(request)
    assert crashed.status_code == 500 and crashed["Content-Type"] == "application/json"


def failing_connection(*args, **kwargs):
    raise OperationalError("connection refused (test)")


def test_the_500_page_renders_while_the_database_is_down():
    request = RequestFactory().get("/")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", failing_connection):
        response = views.server_error(request)
    assert response.status_code == 500
    assert_indonesian_error_page(response.content.decode(), "Terjadi kesalahan di pihak kami")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_database_outage_during_a_request_shows_the_indonesian_500(koordinator_bangka):
    client = Client(raise_request_exception=False)
    client.force_login(koordinator_bangka)
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", failing_connection):
        response = client.get("/wilayah/19.01/")
    assert response.status_code == 500
    assert_indonesian_error_page(response.content.decode(), "Terjadi kesalahan di pihak kami")


@override_settings(DEBUG=False)
def test_a_csrf_failure_is_an_indonesian_page_that_saves_nothing(koordinator_bangka):
    client = Client(enforce_csrf_checks=True)
    client.force_login(koordinator_bangka)
    response = client.post("/sinergitas/baru/", {"title": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_indonesian_error_page(body, "Formulir sudah kedaluwarsa")
    assert "CSRF verification failed" not in body


@override_settings(DEBUG=False, AXES_FAILURE_LIMIT=2)
def test_the_lockout_page_is_indonesian(client, koordinator_bangka):
    for _ in range(3):
        response = client.post(
            "/accounts/login/", {"username": koordinator_bangka.username, "password": "salah"}
        )
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="id">' in body
    assert "Masuk dikunci sementara" in body
    assert "Account locked" not in body and "too many" not in body.lower()
