"""System checks about how the portal is deployed (``python manage.py check``)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Warning, register

# Cache backends that live inside one process: every gunicorn worker would count on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def web_concurrency() -> int:
    """gunicorn's worker count as babel_pug/gunicorn.conf.py reads it (3 when unset)."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    try:
        return int(value) if value else 3
    except ValueError:
        return 1


@register()
def shared_cache_for_several_workers(app_configs=None, **kwargs) -> list[Warning]:
    """Rate limits (DRF throttles) must be shared by all workers (readiness is stored in the
    database, not cached: ``dashboard.store``).

    With a per-process cache, each of N workers keeps its own counters: an API limit of 60/min
    lets N×60 requests through. Warn when DEBUG is off, more than one worker runs and the default
    cache is per process.
    """
    if settings.DEBUG or web_concurrency() <= 1:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) lives in each process, but "
            f"WEB_CONCURRENCY={web_concurrency()} workers run: API rate limits are kept per "
            "worker (a limit lets that many times more through).",
            hint="Set REDIS_URL to a Redis server shared by all workers, or WEB_CONCURRENCY=1.",
            id="babel_pug.W001",
        )
    ]
