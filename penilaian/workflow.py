"""The assessment workflow: draft/returned → submitted → verified | returned; admin unlock.

Each transition locks the assessment row, checks who may do it and from which status, changes
the status (bumping ``version`` so that forms opened before the change cannot overwrite it),
records a :class:`WorkflowEvent` (and, through ``save()``, a simple_history record with the
reason) and notifies the people concerned: in the app at once, and by e-mail (submit, return,
verify) through a job queued when the transaction commits (``penilaian.tasks``). The moment a
returned assessment's returned items are all changed is recorded by ``penilaian.fixes``. Nobody
verifies what they submitted. Verification freezes the "as verified" snapshot; an unlock never
changes an existing snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from penilaian import notifications, tasks
from penilaian.models import Assessment, Indicator, ReturnCategory, ReturnReason, WorkflowEvent
from penilaian.scoring import Missing
from penilaian.services import freeze_snapshot, missing_for
from penilaian.versions import assessments_changed
from regions.scoping import Scope, scope_for

Status = Assessment.Status
Action = WorkflowEvent.Action


class WorkflowError(Exception):
    """A transition that cannot happen; ``message`` reads well in the UI language."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowError):
    """The user's role does not allow this transition (HTTP 403)."""

    status_code = 403


class Incomplete(WorkflowError):
    """Something is missing and nobody confirmed going ahead anyway, with a reason."""

    status_code = 409

    def __init__(self, missing: Missing):
        super().__init__(
            _(
                "Something is missing (%(summary)s). Check the list and confirm with a reason "
                "to go ahead anyway."
            )
            % {"summary": missing.summary()}
        )
        self.missing = missing


def _confirmed(locked: Assessment, note: str, confirm_reason: str) -> str:
    """The event reason: the note, plus — when something is missing — what and why anyway.

    Raises :class:`Incomplete` when something is missing and ``confirm_reason`` is empty.
    """
    missing = missing_for(locked)
    note = (note or "").strip()
    if missing.complete:
        return note
    confirm_reason = (confirm_reason or "").strip()
    if not confirm_reason:
        raise Incomplete(missing)
    line = _("Incomplete (%(summary)s), confirmed: %(reason)s") % {
        "summary": missing.summary(),
        "reason": confirm_reason,
    }
    return f"{line}\n{note}" if note else line


@dataclass(frozen=True)
class ReturnItem:
    """One returned item: an indicator (APE/KLA) or a desa (Kampung KB), with its reasons.

    ``categories`` are codes of :class:`ReturnCategory`; ``reason`` is the free text (required
    with a category that requires text, e.g. "lainnya"). A text with no category counts as
    "lainnya".
    """

    reason: str = ""
    indicator: Indicator | None = None
    desa_code: str = ""
    categories: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.indicator.code if self.indicator is not None else self.desa_code

    @property
    def is_empty(self) -> bool:
        return not self.reason.strip() and not self.categories


OTHER = "lainnya"


def _categorised(
    items: list[ReturnItem], categories: dict[str, ReturnCategory]
) -> list[tuple[ReturnItem, list[ReturnCategory]]]:
    """Each item with its categories; WorkflowError for an unknown code or a missing text."""
    result = []
    for item in items:
        codes = list(dict.fromkeys(item.categories)) or ([OTHER] if item.reason.strip() else [])
        unknown = [code for code in codes if code not in categories]
        if unknown:
            raise WorkflowError(
                _("%(item)s: unknown return reason %(codes)s.")
                % {"item": item.key, "codes": ", ".join(unknown)}
            )
        chosen = [categories[code] for code in codes]
        if any(c.requires_text for c in chosen) and not item.reason.strip():
            raise WorkflowError(
                _("%(item)s: explain the reason “%(name)s” in the text field.")
                % {"item": item.key, "name": next(c.name for c in chosen if c.requires_text)}
            )
        result.append((item, chosen))
    return result


