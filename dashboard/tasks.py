"""Background jobs of the dashboard: refreshing the stored readiness after an import.

An import touches thousands of assessments; recomputing their stored readiness inside the
request would cost the import a third of its time. The import's transaction queues
:func:`refresh_readiness` once it commits (``penilaian.versions.assessments_changed(...,
background=True)``), and a worker does the work. Nothing depends on the job having run: every
reader recomputes stale rows itself (``dashboard.store``), so a lost or late job costs the next
reader that batch, never a wrong number. Without a broker the job runs inline, right after the
commit, as before.
"""

from __future__ import annotations

import logging

from celery import shared_task

from dashboard import store

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def refresh_readiness(assessment_ids: list[int]) -> int:
    """Recompute and store the readiness of ``assessment_ids`` (those still stale); the number of
    rows written."""
    return store.refresh(assessment_ids)


def assessments_changed(assessment_ids: list[int], background: bool) -> None:
    """The listener of ``penilaian.versions`` (called after the commit): a save's own rows now,
    an import's as a job. A failure — a broker that is down, an error inline — is logged, never
    raised: the data is committed and the next reader recomputes what is still stale."""
    if not background:
        store.refresh_quietly(assessment_ids)
        return
    try:
        refresh_readiness.delay(assessment_ids)
    except Exception:  # noqa: BLE001
        logger.exception("readiness refresh not queued for %s", assessment_ids[:20])
