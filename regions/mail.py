"""Whether this deployment can send e-mail, and sending that reports a failure.

SMTP settings come from the environment (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, DEFAULT_FROM_EMAIL). The SMTP backend without
EMAIL_HOST has nowhere to send to: Django would try localhost:25 and only log the failure.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class MailNotSent(Exception):
    """The mail server refused or could not be reached."""


def mail_configured() -> bool:
    """True when a message would go somewhere: an SMTP host is set, or a non-SMTP backend is used
    (console in development, local memory in tests)."""
    return settings.EMAIL_BACKEND != SMTP_BACKEND or bool(settings.EMAIL_HOST)


def send(message: EmailMultiAlternatives) -> None:
    """Send ``message`` or raise :class:`MailNotSent` (the failure is logged)."""
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        logger.exception("Failed to send e-mail %r to %s", message.subject, message.to)
        raise MailNotSent(str(error)) from error
