"""Accounts: login throttling, strong passwords, the profile page with password change, CSRF."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "Sandi-uji-2026!"  # tests/conftest.py


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_is_locked_after_the_failure_limit_even_with_the_right_password(
    client, koordinator_bangka
):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        assert login(client, koordinator_bangka.username, "salah-sandi").status_code == 200
    assert login(client, koordinator_bangka.username, PASSWORD).status_code == 302  # not yet
    client.logout()
    for _attempt in range(limit):
        login(client, koordinator_bangka.username, "salah-sandi")

    response = login(client, koordinator_bangka.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/penilaian/").status_code == 302  # still anonymous


def test_anonymous_users_are_sent_to_the_login_page(client):
    for url in [
        "/akun/profil/",
        "/penilaian/",
        "/penilaian/notifikasi/",
        "/penilaian/kla/19.01/2025/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_profile_shows_the_role_and_scope(client, operator_dinkes_bangka):
    client.force_login(operator_dinkes_bangka)

    response = client.get("/akun/profil/")

    assert response.status_code == 200
    assert operator_dinkes_bangka.assignment.opd.name in response.text
    assert "Kabupaten Bangka" in response.text


def test_password_change_keeps_the_user_logged_in_and_the_new_password_works(
    client, koordinator_bangka
):
    client.force_login(koordinator_bangka)
    new = "Pangkal-Pinang-Timah-77"

    response = client.post(
        "/akun/profil/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert client.get("/penilaian/").status_code == 200  # session still valid
    koordinator_bangka.refresh_from_db()
    assert koordinator_bangka.check_password(new)
    assert not koordinator_bangka.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["12345678901", "password123", "koordinator.bangka", "Pendek1!"])
def test_weak_new_passwords_are_refused_with_a_message(client, koordinator_bangka, weak):
    client.force_login(koordinator_bangka)

    response = client.post(
        "/akun/profil/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    koordinator_bangka.refresh_from_db()
    assert koordinator_bangka.check_password(PASSWORD)


def test_a_wrong_old_password_changes_nothing(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    new = "Pangkal-Pinang-Timah-77"

    response = client.post(
        "/akun/profil/", {"old_password": "keliru", "new_password1": new, "new_password2": new}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert get_user_model().objects.get(pk=koordinator_bangka.pk).check_password(PASSWORD)


def test_posts_without_a_csrf_token_are_refused(koordinator_bangka):
    client = Client(enforce_csrf_checks=True)
    client.force_login(koordinator_bangka)
    new = "Pangkal-Pinang-Timah-77"

    profile = client.post(
        "/akun/profil/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    values = client.post("/penilaian/kla/19.01/2025/", {"version": 1, "v_KLA-KL-01": "40"})
    submit = client.post(
        "/penilaian/kla/19.01/2025/ajukan/", {"confirm_reason": "Uji: belum lengkap"}
    )

    assert (profile.status_code, values.status_code, submit.status_code) == (403, 403, 403)
    koordinator_bangka.refresh_from_db()
    assert koordinator_bangka.check_password(PASSWORD)
    page = client.get("/penilaian/kla/19.01/2025/").text
    assert page.count('name="csrfmiddlewaretoken"') >= 3  # language, logout, the forms


def test_session_and_csrf_cookies_are_secure_outside_debug():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
