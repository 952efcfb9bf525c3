"""E-mail about submit, return and verify: sent by a job after the transition commits, to the
people concerned (minus the actor, users without an address and users who turned it off on their
profile page), in Indonesian with an absolute link; the in-app notifications stay.

The return test goes through a real SMTP server (aiosmtpd, in this process, on a free port)."""

import email
import email.policy
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext

from penilaian import emails, tasks, workflow
from penilaian.models import Edition, Notification, WorkflowEvent
from penilaian.services import get_or_create_assessment, save_values
from regions.models import Preference, Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

SITE = "https://pug.babelprov.go.id"
PAGE = f"{SITE}/penilaian/kla/19.01/2025/"


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and the settings that send to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "pug@babelprov.go.id"
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def kla_bangka():
    return get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.go.id"
        user.save(update_fields=["email"])


def returned(kla_bangka, verifikator, **extra):
    indicators = kla_bangka.edition.indicators
    return workflow.return_assessment(
        kla_bangka,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                reason="Lampirkan SK gugus tugas 2025", indicator=indicators.get(code="KLA-3-02")
            ),
            workflow.ReturnItem(
                reason="Angka tidak sesuai data Dinkes", indicator=indicators.get(code="KLA-1-01")
            ),
        ],
        **extra,
    )


def test_a_return_mails_the_operator_and_the_koordinator_once_each_through_smtp(
    smtp_server,
    kla_bangka,
    koordinator_bangka,
    operator_dinkes_bangka,
    koordinator_belitung,
    verifikator,
    django_capture_on_commit_callbacks,
):
    with_email(koordinator_bangka, operator_dinkes_bangka, koordinator_belitung, verifikator)
    workflow.submit(
        kla_bangka, user=koordinator_bangka, confirm_reason="Uji"
    )  # not committed: nothing queued
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        returned(kla_bangka, verifikator)

    assert any("queue_workflow_email" in c.__qualname__ for c in callbacks)
    recipients = sorted(rcpt for rcpts, _ in smtp_server.messages for rcpt in rcpts)
    assert recipients == [koordinator_bangka.email, operator_dinkes_bangka.email]
    for rcpts, message in smtp_server.messages:
        body = message.get_content()
        assert message["To"] == rcpts[0]
        assert message["From"] == "pug@babelprov.go.id"
        subject = message["Subject"].strip()
        assert subject == "Dikembalikan untuk diperbaiki: KLA 2025 — Kabupaten Bangka"
        assert "dikembalikan oleh verifikator.uji: 2 indikator perlu diperbaiki." in body
        assert "KLA-3-02" in body and "Lampirkan SK gugus tugas 2025" in body
        assert "KLA-1-01" in body and "Angka tidak sesuai data Dinkes" in body
        assert body.index("KLA-1-01") < body.index("KLA-3-02")  # in catalog order
        assert PAGE in body
        assert f"{SITE}/akun/profil/" in body
    # the in-app notifications stay
    assert Notification.objects.filter(user=operator_dinkes_bangka).count() == 1


def test_the_koordinator_gets_one_mail_through_smtp_when_every_returned_item_is_changed(
    smtp_server,
    kla_bangka,
    koordinator_bangka,
    operator_dinkes_bangka,
    koordinator_belitung,
    verifikator,
    admin_user,
    django_capture_on_commit_callbacks,
):
    with_email(koordinator_bangka, operator_dinkes_bangka, koordinator_belitung, verifikator)
    with_email(admin_user)
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")
    returned(kla_bangka, verifikator, note="Semua SK bertanda tangan")
    smtp_server.messages.clear()
    admin, admin_scope = admin_user, scope_for(admin_user)  # may change every indicator

    with django_capture_on_commit_callbacks(execute=True):
        save_values(kla_bangka, {"KLA-1-01": "55"}, user=admin, scope=admin_scope)
    assert smtp_server.messages == []  # one of two changed: not yet
    with django_capture_on_commit_callbacks(execute=True):
        save_values(kla_bangka, {"KLA-3-02": "1"}, user=admin, scope=admin_scope)
    with django_capture_on_commit_callbacks(execute=True):
        save_values(kla_bangka, {"KLA-3-02": "0"}, user=admin, scope=admin_scope)

    [(rcpts, message)] = smtp_server.messages  # once, to the koordinator of Bangka only
    assert rcpts == [koordinator_bangka.email]
    body = message.get_content()
    assert message["Subject"].strip() == (
        "Semua item yang dikembalikan sudah diubah: KLA 2025 — Kabupaten Bangka"
    )
    assert "semua 2 indikator yang dikembalikan sudah diubah (terakhir oleh" in body
    assert "KLA-1-01" in body and "KLA-3-02" in body and "Semua SK" not in body
    assert PAGE in body and f"{SITE}/akun/profil/" in body


def test_nothing_is_mailed_until_the_transition_commits(
    kla_bangka, koordinator_bangka, verifikator, mailoutbox
):
    with_email(verifikator)

    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")

    assert mailoutbox == []  # the test's transaction never commits


