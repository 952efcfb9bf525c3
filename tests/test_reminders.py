"""Reminder digests before the provincial deadline: content, one digest per person, never twice
for the same item and threshold, nothing for people with nothing open, --dry-run writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from akuntabilitas import demo
from akuntabilitas.models import ReminderThreshold, SentReminder, Stage
from akuntabilitas.reminders import send_reminders
from penilaian.models import Answer, Assessment, Edition, Notification
from penilaian.services import get_or_create_assessment
from regions.models import Region

pytestmark = pytest.mark.django_db

H7 = date(2026, 4, 9)  # KLA pengisian mandiri: provincial deadline 16 Apr 2026 (demo calendar)
H1 = date(2026, 4, 15)


@pytest.fixture
def officers(
    koordinator_bangka, operator_dinkes_bangka, operator_disdik_bangka, koordinator_belitung
):
    demo.seed()
    for user in (koordinator_bangka, operator_dinkes_bangka, koordinator_belitung):
        user.email = f"{user.username}@example.org"
        user.save()
    # Belitung has submitted its KLA 2026: nothing open for it while it waits.
    belitung = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2026), Region.objects.get(code="19.02")
    )
    Assessment.objects.filter(pk=belitung.pk).update(status=Assessment.Status.SUBMITTED)
    return koordinator_bangka, operator_dinkes_bangka, operator_disdik_bangka, koordinator_belitung


def items_of(user) -> set[str]:
    return set(SentReminder.objects.filter(user=user).values_list("item", flat=True))


def test_each_officer_gets_one_digest_of_their_own_open_items(officers):
    koordinator, dinkes, disdik, belitung = officers

    report = send_reminders(today=H7)

    assert {d.user.username for d in report.digests} == {
        koordinator.username,
        dinkes.username,
        disdik.username,
    }
    assert "kla:2026:19.01:KLA-3-09" in items_of(dinkes)
    assert items_of(dinkes) and items_of(disdik) and not (items_of(dinkes) & items_of(disdik))
    assert items_of(koordinator) >= items_of(dinkes) | items_of(disdik)
    assert not items_of(belitung)
    assert set(SentReminder.objects.values_list("days_before", flat=True)) == {7}
    assert Notification.objects.filter(user=dinkes).count() == 1
    assert not Notification.objects.filter(user=belitung).exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [f"{koordinator.username}@example.org", f"{dinkes.username}@example.org"]
    )
    body = next(m.body for m in mail.outbox if m.to == [f"{dinkes.username}@example.org"])
    assert "KLA-3-09" in body and "Pengisian mandiri" in body and "16 April 2026" in body
    assert "/wilayah/19.01/opd/" in body


def test_a_second_run_the_same_day_or_within_the_threshold_sends_nothing(officers):
    send_reminders(today=H7)
    notifications, mails, rows = (
        Notification.objects.count(),
        len(mail.outbox),
        SentReminder.objects.count(),
    )

    assert send_reminders(today=H7).digests == []
    assert send_reminders(today=date(2026, 4, 12)).digests == []  # still the H-7 threshold
    assert (Notification.objects.count(), len(mail.outbox), SentReminder.objects.count()) == (
        notifications,
        mails,
        rows,
    )


def test_the_next_threshold_leaves_out_an_item_done_meanwhile(officers):
    koordinator, dinkes, _disdik, _belitung = officers
    send_reminders(today=H7)
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2026), Region.objects.get(code="19.01")
    )
    Answer.objects.create(
        assessment=assessment,
        indicator=assessment.edition.indicators.get(code="KLA-3-09"),
        value=Decimal(8),
    )

    report = send_reminders(today=H1)

    h1 = set(SentReminder.objects.filter(user=dinkes, days_before=1).values_list("item", flat=True))
    assert h1 and "kla:2026:19.01:KLA-3-09" not in h1
    digest = next(d for d in report.digests if d.user == dinkes)
    assert "KLA-3-09" not in digest.body()


def test_a_returned_item_is_open_again_with_its_reason(officers, verifikator):
    from penilaian import workflow

    koordinator, dinkes, *_ = officers
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2026), Region.objects.get(code="19.01")
    )
    indicator = assessment.edition.indicators.get(code="KLA-3-09")
    Answer.objects.create(assessment=assessment, indicator=indicator, value=Decimal(8))
    workflow.submit(assessment, user=koordinator, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[workflow.ReturnItem(indicator=indicator, categories=("tanpa_ttd_stempel",))],
    )

    report = send_reminders(today=H7)

    digest = next(d for d in report.digests if d.user == dinkes)
    assert "KLA-3-09" in digest.body() and "Belum ditandatangani/distempel" in digest.body()


def test_dry_run_prints_and_writes_nothing(officers, capsys):
    call_command("send_reminders", "--dry-run", "--date", "2026-04-09")

    out = capsys.readouterr().out
    assert officers[1].username in out and "KLA-3-09" in out
    assert not SentReminder.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_the_thresholds_are_data_and_nothing_is_due_without_them(officers):
    ReminderThreshold.objects.filter(days_before=7).update(active=False)
    assert send_reminders(today=H7).digests == []
    ReminderThreshold.objects.create(days_before=10)
    assert send_reminders(today=date(2026, 4, 6)).digests  # 10 days before


def test_nothing_before_the_first_threshold_or_after_the_deadline(officers):
    assert send_reminders(today=date(2026, 4, 8)).digests == []
    assert send_reminders(today=date(2026, 4, 17)).digests == []


def test_the_database_refuses_the_same_item_and_threshold_twice(officers):
    user = officers[0]
    stage = Stage.objects.get(year=2026, program="kla", code="pengisian_mandiri")
    row = {
        "user": user,
        "stage": stage,
        "days_before": 7,
        "item": "kla:2026:19.01:KLA-3-09",
        "label": "x",
        "region": Region.objects.get(code="19.01"),
        "sent_on": H7,
    }
    SentReminder.objects.create(**row)
    with pytest.raises(IntegrityError):
        SentReminder.objects.create(**{**row, "sent_on": H1})


def test_the_sent_list_is_for_provincial_roles(client, officers, verifikator):
    send_reminders(today=H7)
    client.force_login(verifikator)
    page = client.get("/kalender/pengingat/")
    assert page.status_code == 200 and "KLA-3-09" in page.text
    client.force_login(officers[0])
    assert client.get("/kalender/pengingat/").status_code == 403


def test_an_officer_who_turned_e_mail_off_gets_the_reminder_in_the_app_only(officers):
    from regions.models import Preference

    koordinator, dinkes, _disdik, _belitung = officers
    Preference.objects.create(user=dinkes, email_notifications=False)

    send_reminders(today=H7)

    assert [m.to for m in mail.outbox] == [[f"{koordinator.username}@example.org"]]
    assert Notification.objects.filter(user=dinkes).count() == 1
    assert not SentReminder.objects.filter(user=dinkes, emailed=True).exists()


def test_the_daily_reminder_job_is_scheduled_and_sends_the_digests(officers, monkeypatch):
    from django.conf import settings

    from akuntabilitas import reminders, tasks
    from babel_pug.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "akuntabilitas.tasks.send_daily_reminders"
    assert entry["task"] in app.tasks
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: H7)

    assert tasks.send_daily_reminders.delay() is not None
    assert SentReminder.objects.filter(days_before=7).exists()
    assert tasks.send_daily_reminders() == 0  # the same day again: nothing twice


def test_without_a_mail_server_the_reminder_is_in_the_app_only_and_recorded_so(officers, settings):
    """SMTP as the backend but no EMAIL_HOST (a deployment without mail): nothing is tried, the
    digest still reaches the app, and the sent list does not claim an e-mail."""
    koordinator, dinkes, _disdik, _belitung = officers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""

    report = send_reminders(today=H7)

    assert report.emailed == 0
    assert Notification.objects.filter(user__in=[koordinator, dinkes]).count() == 2
    assert SentReminder.objects.filter(user__in=[koordinator, dinkes]).exists()
    assert not SentReminder.objects.filter(emailed=True).exists()
