"""Scheduled accountability jobs (see ``CELERY_BEAT_SCHEDULE`` in the settings)."""

from celery import shared_task

from akuntabilitas.reminders import send_reminders


@shared_task
def send_daily_reminders() -> int:
    """Today's reminder digests (``akuntabilitas.reminders``); returns how many were sent.
    Safe to run more than once a day: an item is never reminded twice at the same threshold."""
    return len(send_reminders().digests)
