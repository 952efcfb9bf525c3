"""Jobs of the import pages: large imports (``impor.jobs``) and the scheduled clean-up (see
``CELERY_BEAT_SCHEDULE`` in the settings)."""

from celery import shared_task

from impor import engine, jobs


@shared_task(ignore_result=True)
def run_import_job(job_id: int, attempt: int) -> str:
    """Preview or apply one :class:`~impor.models.ImportJob` (its current step); returns the
    state it ended in ("skipped" when it was not queued for this attempt)."""
    return jobs.run(job_id, attempt)


@shared_task
def remove_expired_import_files() -> int:
    """Delete pending uploads, previews' error files and the admin's leftover uploads older than
    a day (``impor.engine.TMP_MAX_AGE``); returns how many files were deleted."""
    return engine.remove_expired_files()
