"""In-app notifications for the workflow: submit → verifikators; return/verify → the region;
returned items all changed → the region's koordinators.

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


def koordinators(assessment: Assessment) -> QuerySet:
    """Active koordinators of the assessment's region (nobody of another region)."""
    return get_user_model().objects.filter(
        is_active=True,
        assignment__region_id=assessment.region_id,
        assignment__role=Role.KOORDINATOR,
    )


def label(assessment: Assessment) -> str:
    """How messages name an assessment: "KLA 2025 — Kabupaten Bangka"."""
    edition = assessment.edition
    return f"{edition.get_program_display()} {edition.year} — {assessment.region.name}"


def display_name(user) -> str:
    """How messages name a user: full name, else username ("-" for nobody)."""
    if user is None:
        return "-"
    return user.get_full_name() or user.get_username()


def returned_message(
    assessment: Assessment, actor, items: int, *, per_desa: bool, note: bool
) -> str:
    """The sentence that tells of a return: the returned items counted (indicators, or villages
    for Kampung KB), the general note mentioned but never counted as an item."""
    values = {"assessment": label(assessment), "user": display_name(actor)}
    if not items:
        return _("%(assessment)s was returned by %(user)s with a general note.") % values
    if per_desa:
        what = _("%(count)s village(s) to fix") % {"count": items}
    else:
        what = _("%(count)s indicator(s) to fix") % {"count": items}
    if note:
        return _("%(assessment)s was returned by %(user)s: %(what)s, with a general note.") % {
            **values,
            "what": what,
        }
    return _("%(assessment)s was returned by %(user)s: %(what)s.") % {**values, "what": what}


def fixed_message(assessment: Assessment, actor, items: int, *, per_desa: bool) -> str:
    """The sentence that tells the koordinator every returned item was changed."""
    values = {"assessment": label(assessment), "user": display_name(actor), "count": items}
    if per_desa:
        return (
            _(
                "%(assessment)s: all %(count)s returned village(s) have been changed (last by "
                "%(user)s). Check them and submit again."
            )
            % values
        )
    return (
        _(
            "%(assessment)s: all %(count)s returned indicator(s) have been changed (last by "
            "%(user)s). Check them and submit again."
        )
        % values
    )


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
            "assessment": label(assessment),
            "user": display_name(actor),
        }
    return _send(verifikators(), assessment, message, actor)


def notify_returned(
    assessment: Assessment, actor, items: int, *, per_desa: bool = False, note: bool = False
) -> int:
    """Tell the region's officers that ``assessment`` came back with ``items`` returned items
    (and a general note when ``note``)."""
    with translation.override(settings.LANGUAGE_CODE):
        message = returned_message(assessment, actor, items, per_desa=per_desa, note=note)
    return _send(region_officers(assessment), assessment, message, actor)


def notify_fixed(assessment: Assessment, actor, items: int, *, per_desa: bool = False) -> int:
    """Tell the region's koordinators (not the one who made the last change) that every
    returned item of the round has been changed."""
    with translation.override(settings.LANGUAGE_CODE):
        message = fixed_message(assessment, actor, items, per_desa=per_desa)
    return _send(koordinators(assessment), assessment, message, actor)


def notify_verified(assessment: Assessment, actor) -> int:
    """Tell the region's officers that ``assessment`` is verified."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was verified by %(user)s.") % {
            "assessment": label(assessment),
            "user": display_name(actor),
        }
    return _send(region_officers(assessment), assessment, message, actor)


def notify_unlocked(assessment: Assessment, actor) -> int:
    """Tell the region's officers that an admin unlocked ``assessment``."""
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(assessment)s was unlocked by %(user)s and can be edited again.") % {
            "assessment": label(assessment),
            "user": display_name(actor),
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
