"""In-app notifications for the workflow: submit → verifikators; return/verify → the region.

Messages are stored already translated into the site language (Bahasa Indonesia), because they
are read later by other people in another request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from penilaian.models import Assessment, Notification
from regions.models import Role


def assessment_url(assessment: Assessment) -> str:
    """The assessment page of ``assessment``."""
    return reverse(
        "penilaian:assessment_detail",
        args=[assessment.edition.program, assessment.region.code, assessment.edition.year],
    )


def verifikators() -> QuerySet:
    """Active users holding the provincial verifier role."""
    return get_user_model().objects.filter(is_active=True, assignment__role=Role.VERIFIKATOR)


def region_officers(assessment: Assessment) -> QuerySet:
    """Active koordinator and operators of the assessment's region."""
    return get_user_model().objects.filter(
        is_active=True,
        assignment__region_id=assessment.region_id,
        assignment__role__in=[Role.KOORDINATOR, Role.OPERATOR],
    )


def _label(assessment: Assessment) -> str:
    edition = assessment.edition
    return f"{edition.get_program_display()} {edition.year} — {assessment.region.name}"


def _send(recipients: Iterable, assessment: Assessment, message: str, actor) -> int:
    actor_id = getattr(actor, "pk", None)
    url = assessment_url(assessment)
    rows = [
        Notification(user=user, assessment=assessment, message=message[:300], url=url)
        for user in recipients
        if user.pk != actor_id
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notify_submitted(assessment: Assessment, actor) -> int:
    """Tell the verifikators that ``assessment`` awaits verification; returns how many."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was submitted for verification by %(user)s.") % {
            "assessment": _label(assessment),
            "user": _display(actor),
        }
    return _send(verifikators(), assessment, message, actor)


def notify_returned(assessment: Assessment, actor, count: int) -> int:
    """Tell the region's officers that ``assessment`` came back with ``count`` reasons."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was returned by %(user)s with %(count)s reason(s) to fix.") % {
            "assessment": _label(assessment),
            "user": _display(actor),
            "count": count,
        }
    return _send(region_officers(assessment), assessment, message, actor)


def notify_verified(assessment: Assessment, actor) -> int:
    """Tell the region's officers that ``assessment`` is verified."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was verified by %(user)s.") % {
            "assessment": _label(assessment),
            "user": _display(actor),
        }
    return _send(region_officers(assessment), assessment, message, actor)


def notify_unlocked(assessment: Assessment, actor) -> int:
    """Tell the region's officers that an admin unlocked ``assessment``."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was unlocked by %(user)s and can be edited again.") % {
            "assessment": _label(assessment),
            "user": _display(actor),
        }
    return _send(region_officers(assessment), assessment, message, actor)


def unread_count(user) -> int:
    """How many unread notifications ``user`` has (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in ``ids``) read; returns how many."""
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def _display(user) -> str:
    if user is None:
        return "-"
    return user.get_full_name() or user.get_username()