def reason_text(chosen: list[ReturnCategory], note: str) -> str:
    """The whole reason as one line: the categories' names, then the explanation."""
    names = "; ".join(c.name for c in chosen if not (c.requires_text and note))
    return " — ".join(part for part in (names, note) if part)


# --- who may do what -------------------------------------------------------------------------


def can_submit(scope: Scope, assessment: Assessment) -> bool:
    """The region's koordinator (or admin) submits a draft or returned assessment."""
    return scope.can_manage_region(assessment.region_id) and assessment.status in (
        Status.DRAFT,
        Status.RETURNED,
    )


def can_review(scope: Scope, assessment: Assessment, submitter_id: int | None) -> bool:
    """A verifikator (or admin) who did not submit it verifies or returns a submission."""
    return (
        scope.can_verify
        and assessment.status == Status.SUBMITTED
        and (submitter_id is None or submitter_id != scope.user_id)
    )


def can_unlock(scope: Scope, assessment: Assessment) -> bool:
    """Only an admin reopens a verified (or submitted) assessment."""
    return scope.is_admin and assessment.status in (Status.VERIFIED, Status.SUBMITTED)


def submitter_id(assessment: Assessment) -> int | None:
    """The user who made the latest submission of ``assessment`` (None if never submitted)."""
    return (
        WorkflowEvent.objects.filter(assessment_id=assessment.pk, action=Action.SUBMIT)
        .order_by("-created_at", "-pk")
        .values_list("user_id", flat=True)
        .first()
    )


# --- transitions -----------------------------------------------------------------------------


def submit(
    assessment: Assessment, *, user, note: str = "", confirm_reason: str = ""
) -> WorkflowEvent:
    """Submit ``assessment`` for verification; resolves the reasons of earlier returns.

    With anything missing (unanswered, required evidence) it needs ``confirm_reason``
    (:class:`Incomplete` otherwise); what was missing and the reason go into the history.
    """
    scope = scope_for(user)
    with transaction.atomic():
        locked = _lock(assessment)
        if not scope.can_manage_region(locked.region_id):
            raise NotAllowed(_("Only the coordinator of the region can submit this assessment."))
        if locked.status not in (Status.DRAFT, Status.RETURNED):
            raise WorkflowError(_("Only a draft or returned assessment can be submitted."))
        reason = _confirmed(locked, note, confirm_reason)
        event = _change(locked, user, Action.SUBMIT, Status.SUBMITTED, reason)
        ReturnReason.objects.filter(assessment=locked, resolved=False).update(resolved=True)
        notifications.notify_submitted(locked, user)
        tasks.queue_workflow_email(event.pk)
    _refresh(assessment, locked)
    return event


def return_assessment(
    assessment: Assessment, *, user, items: list[ReturnItem], note: str = ""
) -> WorkflowEvent:
    """Send a submission back; every returned indicator (or desa) carries its own reason."""
    scope = scope_for(user)
    items = [item for item in items if not item.is_empty]
    note = note.strip()
    with transaction.atomic():
        locked = _lock(assessment)
        _check_review(scope, locked)
        if not items and not note:
            raise WorkflowError(
                _("Give a reason for each returned indicator (at least one) before returning.")
            )
        categories = {c.code: c for c in ReturnCategory.objects.filter(active=True)}
        categorised = _categorised(items, categories)
        round_no = WorkflowEvent.objects.filter(assessment=locked, action=Action.RETURN).count() + 1
        rows = [
            ReturnReason(
                assessment=locked,
                indicator=item.indicator,
                desa_code=item.desa_code,
                reason=reason_text(chosen, item.reason.strip()),
                note=item.reason.strip(),
                round=round_no,
                created_by=user,
            )
            for item, chosen in categorised
        ]
        created = ReturnReason.objects.bulk_create(
            rows
            + (
                [
                    ReturnReason(
                        assessment=locked, reason=note, note=note, round=round_no, created_by=user
                    )
                ]
                if note
                else []
            )
        )
        Through = ReturnReason.categories.through
        Through.objects.bulk_create(
            [
                Through(returnreason_id=row.pk, returncategory_id=category.pk)
                for row, (_item, chosen) in zip(created, categorised, strict=False)
                for category in chosen
            ]
        )
        summary = note or _("%(count)s item(s) returned: %(items)s") % {
            "count": len(items),
            "items": ", ".join(
                item.indicator.code if item.indicator else item.desa_code for item in items
            ),
        }
        event = _change(locked, user, Action.RETURN, Status.RETURNED, summary)
        notifications.notify_returned(
            locked,
            user,
            len(items),
            per_desa=any(item.desa_code for item in items),
            note=bool(note),
        )
        tasks.queue_workflow_email(event.pk)
    _refresh(assessment, locked)
    return event


