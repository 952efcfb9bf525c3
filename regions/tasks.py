"""Scheduled account housekeeping (see ``CELERY_BEAT_SCHEDULE`` in the settings)."""

from datetime import timedelta
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions (what ``manage.py clearsessions`` does)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task
def prune_login_records(max_age_days: int | None = None) -> int:
    """Delete django-axes records (failed-login attempts and lockouts, failure and access logs)
    older than ``AXES_RECORDS_MAX_AGE_DAYS`` (30) days; returns how many rows were deleted."""
    days = settings.AXES_RECORDS_MAX_AGE_DAYS if max_age_days is None else max_age_days
    cutoff = timezone.now() - timedelta(days=days)
    removed = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        removed += (
            model.objects.filter(attempt_time__lt=cutoff).delete()[1].get(model._meta.label, 0)
        )
    return removed