def test_submit_mails_the_verifikators_and_verify_the_region(
    kla_bangka,
    koordinator_bangka,
    operator_disdik_bangka,
    koordinator_belitung,
    verifikator,
    pimpinan,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with_email(koordinator_bangka, operator_disdik_bangka, koordinator_belitung, verifikator)
    with_email(pimpinan)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(
            kla_bangka, user=koordinator_bangka, note="Siap diperiksa", confirm_reason="Uji"
        )
    submitted = [(m.to, m.subject, m.body) for m in mailoutbox]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.verify(kla_bangka, user=verifikator, confirm_reason="Uji")

    assert [to for to, _s, _b in submitted] == [[verifikator.email]]
    assert submitted[0][1] == "Diajukan untuk verifikasi: KLA 2025 — Kabupaten Bangka"
    # the note follows the confirmed-incomplete line that submit puts first (the form was empty)
    assert "Catatan: Belum lengkap" in submitted[0][2] and "Siap diperiksa" in submitted[0][2]
    assert PAGE in submitted[0][2]
    assert sorted(m.to[0] for m in mailoutbox) == [
        koordinator_bangka.email,
        operator_disdik_bangka.email,
    ]
    assert {m.subject for m in mailoutbox} == {"Terverifikasi: KLA 2025 — Kabupaten Bangka"}


def test_users_who_turned_it_off_or_have_no_address_get_no_mail(
    client,
    kla_bangka,
    koordinator_bangka,
    operator_dinkes_bangka,
    operator_disdik_bangka,
    verifikator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with_email(koordinator_bangka, operator_dinkes_bangka)  # disdik has no address
    client.force_login(koordinator_bangka)
    client.post("/akun/profil/", {"preferences": "1"})  # unchecked box: off
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")

    with django_capture_on_commit_callbacks(execute=True):
        returned(kla_bangka, verifikator)

    assert [m.to for m in mailoutbox] == [[operator_dinkes_bangka.email]]
    assert Notification.objects.filter(user=koordinator_bangka).count() == 1  # in-app stays


def test_a_mail_server_that_is_down_never_fails_the_transition(
    settings,
    kla_bangka,
    koordinator_bangka,
    verifikator,
    caplog,
    django_capture_on_commit_callbacks,
):
    with_email(verifikator)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens

    with (
        caplog.at_level(logging.ERROR, logger="penilaian.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")

    kla_bangka.refresh_from_db()
    assert kla_bangka.status == "submitted"
    assert Notification.objects.filter(user=verifikator).count() == 1
    assert "was not sent" in caplog.text


def test_the_job_sends_nothing_for_an_unlock_or_an_unknown_event(
    kla_bangka, koordinator_bangka, verifikator, admin_user, mailoutbox
):
    with_email(koordinator_bangka, verifikator)
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")
    workflow.verify(kla_bangka, user=verifikator, confirm_reason="Uji")
    unlock = workflow.unlock(kla_bangka, user=admin_user, reason="Salah ketik")

    assert tasks.send_workflow_email(unlock.pk) == 0
    assert tasks.send_workflow_email(10**9) == 0
    assert mailoutbox == []


def test_the_job_is_a_plain_function_and_mails_the_event_it_is_given(
    kla_bangka, koordinator_bangka, verifikator, mailoutbox
):
    with_email(verifikator)
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")
    event = WorkflowEvent.objects.get(action="submit")

    assert tasks.send_workflow_email(event.pk) == 1
    assert [m.to for m in mailoutbox] == [[verifikator.email]]
    assert emails.recipients(event).count() == 1


def test_the_profile_page_turns_the_mails_off_and_on_for_its_own_user_only(
    client, koordinator_bangka, operator_dinkes_bangka
):
    client.force_login(koordinator_bangka)
    page = client.get("/akun/profil/")
    assert page.status_code == 200
    assert page.context["preference_form"]["email_notifications"].value() is True

    off = client.post("/akun/profil/", {"preferences": "1"})
    assert off.status_code == 302
    assert Preference.wants_email(koordinator_bangka) is False
    assert Preference.wants_email(operator_dinkes_bangka) is True
    koordinator_bangka.refresh_from_db()
    assert koordinator_bangka.check_password("Sandi-uji-2026!")  # the password form stayed out

    client.post("/akun/profil/", {"preferences": "1", "email_notifications": "on"})
    assert Preference.wants_email(koordinator_bangka) is True
    assert Preference.objects.count() == 1


def mail_backend(**env: str) -> str:
    """The e-mail backend the settings choose for ``env`` (in a fresh process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-c",
            "from babel_pug import settings as s;"
            "print(getattr(s, 'EMAIL_BACKEND', 'django.core.mail.backends.smtp.EmailBackend'))",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_development_prints_mail_on_the_console_until_an_smtp_host_is_set():
    console = "django.core.mail.backends.console.EmailBackend"
    smtp = "django.core.mail.backends.smtp.EmailBackend"

    assert mail_backend(DEBUG="true") == console
    assert mail_backend(DEBUG="true", EMAIL_HOST="smtp.example.go.id") == smtp
    assert mail_backend(DEBUG="false", EMAIL_HOST="smtp.example.go.id") == smtp


def test_the_job_reads_the_same_number_of_queries_for_one_or_three_recipients(
    kla_bangka, koordinator_bangka, operator_dinkes_bangka, operator_disdik_bangka, verifikator
):
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")
    event = returned(kla_bangka, verifikator)
    counts = []
    for users in ([koordinator_bangka], [operator_dinkes_bangka, operator_disdik_bangka]):
        with_email(*users)
        with CaptureQueriesContext(connection) as queries:
            sent = emails.send_for_event(event.pk)
        counts.append((sent, len(queries)))

    assert [sent for sent, _ in counts] == [1, 3]
    assert counts[0][1] == counts[1][1]