def verify(assessment: Assessment, *, user, note: str = "", confirm_reason: str = ""):
    """Verify a submission: lock it and freeze the "as verified" snapshot; returns the snapshot.

    Like :func:`submit`, an incomplete assessment needs ``confirm_reason``; the snapshot records
    what was missing, so the result is shown as verified but incomplete.
    """
    scope = scope_for(user)
    with transaction.atomic():
        locked = _lock(assessment)
        _check_review(scope, locked)
        reason = _confirmed(locked, note, confirm_reason)
        event = _change(locked, user, Action.VERIFY, Status.VERIFIED, reason)
        snapshot = freeze_snapshot(locked, user)
        notifications.notify_verified(locked, user)
        tasks.queue_workflow_email(event.pk)
    _refresh(assessment, locked)
    return snapshot


def unlock(
    assessment: Assessment, *, user, reason: str, to_status: str = Status.DRAFT
) -> WorkflowEvent:
    """Admin only: reopen a verified or submitted assessment, with a reason."""
    scope = scope_for(user)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(assessment)
        if not scope.is_admin:
            raise NotAllowed(_("Only the provincial admin can unlock an assessment."))
        if locked.status not in (Status.VERIFIED, Status.SUBMITTED):
            raise WorkflowError(_("Only a submitted or verified assessment can be unlocked."))
        if not reason:
            raise WorkflowError(_("A reason is required to unlock an assessment."))
        if to_status not in (Status.DRAFT, Status.RETURNED):
            raise WorkflowError(_("An unlocked assessment goes back to draft or returned."))
        event = _change(locked, user, Action.UNLOCK, to_status, reason)
        notifications.notify_unlocked(locked, user)
    _refresh(assessment, locked)
    return event


# --- helpers ---------------------------------------------------------------------------------


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update()
        .select_related("edition", "region")
        .get(pk=assessment.pk)
    )


def _check_review(scope: Scope, assessment: Assessment) -> None:
    if not scope.can_verify:
        raise NotAllowed(_("Only a provincial verifier can verify or return an assessment."))
    if assessment.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted assessment can be verified or returned."))
    if submitter_id(assessment) == scope.user_id:
        raise NotAllowed(_("You submitted this assessment, so someone else must review it."))


def _change(
    assessment: Assessment, user, action: str, to_status: str, reason: str
) -> WorkflowEvent:
    from_status = assessment.status
    assessment.status = to_status
    assessment.version += 1
    assessment.updated_by = user
    # simple_history keeps at most 100 characters of the reason; the event keeps all of it.
    assessment._change_reason = (reason or str(WorkflowEvent.Action(action).label))[:100]
    assessment.save(update_fields=["status", "version", "updated_by", "updated_at"])
    assessments_changed([assessment.pk])
    return WorkflowEvent.objects.create(
        assessment=assessment,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        user=user,
    )


def _refresh(target: Assessment, source: Assessment) -> None:
    target.status = source.status
    target.version = source.version
    target.updated_at = source.updated_at
    target.updated_by_id = source.updated_by_id
