"""Password reset tells the truth: it sends through a real SMTP server, says so only when the
mail left, shows an error when the server fails, and without a mail server says whom to ask.

SMTP settings come from the environment under Django's names (EMAIL_HOST, EMAIL_PORT,
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, DEFAULT_FROM_EMAIL).
"""

from __future__ import annotations

import email
import os
import re
import socket
import subprocess
import sys
from email import policy

import pytest
from django.contrib.auth import get_user_model

from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"
RESET = "/accounts/password_reset/"
NEW_PASSWORD = "Kata-sandi-baru-2026!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; the portal's settings point at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Portal PUG <pug@babelprov.go.id>"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def user_with_email(koordinator_bangka):
    koordinator_bangka.email = "koordinator@bangka.go.id"
    koordinator_bangka.save()
    return koordinator_bangka


def test_the_reset_link_arrives_over_smtp_and_sets_a_new_password(
    client, smtp_server, user_with_email
):
    response = client.post(RESET, {"email": "koordinator@bangka.go.id"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert "Periksa e-mail Anda" in client.get(response["Location"]).text

    [message] = smtp_server.messages
    assert message["X-Rcpt-To"] == "koordinator@bangka.go.id"
    assert message["From"] == "Portal PUG <pug@babelprov.go.id>"
    assert "babel_pug" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", body)
    assert link, body

    form_page = client.get(link[1], follow=True)  # the token moves into the session
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"

    user = get_user_model().objects.get(pk=user_with_email.pk)
    assert user.check_password(NEW_PASSWORD)
    login = client.post("/accounts/login/", {"username": user.username, "password": NEW_PASSWORD})
    assert login.status_code == 302
    # the link works once
    again = client.get(link[1], follow=True)
    assert not again.context["validlink"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, smtp_server):
    response = client.post(RESET, {"email": "tidak.ada@contoh.go.id"})
    assert response.status_code == 302
    assert smtp_server.messages == []


def test_a_failing_mail_server_is_an_error_not_sent(client, settings, user_with_email, caplog):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2

    response = client.post(RESET, {"email": "koordinator@bangka.go.id"})

    assert response.status_code == 200  # the form again, not the "check your e-mail" page
    assert "E-mail tidak dapat dikirim" in response.text
    assert "Periksa e-mail Anda" not in response.text
    assert "Failed to send e-mail" in caplog.text


def test_without_a_mail_server_the_page_says_whom_to_ask_and_sends_nothing(
    client, settings, user_with_email, mailoutbox
):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = ""

    page = client.get(RESET)
    assert page.status_code == 200
    assert "admin provinsi" in page.text
    assert 'name="email"' not in page.text  # no form posting to nowhere

    response = client.post(RESET, {"email": "koordinator@bangka.go.id"})
    assert response.status_code == 503
    assert "admin provinsi" in response.text
    assert mailoutbox == []


def test_the_login_page_links_to_the_reset_page(client):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").text


def mail_settings(env: dict[str, str]) -> list[str]:
    code = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT,"
        " s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL,"
        " s.DEFAULT_FROM_EMAIL, sep='|')"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    base["SECRET_KEY"] = "mail-settings-test-" + "x" * 40
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("|")


def test_smtp_settings_come_from_the_environment():
    values = mail_settings(
        {
            "DEBUG": "false",
            "EMAIL_HOST": "smtp.babelprov.go.id",
            "EMAIL_PORT": "465",
            "EMAIL_HOST_USER": "pug",
            "EMAIL_HOST_PASSWORD": "rahasia",
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "true",
            "DEFAULT_FROM_EMAIL": "Portal PUG <pug@babelprov.go.id>",
        }
    )
    assert values == [
        SMTP,
        "smtp.babelprov.go.id",
        "465",
        "pug",
        "rahasia",
        "False",
        "True",
        "Portal PUG <pug@babelprov.go.id>",
    ]


def test_development_prints_mail_to_the_console():
    assert mail_settings({"DEBUG": "true"})[0] == "django.core.mail.backends.console.EmailBackend"
    assert mail_settings({"DEBUG": "false"})[:2] == [SMTP, ""]
