"""Background jobs of the assessment workflow (run by a Celery worker, or inline without one)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import transaction

from penilaian import emails

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5)
def send_workflow_email(self, event_id: int) -> int:
    """E-mail the people concerned by one workflow event (``penilaian.emails``).

    On a worker, an unreachable mail server is retried (1, 2, 4, 8, 16 minutes later); inline
    (no broker) the error reaches :func:`queue_workflow_email`, which logs it.
    """
    try:
        return emails.send_for_event(event_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


def queue_workflow_email(event_id: int) -> None:
    """Queue the e-mail about ``event_id`` once the current transaction commits.

    A broker that is down, or (inline) a mail server that refuses, is logged and never undoes nor
    fails the transition: the in-app notification is already stored.
    """

    def enqueue() -> None:
        try:
            send_workflow_email.delay(event_id)
        except Exception:
            logger.exception("Workflow e-mail for event %s was not sent", event_id)

    transaction.on_commit(enqueue)
