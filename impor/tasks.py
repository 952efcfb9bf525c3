"""Scheduled jobs of the import pages (see ``CELERY_BEAT_SCHEDULE`` in the settings)."""

from celery import shared_task

from impor import engine


@shared_task
def remove_expired_import_files() -> int:
    """Delete pending uploads, previews' error files and the admin's leftover uploads older than
    a day (``impor.engine.TMP_MAX_AGE``); returns how many files were deleted."""
    return engine.remove_expired_files()
