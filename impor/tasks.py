"""Jobs of the import pages: large imports (``impor.jobs``) and the scheduled clean-up (see
``CELERY_BEAT_SCHEDULE`` in the settings)."""

from celery import shared_task

from impor import engine, jobs
from impor.jobs import run_import_job

__all__ = [
    "fail_stale_import_jobs",
    "remove_expired_import_files",
    "run_import_job",
]  # run_import_job: impor.jobs


@shared_task
def remove_expired_import_files() -> int:
    """Delete pending uploads, previews' error files and the admin's leftover uploads older than
    a day (``impor.engine.TMP_MAX_AGE``); returns how many files were deleted."""
    return engine.remove_expired_files()


@shared_task
def fail_stale_import_jobs() -> int:
    """Store as failed every running import job whose worker stopped (no heartbeat for
    ``IMPORT_JOB_STALE_SECONDS``); pages show such a job as failed already. Returns how many."""
    return jobs.fail_stale()
