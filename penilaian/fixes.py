"""Returned items changed by the region, and the moment they all are ("all fixed").

Every write path of an assessment's values or evidence calls :func:`record_changes` inside its
transaction with the keys it changed (indicator codes, or desa codes for Kampung KB): a value or
note saved different from before, a document linked or unlinked. The first such change of a
returned item (of the open round: its reasons are not yet resolved by a new submission) is stored
on its :class:`~penilaian.models.ReturnReason` (``changed_at``, ``changed_by``). The change that
leaves no returned item unchanged (:func:`penilaian.scoring.completes_round`) records a ``FIXED``
:class:`~penilaian.models.WorkflowEvent` (in the history; the status stays "returned"), tells the
region's koordinators in the app, and queues their e-mail through the workflow e-mail job. Once per
round: a further edit finds every item changed already and does nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from penilaian import notifications, tasks
from penilaian.models import Assessment, ReturnReason, WorkflowEvent
from penilaian.scoring import completes_round

Status = Assessment.Status


def record_changes(assessment: Assessment, keys: Collection[str], user) -> WorkflowEvent | None:
    """Note that the items ``keys`` of ``assessment`` were changed by ``user`` just now; returns
    the ``FIXED`` event when this change fixed the round, else None.

    Call inside the transaction that made the change. Costs nothing for an assessment that is not
    returned (the caller's copy of its status is trusted for that), otherwise two to four queries.
    """
    keys = {key for key in keys if key}
    if not keys or assessment.status != Status.RETURNED:
        return None
    # Serialise concurrent changes of one assessment (a save already holds this lock).
    locked = (
        Assessment.objects.select_for_update()
        .select_related("edition", "region")
        .get(pk=assessment.pk)
    )
    if locked.status != Status.RETURNED:
        return None
    rows = list(
        ReturnReason.objects.filter(assessment_id=locked.pk, resolved=False)
        .filter(Q(indicator__isnull=False) | ~Q(desa_code=""))
        .values_list("pk", "indicator__code", "desa_code", "changed_at")
    )
    returned = {code or desa for _pk, code, desa, _at in rows}
    before = {code or desa for _pk, code, desa, at in rows if at is not None}
    now_changed = (returned & keys) - before
    if not now_changed:
        return None
    ReturnReason.objects.filter(
        pk__in=[pk for pk, code, desa, _at in rows if (code or desa) in now_changed]
    ).update(changed_at=timezone.now(), changed_by=user if getattr(user, "pk", None) else None)
    if not completes_round(returned, before, now_changed):
        return None
    per_desa = any(desa for _pk, _code, desa, _at in rows)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("All %(count)s returned item(s) changed: %(items)s") % {
            "count": len(returned),
            "items": ", ".join(sorted(returned)),
        }
    event = WorkflowEvent.objects.create(
        assessment=locked,
        action=WorkflowEvent.Action.FIXED,
        from_status=Status.RETURNED,
        to_status=Status.RETURNED,
        reason=reason,
        user=user if getattr(user, "pk", None) else None,
    )
    notifications.notify_fixed(locked, user, len(returned), per_desa=per_desa)
    tasks.queue_workflow_email(event.pk)
    return event
